"""Hand-curated word lists for the name rules (project's own work).

Everything here is lower-case.  Three kinds of list:

* cues that make a following/preceding word a name (honorifics, "called", relation nouns);
* words that are never a person's name in this field (``NEVER_NAME``) -- even after "called";
* words that *can* be names but are usually something else here (``FIELD_WORDS``: places,
  months, legal and organisational vocabulary) -- only strong context makes them a name.

The field vocabulary matters more than the lexicon: a guard that flags "Caldicott", "Fraser",
"Leeds" or "May" teaches practitioners to click through the warning.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


HONORIFICS = _words("mr mrs ms miss mx dr master mister madam prof sir dame rev")

# "X's <noun>" and "<noun> X": people and things that belong to a person.
RELATION_NOUNS = _words("""
mum mom mam mummy mother dad daddy father stepdad stepmum stepmom stepfather stepmother
step-dad step-mum parent parents carer carers guardian nan nana nanna nanny gran granny grandma
grandmother grandad granddad grandpa grandfather grandparents grandparent brother brothers
sister sisters sibling siblings twin cousin cousins uncle aunt auntie aunty boyfriend girlfriend
partner husband wife ex son daughter baby child children kids friend friends neighbour neighbours
family teacher teachers headteacher head tutor ta senco keyworker worker coach childminder
nurse doctor gp midwife school nursery college class classmate house home flat room bedroom
address phone mobile number email details records record file notes plan referral case
date birthday dob nhs name surname behaviour attendance bruise bruises injury injuries
disclosure statement ehcp appointment medication welfare safety situation needs support social
foster birth real biological older younger elder eldest youngest little big new previous
current sibling's key health""")

# "<role> X": "her brother Kacper", "my pupil Aarav", "the child, Evie-Mae".
ROLE_NOUNS = _words("""
mum mom mam mother dad father stepdad stepmum stepfather stepmother nan nana nanna gran granny
grandma grandmother grandad granddad grandpa grandfather brother sister sibling twin cousin
uncle aunt auntie aunty boyfriend girlfriend partner husband wife son daughter baby child boy
girl lad pupil student learner client patient yp kid toddler infant teenager friend neighbour
carer""")

# Verbs that follow a person's name ("Grace told her teacher", "ellie said").  Strong ones
# rescue even everyday-word names; weak ones only rescue rarer names.
STRONG_PERSON_VERBS = _words("""
said says told tells disclosed discloses admitted alleged confided cried screamed whispered
lives lived mentioned reported confessed confesses confides admits alleges""")
WEAK_PERSON_VERBS = _words("""
is was has had came comes went goes keeps kept wants wanted needs seems looks turned turns
refused refuses ran runs hit hits doesn't didn't won't can't isn't wasn't hasn't
doesnt didnt wont cant isnt wasnt hasnt hadnt havent""")

# Grouping nouns after a surname: "the Kowalski family".
FAMILY_NOUNS = _words("family household children kids twins boys girls parents siblings")

# Nouns that make the capitalised words before them an organisation or place, not a person:
# "Jack Hunt School", "Harris Federation", "Queen Elizabeth Hospital", "Victoria Station".
ORG_NOUNS = _words("""
school primary academy college university nursery hospital surgery practice clinic centre
center council trust foundation federation partnership service services team unit ward
house hall court church chapel mosque temple gurdwara synagogue cathedral station line
street road lane avenue park way square bridge estate institute society charity fund
hub group board commission committee agency office police constabulary infirmary hospice
library museum stadium arena club ltd limited plc inquiry review report act law principle
principles guidelines competence scheme test""")

# Words directly before a capitalised word that make it a place or institution: "St Mary's",
# "King Edward's", "Port Talbot", "Lord Laming".
PLACE_PREFIXES = _words("st saint king queen prince princess lord lady duke duchess mount port fort lake cape")

# Never a person's name in chat about children's services, even after "called".
NEVER_NAME = _words("""
i me my you your he him his she her it its we us our they them their this that these those
the a an and or but if of to in on at by for with from as is was be been are were am do does
did not no yes so than then there here who whom whose what which when where why how all any
some someone somebody anyone anybody everyone everybody nobody one ones other another each
mum mom mam mummy mother dad daddy father parent parents stepdad stepmum nan nana gran granny
grandma grandad grandpa brother sister son daughter baby child children kid kids boy girl boys
girls lad lads pupil pupils student students teacher teachers carer carers family friend
friend's police school council social services nurse doctor gp dsl dpo lado mash ofsted cafcass
camhs nspcc childline barnardo barnardo's kooth samaritans refuge shelter mencap papyrus
youngminds nacro prevent channel marac mappa cpoms myconcern teams slack outlook gmail google
microsoft whatsapp snapchat tiktok instagram facebook youtube roblox fortnite minecraft discord
tesco asda aldi lidl sainsbury morrisons mcdonald mcdonald's greggs kfc primark amazon
today tomorrow yesterday tonight morning afternoon evening night week weekend month year
back off out up down over away again already also just only really very please thanks thank
ok okay hi hello dear sorry help urgent re fyi n/a na tbc etc
nino nhs ni dob nin upn chi ref id pin
hub app apps bot server edit mock email phone text online website portal form forms
judge magistrate magistrates officer inspector sergeant constable detective worker coach principal
chair governor governors director deputy clerk solicitor barrister lawyer advocate guardian mentor
counsellor therapist psychologist paediatrician consultant registrar senco
men women man woman people person adult adults staff colleague colleagues manager
nobody's someone's everyone's anyone's today's yesterday's tomorrow's""")

