"""The real engine over the real Redis store: races, retries, retention, forget, outages."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import pytest

from bot.app.cli.forget import CHANNELS, forget
from bot.core.engine import Engine
from bot.core.identity import user_hash
from bot.core.parts import Parts
from bot.core.store import JSON, Snapshot
from bot.storage.redis_store import RedisStore
from dialogs.messages import Answer, Contacts, Notice, Outcome, Progress, Question, Reply, Urgent
from dialogs.turn import Turn

if TYPE_CHECKING:
    from collections.abc import Callable

    from conftest import PrivateRedis

    MakeRedis = Callable[..., PrivateRedis]

HASH_KEY = "engine-redis-test-key"
USER = "U0PRACTITIONER"
FREE_TEXT = "do I need consent to tell the police?"
STORE_LOGGER = "bot.storage.redis_store"
ALREADY = ("already been answered", "moved on")


@pytest.fixture
def engine(parts: Parts, redis_store: RedisStore) -> Engine:
    return Engine(parts, redis_store, HASH_KEY)


def click(action: str, ref: str, user: str = USER, **kw: str) -> Turn:
    return Turn(channel="slack", user_id=user, action=action, ref=ref, **kw)


def question(replies: list[Reply]) -> Question:
    asked = [r for r in replies if isinstance(r, Question)]
    assert asked, replies
    return asked[-1]


def notices(replies: list[Reply]) -> str:
    return " ".join(r.text for r in replies if isinstance(r, Notice))


def applied(replies: list[Reply]) -> bool:
    return any(isinstance(r, Progress) for r in replies)


async def start(engine: Engine, user: str = USER) -> Question:
    return question(await engine.handle(Turn(channel="slack", user_id=user, action="start")))


async def saved_state(engine: Engine, user: str = USER) -> Snapshot:
    return await engine.store.load(engine.key(Turn(channel="slack", user_id=user)))


# -- two clicks on one button ---------------------------------------------------------------


async def test_same_button_clicked_twice_at_once_applies_once(engine: Engine) -> None:
    first = await start(engine)
    before = await saved_state(engine)

    one, two = await asyncio.gather(engine.handle(click("no", first.ref)), engine.handle(click("no", first.ref)))

    assert [applied(one), applied(two)].count(True) == 1
    loser = two if applied(one) else one
    assert any(phrase in notices(loser) for phrase in ALREADY), loser
    after = await saved_state(engine)
    assert after.version == before.version + 1
    assert len(after.data["w"]["h"]) == 1  # one answer recorded, not two


class _BothReadFirst(RedisStore):
    """Holds each load until both turns have loaded: the interleaving where only CAS can help."""

    barrier: asyncio.Barrier | None = None

    async def load(self, key: str) -> Snapshot:
        snap = await super().load(key)
        if self.barrier is not None:  # only the turn's first load; the loser loads again to reply
            barrier, self.barrier = self.barrier, None
            await barrier.wait()
        return snap


async def test_two_processes_racing_on_one_conversation(parts: Parts, redis_store: RedisStore, redis_url: str) -> None:
    """Two engines, two Redis clients (two web processes), both read the same version."""
    base = Engine(parts, redis_store, HASH_KEY)
    first = await start(base)
    stores = [_BothReadFirst.from_url(redis_url, redis_store.prefix) for _ in range(2)]
    barrier = asyncio.Barrier(2)
    for store in stores:
        store.barrier = barrier
    try:
        a, b = (Engine(parts, store, HASH_KEY) for store in stores)
        # The same button pressed twice, each press reaching a different process. (Every question has an
        # outcome on one branch, so two different answers could end the walk with no question to compare.)
        one, two = await asyncio.gather(a.handle(click("no", first.ref)), b.handle(click("no", first.ref)))
    finally:
        for store in stores:
            await store.close()

    assert [applied(one), applied(two)].count(True) == 1
    winner, loser = (one, two) if applied(one) else (two, one)
    assert "already been answered" in notices(loser)
    # The loser is shown where the conversation is now: the winner's next question.
    assert question(loser).ref == question(winner).ref
    assert len((await saved_state(base)).data["w"]["h"]) == 1


# -- platform retries -----------------------------------------------------------------------


async def test_an_event_delivered_twice_is_handled_once(engine: Engine) -> None:
    first = await start(engine)
    deliveries = [click("no", first.ref, event_id="Ev0RETRY1") for _ in range(3)]
    results = await asyncio.gather(*(engine.handle(turn) for turn in deliveries))
    assert [bool(r) for r in results].count(True) == 1  # the retries get no reply at all
    assert len((await saved_state(engine)).data["w"]["h"]) == 1


# -- retention and forget -------------------------------------------------------------------


async def _seven_answers(engine: Engine, user: str = USER) -> list[Reply]:
    # current edition: urgent? no, then yes, yes, yes, no (consent), no (statutory), yes
    q = await start(engine, user)
    replies: list[Reply] = []
    for answer in ("no", "yes", "yes", "yes", "no", "no", "yes"):
        replies = await engine.handle(click(answer, q.ref, user))
        if any(isinstance(r, Outcome) for r in replies):
            break
        q = question(replies)
    return replies


async def test_every_key_the_bot_writes_has_a_ttl(engine: Engine, redis_store: RedisStore) -> None:
    await _seven_answers(engine)
    await engine.handle(Turn(channel="teams", user_id="29:someone", text="start", event_id="act-1"))
    await engine.handle(Turn(channel="slack", user_id=USER, text=FREE_TEXT, event_id="Ev0FREE"))
    found = [raw async for raw in redis_store.client.scan_iter(match=f"{redis_store.prefix}:*")]
    assert len(found) >= 4  # two conversations, two event records
    for raw in found:
        assert await redis_store.client.ttl(raw) > 0, raw
    assert not [raw for raw in found if USER.encode() in raw or b"someone" in raw]  # ids only as hashes


async def test_a_seven_answer_conversation_costs_well_under_a_kibibyte(engine: Engine, redis_store: RedisStore) -> None:
    replies = await _seven_answers(engine)
    assert any(isinstance(r, Outcome) for r in replies)
    key = redis_store.key(engine.key(Turn(channel="slack", user_id=USER)))
    used = await redis_store.client.memory_usage(key, samples=0)
    assert used is not None and used < 1024, used


async def test_forget_removes_everything_about_a_user(engine: Engine, redis_store: RedisStore) -> None:
    await _seven_answers(engine)
    await engine.handle(Turn(channel="teams", user_id=USER, text="start"))
    await engine.handle(Turn(channel="slack", user_id="U0SOMEONEELSE", text="start"))

    removed = await forget(redis_store, HASH_KEY, USER, CHANNELS)
    mine = {user_hash(HASH_KEY, channel, USER) for channel in CHANNELS}
    assert {key for key in removed if key.startswith("conv:")} == {
        engine.key(Turn(channel=channel, user_id=USER)) for channel in ("slack", "teams")
    }
    left = [raw.decode() async for raw in redis_store.client.scan_iter(match=f"{redis_store.prefix}:*")]
    assert not [key for key in left if any(h in key for h in mine)], left
    assert await saved_state(engine) == Snapshot({}, 0)
    assert (await saved_state(engine, "U0SOMEONEELSE")).version > 0
    assert await forget(redis_store, HASH_KEY, USER, CHANNELS) == []


# -- Redis down mid-conversation ------------------------------------------------------------


def _is_degraded(replies: list[Reply]) -> bool:
    return "can't keep your place" in notices(replies) and any(isinstance(r, Contacts) for r in replies)


async def _outage(parts: Parts, server: PrivateRedis, caplog: pytest.LogCaptureFixture) -> tuple[Engine, str]:
    """Start a conversation, answer one question, then kill Redis and keep talking."""
    caplog.set_level(logging.INFO, logger=STORE_LOGGER)
    engine = Engine(parts, RedisStore.from_url(server.url, "acme"), HASH_KEY)
    first = await start(engine)
    second = question(await engine.handle(click("no", first.ref)))

    server.stop()
    free_text = await engine.handle(Turn(channel="slack", user_id=USER, text=FREE_TEXT, event_id="Ev0DOWN1"))
    assert _is_degraded(free_text), free_text
    assert any(isinstance(r, Answer) for r in free_text)  # the question is still answered
    button = await engine.handle(click("yes", second.ref, event_id="Ev0DOWN2"))
    assert _is_degraded(button) and not applied(button)
    urgent = await engine.handle(Turn(channel="slack", user_id=USER, text="a child is in immediate danger right now"))
    assert isinstance(urgent[0], Urgent) and _is_degraded(urgent)  # act-now first, even with Redis down
    for _ in range(5):
        assert _is_degraded(await engine.handle(Turn(channel="slack", user_id=USER, text=FREE_TEXT)))

    warnings = [r for r in caplog.records if r.name == STORE_LOGGER and r.levelno == logging.WARNING]
    assert len(warnings) == 1  # one line per outage, not one per turn
    assert all(r.exc_info is None for r in caplog.records)  # no traceback in the logs either
    return engine, second.ref


def _recovered(caplog: pytest.LogCaptureFixture) -> bool:
    return any(r.name == STORE_LOGGER and "available again" in r.getMessage() for r in caplog.records)


async def test_redis_lost_then_back_empty_restarts_cleanly(
    parts: Parts, private_redis: PrivateRedis, caplog: pytest.LogCaptureFixture
) -> None:
    engine, pending_ref = await _outage(parts, private_redis, caplog)
    try:
        private_redis.start()  # no persistence: the place is lost, not the conversation's sanity
        replies = await engine.handle(click("yes", pending_ref))
        assert "moved on" in notices(replies) and not applied(replies)
        assert _recovered(caplog)
        again = await start(engine)
        assert again.step == 1
        assert applied(await engine.handle(click("no", again.ref)))
    finally:
        await engine.store.close()


async def test_redis_lost_then_back_with_data_resumes(
    parts: Parts, make_private_redis: MakeRedis, caplog: pytest.LogCaptureFixture
) -> None:
    server = make_private_redis(appendonly=True)
    engine, pending_ref = await _outage(parts, server, caplog)
    try:
        server.start()
        replies = await engine.handle(click("yes", pending_ref))
        assert applied(replies), replies  # the button from before the outage still works
        assert _recovered(caplog)
        state: JSON = (await saved_state(engine)).data
        assert len(state["w"]["h"]) == 2
    finally:
        await engine.store.close()
