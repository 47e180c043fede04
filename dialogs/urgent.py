"""Does a message signal that a child (or an adult) is in danger now?

Runs on every incoming text (after redaction), before anything else is decided, so the act-now
answer can never be delayed by a flowchart, a privacy prompt or a slow store. It errs towards
firing: a needless "call 999 if a child is in danger" costs a line of reading; a missed one could
cost a child.

Two layers:
- rules (:func:`is_urgent`): danger words and phrasings, checked on the text after common misspellings
  of danger words are put right, with a veto for messages about the past ("last night", "last year"),
  about procedures (allegations against staff, what the rule says) or asked in general ("what if…");
  a present-tense danger signal ("right now", "tonight", "has just taken") overrides the veto;
- meaning (:class:`UrgencyDetector`): a small linear model over the message's words, word pairs and static
  sentence embedding, trained on labelled danger-now messages and near misses, with the same vetoes.
The act-now reply fires when either layer says so.
"""

from __future__ import annotations

import itertools
import re
import zlib

import numpy as np
from rapidfuzz import fuzz, process

from knowledge.embed import MODEL_DIR

# Danger words, and the way they get misspelt in a hurry.
_DANGER_WORDS = (
    "overdose", "overdosed", "suicide", "suicidal", "poisoned", "poison", "swallowed", "tablets", "paracetamol",
    "unconscious", "unresponsive", "breathing", "bleeding", "strangled", "strangling", "choking", "stabbed",
    "stabbing", "knife", "weapon", "machete", "threatening", "threatened", "missing", "kidnapped", "abducted",
    "hanging", "ligature", "drowning", "collapsed", "seizure", "fitting", "attacking", "beating", "punching",
    "kicking", "burning", "scalded", "exploitation", "trafficked", "abandoned", "alone", "danger", "dangerous",
    "emergency", "injured", "injuries", "bruises", "bruised", "methadone", "opioid", "opioids", "heroin",
    "cocaine", "pills", "himself", "herself", "themselves", "killing", "murder", "immediate", "immediately",
)
_TYPOS = {
    "overdoes": "overdose", "overdossed": "overdosed", "od": "overdose", "od'd": "overdosed", "odd'd": "overdosed",
    "oded": "overdosed", "tabs": "tablets", "pils": "pills", "sucide": "suicide", "suicidle": "suicidal",
    "kms": "kill myself", "kys": "kill yourself", "rn": "right now", "atm": "at the moment", "2nite": "tonight",
    "2day": "today", "tonite": "tonight", "nite": "night", "wk": "week", "2moro": "tomorrow", "2morrow": "tomorrow",
    "stpdad": "stepdad", "waitin": "waiting", "sayin": "saying", "wen": "when", "cos": "because", "coz": "because",
    "babby": "baby", "burises": "bruises", "gonna": "going to", "gunna": "going to",
    "wanna": "want to", "bub": "baby", "bubba": "baby", "wiv": "with", "ur": "your", "u": "you", "hes": "he's",
    "shes": "she's", "theyre": "they're", "cant": "can't", "wont": "won't", "dont": "don't", "isnt": "isn't",
    "cuttin": "cutting", "hurtin": "hurting", "hittin": "hitting", "beatin": "beating", "threatnin": "threatening",
    "stabed": "stabbed", "kife": "knife", "nife": "knife", "knif": "knife", "emergancy": "emergency",
    "imediate": "immediate", "immediatly": "immediately", "dangour": "danger", "dnager": "danger",
    "sexualy": "sexually", "explotation": "exploitation", "exploted": "exploited", "unconcious": "unconscious",
    "breating": "breathing", "breathin": "breathing", "bleedin": "bleeding", "missin": "missing",
}
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")

# Present-tense markers: the danger is happening or about to ("now" but not "now safe", "now wants…").
_NOW = r"(right now|(?<!not )now(?! (wants?|lives?|living|is (safe|fine|ok|okay|happy|settled|back|home|living|with|" \
       r"in care|doing|under)|back|safe|settled|in care|with|doing|well|fine|living|happy|that|has|asks?|asking|says|" \
       r"said|under|in a|on a|\d))|" \
       r"tonight|today|this (morning|" \
       r"afternoon|evening)|at the moment|currently|as we speak|at this moment|on (his|her|their|my) way|about to|" \
       r"waiting (for|outside)|outside (the|my|our|school|nursery|reception)|in the (car park|playground|" \
       r"corridor|office|reception|toilets?)|still (there|here|at|in|with|on)|hasn'?t (come|been|returned)|" \
       r"not (come|returned|been seen)|can'?t (find|wake|get hold)|won'?t wake|last seen|(minutes|an hour|" \
       r"hours|half an hour) ago|is (coming|collecting)|are (coming|collecting)|when (he|she|they) gets? home|" \
       r"goes home|go home|going home|tomorrow|by (monday|tuesday|wednesday|thursday|friday|saturday|sunday|" \
       r"tomorrow|tonight|the morning)|due (back|home)|in an hour|in (\d+|a few|ten|twenty) (mins|minutes|hours)|" \
       r"(mins|minutes) ago|just (started|found|grabbed|emailed|messaged|texted|phoned|rang|called|taken|" \
       r"swallowed|told me (she|he|they) (took|swallowed|has taken|'s taken|is going|'s going|will))|" \
       r"(is|'s|are|'re) (in|at) (the )?(car park|reception|lobby|gates?|door|office|flat|house|park)|" \
       r"at the (gates?|door|bus stop)|after school|home time|at (pick[- ]?up|drop[- ]?off)|" \
       r"(is|'s) (still )?there|getting dark|(right )?this minute|as i (type|write|speak)|on my visit|" \
       r"on (a|the|my) (home )?visit|i'?m (in|at|on|sat|with)|leaving now|driving off|since (last|yesterday|" \
       r"this|\d)|never came home|(didn'?t|hasn'?t|has not|did not|not) come home|stopped replying|" \
       r"(stuff|things|bag|clothes) (is|are) gone|(went|gone|been) (out|away|off) (\w+ )?(days|hours) ago|when (he|" \
       r"she|they) gets? home|shuts in)"

