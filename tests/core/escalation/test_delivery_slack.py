"""Slack delivery through the real slack_sdk AsyncWebClient against a fake Slack Web API."""

from __future__ import annotations

from bot.core.escalation.records import PAGING
from bot.testing.escalation import FakeSlack
from tests.core.escalation.conftest import PRACTITIONER, Harness


def _context(card: dict) -> str:
    return next(b for b in card["blocks"] if b["type"] == "context")["elements"][0]["text"]


def _buttons(card: dict) -> list[str]:
    actions = [b for b in card["blocks"] if b["type"] == "actions"]
    return [e["action_id"] for e in actions[0]["elements"]] if actions else []


async def test_card_is_updated_in_place_as_the_state_changes(esc: Harness) -> None:
    await esc.raise_()
    esc_id = await esc.open_id()
    await esc.drain()
    (card,) = esc.slack.cards(esc.dm("amy"))
    assert _buttons(card) == ["esc_ack", "esc_reply", "esc_resolve", "esc_handover", "esc_history"]
    assert _context(card).startswith("Waiting for someone to acknowledge")
    assert card["metadata"]["event_type"] == "canishare_escalation"
    esc.clock.advance(5 * 60)  # 14:05
    await esc.service.acknowledge(esc.person("amy"), esc_id, "slack")
    await esc.drain()
    (card,) = esc.slack.cards(esc.dm("amy"))  # still one card: updated, not re-posted
    assert _context(card) == "Acknowledged by Amy Lead at 14:05."
    assert _buttons(card) == ["esc_reply", "esc_resolve", "esc_handover", "esc_history"]
    assert len(card["updates"]) >= 1
    told = [n["text"] for n in esc.slack.notes(FakeSlack.dm(PRACTITIONER))]
    assert told == [f"Amy Lead (designated safeguarding lead) picked up your request ESC-{esc_id} at 14:05. "
                    "They may message you here or contact you directly."]
    await esc.service.resolve(esc.person("amy"), esc_id, "referred", "Referred to MASH.")
    await esc.drain()
    (card,) = esc.slack.cards(esc.dm("amy"))
    assert _context(card).startswith("Resolved by Amy Lead at 14:05 — outcome: Referred to children's social care")
    assert _buttons(card) == ["esc_history"]  # what happened stays one tap away


async def test_every_card_of_an_escalation_is_updated(esc: Harness) -> None:
    await esc.raise_()
    esc_id = await esc.open_id()
    await esc.drain()
    await esc.advance(10)  # deputy
    await esc.advance(10)  # fallback person and the private channel
    assert len(esc.slack.cards()) == 4
    await esc.service.acknowledge(esc.person("dee"), esc_id, "slack")
    await esc.drain()
    for card in esc.slack.cards():
        assert _context(card).startswith("Acknowledged by Dee Deputy at 14:20"), card


async def test_slack_429_retry_after_is_honoured(esc: Harness) -> None:
    esc.slack.rate_limited = 1
    esc.slack.retry_after = 1
    await esc.raise_()
    await esc.drain()
    posts = [p for p in esc.slack.posts if p.method == "chat.postMessage"]
    assert len(posts) == 2  # the refused one, then the retry
    assert posts[1].at - posts[0].at >= 1.0  # waited as long as Slack asked
    assert len(esc.slack.cards(esc.dm("amy"))) == 1


async def test_a_worker_that_died_after_posting_does_not_post_twice(esc: Harness) -> None:
    """The delivery key was claimed and the card posted, then the worker died before recording it."""
    await esc.raise_()
    esc_id = await esc.open_id()
    entries = await esc.service.outbox.read("doomed", count=10, block_ms=0)
    page = next(e for e in entries if e.message["k"] == "page")
    # Do what the dead worker did: claim the key, post the card, die (no "done", no XACK).
    key = f"{esc_id}:{page.message['n']}:person:amy|slack"
    await esc.store.client.set(esc.service.keys.sent(esc_id, page.message["n"], "person:amy|slack"), "pending")
    slack = esc.deliverer.platforms["slack"]
    rec = await esc.service.records.load(esc_id)
    assert rec is not None
    await slack.post_card("U0AMY0001", esc.deliverer.card_view(rec, "slack"), key)
    assert len(esc.slack.cards(esc.dm("amy"))) == 1
    # Another worker takes the dead one's entries over and completes them.
    reclaimed = await esc.worker.reclaim_once(min_idle_ms=0)
    assert reclaimed == len(entries)
    await esc.drain()
    assert len(esc.slack.cards(esc.dm("amy"))) == 1  # found by its metadata, not posted again
    assert await esc.service.outbox.pending_count() == 0
    # ... and the card it found is the one later updates go to.
    await esc.service.acknowledge(esc.person("amy"), esc_id)
    await esc.drain()
    assert _context(esc.slack.cards(esc.dm("amy"))[0]).startswith("Acknowledged by Amy Lead")


async def test_unknown_slack_user_is_logged_and_the_chain_goes_on(make_harness) -> None:  # type: ignore[no-untyped-def]
    from tests.core.escalation.conftest import PEOPLE, make_config, rota_dict

    people = [dict(p, slack_user_id="U0GONE0001") if p["id"] == "amy" else p for p in PEOPLE]
    esc = await make_harness(config=make_config(rota_dict(people=people)))

    esc.slack.unknown_users.add("U0GONE0001")
    await esc.raise_()
    esc_id = await esc.open_id()
    await esc.drain()
    events = await esc.service.records.chronology(esc_id)
    failed = [e for e in events if e["type"] == "delivery_failed"]
    assert failed and failed[0]["error"] == "user_not_found" and failed[0]["target"] == "amy"
    assert await esc.service.outbox.pending_count() == 0  # not retried forever
    assert await esc.advance(10) == [PAGING]  # the deputy is paged on time regardless
    assert len(esc.slack.cards(esc.dm("dee"))) == 1


async def test_a_non_json_error_page_from_slack_is_retried_not_crashed(esc: Harness, caplog) -> None:  # type: ignore[no-untyped-def]
    import logging

    esc.slack.non_json = 1
    esc.slack.non_json_status = 200  # a proxy's HTML page with 200: no "ok", no "error"
    await esc.raise_()
    with caplog.at_level(logging.WARNING, logger="canishare.escalation"):
        await esc.drain()
    assert len(esc.slack.cards(esc.dm("amy"))) == 1  # delivered on the retry
    failures = [r for r in caplog.records if "delivery failed" in r.getMessage()]
    assert failures and all("SlackUnavailable" in r.getMessage() for r in failures)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
