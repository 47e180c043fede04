"""The escalation chain against real Redis and a fake clock: paging, acks, skips, exhaustion, reminders."""

from __future__ import annotations

from bot.core.escalation.records import ACKNOWLEDGED, PAGING, REMINDED, RESOLVED, UNANSWERED
from dialogs.messages import Text
from tests.core.escalation.conftest import Harness, make_config, rota_dict


async def test_raise_is_durable_and_names_who_it_went_to(esc: Harness) -> None:
    replies = await esc.raise_()
    esc_id = await esc.open_id()
    rec = await esc.service.records.load(esc_id)
    assert rec is not None and rec.state == PAGING and rec.step == 0
    assert rec.recipients == ["person:amy"]
    assert await esc.service.due.score(esc_id) == rec.due_ms == esc.service.now_ms() + 10 * 60_000
    text = " ".join(r.text for r in replies)
    assert "Amy Lead (designated safeguarding lead, on duty now)" in text
    assert f"ESC-{esc_id}" in text
    assert await esc.kinds(esc_id) == ["created", "step_started", "practitioner_told"]


async def test_not_acknowledged_in_time_pages_the_next_step(esc: Harness) -> None:
    await esc.raise_()
    esc_id = await esc.open_id()
    await esc.drain()
    assert len(esc.slack.cards(esc.dm("amy"))) == 1
    assert await esc.advance(9) == []  # not due yet
    assert await esc.advance(1) == [PAGING]
    rec = await esc.service.records.load(esc_id)
    assert rec is not None and rec.step == 1 and rec.recipients == ["person:amy", "person:dee"]
    assert len(esc.slack.cards(esc.dm("dee"))) == 1
    assert await esc.advance(10) == [PAGING]  # step 3: the fallback person and the private channel
    assert len(esc.slack.cards(esc.dm("fay"))) == 1
    assert len(esc.slack.cards("C0DUTY0001")) == 1


async def test_acknowledged_stops_paging(esc: Harness) -> None:
    await esc.raise_()
    esc_id = await esc.open_id()
    await esc.drain()
    result = await esc.service.acknowledge(esc.person("amy"), esc_id, "slack")
    assert result.ok
    assert await esc.service.due.score(esc_id) == esc.service.now_ms() + 240 * 60_000  # idle timer, not a page
    await esc.drain()
    posted_before = len(esc.slack.posted())
    for _ in range(6):
        assert await esc.advance(10) == []
    assert len(esc.slack.posted()) == posted_before  # nobody else paged
    rec = await esc.service.records.load(esc_id)
    assert rec is not None and rec.state == ACKNOWLEDGED and rec.acked_by == "amy"
    # The practitioner was told it was picked up, by whom.
    told = esc.slack.notes(esc.slack.dm("U0PRACT001"))
    assert any("Amy Lead (designated safeguarding lead) picked up your request" in n["text"] for n in told)


async def test_empty_rota_step_is_skipped_at_once(make_harness) -> None:  # type: ignore[no-untyped-def]
    rota = rota_dict(layers=[{"slot": "lead", "people": ["amy"], "start": "2026-01-05"}])  # no deputy layer
    esc = await make_harness(config=make_config(rota))
    await esc.raise_()
    esc_id = await esc.open_id()
    await esc.drain()
    assert await esc.advance(10) == [PAGING]
    rec = await esc.service.records.load(esc_id)
    assert rec is not None and rec.step == 2  # went straight past the empty deputy step to the fallback
    assert len(esc.slack.cards(esc.dm("fay"))) == 1
    events = await esc.service.records.chronology(esc_id)
    skipped = [e for e in events if e["type"] == "step_skipped_empty"]
    assert [(e["step"], e["loop"]) for e in skipped] == [(1, 0)]
    # The fallback step kept its own wait: the next page is 10 minutes after the fallback, not 20.
    assert rec.due_ms == esc.service.now_ms() + 10 * 60_000


async def test_first_step_empty_at_raise_goes_straight_on(make_harness) -> None:  # type: ignore[no-untyped-def]
    rota = rota_dict(layers=[{"slot": "deputy", "people": ["dee"], "start": "2026-01-05"}])  # nobody is lead
    esc = await make_harness(config=make_config(rota))
    replies = await esc.raise_()
    assert "Dee Deputy" in replies[0].text
    events = await esc.service.records.chronology(await esc.open_id())
    assert [e["type"] for e in events][:3] == ["created", "step_skipped_empty", "step_started"]