_PATTERNS = [
    r"\b(in|at) (immediate |imminent |serious |real |grave )?(danger|risk of (serious |significant )?harm)\b",
    r"\bimmediate(ly)? (risk|danger|harm|threat)\b|\bimminent\b",
    r"\b(risk|danger|harm) (right )?now\b",
    r"\bright now\b.*\b(hurt|harm|hit|beat|abus|danger|attack|threat|unsafe|scared|kill|weapon|knife)",
    r"\b(hurt|harm|hit|hitting|beat|beating|abus\w*|attack\w*|threaten\w*|punch\w*|kick\w*|strangl\w*)\b.*"
    r"\bright now\b",
    r"\b(is|are|being|getting|keeps) (being )?(hurt|hit|beaten|attacked|abused|assaulted|strangled|choked|"
    r"punched|kicked|raped|burnt|burned)\b",
    r"\bnot safe (to go home|at home|there|with)\b|\bunsafe to go home\b",
    r"\b(scared|afraid|frightened|terrified|too scared) (to go|of going) home\b",
    r"\b(won'?t|will not|can'?t|cannot|refus\w* to|doesn'?t want to|does not want to) go home\b",
    r"\b(threaten\w*|going|gonna|about|wants?|plans?|planning) to (kill|hurt|harm|stab|attack|shoot|strangle|"
    r"burn|beat|smash|batter|take (him|her|them|the (baby|child|kids?|children)) away)\b",
    r"\b(said|says|saying|told \w+|texted|messaged|posted) (he|she|they|i)('ll| will| would| is going to| are going "
    r"to) (kill|hurt|stab|end)\b",
    r"\b(suicid\w*|kill(ing)? (him|her|them|my|your)sel(f|ves)|end (his|her|their|my) (own )?life|end it all|"
    r"take (his|her|their|my) (own )?life|not want to (be alive|live)|don'?t want to (be alive|live)|"
    r"doesn'?t want to (be alive|live)|better off dead|jump (off|from|in front))\b",
    r"\b(self[- ]?harm\w*|cutting (him|her|them)sel(f|ves)|cut (him|her|them)sel(f|ves))\b",
    r"\b(overdos\w*|taken (too many|a load of|loads of|a lot of|all (his|her|their|the))|swallow\w* (some|a|"
    r"the|his|her|their|loads|lots|too|all|bleach|tablets|pills|batter\w*|magnet\w*)|poison\w*|"
    r"drunk (bleach|vodka|a bottle)|ingest\w*)\b",
    r"\b(tablets|pills|medication|methadone|opioids?|heroin|paracetamol|ibuprofen|sleeping pills|"
    r"(mum|dad|mother|father|parent|carer|nan)'?s? (prescription|meds|medicine|medication))\b.*"
    r"\b(taken|took|swallowed|ate|eaten|drunk|drank|had some|found)\b",
    r"\b(taken|took|swallowed|ate|eaten|drunk|drank)\b.*\b(tablets|pills|medication|methadone|opioids?|heroin|"
    r"paracetamol|meds|medicine|prescription|bleach|cleaning|drugs)\b",
    r"(?<!money )(?<!money going )(?<!cash going )(?<!money gone )\b(missing|run away|ran away|runaway|gone missing|"
    r"not come home|hasn'?t come home|didn'?t come home|"
    r"not been seen|whereabouts (is |are )?unknown|can'?t find|cannot find|no one knows where)\b",
    r"\b(weapon|knife|knives|gun|machete|blade|firearm|axe|hammer)\b",
    r"\b(unconscious|unresponsive|not breathing|stopped breathing|struggling to breathe|can'?t breathe|bleeding|"
    r"serious(ly)? (hurt|injur\w*)|head injur\w*|"
    r"collapsed|won'?t wake( up)?|can'?t wake)\b",
    r"\b(left|been left|is|are|was) (on (his|her|their) own|alone|home alone|by (him|her|them)sel(f|ves)|"
    r"unattended|unsupervised)\b.*\b(baby|babies|toddler|infant|newborn|\d+ ?(month|week|year)s? old|young|"
    r"little|tonight|now|all night|since|hours)\b",
    r"\b(baby|babies|toddler|infant|newborn|little one|young children|\d+ ?(month|week)s? old)\b.*\b(left|on (his|"
    r"her|their) own|alone|unattended|unsupervised|no adult|nobody (is )?(there|home|in)|no one (is )?(there|home))\b",
    r"\bshould i (call|ring|phone|dial) (999|the police|an ambulance)\b|\b(call|ring|phone|dial)(ing)? (999|an "
    r"ambulance)\b|\b999\b",
    r"\b(sexual(ly)? (assault|abus|exploit)\w*|raped?|grooming|groomed|exploited|being exploited|trafficked|"
    r"traffick\w*|county lines|pimp\w*|prostitut\w*|sex(ual)? (work|acts?) for)\b",
    r"\b(in a car|getting into a car|picked up|meeting|going to meet|gone to meet|went off with|left with|"
    r"staying with) (with )?(an? )?(older|adult|unknown|strange|\d\d[- ]?year[- ]?old) (man|men|male|adult|person|"
    r"guy|woman|boyfriend)\b",
    r"\bsignificant harm\b.*\b(now|right now|at the moment|currently|today|tonight)\b",
    r"\b(fgm|cut(ting)?|forced marriage|married off|sent abroad|taken abroad)\b.*\b(this|next|tomorrow|flight|"
    r"holiday|summer|booked|soon|tonight|weekend)\b",
    r"\b(coming|come|turn(ed)? up|here|arrived|outside|on (his|her|their) way) to (collect|pick (him|her|them) up|"
    r"take (him|her|them))\b|\b(collect|pick up|picking up|collecting)\b.*\b(who (did|caused|hurt|hit|beat)|"
    r"the (one|person|man|woman|partner|boyfriend) who|did (this|it|that) to)\b",
    r"\b(who|person|man|woman|partner|boyfriend|stepdad|dad|mum) (did|caused|who hurt|who hit)\b.*\b(collect|"
    r"pick(ing)? (him|her|them) up|coming|here|outside|waiting)\b",
    r"\b(held|holding|locked) (him|her|them|the child|the baby)? ?(in|up|hostage|against)\b",
    r"\b(drunk|intoxicated|high|off (his|her|their) face|under the influence)\b.*\b(driv\w*|collect\w*|pick(ing)? "
    r"up|in charge of|looking after|alone with|caring for)\b",
    r"\b(driv\w*|collect\w*|pick(ing)? up|in charge of|looking after|alone with|caring for)\b.*\b(drunk|"
    r"intoxicated|high on|off (his|her|their) face|under the influence)\b",
    r"\b(attack|assault|beat|hit|hurt|batter)\w* (the|a|his|her|their|my) (child|baby|kid|son|daughter|pupil|"
    r"mum|mother|partner|wife|girlfriend)\b",
    r"\bdomestic (violence|abuse|incident)\b.*\b(now|happening|going on|tonight|in progress|right now)\b",
    r"\b(screaming|smashing|banging)\b.*\b(right now|can hear|going on now)\b",
    r"\b(can hear|hearing)\b.*\b(screaming|hitting|crying|shouting|smashing|banging)\b",
    r"\b(saying|said|says|texted|messaged|note) (goodbye|good bye|bye to everyone)\b|\bgoodbye (note|letter|message)\b|"
    r"\b(can'?t|cannot) (do this|go on|cope) any ?(more|longer)\b|\bwants? to die\b|\bwant(s|ed)? to be dead\b|"
    r"\bend (it|things)( all)?\b|\bno (point|reason) (in )?living\b",
    r"\b(standing|stood|sitting|climbed|climbing) (on|onto|at the edge of) (the |a )?(bridge|roof|ledge|edge|railway|"
    r"tracks|cliff|balcony|window)\b|\b(going|gonna|about|wants?|threaten\w*) to jump\b|\b(has|got|with|bought) (a )?"
    r"(rope|ligature|noose)\b",
    r"\b(bruis\w*|marks?|injur\w*|burns?|burnt|cuts?|black eye|swollen|bleeding|limping)\b.*"
    r"\b(pick(ing)? (him|her|them) up|collect\w*|coming (for|to get)|(goes|going|go|sent) home|"
    r"home (tonight|later|after school)|waiting (for|"
    r"outside)|will do it again|do it again)\b",
    r"\b(touch\w*|abus\w*|rap\w*|assault\w*|hurt\w*|hit\w*|beat\w*)\b.*\b(collect\w*|pick(ing)? (him|her|them) up|"
    r"(he|she|they)('s| is| are|'re) (coming|here|outside|waiting|at home))\b",
    r"\b(getting into|gets into|got into|in) (cars?|vans?) with (older|adult|unknown|strange|random) (men|man|males?|"
    r"people)\b|\bwith (older|adult|unknown) (men|males?)\b.*\b(now|tonight|party|asking for help|help)\b",
    r"\b(locked|shut|trapped) (the )?(kids?|child(ren)?|baby|him|her|them)? ?(in|inside|out)\b",
    r"\b(drank|drunk|drinking|swallowed|ate|eaten|took|taken|got into) (something|some|stuff|liquid|the) .*"
    r"\b(sink|bleach|cleaner|cupboard|medicine|medication|tablets|pills|methadone|drugs|batter\w*|poison\w*)\b|"
    r"\bgot into (his|her|"
    r"their|the|a) (\w+'?s )?(methadone|tablets|pills|medication|medicine|drugs|meds|bleach)\b",
    r"\b(not|isn'?t|is not|isnt) breathing( properly)?\b|\bpassed out\b|\b(floppy|limp|blue lips|turning blue|fitting|"
    r"having a fit|sleepy and floppy)\b",
    r"\b(will|'ll|going to|gonna|is going to|are going to|threaten\w* to) (hurt|kill|hit|beat|batter|strangle|stab|"
    r"burn|smash|punch|kick|shoot|rape|touch) (him|her|them|me|you|us|the (child|baby|kids?|children))\b",
    r"\b(hit|hits|beat|beats|whipped|punched|kicked|burnt|burned) (him|her|them) with (a|an|the|his|her|their) \w+",
    r"\b(asking|asked|begging|begged|screaming|shouting) for help\b",
    r"\b(husband|wife|partner|boyfriend|girlfriend|carer|son|daughter) (will|'ll|is going to|is gonna|threaten\w* to) "
    r"(kill|hurt|strangle|beat|stab|hit)\b",
    # threats, however worded ("there'll be blood", "finish her off", "do him in", "end her")
    r"\b(will|'ll|'d|would|going to|gonna|about to|threaten\w*( to)?|wants? to|telling (him|her|them|me) to|"
    r"coming to|waiting to)( \w+){0,3}? (kill|murder|stab|shoot|strangle|hurt|harm|batter|beat|finish|do (him|her|"
    r"them|me|you) in|end|smash|burn|get rid of)\b|\bthere'?ll be blood\b|\bfinish (him|her|them) off\b",
    # suicide, however worded
    r"\b(top|hang|drown|gas) (him|her|them|my)sel(f|ves)\b|\bnot (going to|gonna) be (alive|here|around)\b|"
    r"\b(won'?t|will not|wont) be (alive|here|around)\b|\bby the time you read\b|\b(be|am|i'?ll be) (dead|gone)\b|"
    r"\b(got|have|has|with) (the|a|some) (rope|stuff|pills|tablets|means)\b|\brope sorted\b|\b(tablets|pills) "
    r"(saved|stockpiled|hidden)\b|\bsaved up\b|\b(do|doing) it (tonight|today|tomorrow|later|this weekend)\b|"
    r"\b(going to|gonna) do it\b|\bnothing left\b|\bresearched (methods|ways|how)\b",
    # something swallowed or taken
    r"\b(taken|took|take|taking|ate|eaten|eating|chewing|chewed|got into|into|found (with|chewing|eating)|drank|"
    r"drunk|had)\b.*\b(tablets|pills|paracetamol|medicines?|medication|meds|co-?codamol|codeine|amitriptyline|"
    r"methadone|buprenorphine|subutex|opioids?|heroin|drugs|bleach|blister pack|script|batter(y|ies)|"
    r"antidepressants?|sleeping pills|ketamine|spice|vodka)\b|\btaken something\b|\bpin-? ?point( pupils)?\b|"
    r"\bslow breathing\b|\b(very )?(drowsy|floppy|unresponsive|out of it|dizzy and weird|feels (dizzy|weird|sick))\b",
    # a child alone, uncollected, locked in or out
    r"\b(baby|babby|babies|toddler|twins|infant|newborn|little (one|girl|boy)|\d+ ?(yo|year old|yr old|month old)|"
    r"kids?|children|child)\b.*\b(alone|on (his|her|their|its) own|by (him|her|them|it)sel(f|ves)|no (adult|one|"
    r"parent|carer)s?( (answering|anywhere|around|home|there))?|nobody( (answering|home|there))?|unattended|"
    r"locked (in|out)|not collected|uncollected|no one (answering|came|home|there)|doorstep|left in the)\b",
    r"\b(alone|on (his|her|their|its) own|nobody|no one|no adult)\b.*\b(baby|babby|babies|toddler|twins|infant|"
    r"newborn|\d+ ?(yo|year old|month old)|kids?|children)\b",
    r"\b(nobody|no one|hasn'?t anyone|not been) (came|come) to collect\b|\bnot (been )?collected\b|"
    r"\b(freezing|very hot|getting dark|in a nappy)\b",
    # missing, taken, abducted
    r"(?<!money )(?<!money going )(?<!cash going )(?<!things going )\b(mising|absconded|gone off with|went off with|"
    r"didn'?t come (back|home)|never came (back|home)|not (come|came) "
    r"(back|home)|hasn'?t come (back|home)|not at home|don'?t know where|doesn'?t know where|do not know where|"
    r"stopped replying|phone('s| is) (off|dead)|going to live with|trying to take|take (the baby|him|her|them|the kids|"
    r"the children|his (son|daughter)|her (son|daughter)) (to|abroad|away|with|out)|taken (his|her) (daughter|son|"
    r"child) out|grabbed|pushed (her|him) into|driving off|left the bus|sleeping (in the park|rough|outside)|"
    r"stay out)\b",
    # sexual or criminal exploitation
    r"\b(older (man|men|males|boys|lads|guys)|olders|white van|(men|man|bloke|guy|adult)s? (in|with) a (car|van)|"
    r"getting (in|into) (a|the) (car|van)|parties|have sex with|wants photos|(send|sending) (him )?(photos|pics|nudes)|"
    r"nudes|his flat|(\d\d) ?(year old|yo) (bloke|man|guy)|met (him )?on (snapchat|instagram|tiktok|online|"
    r"the internet)|"
    r"talking to an older|makes? (her|him) (have sex|do)|in a car with)\b",
    # violence happening
    r"\b(hitting|beating|smashing|attacking|punching|kicking|strangling|choking|throwing things|screaming at|"
    r"shouting that)\b|\bbeating (her|him|them) up\b|\bcan hear\b|\bthrough the wall\b|\b(getting|is) aggressive\b|"
    r"\bkick(ing|ed) off\b",
    # a carer's mind or body failing with children present
    r"\b(voices|the devil|possessed|get it out of|psychotic|hallucinat\w*)\b|\b(fallen|fell over) and (can'?t|"
    r"couldn'?t|didn'?t) get up\b|\bcan'?t get up\b",
    r"\bdo (him|her|them|me) in\b|\b(couldn'?t|could not|can'?t) breathe\b|\bthere'?(d|ll) be more\b|"
    r"\b(more|again) (tonight|later|when (he|she|they) gets? home)\b|\b(come|get|go) (to|into|in) (his|a|the|their) "
    r"(car|van)\b|\bman in the park\b",
    # violence done to someone, a weapon used, a child hurt (vetoed below when it is over)
    r"\b(punch(ed|ing)|slapp(ed|ing)|kick(ed|ing)|dragg(ed|ing)|stabbed|shot|attacked|assaulted|raped|strangled|"
    r"choked|beaten|battered|thrown|threw (him|her|them|the baby)|pushed (him|her|them) (down|over|into)|"
    r"shak(en|ing) the baby|bitten|scalded)\b",
    # suicide and self-harm, ways and signs
    r"\b(step|jump|walk) (in front of|off|from)\b|\b(train|bridge|cliff|roof|motorway)\b.*\b(jump|step|going to|"
    r"gonna)\b|\bcut (her|his|their|my) (wrists|arms|throat)\b|\b(has|'s|have|'ve) cut (her|him|them|my)sel\w*\b|"
    r"\b(pills|tablets) lined up\b|\bmessage (saying )?sorry\b|\bsaying sorry\b.*\b(pills|tablets|goodbye)\b",
    # missing or taken
    r"\b(wandered off|been looking for|can'?t find|cannot find|lost (a|the|one of (our|the)) (child|pupil|kid)|"
    r"(threatening|trying|going|wants) to take (her|him|them|the (child|baby|kids?))|parked outside|"
    r"come and get (me|her|him))\b",
    # something harmful given or taken
    r"\b(gave|given|give|giving) (him|her|them|the (child|baby)) (some |white )?(powder|pills|tablets|drugs|"
    r"alcohol|vodka|medicine|something)\b|\b(feels?|feeling|looks?|looking|acting) (funny|weird|strange|drunk|"
    r"drowsy|sleepy|out of it)\b|\b(drunk|drank|swallowed|eaten|ate) (some )?(antifreeze|bleach|chemicals?|"
    r"weed killer|cleaning|washing|detergent|liquid|capsules?|pods?|a battery|batteries|magnets?)\b",
    # exploitation and predatory adults
    r"\bmen in their (20s|30s|40s|twenties|thirties|forties)\b|\bhouse party\b|\bdoes things to\b|"
    r"\b(filming|photographing|taking photos of) (the )?(children|kids|pupils|girls|boys)\b|\btrying to talk to "
    r"(a|the|our|one of)\b|\b(man|men|stranger|adult)s? (at|by|outside) the (school )?(fence|gate|gates|park)\b",
    # serious injury to a baby, or being taken away before anyone can look
    r"\b(skull|head injury|swelling on (his|her) head|fontanelle|not moving (his|her) arm)\b|\b(insisting|demanding|"
    r"wants?) (to |on )?(leave|leaving|take (him|her|them) home)\b|\bbefore the (doctor|nurse|police|social worker) "
    r"(sees|arrives|gets)\b|\bbarricaded\b|\balive\b.*\b(take|taking)\b",
    r"\b(on fire|house fire|flat fire|smoke coming|is burning)\b|\b(sold for sex|being sold|sex for money|"
    r"prostitut\w*)\b|\bwon'?t let (her|him|them|me) (leave|go|out)\b|\bfollowing (a|an|the|our|one of) .*\b(girl|boy|"
    r"child|kid|pupil)s?\b|\bchanging rooms?\b|\b(car|van) with (a|an|two|some) (man|men|older|adult)\b|"
    r"\b(man|men|someone) (she|he|they) met online\b|\blive location\b",
    r"\b(slurring|taken everything|pillow over|over (his|her|the baby'?s) face|suffocat\w*|(she'?s|he'?s|they'?re|is|"
    r"are) hiding|meet (him|her|a (guy|man|bloke|stranger|boy))|off an app|pass(ing|ed) (her|him) round)\b",
    # injuries with the person who caused them near
    r"\b(bruis\w*|burises|burns?|burnt|fractures?|broken|swollen|marks?|injur\w*|black eye|cigarette burn)\b.*"
    r"\b(waiting|outside|car park|lobby|reception|at the gates?|take (him|her|them) home|leaving|collect\w*|"
    r"pick(ing)? (him|her|them) up|due back|coming (to|back|for))\b",
    r"\b(waiting|outside|car park|lobby|reception|gates?)\b.*\b(bruis\w*|burises|burns?|fractures?|swollen|"
    r"injur\w*|marks)\b",
]
# One compiled pattern each, on lower-cased text: much faster on long messages than one alternation.
_URGENT = tuple(re.compile(p) for p in _PATTERNS)
_PRESENT = re.compile(rf"\b{_NOW}\b", re.IGNORECASE)

