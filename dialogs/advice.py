"""Which way does a described case point: share, or keep the confidence / share far less?

The guidance protects both sides (DfE 2024 golden rules 1-3 and 6; Caldicott principles 1-4): share when a
child is at risk or the law requires it; keep a confidence when there is no risk, no purpose, the wrong
recipient, or consent that should have been asked. A knowledge item's ``advice`` gives the direction of its
answer, but one item can be reached from cases of both kinds ("housing asked about a family" vs "a housing
officer is worried about two toddlers"). So the answer policy checks the answered item's direction against
the signals in the message, and when they disagree it answers with the best item that does not point the
wrong way.
"""

from __future__ import annotations

import re

SHARE, NOT_SHARE = "share", "not_share"
DIRECTION = {"share": SHARE, "keep_confidential": NOT_SHARE, "share_less": NOT_SHARE}

# Harm, risk, or a legal duty to share.
_RISK = re.compile(
    r"\b(abus\w*|hit|hits|hitting|smack\w*|strangl\w*|violen\w*|threat\w*|hurt\w*|injur\w*|fractur\w*|bruis\w*|"
    r"neglect\w*|hungry|thin|dirty|unwashed|head lice|no food|alone|indecent|sex offender|sexual offences?|"
    r"convictions? for|offender|groom\w*|exploit\w*|going missing|gone missing|missing|county lines|drugs|"
    r"older (men|man|girls|boys)|vodka|fgm|make her a woman|forced marriage|domestic abuse|controls?|locks?|"
    r"court order|witness summons|order requiring|section 47|s47|child protection plan|cp plan|child in need plan|"
    r"police (want|have asked|officer \(verified)|investigation|probation|marac|practice review|death overview|"
    r"panel|lado|allegation|private messages|lifts|gifts|worried|worrying|concerns? about|at risk|"
    r"missing-person|emergency|paramedics?|ambulance|anaphyla\w*|seizure|signed the consent|asked (me|us) to "
    r"(share|send|help|pass)|has asked us to share|wants us to send|youth offending|pre-sentence|virtual school|"
    r"looked[- ]after|care leaver|her own (social care )?records|his own records|stab wound|willy|sexual acts|"
    r"grown-up videos|sleeps in her bed|shed|nude photos|second phone|2nd phone|new clothes|cash|sort out|"
    r"deal with|strangers?|weight|centiles|immunisations|not been seen|hasn'?t been seen|refusing entry|"
    r"dementia|forgotten|pension|taken by|duty to share|being neglected|a risk|perpetrator|dangerous|unsafe|"
    r"(they'?ve|she'?s|he'?s|mum'?s|dad'?s|family (have|has)) asked (in writing|us|me)|at (their|her|his) request|"
    r"supporting their|filthy|dog mess|squalor|mess everywhere|touching (children|her|him|kids)|act on (it|them)|"
    r"won'?t let (her|him|them)|coercive|controlling|watches her|in the cold|shouted at|found in another|"
    r"another city|always outside|sleeps? all day|make (my|his|her) (brother|sister)'?s (dinner|tea)|young carer|"
    r"decay|missed (\d+ |all |several )?appointments|despite pain|in pain|(has|with|have) (parental "
    r"responsibility|pr))\b"
)
# No risk, no purpose, the wrong person asking, or more than is needed.
_NO_RISK = re.compile(
    r"\b(no (safeguarding |other |current |serious |specific )?(concerns?|risk|problems?|threats? or risk)|"
    r"nothing (concerning|else)|no concern about|all is well|doing well|coping|is fine|are fine|seems fine|happy|"
    r"healthy|just in case|in case (it'?s|it is) useful|so (they'?re|they are|i'?m) (aware|not caught out)|"
    r"safe side|curious|gossip\w*|(asked|asking|asks) (me )?why|wants? to know why|how (they'?re|she'?s|he'?s|"
    r"the family are) (doing|getting on)|getting on|insurance|solicitor|reporter|press|journalist|facebook|"
    r"instagram|whatsapp|conference|case study|assignment|newsletter|success story|researcher|university|"
    r"staffroom|dinner ladies|bus company|whole (case )?file|full (school |safeguarding )?file|everything|"
    r"every (child|safeguarding note)|all pupils|list of|came out|gay|trans|non ?binary|girlfriend|"
    r"(in|started going out|a) relationship|sexuality|religion|on the pill|condoms|bereavement|cancer|debt|"
    r"lost his job|money worries|years ago|years back|a few years|as a teenager|old notes|closed|"
    r"(haven'?t|hasn'?t|weren'?t|wasn'?t|not) (been )?(asked|agreed)|without (asking|telling)|who made the "
    r"referral|which teacher|who raised|neighbours?|aunt|grandma \(no pr|biological father|pretending|"
    r"claiming to be|wouldn'?t give|not on the list|keep tabs|only (need|needs|asked for|wants)|they only|"
    r"the carer only|master'?s|psychology report|announce|post photos|public|real details|the names of|"
    r"crushes|tried cannabis once|exam stress|falling out with friends|feeling (down|low)|"
    r"no (impact|power imbalance)|both happy|nothing to do with the children|minor driving matter|"
    r"not violent|asked for privacy|doesn'?t want (her|his) (parents|family|mum|dad) (told|to know)|"
    r"(don'?t|doesn'?t) want (the school|anyone) to know|ever had a safeguarding record|mostly old|"
    r"(wants|want|asked for|asking for) the address|the address of|new address|look up|is doing|"
    r"(asked|asking) (me )?if it'?s true|playground|third party|told us about (him|her)|going out|"
    r"getting treatment|treatment details|the details)\b"
)
# Phrases that settle it on their own.
_NO_RISK_STRONG = re.compile(
    r"\bno (safeguarding |other |current |serious )?(concerns?|risk)\b|\bnothing concerning\b|\bno threats or risk\b|"
    r"\bjust in case\b|\ball is well\b|\bno (specific )?concern\b|\bno impact on the children\b|\bnot violent\b|"
    r"\bnothing to do with the children\b|\bnothing else (worrying|concerning)\b"
)
_RISK_STRONG = re.compile(
    r"\b(court order|witness summons|order requiring|section 47|s47|sex offender|indecent images|strangled|"
    r"fgm|make her a woman|fractured|stab wound|nude photos|practice review|death overview)\b"
)


