"""Races: two workers, two leads, an ack and a timer at once. Exactly one transition each time."""

from __future__ import annotations

import asyncio
from collections import Counter

from bot.core.escalation import timers
from bot.core.escalation.records import ACKNOWLEDGED, PAGING, Change
from tests.core.escalation.conftest import Harness


async def _raise_many(esc: Harness, n: int) -> list[str]:
    ids = []
    for i in range(n):
        await esc.raise_(user=f"U0RACE{i:04d}")
        ids.append(await esc.open_id(user=f"U0RACE{i:04d}"))
    return ids


async def test_two_workers_racing_for_the_same_due_items(make_harness, clock) -> None:  # type: ignore[no-untyped-def]
    one = await make_harness(clock=clock, consumer="w1")
    two = await make_harness(clock=clock, prefix=one.store.prefix, consumer="w2")
    ids = await _raise_many(one, 40)
    clock.advance(10 * 60)
    results = await asyncio.gather(*(w.worker.timers_once(limit=5) for w in (one, two) for _ in range(10)))
    flat = [r for batch in results for r in batch]
    assert sorted(flat) == [PAGING] * 40  # each due item claimed and run once, by one of them
    for esc_id in ids:
        events = await one.service.records.chronology(esc_id)
        assert [(e["step"], e["loop"]) for e in events if e["type"] == "step_started"] == [(0, 0), (1, 0)]


async def test_two_ticks_of_the_same_item_make_one_transition(esc: Harness) -> None:
    # Even when both get past the claim (a lease that ran out under a slow worker), the record decides.
    (esc_id,) = await _raise_many(esc, 1)
    esc.clock.advance(10 * 60)
    outcomes = await asyncio.gather(*(timers.tick(esc.service, esc_id) for _ in range(8)))
    assert Counter(outcomes)[PAGING] == 1
    assert set(outcomes) <= {PAGING, "lost", "early"}
    events = await esc.service.records.chronology(esc_id)
    assert [e["step"] for e in events if e["type"] == "step_started"] == [0, 1]


async def test_two_leads_press_acknowledge_together(esc: Harness) -> None:
    for i in range(20):
        await esc.raise_(user=f"U0BOTH{i:04d}")
        esc_id = await esc.open_id(user=f"U0BOTH{i:04d}")
        amy, ben = esc.person("amy"), esc.person("ben")
        results = await asyncio.gather(esc.service.acknowledge(amy, esc_id, "slack"),
                                       esc.service.acknowledge(ben, esc_id, "slack"),
                                       esc.service.acknowledge(amy, esc_id, "slack"))  # and a double click
        assert sum(r.ok for r in results) == 1
        rec = await esc.service.records.load(esc_id)
        assert rec is not None and rec.state == ACKNOWLEDGED
        winner = {"amy": "Amy Lead", "ben": "Ben Lead"}[rec.acked_by]
        for r in results:
            if not r.ok:
                assert r.message == f"Already acknowledged by {winner} at 14:00."
        assert (await esc.kinds(esc_id)).count("acknowledged") == 1


async def test_ack_in_the_same_instant_as_the_timer(esc: Harness) -> None:
    orders = Counter()
    for i in range(30):
        user = f"U0SAME{i:04d}"
        await esc.raise_(user=user)
        esc_id = await esc.open_id(user=user)
        esc.clock.advance(10 * 60)  # the first step's wait is over right now
        tick, ack = await asyncio.gather(timers.tick(esc.service, esc_id),
                                         esc.service.acknowledge(esc.person("amy"), esc_id, "slack"))
        kinds = await esc.kinds(esc_id)
        assert ack.ok and kinds.count("acknowledged") == 1
        assert kinds.count("step_started") == (2 if tick == PAGING else 1)
        orders["timer first" if tick == PAGING else "ack first"] += 1
        rec = await esc.service.records.load(esc_id)
        assert rec is not None and rec.state == ACKNOWLEDGED
        # Paging has stopped either way: the due time is the idle timer, not another page.
        assert rec.due_ms == esc.service.now_ms() + 240 * 60_000
        versions = [e["v"] for e in await esc.service.records.chronology(esc_id) if e["v"] is not None]
        assert versions == sorted(versions)
        esc.clock.advance(-10 * 60)
    assert sum(orders.values()) == 30


async def test_a_late_timer_loses_to_an_ack(esc: Harness) -> None:
    """The deterministic interleaving: the timer read the record, then the ack landed, then the timer wrote."""
    (esc_id,) = await _raise_many(esc, 1)
    stale = await esc.service.records.load(esc_id)
    assert stale is not None
    assert (await esc.service.acknowledge(esc.person("amy"), esc_id)).ok
    esc.clock.advance(10 * 60)
    late = await esc.service.records.apply(esc_id, stale.v, (PAGING,), Change(
        fields={"step": 1}, events=[esc.service.ev("step_started", step=1, loop=0, targets="dee")],
        messages=[{"k": "page", "to": "person:dee", "n": stale.v + 1, "id": esc_id}]))
    assert not late.ok and late.status == -1 and late.previous_state == ACKNOWLEDGED
    assert (await esc.kinds(esc_id)).count("step_started") == 1
    await esc.drain()
    assert esc.slack.cards(esc.dm("dee")) == []  # nothing was queued for the transition that lost


async def test_wrong_state_is_refused_even_at_the_right_version(esc: Harness) -> None:
    (esc_id,) = await _raise_many(esc, 1)
    rec = await esc.service.records.load(esc_id)
    assert rec is not None
    result = await esc.service.records.apply(esc_id, rec.v, (ACKNOWLEDGED,), Change(fields={"state": "resolved"}))
    assert result.status == 0 and result.previous_state == PAGING
    assert (await esc.service.records.load(esc_id)).state == PAGING  # type: ignore[union-attr]


async def test_two_turns_of_one_practitioner_raise_one_escalation(esc: Harness) -> None:
    replies = await asyncio.gather(*(esc.raise_() for _ in range(5)))
    sent = [r for r in replies if r[0].text.startswith("I've sent your request")]
    assert len(sent) == 1
    assert all("You already have a request open" in r[0].text for r in replies if r not in sent)
    assert len(await esc.service.records.open_ids()) == 1
    assert int(await esc.store.client.get(esc.service.backend.keys.rate(esc.hash()))) == 1  # counted once