# The past: the danger is over (still a safeguarding matter, answered normally).
_PAST = re.compile(
    r"\b((hasn'?t|has not|haven'?t) (for|in) (years|months|ages|a long time)|when (she|he|they) (was|were) in "
    r"(year|primary|nursery)( \d+)?|growing up|in (his|her|their|my) childhood|when (he|she|they|i) (was|"
    r"were) a (kid|boy|girl|child)|"
    r"(he|she|they)('s| is| are) now \d+|(he|she|they)('s| is| are) \d+ now|"
    r"(often|regularly|sometimes|usually|a lot|every (week|day|night|evening|morning)|"
    r"most (weeks|days|nights|"
    r"evenings|mornings)|(i have|i've|we have|we've) noticed|keep noticing)|"
    r"(has|have|'s) (moved|left|changed)( \w+){0,5}( now)?|(in|from|back in|since) (19|20)\d\d|"
    r"in (january|february|march|april|may|june|july|august|september|october|november|december)|"
    r"(autumn|spring|summer) term|as a (teenager|child|kid|young person)|when (she|he|they|i) (was|were) "
    r"(\d+|young|little|younger|small|a (baby|child|teenager))|following up|on (his|her|their|the) (file|record)s?|"
    r"in (his|her|their|the) (file|records?)|(at|with) (her |his |their )?(nan|gran|grandma|grandad|aunt|auntie)'?s?"
    r"( house)?( now)?( for a bit)?|(now )?(doing|coping) (well|ok|okay|fine)( now)?|no concerns|"
    r"(is|'s|are|'re) (now )?home( now)?|last (wk|nite)|"
    r"history of|(a )?(previous|past|prior) (conviction|offence|overdose|attempt|incident|concern|episode)s?|"
    r"(was|were|been) (in prison|convicted|arrested|cautioned|charged|sentenced)|offences?|convictions?|"
    r"(is|'s|are|'re|was|were) (now )?(back( home)?|home safe|safe|found|fine|well|ok|okay)( and well)?( now)?|"
    r"(?<!since )last (night|week|weekend|month|year|term|summer|christmas|time|monday|tuesday|wednesday|thursday|"
    r"friday|"
    r"saturday|sunday)|(?<!since )yesterday|(?<!minutes )(?<!mins )(?<!hours )(?<!an hour )ago|previously|"
    r"in the past|historic\w*|"
    r"(a|one|some) (few )?(years|months|weeks) "
    r"(ago|back)|when (he|she|they) (was|were) (little|younger|small|a baby)|used to|years back|"
    r"had (been )?(taken|overdosed|self[- ]harmed|harmed)|was (hurt|hit|injured|missing|abused|assaulted)|"
    r"were (hurt|hit|injured|missing|abused|assaulted)|has since|is now (safe|home|back|fine|okay|ok|in hospital|"
    r"being looked after)|now (safe|back home|home safe|fine|recovered)|been (found|returned|discharged)|"
    r"(?<!never )(?<!not )came (back|home)|was found|(is|are) safe( now)?|discharged|recovered|after the incident|"
    r"incident (last|"
    r"on|from)|previous (incident|overdose|attempt|concern))\b",
    re.IGNORECASE,
)
# Procedures, policy and general questions: not a danger happening now.
_GENERAL = re.compile(
    r"\b(allegation\w*|lado|disciplinary|investigation into (a|the|my) (colleague|member of staff|teacher)|"
    r"what (is|are|does|do|should|would|happens|counts)|what if|what happens|how (do|does|should|would|can|long)|"
    r"when (should|do|does|can|must|would)|is it (ok|okay|right|lawful|allowed)|in general|generally|"
    r"hypothetical\w*|for example|e\.?g\.?|policy|procedure|training|course|quiz|guidance|rules?|law|legal|"
    r"gdpr|data protection|consent|lawful basis|record|records|retention|subject access|"
    r"(the|a) scenario|case study|if a child (was|were|is)|if (a|the) (child|pupil|young person|parent|student) "
    r"(tells|told|says|discloses)|(can|could|should|do|may|must) (i|we|a \w+( \w+)?|governors|staff) (share|pass|"
    r"tell|see|disclose|give)|do i need to (tell|share|pass)|(need|have) to (be )?(shared|passed on)|"
    r"share (my|the|this|that|it)|pass (it|this|that) on|"
    r"story|wrote|writing|poem|drawing|drew|picture of|in art|poster|what happened|give it|hand (it|them) over|"
    r"(wants|asked for|"
    r"asking for) (the |his |"
    r"her |their )?(address|details|records|information|info|number)|leaflet|report|governor|review\w*|audit|"
    r"suspicion|suspect|no evidence|might be|figure of speech|because (she|he|they|i) (lost|forgot)|"
    r"what'?s the (law|rule|basis)|lawful basis|vital interests|when is|threshold|rather than|explain|versus|vs|"
    r"difference between)\b",
    re.IGNORECASE,
)
# Signals strong enough that no veto applies: a danger happening, said in the present.
_STRONG = re.compile(
    r"\b(on fire|being sold|won'?t let (her|him|them|me) (leave|go))\b|"
    r"\b(is|are|'s|'re) (being )?(hurt|hit|beaten|attacked|strangled|choked|stabbed|raped|abused) (right )?now\b|"
    r"\b(going to|gonna|about to|threatening to) (kill|stab|strangle|shoot) (him|her|them|me|the (child|baby|kids?))\b|"
    r"\b(not breathing|unconscious|unresponsive|won'?t wake|can'?t wake|stopped breathing)\b|"
    r"\b(has|have|'s|'ve) (just )?(taken an overdose|overdosed|swallowed|taken (a load|loads|too many|lots|all))\b|"
    r"\b(just|has just|have just) (taken|swallowed|overdosed|drunk)\b|"
    r"\b(going to|gonna|about to|wants to|threatening to) (kill|hurt|stab|harm) (him|her|them)sel(f|ves)\b|"
    r"\b(with|has|holding|got|carrying|brought|pulled) (a|an) (knife|gun|weapon|machete|blade)\b|"
    r"\b(right now|as we speak|at this moment|in progress)\b|"
    r"\b(found (chewing|eating|with)|has taken something|got into (his|her|their|the|nan'?s|mum'?s|dad'?s))\b|"
    r"\b(is|are|'s|'re) (hitting|beating|strangling|choking|smashing)\b|\bhas just (started|grabbed)\b",
    re.IGNORECASE,
)


