"""The danger check and the typed-answer vocabulary."""

from __future__ import annotations

import pytest

from dialogs import intents
from dialogs.urgent import is_urgent

URGENT = [
    "a child is in immediate danger",
    "I think she is in danger right now",
    "he says his dad is hitting him right now",
    "the boy is being hurt at home",
    "she told me she is not safe to go home tonight",
    "he's scared to go home, his stepdad said he would hurt him",
    "a pupil says she wants to kill herself",
    "the teenager has taken an overdose",
    "a toddler has been left home alone tonight",
    "should I call 999?",
    "mum's partner is threatening to kill the baby",
    "a child has a knife and is threatening others",
    "14 year old missing since this morning, it's been hours",
    "There's a risk of significant harm right now",
]

NOT_URGENT = [
    "do I need consent to tell the police?",
    "can I share information with the school nurse?",
    "what is the Caldicott Guardian's role?",
    "a parent has refused consent for a referral last year",
    "what are the seven golden rules?",
    "What is the rule about sharing in an emergency under the guidance?",
    "is a 12 year old able to consent?",
    "what does Article 8 say about privacy?",
    "who do I ask for advice about data protection?",
    "the family moved to another local authority",
]


@pytest.mark.parametrize("text", URGENT)
def test_danger_signals_fire(text: str) -> None:
    assert is_urgent(text)


@pytest.mark.parametrize("text", NOT_URGENT)
def test_ordinary_questions_do_not_fire(text: str) -> None:
    assert not is_urgent(text)


@pytest.mark.parametrize(("typed", "intent"), [
    ("y", intents.YES), ("Yep!", intents.YES), ("yes it is", intents.YES),
    ("nope", intents.NO), ("No.", intents.NO), ("n", intents.NO),
    ("not sure", intents.NOT_SURE), ("Not suer", intents.NOT_SURE), ("idk", intents.NOT_SURE),
    ("go back", intents.BACK), ("restart", intents.RESTART), ("start again", intents.RESTART),
    ("strat again", intents.RESTART), ("help", intents.HELP), ("explain", intents.EXPLAIN),
    ("talk to someone", intents.TALK), ("edition", intents.EDITION),
])
def test_typed_variants(typed: str, intent: str) -> None:
    assert intents.intent_of(typed) == intent


@pytest.mark.parametrize("text", ["do I need consent?", "no idea why the police asked", "yes but the mum objected"])
def test_questions_are_not_mistaken_for_answers(text: str) -> None:
    assert intents.intent_of(text) is None
