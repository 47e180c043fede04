"""200 practitioners at once, half in Slack and half in Teams, for about ten seconds.

Every request goes over loopback HTTP to the real application with the real Redis; every answer
lands in the fake Slack or the fake connector. Behaviour only: every request was acknowledged,
every acknowledged turn was answered, everyone reached a decision record, nothing failed.
Latency figures belong to ``python -m benchmarks.soak``, not to assertions.
"""

from __future__ import annotations

from benchmarks.load import client_session, crowd
from bot.storage.redis_store import RedisStore
from tests.system.conftest import EdgeFactory

PEOPLE = 200
SECONDS = 10.0


async def test_200_concurrent_conversations_lose_nothing(serve_edge: EdgeFactory, redis_store: RedisStore) -> None:
    async with serve_edge(redis_store) as edge, client_session() as session:
        people = crowd(session, edge.url, slack=PEOPLE // 2, teams=PEOPLE // 2, fake=edge.fake,
                       connector=edge.connector)
        await people.run(SECONDS)

    for name, tally in (("slack", people.slack_tally), ("teams", people.teams_tally)):
        assert tally.errors == [], f"{name}: {tally.errors[:10]}"
        assert tally.lost == 0, name
        assert set(s.split()[-1] for s in tally.statuses) <= {"200", "201"}, (name, tally.statuses)
        # Everyone walked to a decision record at least once: no conversation stalled.
        assert tally.outcomes >= PEOPLE // 2, (name, tally.outcomes)
        assert tally.degraded == 0, name  # Redis was up throughout: nobody saw the outage answer
    assert edge.fake.refused == [], edge.fake.refused[:3]  # no message Slack itself would have refused

    # Every Slack person's DM holds their own walk only, each question message answered in place.
    for person in people.slack:
        messages = edge.fake.in_channel(person.dm)
        assert messages, person.user
        answered = [m for m in messages if m.versions]
        assert answered, person.user