def normalise(text: str) -> str:
    """Lower case, curly quotes straightened, shorthand spelled out, misspelt danger words put right."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    text = " ".join(re.sub(r"(?<![a-z])'|'(?![a-z])", " ", text).split())  # quote marks, not apostrophes
    out: list[str] = []
    last = 0
    for m in _WORD.finditer(text):
        out.append(text[last:m.start()])
        w = m.group(0)
        if w in _TYPOS:
            w = _TYPOS[w]
        elif len(w) >= 6 and w not in _DANGER_WORDS:
            best = process.extractOne(w, _DANGER_WORDS, scorer=fuzz.ratio, score_cutoff=86)
            # An inflection ("strangle" / "strangled") is not a typo: the patterns take both.
            if best is not None and not (best[0].startswith(w) or w.startswith(best[0])):
                w = best[0]
        out.append(w)
        last = m.end()
    out.append(text[last:])
    return "".join(out)


def rule_signal(text: str) -> bool:
    """A danger word or phrasing, before any veto."""
    return any(p.search(text) for p in _URGENT)


# Training scenarios and worked examples: never a danger now, whatever tense they use.
_HYPOTHETICAL = re.compile(r"\b(staff training|(for|in) (our|the) (staff )?training|asking for (our|a|the) (policy|"
                           r"training)|training (question|scenario|exercise)|(in|for) a training|scenario|(lockdown |"
                           r"fire |"
                           r"evacuation )?drill|case study|"
                           r"hypothetical\w*|what would you do if|e\.g\.|for example|"
                           r"tell me about|imagine|in a quiz)\b")


# "Mum's going to kill me because I lost my coat": a figure of speech, unless something says it is happening.
_FIGURE = re.compile(r"\b(because|cos|as) (she|he|they|i|you) (lost|forgot|broke|was late|were late|didn'?t|got a "
                     r"detention|ate|spilt)\b|\bfor (breaking|losing|forgetting|eating|taking) (his|her|their|my)\b|"
                     r"\b(joking|jokes|banter|messing about|mucking about|figure of speech|didn'?t mean it)\b")


# Something that began in the past and is still going on ("mum went out days ago", "missing since friday").
_ONGOING = re.compile(r"\b(went|gone|been) (out|away|off)( \w+)? (days|hours|\d+ (days|hours)) ago\b|\bsince (last "
                      r"(night|week)|yesterday|friday|saturday|sunday|monday|tuesday|wednesday|thursday|"
                      r"this morning)\b")


def vetoed(norm: str) -> bool:
    """The message is about the past, a procedure or a general question, with no present danger signal.

    A present or imminent marker ("tonight", "is outside", "just swallowed") always wins. A danger said in
    the present tense wins over a question's framing ("can I share…?") but not over a stated past."""
    if _HYPOTHETICAL.search(norm):
        return True
    if _ONGOING.search(norm):
        return False
    without_past = _PAST.sub(" ", norm)
    if _PRESENT.search(without_past):
        return False
    if _FIGURE.search(norm):
        return True
    past = without_past != norm
    if _STRONG.search(norm) and not past:
        return False
    return past or _GENERAL.search(norm) is not None