async def test_chain_exhausted_is_unanswered_and_practitioner_told(esc: Harness) -> None:
    await esc.raise_()
    esc_id = await esc.open_id()
    await esc.drain()
    states = []
    for _ in range(6):  # normal chain: 3 steps x 10 min, 2 loops
        states += await esc.advance(10)
    assert states == [PAGING] * 5 + [UNANSWERED]
    rec = await esc.service.records.load(esc_id)
    assert rec is not None and rec.state == UNANSWERED
    assert rec.due_ms == esc.service.now_ms() + 24 * 3_600_000  # the daily reminder
    told = [n["text"] for n in esc.slack.notes(esc.slack.dm("U0PRACT001"))]
    assert any("Nobody on the safeguarding rota has picked up your request" in t for t in told)
    # Never auto-closed: days later it is still open, and the fallback is reminded each day.
    before = len(esc.slack.notes(esc.dm("fay")))
    assert await esc.advance(24 * 60) == [UNANSWERED]
    assert await esc.advance(24 * 60) == [UNANSWERED]
    assert len(esc.slack.notes(esc.dm("fay"))) == before + 2
    assert (await esc.service.records.load(esc_id)).state == UNANSWERED  # type: ignore[union-attr]
    assert esc_id in await esc.service.records.open_ids()
    # A lead can still pick it up.
    assert (await esc.service.acknowledge(esc.person("ben"), esc_id)).ok


async def test_idle_ack_reminder_then_unack_then_repage(esc: Harness) -> None:
    await esc.raise_()
    esc_id = await esc.open_id()
    await esc.drain()
    await esc.service.acknowledge(esc.person("amy"), esc_id)
    await esc.drain()
    assert await esc.advance(239) == []
    assert await esc.advance(1) == [REMINDED]
    reminders = [n for n in esc.slack.notes(esc.dm("amy")) if n["text"].startswith("Still on it?")]
    assert len(reminders) == 1
    assert [e["action_id"] for e in reminders[0]["blocks"][-1]["elements"]] == ["esc_still", "esc_resolve"]
    assert await esc.advance(10) == [PAGING]
    rec = await esc.service.records.load(esc_id)
    assert rec is not None and rec.state == PAGING and rec.acked_by == "" and rec.step == 0
    kinds = await esc.kinds(esc_id)
    i = kinds.index("ack_reminder_sent")
    assert kinds[i + 1:i + 3] == ["auto_unacknowledged", "step_started"]
    # Re-paged: Amy (the on-duty lead) gets a nudge on top of her updated card.
    nudges = [n for n in esc.slack.notes(esc.dm("amy")) if n["text"].startswith("Reminder:")]
    assert len(nudges) == 1
    told = [n["text"] for n in esc.slack.notes(esc.slack.dm("U0PRACT001"))]
    assert any("contacting the on-duty safeguarding lead again" in t for t in told)


async def test_still_on_it_keeps_it(esc: Harness) -> None:
    await esc.raise_()
    esc_id = await esc.open_id()
    await esc.service.acknowledge(esc.person("amy"), esc_id)
    await esc.advance(240)
    other = await esc.service.still_on_it(esc.person("ben"), esc_id)
    assert not other.ok and "only they can confirm" in other.message
    assert (await esc.service.still_on_it(esc.person("amy"), esc_id)).ok
    assert await esc.advance(10) == []
    rec = await esc.service.records.load(esc_id)
    assert rec is not None and rec.state == ACKNOWLEDGED


async def test_urgent_chain_pages_lead_then_lead_and_deputy(esc: Harness) -> None:
    replies = await esc.raise_(urgent=True, reason="urgent")
    assert "within 5 minutes" in replies[0].text
    esc_id = await esc.open_id()
    await esc.drain()
    assert await esc.advance(5) == [PAGING]
    rec = await esc.service.records.load(esc_id)
    assert rec is not None and rec.step == 1
    assert len(esc.slack.cards(esc.dm("dee"))) == 1
    assert len(esc.slack.notes(esc.dm("amy"))) == 1  # Amy: one card, then a nudge, not a second card
    assert len(esc.slack.cards(esc.dm("amy"))) == 1


