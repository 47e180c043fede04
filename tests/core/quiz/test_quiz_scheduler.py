"""Scheduled team quizzes: each slot fires once even with several workers, at the local time, and
due questions are closed (once) with their results posted. Real Redis, recording posters."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest

from bot.app import quiz_scheduler as scheduler
from bot.app.server import build_services
from bot.core.config import OrgConfig
from bot.core.parts import Parts, build_parts
from bot.core.quiz.config import QuizConfig, QuizSlot
from bot.core.quiz.team import Results, TeamQuiz, team_choice
from bot.core.services import Services
from bot.core.settings import Settings
from bot.storage.memory import MemoryStore, MemoryTeamBackend
from bot.storage.quiz_backend import RedisTeamBackend
from bot.storage.redis_store import RedisStore
from dialogs.messages import Reply

LONDON = ZoneInfo("Europe/London")
SLOT = QuizSlot(platform="slack", channel="C0QUIZ", weekday="mon", time="09:30")
# Many requests at once on a busy test machine: the store's sub-second production timeouts would
# turn a slow connect into StoreUnavailable, which is not what these tests are about.
PATIENT = {"socket_timeout": 10, "socket_connect_timeout": 10}


class RecordingPoster:
    def __init__(self) -> None:
        self.questions: list[tuple[str, Reply]] = []
        self.results: list[Results] = []

    async def post_question(self, channel: str, question: Reply, slot: QuizSlot | None = None) -> str | None:
        self.questions.append((channel, question))
        return f"ts{len(self.questions)}"

    async def post_results(self, results: Results) -> bool:
        self.results.append(results)
        return True


def config_with(*slots: QuizSlot) -> OrgConfig:
    return OrgConfig(quiz=QuizConfig(schedule=slots, close_minutes=30))


def services_on(redis_url: str, prefix: str, config: OrgConfig, parts: Parts, poster: RecordingPoster) -> Services:
    """One worker process's services: its own Redis client, the deployment's shared key prefix."""
    store = RedisStore.from_url(redis_url, prefix, **PATIENT)
    services = build_services(Settings(hash_key="sched-key"), config, store=store, parts=parts)
    services.quiz_posters = {"slack": poster}
    return services


def at(local: str) -> dt.datetime:
    return dt.datetime.fromisoformat(local).replace(tzinfo=LONDON).astimezone(dt.UTC)


async def run_workers(workers: list[Services], clock: Callable[[], dt.datetime], ticks: int = 3) -> None:
    """Run every worker's loop concurrently until each has read its clock (once a tick) ``ticks`` times."""
    stop = asyncio.Event()
    reads = [0] * len(workers)

    def counting(n: int) -> Callable[[], dt.datetime]:
        def now() -> dt.datetime:
            reads[n] += 1
            return clock()
        return now

    tasks = [asyncio.create_task(scheduler.run(s, stop, interval=0.001, clock=counting(n)))
             for n, s in enumerate(workers)]
    async with asyncio.timeout(20):
        while min(reads) < ticks:
            await asyncio.sleep(0.005)
    stop.set()
    await asyncio.gather(*tasks)


async def test_two_workers_fire_a_slot_once_and_close_it_once(redis_url: str, new_redis_prefix) -> None:  # type: ignore[no-untyped-def]
    prefix = new_redis_prefix()
    config = config_with(SLOT)
    parts = build_parts(config)
    posters = [RecordingPoster(), RecordingPoster()]
    workers = [services_on(redis_url, prefix, config, parts, p) for p in posters]
    now = {"t": at("2026-11-23T09:31:00")}  # a Monday, one minute after the slot
    try:
        await run_workers(workers, lambda: now["t"], ticks=5)
        posted = [q for p in posters for q in p.questions]
        assert len(posted) == 1 and posted[0][0] == "C0QUIZ"
        question = posted[0][1]
        assert question.choices and "Team quiz" in question.text

        # A member answers, then the close time passes: exactly one worker posts the results.
        team = next(s._team_quiz for s in workers if s._team_quiz is not None)
        assert isinstance(team, TeamQuiz)
        ack = await team.answer("slack", "a" * 32, question.choices[0].id)
        assert ack.counted
        now["t"] = at("2026-11-23T10:02:00")
        await run_workers(workers, lambda: now["t"], ticks=5)
        results = [r for p in posters for r in p.results]
        assert len(results) == 1 and results[0].message is not None
        assert "1 person who answered" in results[0].replies[0].text
        assert [q for p in posters for q in p.questions] == posted  # the slot did not fire again
    finally:
        for worker in workers:
            await worker.store.close()


