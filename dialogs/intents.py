"""Typed words that mean a button: "y", "nope", "go back", "start again", "help".

Kept apart from the dialogs so every channel and every state reads typed answers the same way.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

YES, NO, NOT_SURE, EXPLAIN, BACK, RESTART, HELP, TALK, START, EDITION = (
    "yes", "no", "not_sure", "explain", "back", "restart", "help", "talk", "start", "edition",
)
QUIZ, QUIZ_TEAM = "quiz:start", "quiz:team"  # issue 8: choice ids of dialogs.quiz
# The layers of an outcome kept one tap away (dialogs.messages.Layer); typed, they ask for the last outcome's.
MORE_LAW, MORE_CHECKLIST, MORE_RECORD = "more:law", "more:checklist", "more:record"

_PHRASES: dict[str, tuple[str, ...]] = {
    YES: ("y", "yes", "yeah", "yep", "yup", "ya", "yes i do", "yes there is", "yes it is", "yes it does",
          "i do", "it is", "it does", "there is", "correct", "true", "affirmative", "sure", "definitely",
          "absolutely", "aye"),
    NO: ("n", "no", "nope", "nah", "no i don't", "no i dont", "no there isn't", "no there isnt",
         "no it isn't", "no it isnt", "no it doesn't", "no it doesnt", "not really", "false", "negative",
         "i don't", "i dont", "it isn't", "it isnt", "there isn't", "there isnt", "none"),
    NOT_SURE: ("not sure", "unsure", "i'm not sure", "im not sure", "i am not sure", "don't know", "dont know",
               "i don't know", "i dont know", "idk", "no idea", "maybe", "possibly", "not certain",
               "i'm unsure", "im unsure", "dunno", "?", "??"),
    EXPLAIN: ("explain", "why", "what does that mean", "what does this mean", "tell me more", "more",
              "more info", "more information", "explain please", "please explain", "what do you mean",
              "explain that", "meaning"),
    BACK: ("back", "go back", "previous", "undo", "previous question", "back please", "go back one",
           "last question", "b"),
    RESTART: ("restart", "start again", "start over", "reset", "begin again", "new", "from the top",
              "start from the beginning", "start afresh"),
    HELP: ("help", "commands", "what can you do", "options", "menu", "h"),
    TALK: ("talk to someone", "speak to someone", "talk to a person", "speak to a person", "human",
           "a person", "real person", "speak to my dsl", "talk to my dsl", "escalate", "get help from someone"),
    START: ("start", "flowchart", "walk me through it", "walk me through", "can i share", "can i share this",
            "can i share this?", "go", "begin", "let's start", "lets start"),
    EDITION: ("edition", "editions", "change edition", "which edition", "switch edition"),
    # Issue 8: the personal quiz, and the team quiz (which runs in a channel, not here).
    QUIZ: ("quiz", "quiz me", "start quiz", "start the quiz", "take the quiz", "take a quiz", "test me",
           "a quiz", "new quiz", "another quiz"),
    QUIZ_TEAM: ("quiz team", "team quiz", "start team quiz"),
    MORE_LAW: ("law", "the law", "show the law", "show law", "legal basis", "what's the law", "whats the law"),
    MORE_CHECKLIST: ("checklist", "the checklist", "show the checklist", "before you share"),
    MORE_RECORD: ("record", "full record", "the record", "show the record", "decision record",
                  "show the full record", "show record"),
}

_LOOKUP: dict[str, str] = {phrase: intent for intent, phrases in _PHRASES.items() for phrase in phrases}
# One-word answers that a slip of the finger may mangle ("yse", "noo", "bakc"), and real words one edit
# away from them that must never be read as a button ("now" is not "no", "yet" is not "yes").
_SHORT = ("yes", "yeah", "yep", "no", "nope", "back", "help", "explain", "restart", "unsure", "start", "edition")
_REAL_WORDS = frozenset("""now not nor nod non yet yew yea yay yeh yen yes eyes bach bank bark balk bake hack
    pack rack sack tack hell held helm hemp hep start stat star stay stray tart smart sort snort nob noe
    noun on to so go do ho lo mo oh nah yo ye hello helo hallo yellow yesterday bask""".split())
_FUZZY_KEYS = [p for p in _LOOKUP if len(p) >= 6]
_TIDY = re.compile(r"[^\w\s'?]")


def normalise(text: str) -> str:
    text = text.strip().lower().replace("\u2019", "'")
    text = _TIDY.sub(" ", text)
    return " ".join(text.split())


def intent_of(text: str) -> str | None:
    """The button a short typed reply stands for, or None for free text."""
    norm = normalise(text)
    if not norm:
        return None
    if norm in _LOOKUP:
        return _LOOKUP[norm]
    stripped = norm.rstrip("?! .")
    if stripped in _LOOKUP:
        return _LOOKUP[stripped]
    short = _short_typo(stripped)
    if short is not None:
        return short
    # Typos in longer phrases ("strat again", "not suer").
    if 6 <= len(norm) <= 30:
        best = process.extractOne(norm, _FUZZY_KEYS, scorer=fuzz.ratio, score_cutoff=86)
        if best is not None:
            return _LOOKUP[best[0]]
    return None


def _collapse(word: str) -> str:
    """Runs of one letter made single ("yesss" -> "yes", "nooo" -> "no")."""
    return re.sub(r"(.)\1+", r"\1", word)


def _short_typo(word: str) -> str | None:
    """The one-word answer a typo stands for, when exactly one is a single edit away."""
    if " " in word or not 2 <= len(word) <= 8 or word in _REAL_WORDS or not word.isalpha():
        return None
    collapsed = _collapse(word)
    if collapsed in _LOOKUP:
        return _LOOKUP[collapsed]
    if len(word) < 3:
        return None
    near = {_LOOKUP[c] for c in _SHORT if OSA.distance(word, c) <= 1 or OSA.distance(collapsed, c) <= 1}
    return near.pop() if len(near) == 1 else None
