"""The personal quiz through the real engine: feedback after every answer, a score at the end,
stale and repeated answers refused, and spaced repetition kept per hashed user in the store."""

from __future__ import annotations

import datetime as dt

from bot.core.engine import Engine, Parts
from bot.core.identity import user_hash
from bot.core.quiz.progress import progress_key
from bot.core.store import MemoryStore
from bot.storage.redis_store import RedisStore
from dialogs import quiz
from dialogs.messages import Answer, Menu, Notice, Progress, Question, Reply, Text
from dialogs.turn import Turn
from knowledge.loader import default_knowledge

USER = "U-quiz-tester"
T0 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self, now: dt.datetime = T0) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def question_of(replies: list[Reply]) -> Question:
    (q,) = [r for r in replies if isinstance(r, Question)]
    return q


def answer_ids(q: Question) -> list[str]:
    return [c.id for c in q.options if c.id != quiz.STOP]


def right_choice(q: Question) -> str:
    item = default_knowledge().quiz[q.node.removeprefix(quiz.PREFIX)]
    if item.kind == "true_false":
        return quiz.tf_choice(item.id, item.answer == "true")
    return quiz.mc_choice(item.id, item.options.index(item.answer))


def wrong_choice(q: Question) -> str:
    return next(c for c in answer_ids(q) if c != right_choice(q))


async def say(engine: Engine, **kwargs: object) -> list[Reply]:
    return await engine.handle(Turn(channel="slack", user_id=USER, **kwargs))  # type: ignore[arg-type]


async def test_a_quiz_gives_feedback_with_source_after_each_answer_and_a_score(parts: Parts) -> None:
    engine = Engine(parts, MemoryStore(), "k", clock=Clock())
    replies = await say(engine, text="quiz")
    q = question_of(replies)
    assert q.step == 1 and "Quiz (5 questions)" in q.edition_label
    asked = []
    for n in range(5):
        asked.append(q.node)
        choice = right_choice(q) if n % 2 == 0 else wrong_choice(q)
        replies = await say(engine, action=choice, ref=q.ref)
        progress = replies[0]
        assert isinstance(progress, Progress) and progress.ref == q.ref and progress.answer
        feedback = replies[1]
        assert isinstance(feedback, Answer)
        assert feedback.title.startswith("Right" if n % 2 == 0 else "Not quite")
        item = default_knowledge().quiz[q.node.removeprefix(quiz.PREFIX)]
        assert feedback.text.startswith(item.explanation.strip())
        assert feedback.source is not None and feedback.source.publisher and feedback.source.current
        if n < 4:
            q = question_of(replies)
            assert q.step == n + 2
    assert len(set(asked)) == 5
    score = next(r for r in replies if isinstance(r, Text) and r.text.startswith("Quiz finished"))
    assert "you scored 3 out of 5" in score.text
    assert isinstance(replies[-1], Menu) and replies[-1].options[0].id == quiz.START
    # The quiz is over: an old button is refused politely, not counted.
    late = await say(engine, action=right_choice(q), ref=q.ref)
    assert isinstance(late[0], Notice) and "finished" in late[0].text


async def test_stale_and_repeated_answers_are_not_counted(parts: Parts) -> None:
    engine = Engine(parts, MemoryStore(), "k", clock=Clock())
    first = question_of(await say(engine, action=quiz.START))
    replies = await say(engine, action=right_choice(first), ref=first.ref)
    second = question_of(replies)
    again = await say(engine, action=right_choice(first), ref=first.ref)  # a double click on the first card
    assert isinstance(again[0], Notice) and "moved on" in again[0].text
    assert question_of(again).ref == second.ref
    other = next(i for i in default_knowledge().quiz if f"{quiz.PREFIX}{i}" not in (first.node, second.node))
    wrong_item = await say(engine, action=quiz.tf_choice(other, True), ref=second.ref)  # not the question waiting
    assert isinstance(wrong_item[0], Notice) and question_of(wrong_item).ref == second.ref
    bogus = await say(engine, action="quiz:tf:no-such-item:true", ref=second.ref)
    assert isinstance(bogus[0], Notice) and "recognise" in bogus[0].text
    stop = await say(engine, action=quiz.STOP, ref=second.ref)
    assert any(isinstance(r, Text) and "1 right out of 1 answered" in r.text for r in stop)


