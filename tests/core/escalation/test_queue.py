"""The outbound stream: dead letters, a lost consumer group, and the due set's leases."""

from __future__ import annotations

from typing import Any

from bot.core.escalation.delivery import Deliverer
from bot.core.escalation.queue import MAX_DELIVERIES
from tests.core.escalation.conftest import Harness


class Broken:
    """A platform whose every call fails as a network error would (retried, never permanent)."""

    name = "slack"
    calls = 0

    async def post_card(self, address: Any, view: Any, key: str) -> dict[str, Any]:
        Broken.calls += 1
        raise ConnectionResetError("connection reset by peer")

    post_note = post_card  # type: ignore[assignment]

    async def update_card(self, ref: dict[str, Any], view: Any) -> None:
        raise ConnectionResetError("connection reset by peer")

    async def find(self, address: Any, key: str, since: float | None = None) -> dict[str, Any] | None:
        return None


async def test_hopeless_messages_go_to_the_dead_letter_stream(esc: Harness) -> None:
    esc.deliverer = Deliverer(esc.service, {"slack": Broken()})  # type: ignore[dict-item]
    esc.worker.deliverer = esc.deliverer
    await esc.raise_()
    assert await esc.worker.deliver_once(block_ms=0) == 1  # the "update" has no card yet: fine; the page fails
    for _ in range(MAX_DELIVERIES + 1):
        await esc.worker.reclaim_once(min_idle_ms=0)
    assert Broken.calls == MAX_DELIVERIES
    dead = await esc.store.client.xrange(esc.service.keys.dead)
    assert len(dead) == 1 and dead[0][1][b"reason"] == b"too_many_deliveries"
    assert await esc.service.outbox.pending_count() == 0
    # The escalation's own chronology says so, and `escalation show` tells it in words.
    esc_id = await esc.open_id()
    dead_events = [e for e in await esc.service.records.chronology(esc_id) if e["type"] == "dead_lettered"]
    assert dead_events and dead_events[0]["message"] == "page" and dead_events[0]["target"] == "amy"
    from bot.core.escalation.inspect import show_text

    story = await show_text(esc.service, esc_id)
    assert story is not None
    assert "Gave up delivering a page message to Amy Lead (designated safeguarding lead)" in story
    # The chain itself never depended on delivery: the next step still comes on time.
    assert await esc.advance(10) == ["paging"]


async def test_a_lost_consumer_group_is_recreated(esc: Harness) -> None:
    await esc.store.client.delete(esc.service.keys.outbox)  # FLUSHALL or a failover to an empty replica
    await esc.raise_()
    await esc.drain()
    assert len(esc.slack.cards(esc.dm("amy"))) == 1


async def test_a_claim_leases_the_item_until_the_lease_runs_out(esc: Harness) -> None:
    await esc.raise_()
    esc_id = await esc.open_id()
    esc.clock.advance(10 * 60)
    now = esc.service.now_ms()
    assert await esc.service.due.claim(now, 60_000) == [esc_id]
    assert await esc.service.due.claim(now, 60_000) == []  # leased: nobody else gets it
    assert await esc.service.due.claim(now + 60_000, 60_000) == [esc_id]  # the holder died; it comes back
