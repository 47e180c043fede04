"""Redis killed without warning and started again while people are mid-conversation.

A private redis-server (append-only file on, as a production Redis keeps its data) serves the
whole application while Slack and Teams users walk the flowchart. It is SIGKILLed, then started
again on the same port. Meanwhile every request is still acknowledged (never a 5xx), every turn
is answered (the polite "storage is unavailable" answer while it is down), and once it is back
everyone carries on to a decision record.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable

from benchmarks.load import DEGRADED_MARK, client_session, crowd
from bot.storage.redis_store import RedisStore
from bot.testing.redis import PrivateRedis
from tests.system.conftest import EdgeFactory

PEOPLE = 40  # per edge: enough to have turns in flight at the moment of the kill
SECONDS = 8.0


async def test_conversations_degrade_politely_and_recover(serve_edge: EdgeFactory,
                                                          make_private_redis: Callable[..., PrivateRedis]) -> None:
    server = make_private_redis(appendonly=True)
    store = RedisStore.from_url(server.url, f"rel-{uuid.uuid4().hex[:8]}")
    async with serve_edge(store, redis_url=server.url) as edge, client_session() as session:
        people = crowd(session, edge.url, slack=PEOPLE, teams=PEOPLE, fake=edge.fake, connector=edge.connector,
                       recover_for=30.0)

        async def outage() -> None:
            await asyncio.sleep(2.0)
            await asyncio.to_thread(server.stop)  # SIGKILL: no save, no goodbye
            await asyncio.sleep(2.0)
            await asyncio.to_thread(server.start)

        await asyncio.gather(people.run(SECONDS), outage())
        assert await store.ping()

    slack, teams = people.slack_tally, people.teams_tally
    for name, tally in (("slack", slack), ("teams", teams)):
        assert tally.errors == [], f"{name}: {tally.errors[:10]}"
        assert tally.lost == 0, name
        assert set(s.split()[-1] for s in tally.statuses) <= {"200", "201"}, (name, tally.statuses)
        assert tally.outcomes >= PEOPLE, (name, tally.outcomes)  # everyone got through, outage or not
    # People really met the outage, and were told so kindly.
    assert slack.degraded + teams.degraded > 0
    said = json.dumps([m.blocks for m in edge.fake.messages]) + json.dumps([c.body for c in edge.connector.calls])
    assert DEGRADED_MARK in said
    assert "Traceback" not in said