_NOT_AN_ORDER = re.compile(r"\b(no|not a|without a|there'?s no|there is no) court order\b")


# A general question ("how does the disclosure scheme work?") names a topic rather than describing a case: one
# risk word in it says nothing about which way to advise.
_GENERAL_QUESTION = re.compile(r"^\s*(what|how|when|why|which|who|where|is|are|does|do|explain|define|tell me)\b")
_NARRATIVE = re.compile(r"\b(i|i'm|i've|we|we've|our|my|me|he|she|they|his|her|their|mum|dad|child|pupil|boy|girl|"
                        r"baby|family|parent|son|daughter|year old|yo|teacher|nurse|worker)\b")


def direction_of(text: str) -> str | None:
    """share, not_share, or None when the message gives no clear signal either way."""
    low = _NOT_AN_ORDER.sub(" no order ", text.lower().replace("\u2019", "'"))
    if _RISK_STRONG.search(low):
        return SHARE
    if _NO_RISK_STRONG.search(low):
        return NOT_SHARE
    risk = len(_RISK.findall(low))
    calm = len(_NO_RISK.findall(low))
    margin = 2 if _GENERAL_QUESTION.search(low) or not _NARRATIVE.search(low) else 1
    if risk >= calm + margin:
        return SHARE
    if calm >= risk + margin:
        return NOT_SHARE
    return None


def compatible(advice: str, wanted: str | None) -> bool:
    """An item's advice does not point against the direction the message points (unknown: anything goes)."""
    got = DIRECTION.get(advice)
    return wanted is None or got is None or got == wanted
