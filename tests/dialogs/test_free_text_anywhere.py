"""Free text anywhere: a question mid-walk is answered and the walk goes on; typed choices with typos;
the redacted version is answered; the flowchart resumes; starting again asks first; cases start a walk."""

from __future__ import annotations

import pytest

from bot.core.engine import Engine
from dialogs.messages import Answer, Contacts, Menu, PrivacyNotice, Progress, Question, Text, Urgent
from dialogs.router import PRIVACY_USE, RESTART_CONFIRM
from dialogs.turn import Turn


def turn(**kw: str) -> Turn:
    return Turn(channel="terminal", user_id="anywhere", **kw)


async def walk_to_step_two(engine: Engine) -> Question:
    first = (await engine.handle(turn(action="start")))[-1]
    replies = await engine.handle(turn(action="no", ref=first.ref))
    assert isinstance(replies[-1], Question) and replies[-1].step == 2
    return replies[-1]


@pytest.mark.parametrize("question", [
    "should I tell social care?",
    "what if the family don't agree?",
    "she's 16, can she refuse consent?",
])
async def test_a_question_mid_walk_is_answered_and_the_same_question_asked_again(
        memory_engine: Engine, question: str) -> None:
    q = await walk_to_step_two(memory_engine)
    replies = await memory_engine.handle(turn(text=question))
    assert any(isinstance(r, Answer) for r in replies), replies
    last = replies[-1]
    assert isinstance(last, Question) and last.ref == q.ref and last.step == 2
    # The answers so far were kept: Yes moves on from step 2, not from step 1.
    replies = await memory_engine.handle(turn(text="yes"))
    assert any(isinstance(r, Progress) and r.ref == q.ref for r in replies)


@pytest.mark.parametrize(("typed", "moves"), [("yess", True), ("yse", True), ("noo", True), ("bakc", False)])
async def test_typed_choices_with_typos_are_accepted(memory_engine: Engine, typed: str, moves: bool) -> None:
    q = await walk_to_step_two(memory_engine)
    replies = await memory_engine.handle(turn(text=typed))
    if moves:
        assert any(isinstance(r, Progress) and r.ref == q.ref for r in replies), replies
    else:
        assert isinstance(replies[-1], Question) and replies[-1].step == 1


async def test_the_redacted_version_is_answered_not_taken_as_an_answer(memory_engine: Engine) -> None:
    q = await walk_to_step_two(memory_engine)
    replies = await memory_engine.handle(turn(text="Mrs Patel said no to sharing, do I need her consent?"))
    notice = replies[0]
    assert isinstance(notice, PrivacyNotice)
    assert PRIVACY_USE in [c.id for c in notice.choices]
    replies = await memory_engine.handle(turn(action=PRIVACY_USE))
    assert not any(isinstance(r, Progress) for r in replies), replies
    assert any(isinstance(r, Answer) for r in replies), replies
    assert isinstance(replies[-1], Question) and replies[-1].ref == q.ref


async def test_walk_through_the_flowchart_from_a_menu_resumes(memory_engine: Engine) -> None:
    q = await walk_to_step_two(memory_engine)
    replies = await memory_engine.handle(turn(text="do I need consent to tell the police?"))
    answer = next(r for r in replies if isinstance(r, Answer))
    assert "start" in [c.id for c in answer.choices]
    replies = await memory_engine.handle(turn(action="start"))
    assert isinstance(replies[-1], Question) and replies[-1].ref == q.ref and replies[-1].step == 2


async def test_start_again_asks_first_when_answers_would_be_lost(memory_engine: Engine) -> None:
    q = await walk_to_step_two(memory_engine)
    replies = await memory_engine.handle(turn(text="start again"))
    menu = replies[-1]
    assert isinstance(menu, Menu) and [c.id for c in menu.choices] == [RESTART_CONFIRM, "start"]
    replies = await memory_engine.handle(turn(action="start"))  # "No, carry on"
    assert replies[-1].ref == q.ref
    replies = await memory_engine.handle(turn(text="start again"))
    replies = await memory_engine.handle(turn(action=RESTART_CONFIRM))
    assert isinstance(replies[-1], Question) and replies[-1].step == 1


async def test_start_again_with_nothing_to_lose_just_starts(memory_engine: Engine) -> None:
    await memory_engine.handle(turn(action="start"))
    replies = await memory_engine.handle(turn(text="start again"))
    assert isinstance(replies[-1], Question) and replies[-1].step == 1


async def test_out_of_scope_gets_the_flowchart_and_the_contacts(memory_engine: Engine) -> None:
    replies = await memory_engine.handle(turn(text="what time does the canteen close?"))
    assert "can't answer" in replies[0].text
    assert any(isinstance(r, Contacts) for r in replies)
    assert any("start" in [c.id for c in getattr(r, "choices", ())] for r in replies)
    assert not any(isinstance(r, Answer) for r in replies)


async def test_a_described_case_gets_advice_and_starts_the_flowchart(memory_engine: Engine) -> None:
    replies = await memory_engine.handle(turn(text=(
        "I'm a youth worker. A 15 year old in my group came out to me as gay and asked me to keep it private. "
        "There are no other worries about him at home or anywhere else. Should I tell his parents?")))
    assert not isinstance(replies[0], Urgent)
    assert any(isinstance(r, Answer) for r in replies)
    assert isinstance(replies[-1], Question) and replies[-1].step == 1


async def test_two_questions_answer_the_first_and_offer_the_second(memory_engine: Engine) -> None:
    replies = await memory_engine.handle(turn(text="What is Gillick competence? And how long do we keep records?"))
    answers = [r for r in replies if isinstance(r, Answer)]
    offers = [r for r in replies if isinstance(r, Menu) and r.text.startswith("You also asked")]
    assert answers and offers
    assert offers[0].choices[0].id.startswith("ask:") and offers[0].choices[0].id != f"ask:{answers[0].entry}"


async def test_one_shot_ask_never_offers_a_menu_it_cannot_pick(memory_engine: Engine) -> None:
    for text in ("consent", "records", "police", "what about the parents", "sharing"):
        replies = await memory_engine.handle(Turn(channel="terminal", user_id="once", text=f"ask {text}", once=True))
        assert not any(isinstance(r, Menu) and "Which did you mean" in r.text for r in replies)
        assert any(isinstance(r, Answer | Text) for r in replies)
