"""Bad input gets a clear reply and changes nothing; typed answers work like buttons."""

from __future__ import annotations

import pytest

from bot.core.engine import Engine
from dialogs.messages import Notice, Outcome, Progress, Question
from dialogs.turn import Turn


def user(n: str = "p") -> dict:
    return {"channel": "terminal", "user_id": n}


async def start(engine: Engine, who: str = "p") -> Question:
    replies = await engine.handle(Turn(**user(who), action="start"))
    return replies[-1]


async def state_of(engine: Engine, who: str = "p") -> dict:
    return (await engine.store.load(engine.key(Turn(**user(who))))).data


@pytest.mark.parametrize("typed", ["n", "no", "nope", "No.", "nah", "NO"])
async def test_typed_no_answers_the_question(memory_engine: Engine, typed: str) -> None:
    q = await start(memory_engine)
    replies = await memory_engine.handle(Turn(**user(), text=typed))
    assert any(isinstance(r, Progress) and r.answer == "No" and r.ref == q.ref for r in replies)
    nxt = [r for r in replies if isinstance(r, Question)][-1]
    assert nxt.node != q.node


@pytest.mark.parametrize(("typed", "expect"), [
    ("not sure", "Talk to someone"), ("dunno", "Talk to someone"), ("i'm not sure", "Talk to someone"),
])
async def test_typed_not_sure_explains_and_offers_a_person(memory_engine: Engine, typed: str, expect: str) -> None:
    await start(memory_engine)
    replies = await memory_engine.handle(Turn(**user(), text=typed))
    q = replies[-1]
    assert isinstance(q, Question)
    assert expect in [c.label for c in q.choices]
    assert replies[0].text.strip()


async def test_go_back_and_restart(memory_engine: Engine) -> None:
    q1 = await start(memory_engine)
    await memory_engine.handle(Turn(**user(), text="no"))
    replies = await memory_engine.handle(Turn(**user(), text="go back"))
    assert replies[-1].node == q1.node
    await memory_engine.handle(Turn(**user(), text="no"))
    replies = await memory_engine.handle(Turn(**user(), text="start again"))
    # Answers would be lost: asked to confirm first.
    assert [c.id for c in replies[-1].choices] == ["restart:confirm", "start"]
    replies = await memory_engine.handle(Turn(**user(), action="restart:confirm"))
    assert replies[-1].node == q1.node and replies[-1].step == 1


async def test_back_at_first_question_is_explained_and_changes_nothing(memory_engine: Engine) -> None:
    q = await start(memory_engine)
    before = await state_of(memory_engine)
    replies = await memory_engine.handle(Turn(**user(), action="back", ref=q.ref))
    assert "first question" in replies[0].text
    assert replies[-1].ref == q.ref
    assert await state_of(memory_engine) == before


@pytest.mark.parametrize("turn", [
    {"text": ""}, {"text": "   "}, {"text": "\x00\x01\x02"}, {"action": "definitely-not-a-choice"},
    {"action": "ask:no-such-entry"}, {"action": "edition:1999"},
])
async def test_bad_input_is_answered_and_changes_nothing(memory_engine: Engine, turn: dict) -> None:
    await start(memory_engine)
    before = await state_of(memory_engine)
    replies = await memory_engine.handle(Turn(**user(), **turn))
    assert replies, "every input gets an answer"
    assert isinstance(replies[0], Notice)
    assert await state_of(memory_engine) == before


async def test_stale_button_is_answered_never_applied(memory_engine: Engine) -> None:
    q1 = await start(memory_engine)
    await memory_engine.handle(Turn(**user(), action="no", ref=q1.ref))
    before = await state_of(memory_engine)
    replies = await memory_engine.handle(Turn(**user(), action="yes", ref=q1.ref))
    assert "moved on" in replies[0].text
    assert not any(isinstance(r, (Progress, Outcome)) for r in replies)
    assert await state_of(memory_engine) == before


async def test_answer_when_nothing_is_pending(memory_engine: Engine) -> None:
    replies = await memory_engine.handle(Turn(**user("fresh"), text="yes"))
    assert "no question waiting" in replies[0].text
    assert await state_of(memory_engine, "fresh") == {}


async def test_huge_text_is_handled(memory_engine: Engine) -> None:
    replies = await memory_engine.handle(Turn(**user(), text="consent " * 10_000))
    assert replies


async def test_duplicate_event_is_handled_once(memory_engine: Engine) -> None:
    first = await memory_engine.handle(Turn(**user(), action="start", event_id="Ev1"))
    again = await memory_engine.handle(Turn(**user(), action="start", event_id="Ev1"))
    assert first and again == []


async def test_help_lists_commands_and_keeps_place(memory_engine: Engine) -> None:
    q = await start(memory_engine)
    replies = await memory_engine.handle(Turn(**user(), text="help"))
    assert "ask" in replies[0].text and "restart" in replies[0].text
    assert replies[-1].ref == q.ref


async def test_this_isnt_personal_data_lets_the_text_through_once(memory_engine: Engine) -> None:
    from bot.core import metrics
    from dialogs.messages import Answer, PrivacyNotice

    text = "ask what does Priya Chaudhry say about the caldicott principles"
    first = await memory_engine.handle(Turn(**user("b"), text=text))
    assert isinstance(first[0], PrivacyNotice) and "name" in first[0].found
    assert "Priya" not in str(await state_of(memory_engine, "b"))

    before = metrics.GUARD_BYPASSES._value.get()
    await memory_engine.handle(Turn(**user("b"), action="privacy:allow"))
    again = await memory_engine.handle(Turn(**user("b"), text=text))
    assert not any(isinstance(r, PrivacyNotice) for r in again)
    assert any(isinstance(r, Answer) for r in again)
    assert metrics.GUARD_BYPASSES._value.get() == before + 1
    # Once only: the same text is caught again next time.
    third = await memory_engine.handle(Turn(**user("b"), text=text))
    assert isinstance(third[0], PrivacyNotice)


async def test_use_the_redacted_version_answers_from_redacted_text(memory_engine: Engine) -> None:
    from dialogs.messages import Answer, PrivacyNotice

    first = await memory_engine.handle(Turn(**user("r"), text="can I tell the police about Jayden Smith's dad?"))
    assert isinstance(first[0], PrivacyNotice)
    held = await state_of(memory_engine, "r")
    assert "Jayden" not in str(held) and "[name]" in held["pr"]
    replies = await memory_engine.handle(Turn(**user("r"), action="privacy:use"))
    offered = [r.entry for r in replies if isinstance(r, Answer)] + [c.id for r in replies for c in r.choices]
    assert "telling-police" in offered or "ask:telling-police" in offered, replies
    assert "pr" not in await state_of(memory_engine, "r")