# Words that may be names but in this field are usually something else.  Strong context
# ("Fraser (7)", "called Florence") still makes them a name; bare mentions never do.
FIELD_WORDS = _words("""
caldicott gillick fraser laming munro climbie climbié connelly barnardo
january february march april may june july august september october november december
monday tuesday wednesday thursday friday saturday sunday christmas easter eid diwali
ramadan hanukkah vaisakhi summer autumn winter spring
england scotland wales ireland britain london europe africa asia america india pakistan
bangladesh china poland romania lithuania nigeria ghana somalia eritrea syria afghanistan
iran iraq turkey jamaica kenya albania ukraine russia france germany spain italy portugal
jordan israel georgia chad mali niger sudan
english welsh scottish irish british polish romanian muslim christian jewish sikh hindu
catholic
leeds bradford manchester liverpool birmingham sheffield bristol newcastle sunderland
nottingham leicester coventry derby york hull oldham bolton bury wigan preston blackpool
lancaster carlisle chester stoke stafford shrewsbury hereford worcester gloucester bath
exeter plymouth truro taunton bournemouth poole southampton portsmouth brighton hove
hastings dover canterbury maidstone kent essex sussex surrey devon cornwall dorset
somerset wiltshire hampshire berkshire oxford cambridge norwich ipswich colchester
chelmsford luton bedford northampton milton keynes reading slough watford stevenage
lincoln grimsby scunthorpe doncaster rotherham barnsley wakefield halifax huddersfield
harrogate durham darlington middlesbrough hartlepool gateshead carlisle kendal barrow
cardiff swansea newport wrexham bangor aberdeen dundee edinburgh glasgow inverness
stirling perth belfast derry armagh camden hackney islington lambeth southwark
lewisham greenwich croydon bromley brent ealing harrow barnet enfield haringey
hounslow hillingdon merton sutton kingston richmond wandsworth westminster chelsea
kensington hammersmith fulham newham redbridge havering bexley tower hamlets
waltham walsall wolverhampton dudley sandwell solihull telford warwick rugby
nuneaton tamworth lichfield burton crewe warrington widnes runcorn st helens
salford stockport tameside trafford rochdale kirklees calderdale wirral sefton
knowsley halton cumbria northumberland yorkshire lancashire cheshire merseyside
staffordshire shropshire herefordshire warwickshire leicestershire lincolnshire
nottinghamshire derbyshire norfolk suffolk humber tyne wear tees avon severn thames
sydney paris florence berlin dallas austin houston phoenix denver boston
nightingale jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri
sat sun kit dev cal""")

# Lower-case words after a capitalised word that make it a class, group or scheme name:
# "Willow class", "Robin group", "Amber warning", "Rainbow room".
ORG_NOUNS_LOWER = _words("""
class classes room group groups team house ward unit base centre center project service services
hub provision nursery school alert warning rating level light zone award scheme programme program
app line clinic surgery practice hospital ward academy college church mosque temple synagogue gurdwara
trust charity foundation federation""")

# Greetings before a name do not make it part of a title-case phrase ("Hi Sharon").
GREETINGS = _words("hi hello hey dear thanks thank cheers morning afternoon evening")

# Phrases that are field vocabulary even though they look like a name: laws named after
# children, public inquiries, organisations.  Matched case-insensitively and never redacted.
ALLOWED_PHRASES: tuple[str, ...] = (
    r"(?:clare|sarah|helen|jade|finn|martyn|harper|tony|lucy|zach|ivan|natasha|owen|"
    r"katie|frank|george|hollie|kay|tom|michael|jack)['’]s\s+law",
    r"baby\s+p\b", r"victoria\s+climbi[eé]", r"peter\s+connelly", r"arthur\s+labinjo-hughes",
    r"star\s+hobson", r"daniel\s+pelka", r"khyra\s+ishaq", r"logan\s+mwangi", r"lord\s+laming",
    r"eileen\s+munro", r"munro\s+review", r"mr\.?\s+men", r"little\s+miss", r"(?:dr\.?\s+)?barnardo['’]?s?",
    r"women['’]s\s+aid", r"action\s+for\s+children", r"children['’]s\s+society",
    r"st\.?\s+john\s+ambulance", r"home-start", r"alder\s+hey", r"great\s+ormond\s+street",
    r"princes?['’]s?\s+trust", r"duke\s+of\s+edinburgh", r"winston['’]s\s+wish",
    r"mr\s+motivator", r"father\s+christmas", r"santa\s+claus", r"elizabeth\s+line",
    r"jack\s+petchey", r"fraser\s+guidelines", r"gillick\s+competen\w*", r"start\s+for\s+life",
)