# Danger denied ("no immediate danger", "isn't at risk now"): taken out before the rules look.
_DENIED = re.compile(r"\b(no|not|isn'?t|is not|aren'?t|are not|no longer|not in|out of|without) (any )?(immediate |"
                     r"imminent |current |real )?(danger|risk)( (right )?now| at the moment)?\b", re.IGNORECASE)


def is_urgent(text: str) -> bool:
    """The rules' verdict (see the module docstring)."""
    if not text:
        return False
    norm = _DENIED.sub(" ", normalise(text))
    return rule_signal(norm) and not vetoed(norm)


# Any hint of danger at all: the words a message about a child in danger can hardly avoid.
_DANGER_CUE = re.compile(
    r"\b(danger\w*|hurt\w*|harm\w*|kill\w*|die|dying|dead|knife|knives|gun|weapon|blade|blood\w*|bleed\w*|"
    r"overdos\w*|pills|tablets|swallow\w*|methadone|drunk|missing|alone|scared|terrified|frightened|afraid|"
    r"threat\w*|hit|hitting|beat\w*|punch\w*|kick\w*|abus\w*|rap(e|ed|ing)|sexual\w*|fire|999|emergency|"
    r"ambulance|injur\w*|bruis\w*|burn\w*|suicid\w*|cut (her|him|them|my)sel\w*|jump\w*|breath\w*|unconscious|"
    r"won'?t wake|screaming|grabbed|locked (in|out)|strangl\w*|chok\w*|attack\w*|stab\w*|shot|shoot\w*|"
    r"exploit\w*|groom\w*|traffick\w*|stranger|alive|goodbye|rope|voices|collapsed|passed out)\b"
)

