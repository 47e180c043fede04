"""The Slack Web API rate-limiting, failing and crawling.

Slack needs the HTTP ack within 3 s whatever its Web API is doing; the bot's calls to the Web API
happen after the ack and must ride out a 429 (waiting as long as Retry-After says), a 500 and a
slow answer. The fake Slack answers the next faultable call (conversations.open, chat.postMessage,
chat.update) with the fault, then behaves.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from benchmarks.load import Tally, Turned, client_session, crowd
from bot.storage.redis_store import RedisStore
from tests.system.conftest import Edge, EdgeFactory


async def start_one(edge: Edge) -> tuple[Turned, Tally]:
    """One person sends /canishare; returns what the bot answered in the DM."""
    async with client_session() as session:
        people = crowd(session, edge.url, slack=1, teams=0, fake=edge.fake, connector=edge.connector)
        return await people.slack[0].start(), people.slack_tally


@pytest.mark.parametrize("fault", ["429", "500"])
async def test_a_refused_call_is_retried_and_the_answer_arrives(serve_edge: EdgeFactory, redis_store: RedisStore,
                                                                fault: str) -> None:
    async with serve_edge(redis_store) as edge:
        edge.fake.faults.extend([fault])
        turned, tally = await start_one(edge)

    assert tally.statuses == {"slack.command 200": 1}  # acknowledged, whatever the Web API did
    assert turned.kind == "question", turned  # and the first question still reached the DM
    ((method, injected, failed_at),) = edge.fake.injected
    assert injected == fault
    retried_at = next(at for m, at in edge.fake.served if m == method and at > failed_at)
    if fault == "429":
        # Retry-After honoured: the same call came back no sooner than Slack asked.
        assert retried_at - failed_at >= edge.fake.retry_after


async def test_a_slow_web_api_does_not_hold_up_the_ack(serve_edge: EdgeFactory, redis_store: RedisStore) -> None:
    async with serve_edge(redis_store) as edge:
        edge.fake.slow_seconds = 5.0
        edge.fake.faults.extend(["slow"])
        async with client_session() as session:
            person = crowd(session, edge.url, slack=1, teams=0, fake=edge.fake, connector=edge.connector).slack[0]
            answer = asyncio.create_task(person.start())
            while not person.tally.acks:
                await asyncio.sleep(0.005)
            acked_at = time.monotonic()
            assert person.tally.statuses == {"slack.command 200": 1}
            turned = await answer
    assert turned.kind == "question"
    ((method, fault, started),) = edge.fake.injected
    assert fault == "slow"
    finished = next(at for m, at in edge.fake.served if m == method and at > started)
    # The ack came back before the crawling Web API call it led to had finished.
    assert acked_at < finished


async def test_faults_under_load_lose_no_turn(serve_edge: EdgeFactory, redis_store: RedisStore) -> None:
    """Forty people while one Web API call in ten fails (once) or crawls: every turn still answered."""
    async with serve_edge(redis_store) as edge, client_session() as session:
        edge.fake.fault_rate = 0.1
        edge.fake.slow_seconds = 2.0  # slow, but within the client's timeout
        people = crowd(session, edge.url, slack=40, teams=0, fake=edge.fake, connector=edge.connector)
        await people.run(4.0)
    tally = people.slack_tally
    assert {kind for _, kind, _ in edge.fake.injected} == {"429", "500", "slow"}
    assert tally.errors == [] and tally.lost == 0, tally.errors[:5]
    assert set(s.split()[-1] for s in tally.statuses) == {"200"}
    assert tally.outcomes >= 40