# Chat drops apostrophes: "theres", "shes", "dont".  Some are also rare names or surnames in the
# lexicon ("Theres"), but in a practitioner's message they are always the contraction.
CONTRACTIONS = _words("""
theres thats whats wheres whos hows whens whys heres shes hes im ive id ill youre youve youd youll
theyre theyve theyd theyll were weve wed well its itll itd lets dont doesnt didnt wont wouldnt cant
couldnt shouldnt shant isnt arent wasnt werent hasnt havent hadnt mustnt neednt aint mightnt
shouldve wouldve couldve mightve musta shoulda woulda coulda gonna wanna gotta dunno kinda sorta
innit init aint yall""")
# Text-speak and chat shorthand.
TEXT_SPEAK = _words("""
u ur yr yrs y/o yo pls plz plse thx ty tbh idk imo imho lol omg smth sth sb wat wot wen wiv wen cud
shud wud coz cos cuz bc b/c tho thru gr8 l8r asap btw nvm dm msg txt ppl bcos prob probs def defo
hun hon babe mate""")
# Faith, community and school roles, and the family words practitioners use for relatives.
# A capitalised role at the start of a message ("Imam asked ...", "Nana said ...") is a role.
ROLE_WORDS = _words("""
imam imams vicar vicars rabbi rabbis priest priests pastor pastors chaplain chaplains reverend revd
curate pandit granthi monk nun nuns mufti maulana moulana molvi ustadh ustad ustadha madrassa
madrasa sunday-school
nanna nanny nannie grandma grandmother grandfather gramps grampa grandpa granddad grandparent
grandparents nanan grandmum grandmom great-grandma great-nan stepfather stepmother stepmom step-dad
step-mum step-mom stepbrother stepsister stepson stepdaughter half-brother half-sister auntie aunty
aunt uncle cousin godmother godfather godparent fosterer guardian
ddsl dsl dsls hv hvs sw sws gp gps lado mash camhs pcso pcsos ta tas senco sencos sendco
headteacher head-teacher dpo cp cin lac cla ehcp ep yp yot yjs iro cafcass dslo
midwife midwives paediatrician nurse receptionist mindee childminder keyworker lunchtime dinnerlady""")

# The field's own vocabulary, which practitioners misspell ("Caldicott Guardia", "safegaurding",
# "consnet").  A word within a small edit distance of one of these is not a name unless a
# near-certain cue says it is.  Only words of 6+ letters: shorter ones sit too close to real names.
DOMAIN_WORDS: tuple[str, ...] = tuple(sorted(_words("""
caldicott guardian guardians safeguarding safeguard confidentiality confidential consent consents
consented gillick fraser competence competent competency guidelines guidance referral referrals
disclosure disclosures designated threshold thresholds legitimate interest proportionate necessary
chronology assessment protection principles principle information sharing statutory parental
responsibility lawful exemption encompass ofsted cafcass safeguarding-lead wellbeing welfare
neglect exploitation radicalisation practitioner professional headteacher paediatrician agreement
procedure together keeping education guardianship strategy regulation children's children
register governor governors pastoral designated officer conference section emotional physical
sexual domestic violence allegation allegations concern concerns contextual""")))

# Two- and three-letter capitals that are acronyms of the field, not someone's initials.
ACRONYMS = _words("""
dsl sw hv ta gp pe it re dt cp ep yp sen lac cin cla cse cce fgm dv da pc ds dc ni nhs hr ot slt mh
ok nb ps am pm uk eu us id tv me is hi no so or if to an at on in of by be we he my do go up ah oh
la ls sar dpo ico dfe mat pru sch art reg sec ta's sos aka fyi asap tbh idk lol omg pls rip afaik
bsl esol eal pp fsm ks ks1 ks2 ks3 ks4 ao pa ceo ssw tac tam ehc gcse mfl ict rse pshe ppa inset
ddsl hvs sws gps yot yjs iro mash camhs pcso senco lado cpoms ofsted nspcc ok pta pto cpd dbs
csc eha ehat caf tac lscp lscb cspr scr mars marac mappa cme ehe pep sdq csw adhd asd ocd ptsd aces
ace sg sgo cao rao epo pso cpp cpc icpc rcpc ipa lac lacs uasc nrm sso dol dols mca ssd sab lsab
dob rip eg ie ta ra qa ah gb nw ne se sw hmp yoi str stc sch ks5 cps ppo iom cto mh gcse dsl's
hiv sti std bmi iq dna uti asc pda sld mld spld cyp iha rha rhi nfa mfh fii plo foi dpa isa mou sla wt
cpr aob ht dht aht mp nqt ect lsa sbm cpn sn ewo ews esw fsw flo qc kc jp hmrc dwp ukvi ss cic cwd""")

# An honorific is a cue, never part of the name itself ("Mrs Patel Mrs Patel" is two names).
NEVER_NAME = NEVER_NAME | HONORIFICS | CONTRACTIONS | TEXT_SPEAK | ROLE_WORDS