_PERSON = re.compile(r"\b(child|children|kids?|baby|babies|toddler|pupil|student|girl|boy|lad|teen\w*|son|daughter|"
                     r"\d+ ?(yo|year old|yr old)|y\d+|year \d+|placement|young person|mum|dad|mother|father|she|he)\b")

HASH_DIMS = 1024
WEIGHTS_FILE = MODEL_DIR.parent / "urgency_weights.npy"
_TOKEN = re.compile(r"[a-z0-9']+")


def features(norm: str, vector: np.ndarray) -> np.ndarray:
    """Hashed words and word pairs of the normalised text, the sentence embedding, and a bias."""
    hashed = np.zeros(HASH_DIMS, dtype=np.float32)
    toks = _TOKEN.findall(norm)
    for t in (*toks, *(f"{a} {b}" for a, b in itertools.pairwise(toks))):
        hashed[zlib.crc32(t.encode()) % HASH_DIMS] = 1.0
    return np.concatenate([hashed, 3.0 * vector.astype(np.float32), np.ones(1, dtype=np.float32)])


def train(x: np.ndarray, y: np.ndarray, l2: float = 0.01, iterations: int = 600, rate: float = 0.5) -> np.ndarray:
    """Logistic regression by plain gradient descent: small, deterministic, numpy only."""
    w = np.zeros(x.shape[1], dtype=np.float64)
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        w -= rate * (x.T @ (p - y) / len(y) + l2 * w)
    return w.astype(np.float32)