async def test_slot_is_local_time_and_a_long_missed_slot_is_skipped(redis_url: str, new_redis_prefix) -> None:  # type: ignore[no-untyped-def]
    tz = LONDON
    summer = scheduler.latest_slot(SLOT, at("2026-06-01T10:00:00"), tz)  # British Summer Time
    assert summer == dt.datetime(2026, 6, 1, 8, 30, tzinfo=dt.UTC)
    winter = scheduler.latest_slot(SLOT, at("2026-11-24T08:00:00"), tz)  # Tuesday: last Monday's slot
    assert winter == dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)

    prefix = new_redis_prefix()
    config = config_with(SLOT)
    poster = RecordingPoster()
    services = services_on(redis_url, prefix, config, build_parts(config), poster)
    try:
        await run_workers([services], lambda: at("2026-11-23T11:00:00"))  # 90 minutes late
        assert poster.questions == []
        await run_workers([services], lambda: at("2026-11-23T09:29:00"))  # not yet
        assert poster.questions == []
    finally:
        await services.store.close()


def test_schedule_config_is_validated() -> None:
    assert QuizSlot(platform="teams", channel="19:x@thread.tacv2", weekday="Friday", time="9:05").time == "09:05"
    with pytest.raises(ValueError, match="weekday"):
        QuizSlot(platform="slack", channel="C1", weekday="someday", time="09:00")
    with pytest.raises(ValueError, match="HH:MM"):
        QuizSlot(platform="slack", channel="C1", weekday="mon", time="25:00")
    assert SLOT.id == QuizSlot(platform="slack", channel="C0QUIZ", weekday="monday", time="09:30").id


async def test_redis_backend_counts_one_answer_per_person_and_closes_once(redis_url: str, new_redis_prefix) -> None:  # type: ignore[no-untyped-def]
    redis_store = RedisStore.from_url(redis_url, new_redis_prefix(), **PATIENT)
    try:
        config = OrgConfig()
        parts = build_parts(config)
        clock = {"t": dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)}
        team = TeamQuiz(kb=parts.kb, config=config, backend=RedisTeamBackend(redis_store), store=redis_store,
                        hash_key="k", clock=lambda: clock["t"])
        posted = await team.open("slack", "C1", item_id="seed1-preventative-work")  # the answer is "false"
        members = [f"{n:032x}" for n in range(20)]
        # Everyone clicks "False" (right) twice, at once: each is counted once.
        acks = await asyncio.gather(*(team.answer("slack", m, team_choice(posted.qid, 1)) for m in members * 2))
        assert sum(a.counted for a in acks) == 20
        closes = await asyncio.gather(*(team.close(posted.qid) for _ in range(10)))
        (results,) = [r for r in closes if r is not None]
        assert "20 of the 20 people" in results.replies[0].text and "(100%)" in results.replies[0].text
        after = await team.answer("slack", "f" * 32, team_choice(posted.qid, 1))
        assert not after.counted and "has closed" in after.reply.text
        assert await team.close_due() == []
    finally:
        await redis_store.close()


async def test_memory_backend_has_the_same_rules() -> None:
    config = OrgConfig()
    parts = build_parts(config)
    team = TeamQuiz(kb=parts.kb, config=config, backend=MemoryTeamBackend(), store=MemoryStore(), hash_key="k")
    posted = await team.open("teams", "19:c", item_id="seed1-preventative-work")
    assert (await team.answer("teams", "a" * 32, team_choice(posted.qid, 0))).counted
    assert not (await team.answer("teams", "a" * 32, team_choice(posted.qid, 1))).counted
    assert not (await team.open("teams", "19:c")).opened  # one open question per channel
    results = await team.close_in("teams", "19:c")
    assert results is not None and "0 of the 1 person" in results.replies[0].text
    assert await team.close_in("teams", "19:c") is None
    assert (await team.open("teams", "19:c")).opened
    bad = await team.answer("teams", "a" * 32, "quizteam:zz:not-a-number")
    assert "can't find" in bad.reply.text


async def test_worker_posts_a_scheduled_quiz_to_slack_through_the_web_api(  # type: ignore[no-untyped-def]
        redis_url: str, new_redis_prefix, fake_slack) -> None:
    config = config_with(SLOT)
    settings = Settings(hash_key="sched-key", slack_bot_token="xoxb-test", slack_api_url=fake_slack.api_url)
    store = RedisStore.from_url(redis_url, new_redis_prefix(), **PATIENT)
    services = build_services(settings, config, store=store, parts=build_parts(config))  # no posters given
    clock = {"t": at("2026-11-23T09:30:05")}
    try:
        await run_workers([services], lambda: clock["t"])
        (message,) = fake_slack.in_channel("C0QUIZ")
        ids = [e["action_id"] for b in message.blocks if b["type"] == "actions" for e in b["elements"]]
        assert ids and all(i.startswith("qt.") for i in ids)  # team buttons, not conversation buttons
        clock["t"] = at("2026-11-23T10:01:00")
        await run_workers([services], lambda: clock["t"])
        assert "nobody answered" in fake_slack.transcript("C0QUIZ")
        assert not any(b["type"] == "actions" for b in fake_slack.message("C0QUIZ", message.ts).blocks)
        assert not fake_slack.refused
    finally:
        await store.close()