async def test_typed_answers_work_and_other_words_leave_the_quiz_alone(parts: Parts) -> None:
    engine = Engine(parts, MemoryStore(), "k", clock=Clock())
    q = question_of(await say(engine, text="quiz me"))
    item = default_knowledge().quiz[q.node.removeprefix(quiz.PREFIX)]
    typed = ("true" if item.answer == "true" else "false") if item.kind == "true_false" else "abcd"[
        item.options.index(item.answer)]
    stray = await say(engine, text="zz")  # neither an answer nor a question: asked again, not looked up
    assert isinstance(stray[0], Notice) and "didn't catch" in stray[0].text and question_of(stray).ref == q.ref
    replies = await say(engine, text=typed.upper())
    assert isinstance(replies[1], Answer) and replies[1].title.startswith("Right")
    # "start" walks the flowchart instead, and the quiz is dropped so its answers can't be mistaken.
    walk = await say(engine, text="start")
    assert question_of(walk).node == "urgent"
    yes = await say(engine, text="yes")
    assert not any(isinstance(r, Answer) and r.title.startswith(("Right", "Not quite")) for r in yes)


async def test_team_quiz_asked_for_in_a_dm_explains_where_it_runs(parts: Parts) -> None:
    engine = Engine(parts, MemoryStore(), "k", clock=Clock())
    replies = await say(engine, text="quiz team")
    assert "in a channel" in replies[0].text


def test_spaced_repetition_puts_missed_items_first() -> None:
    ids = [f"i{n}" for n in range(10)]
    now = 1_000_000
    progress = quiz.record({}, "i7", False, now)
    progress = quiz.record(progress, "i3", True, now)
    progress = quiz.record(progress, "i5", True, now - 3 * quiz.DAY)  # due again a day ago
    chosen = quiz.select(ids, progress, 4, now, seed=1)
    assert chosen[0] == "i7"  # got wrong: first
    assert chosen[1] == "i5"  # right once, now due
    assert "i3" not in chosen  # right just now: not for two days
    assert quiz.record(progress, "i5", True, now)["i5"] == [2, now + 7 * quiz.DAY]
    assert quiz.record(progress, "i5", False, now)["i5"] == [0, now]


async def test_progress_is_kept_in_redis_by_hashed_user_and_missed_items_come_back(
        parts: Parts, redis_store: RedisStore) -> None:
    clock = Clock()
    engine = Engine(parts, redis_store, "quiz-hash-key", clock=clock)
    q = question_of(await say(engine, action=quiz.START))
    missed = []
    for n in range(5):
        if n < 2:
            missed.append(q.node)
        replies = await say(engine, action=wrong_choice(q) if n < 2 else right_choice(q), ref=q.ref)
        if n < 4:
            q = question_of(replies)
    hashed = user_hash("quiz-hash-key", "slack", USER)
    key = redis_store.key(progress_key(hashed))
    ttl = await redis_store.client.ttl(key)
    assert 89 * 86400 < ttl <= 90 * 86400  # quiz.progress_days, default 90
    raw = await redis_store.client.get(key)
    assert USER.encode() not in raw and USER.encode() not in key.encode()
    snap = await redis_store.load(progress_key(hashed))
    items = {k: v for k, v in snap.data["p"].items() if k != quiz.SEED}  # the option-order seed rides along
    assert len(items) == 5 and sum(1 for box, _ in items.values() if box == 0) == 2

    clock.now = T0 + dt.timedelta(days=1)
    replies = await say(engine, action=quiz.START)
    first = question_of(replies)
    second = question_of(await say(engine, action=right_choice(first), ref=first.ref))
    assert {first.node, second.node} == set(missed)  # the two missed come back first

    removed = await redis_store.forget_user(hashed)
    assert progress_key(hashed) in removed