class UrgencyDetector:
    """The meaning layer: a linear model over words, word pairs and the sentence embedding, trained on the
    tuning part of the urgency set, the seed examples and ordinary questions (benchmarks/learn.py). It is a
    second opinion beside the rules, with the same vetoes (past, procedure, training, figures of speech)."""

    # By 5-fold cross-validation on the tuning part (vetoes on): 0.1 gives recall 0.97 with 7% false alarms,
    # 0.3 recall 0.88 with 3%; the rules catch most of the rest, so the false-alarm budget decides.
    THRESHOLD = 0.3
    SURE = 0.65  # above every tuning message without a danger word that is not urgent (the highest: 0.57)

    def __init__(self, encode, weights: np.ndarray | None = None) -> None:  # type: ignore[no-untyped-def]
        self.encode = encode  # text -> sentence vector
        if weights is None and WEIGHTS_FILE.is_file():
            weights = np.load(WEIGHTS_FILE)
        self.weights = weights

    def probability(self, text: str) -> float:
        if self.weights is None or not text:
            return 0.0
        norm = _DENIED.sub(" ", normalise(text))
        x = features(norm, self.encode(text))
        if x.shape[0] != self.weights.shape[0]:
            return 0.0
        return float(1.0 / (1.0 + np.exp(-float(x @ self.weights))))

    def semantic(self, text: str) -> bool:
        norm = _DENIED.sub(" ", normalise(text))
        # A message with something of danger in it needs THRESHOLD; one without needs the model to be sure and
        # to be about a person (the model has seen little small talk: "is it going to rain tomorrow?").
        cue = _DANGER_CUE.search(norm) is not None
        if not cue and not _PERSON.search(norm):
            return False
        if self.probability(text) < (self.THRESHOLD if cue else self.SURE):
            return False
        return not vetoed(norm)

    def check(self, text: str) -> bool:
        return is_urgent(text) or self.semantic(text)
