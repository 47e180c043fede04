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


@pytest.mark.parametrize(("typed", "intent"), [
    ("yess", intents.YES), ("yse", intents.YES), ("yesss", intents.YES), ("noo", intents.NO), ("nop", intents.NO),
    ("bakc", intents.BACK), ("bck", intents.BACK), ("hepl", intents.HELP), ("explian", intents.EXPLAIN),
])
def test_one_word_typos_are_accepted(typed: str, intent: str) -> None:
    assert intents.intent_of(typed) == intent


@pytest.mark.parametrize("typed", ["now", "yet", "not", "bank", "hello", "ye", "start the car"])
def test_real_words_near_an_answer_stay_free_text(typed: str) -> None:
    assert intents.intent_of(typed) is None


DANGER_PHRASED_ANYHOW = [
    "overdoes of tabs, pupil in the medical room now",
    "she sed she is goin to kill herself 2nite",
    "two year old got into his dad's methadone, he's really sleepy and floppy",
    "the baby is on his own in the flat, mum went out hours ago",
    "i've got a long one, sorry. year 10 boy, usually quiet, been a bit off all term and we had a meeting with "
    "his mum in october about attendance. anyway today he showed me marks on his arms and said his dad will do it "
    "again when he gets home tonight",
]
PAST_OR_PROCEDURE = [
    "we had a child go missing last week, she's back home now, should I record it?",
    "a teacher has been accused of hitting a pupil, how do I refer to the LADO?",
    "a pupil has a history of self-harm, is that special category data?",
    "i am worried about a family but there's no immediate danger, who do I talk to?",
    "mum had a previous overdose in 2019, can I tell the health visitor?",
]


@pytest.mark.parametrize("text", DANGER_PHRASED_ANYHOW)
def test_danger_however_phrased(text: str) -> None:
    assert is_urgent(text)


@pytest.mark.parametrize("text", PAST_OR_PROCEDURE)
def test_past_incidents_and_procedures_are_not_act_now(text: str) -> None:
    assert not is_urgent(text)
