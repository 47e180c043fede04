"""Typed words that mean a button: "y", "nope", "go back", "start again", "help".

Kept apart from the dialogs so every channel and every state reads typed answers the same way.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz, process

YES, NO, NOT_SURE, EXPLAIN, BACK, RESTART, HELP, TALK, START, EDITION = (
    "yes", "no", "not_sure", "explain", "back", "restart", "help", "talk", "start", "edition",
)
QUIZ, QUIZ_TEAM = "quiz:start", "quiz:team"  # choice ids of dialogs.quiz

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
    # the personal quiz, and the team quiz (which runs in a channel, not here).
    QUIZ: ("quiz", "quiz me", "start quiz", "start the quiz", "take the quiz", "take a quiz", "test me",
           "a quiz", "new quiz", "another quiz"),
    QUIZ_TEAM: ("quiz team", "team quiz", "start team quiz"),
}

_LOOKUP: dict[str, str] = {phrase: intent for intent, phrases in _PHRASES.items() for phrase in phrases}
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
    # Typos in longer phrases only ("strat again", "not suer"): short words are too ambiguous.
    if 6 <= len(norm) <= 30:
        best = process.extractOne(norm, _FUZZY_KEYS, scorer=fuzz.ratio, score_cutoff=86)
        if best is not None:
            return _LOOKUP[best[0]]
    return None