async def test_resolve_needs_outcome_and_reason_and_records_them(esc: Harness) -> None:
    await esc.raise_()
    esc_id = await esc.open_id()
    amy = esc.person("amy")
    assert not (await esc.service.resolve(amy, esc_id, "", "because")).ok
    assert not (await esc.service.resolve(amy, esc_id, "share", "   ")).ok
    result = await esc.service.resolve(amy, esc_id, "share", "Consent given; share with the school nurse.")
    assert result.ok
    await esc.drain()
    rec = await esc.service.records.load(esc_id)
    assert rec is not None and rec.state == RESOLVED and rec.outcome == "share"
    assert await esc.service.due.score(esc_id) is None
    assert await esc.service.records.open_for(esc.hash()) is None
    stored = await esc.store.client.keys(f"{esc.store.prefix}:*")
    assert esc.service.backend.keys.rec(esc_id).encode() in stored
    assert await esc.store.client.ttl(esc.service.backend.keys.rec(esc_id)) > 0  # retention starts at resolve
    # The practitioner got the outcome as a decision-record addendum, and it is kept.
    told = [n for n in esc.slack.notes(esc.slack.dm("U0PRACT001")) if "was resolved" in n["text"]]
    assert len(told) == 1 and "Reason: Consent given; share with the school nurse." in str(told[0]["blocks"])
    from bot.core.store import record_key

    kept = await esc.store.load(record_key(esc.hash(), f"esc-{esc_id}"))
    assert kept.data["outcome"] == "share" and "Consent given" in kept.data["text"]
    # The chronology holds the outcome code, never the reason text.
    events = await esc.service.records.chronology(esc_id)
    assert events[-2]["type"] == "resolved" or any(e["type"] == "resolved" for e in events)
    assert "Consent" not in str(events)
    again = await esc.service.resolve(esc.person("ben"), esc_id, "do_not_share", "no")
    assert not again.ok and again.message.startswith("Already resolved by Amy Lead at 14:00")


async def test_hand_over_pages_the_chosen_person(esc: Harness) -> None:
    await esc.raise_()
    esc_id = await esc.open_id()
    await esc.drain()
    await esc.service.acknowledge(esc.person("amy"), esc_id)
    await esc.drain()
    result = await esc.service.hand_over(esc.person("amy"), esc_id, "ben")
    assert result.ok
    await esc.drain()
    assert len(esc.slack.cards(esc.dm("ben"))) == 1
    rec = await esc.service.records.load(esc_id)
    assert rec is not None and rec.state == PAGING and rec.handed_to == "ben"
    assert "Handed over to Ben Lead by Amy Lead" in str(esc.slack.cards(esc.dm("amy"))[0]["blocks"])
    # Nobody acknowledges: the usual rota takes over again from the first step.
    assert await esc.advance(10) == [PAGING]
    rec = await esc.service.records.load(esc_id)
    assert rec is not None and rec.step == 0 and rec.loop == 0


async def test_already_open_is_not_raised_twice_but_can_become_urgent(esc: Harness) -> None:
    await esc.raise_()
    esc_id = await esc.open_id()
    again = await esc.raise_()
    assert "You already have a request open" in again[0].text
    assert await esc.open_id() == esc_id
    upgraded = await esc.raise_(urgent=True, reason="urgent")
    assert "marked it urgent" in upgraded[0].text
    rec = await esc.service.records.load(esc_id)
    assert rec is not None and rec.urgent and rec.policy["loops"] == 3
    assert rec.due_ms == esc.service.now_ms() + 5 * 60_000


async def test_rate_limit_has_a_kind_message(make_harness) -> None:  # type: ignore[no-untyped-def]
    esc = await make_harness(config=make_config(escalation={"rate_limit_count": 2}))
    for _ in range(2):
        await esc.raise_()
        esc_id = await esc.open_id()
        await esc.service.resolve(esc.person("amy"), esc_id, "advice_given", "talked it through")
    replies = await esc.raise_()
    assert "haven't sent another request just now" in replies[0].text
    assert any(isinstance(r, Text) or r.kind == "contacts" for r in replies)
    assert await esc.service.records.open_for(esc.hash()) is None
