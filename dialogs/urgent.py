"""Does a message signal that a child is in danger now?

Runs on every incoming text (after redaction), before anything else is decided, so the act-now
answer can never be delayed by a flowchart, a privacy prompt or a slow store. It errs towards
firing: a needless "call 999 if a child is in danger" costs a line of reading; a missed one could
cost a child.
"""

from __future__ import annotations

import re

_PATTERNS = [
    r"\b(in|at) (immediate |imminent |serious |real )?danger\b",
    r"\bimmediate(ly)? (risk|danger|harm)\b",
    r"\b(risk|danger|harm) (right )?now\b",
    r"\bright now\b.*\b(hurt|harm|hit|beat|abus|danger|attack|threat|unsafe)",
    r"\b(hurt|harm|hit|hitting|beat|beating|abus\w*|attack\w*|threaten\w*)\b.*\bright now\b",
    # "is being hurt", but not "was hurt last year".
    r"\b(is|are|being|getting) (being )?(hurt|hit|beaten|attacked|abused|assaulted|strangled|choked)\b"
    r"(?!.*\b(last|ago|before|previously|history)\b)",
    r"\bnot safe to go home\b",
    r"\b(scared|afraid|frightened) to go home\b",
    r"\b(won'?t|will not|can'?t|cannot) go home\b.*\b(scared|afraid|hurt|unsafe|safe)\b",
    r"\b(threaten\w*|going|gonna|about) to (kill|hurt|harm|stab|attack)\b",
    r"\b(suicid\w*|kill (him|her|them)sel(f|ves)|end (his|her|their) life|self[- ]harm\w* (now|tonight))\b",
    r"\b(overdos\w*|taken an overdose)\b",
    r"\b(missing|run away|ran away|runaway)\b.*\b(now|tonight|today|hours?)\b",
    r"\bweapon\b|\bknife\b|\bgun\b",
    r"\b(unconscious|not breathing|bleeding heavily|serious(ly)? injur\w*)\b",
    r"\b(left alone|home alone)\b.*\b(baby|toddler|infant|young|tonight|now)\b",
    r"\b(baby|toddler|infant)\b.*\b(left alone|home alone|unattended)\b",
    r"\bshould i (call|ring|phone) 999\b|\bcall(ing)? the police now\b|\b999\b",
    r"\b(sexual(ly)? (assault|abus)\w*)\b.*\b(now|tonight|today|happening)\b",
    r"\bsignificant harm\b.*\b(now|right now|at the moment|currently|today|tonight)\b",
]
_URGENT = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.IGNORECASE)

# Questions *about* the rules for emergencies are not themselves emergencies.
_ABOUT_RULES = re.compile(
    r"^\s*(what|when|how) (is|are|do|does|should)\b.*\b(emergenc\w*|urgent)\b.*\b(rule|guidance|basis|law|policy)\b",
    re.IGNORECASE,
)


def is_urgent(text: str) -> bool:
    if not text:
        return False
    if _ABOUT_RULES.search(text):
        return False
    return _URGENT.search(text) is not None
