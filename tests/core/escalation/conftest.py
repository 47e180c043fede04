"""Escalation fixtures: a fake clock, a rota, the service over real Redis, a fake Slack.

    clock        FakeClock at Wed 18 Nov 2026 14:00 UTC (= 14:00 Europe/London)
    slack        a FakeSlack Web API on 127.0.0.1
    esc          Harness: service + deliverer (fake Slack) + worker "w1", own key prefix
    make_harness factory for more (other config, other clock, a second worker on the same prefix)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import pytest_asyncio

from bot.app.escalation_worker import EscalationWorker
from bot.channels.slack.escalation_delivery import SlackDelivery
from bot.core.config import OrgConfig
from bot.core.escalation.delivery import Deliverer
from bot.core.escalation.handle import Sealer
from bot.core.escalation.rota import RotaView
from bot.core.escalation.service import EscalationService
from bot.core.identity import user_hash
from bot.storage.redis_store import RedisStore
from bot.testing.escalation import FakeClock, FakeSlack
from dialogs.messages import EscalationRequest, Reply
from dialogs.turn import Turn
from tests.conftest import delete_prefix, new_prefix

HASH_KEY = "test-hash-key"
START = dt.datetime(2026, 11, 18, 14, 0, tzinfo=dt.UTC).timestamp()
PRACTITIONER = "U0PRACT001"
ANSWERS = (("Is there a clear and legitimate purpose for sharing the information?", "Yes"),
           ("Does the information enable an individual to be identified?", "Yes"))
STUCK = ("Is there a lawful basis for sharing the information?",)

PEOPLE = [
    {"id": "amy", "name": "Amy Lead", "role": "safeguarding_lead", "slack_user_id": "U0AMY0001",
     "teams_user_id": "29:amy-teams", "phone": "01632 960101"},
    {"id": "ben", "name": "Ben Lead", "role": "safeguarding_lead", "slack_user_id": "U0BEN0001"},
    {"id": "dee", "name": "Dee Deputy", "role": "deputy", "slack_user_id": "U0DEE0001"},
    {"id": "cal", "name": "Cal Guardian", "role": "caldicott_guardian", "slack_user_id": "U0CAL0001"},
    {"id": "fay", "name": "Fay Fallback", "role": "safeguarding_lead", "slack_user_id": "U0FAY0001"},
]


def rota_dict(**overrides: Any) -> dict[str, Any]:
    rota: dict[str, Any] = {
        "people": PEOPLE,
        "layers": [
            {"name": "leads", "slot": "lead", "people": ["amy"], "start": "2026-01-05", "handover": "09:00"},
            {"name": "deputies", "slot": "deputy", "people": ["dee"], "start": "2026-01-05", "shift_days": 1},
        ],
        "fallback": {"people": ["fay"], "slack_channel": "C0DUTY0001"},
    }
    rota.update(overrides)
    return rota


def make_config(rota: dict[str, Any] | None = None, escalation: dict[str, Any] | None = None) -> OrgConfig:
    return OrgConfig.model_validate({"rota": rota or rota_dict(), "escalation": escalation or {}})


@dataclass
class Harness:
    service: EscalationService
    clock: FakeClock
    slack: FakeSlack
    deliverer: Deliverer
    worker: EscalationWorker
    store: RedisStore
    extra: dict[str, Any] = field(default_factory=dict)

    def hash(self, user: str = PRACTITIONER, channel: str = "slack") -> str:
        return user_hash(HASH_KEY, channel, user)

    async def raise_(self, user: str = PRACTITIONER, channel: str = "slack", urgent: bool = False,
                     reason: str = "talk", answers: tuple = ANSWERS, stuck: tuple = STUCK) -> list[Reply]:
        request = EscalationRequest(text="", urgent=urgent, edition="current", answers=answers, stuck_at=stuck,
                                    reason=reason)
        return await self.service.raise_escalation(Turn(channel=channel, user_id=user), self.hash(user, channel),
                                                   request)

    async def open_id(self, user: str = PRACTITIONER, channel: str = "slack") -> str:
        esc_id = await self.service.records.open_for(self.hash(user, channel))
        assert esc_id, "no open escalation"
        return esc_id

    async def drain(self, rounds: int = 100) -> int:
        total = 0
        for _ in range(rounds):
            n = await self.worker.deliver_once(block_ms=0)
            total += n
            if n == 0 and await self.service.outbox.pending_count() == 0:
                return total
            if n == 0:
                # Failed entries stay pending: retry them now (the real worker waits min_idle).
                n = await self.worker.reclaim_once(min_idle_ms=0)
                total += n
                if n == 0:
                    return total
        return total

    async def advance(self, minutes: float) -> list[str]:
        """Move the clock, run due timers, deliver what they queued."""
        self.clock.advance(minutes * 60)
        await self.worker.heartbeat()
        done: list[str] = []
        while batch := await self.worker.timers_once():
            done += batch
        await self.drain()
        return done

    def person(self, person_id: str) -> Any:
        person = self.service.rota.person(person_id)
        assert person is not None
        return person

    async def kinds(self, esc_id: str) -> list[str]:
        return [e["type"] for e in await self.service.records.chronology(esc_id)]

    def dm(self, person_id: str) -> str:
        return FakeSlack.dm(self.person(person_id).slack_user_id)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest_asyncio.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.close()


@pytest_asyncio.fixture
async def make_harness(redis_url: str, slack: FakeSlack) -> AsyncIterator[Callable[..., Any]]:
    made: list[Harness] = []
    prefixes: list[str] = []

    async def make(config: OrgConfig | None = None, clock: FakeClock | None = None, prefix: str | None = None,
                   consumer: str = "w1", platforms: dict[str, Any] | None = None, url: str | None = None) -> Harness:
        config = config or make_config()
        clock = clock or FakeClock(START)
        if prefix is None:
            prefix = new_prefix()
            if url is None:
                prefixes.append(prefix)
        store = RedisStore.from_url(url or redis_url, prefix)
        assert config.rota is not None
        service = EscalationService(store.client, store.prefix, config, RotaView(config.rota),
                                    sealer=Sealer("test-escalation-key"), hash_key=HASH_KEY, clock=clock,
                                    store=store)
        if platforms is None:
            platforms = {"slack": SlackDelivery("xoxb-test", slack.url)}
        deliverer = Deliverer(service, platforms)
        worker = EscalationWorker(service, deliverer, consumer=consumer, store=store)
        await service.outbox.ensure_group()
        await worker.heartbeat()  # a live worker that can reach the rota: raising says "sent"
        harness = Harness(service, clock, slack, deliverer, worker, store, extra={"redis_url": url or redis_url})
        made.append(harness)
        return harness

    try:
        yield make
    finally:
        for harness in made:
            await harness.store.close()
        for prefix in prefixes:
            delete_prefix(redis_url, prefix)


@pytest_asyncio.fixture
async def esc(make_harness: Callable[..., Any], clock: FakeClock) -> Harness:
    return await make_harness(clock=clock)
