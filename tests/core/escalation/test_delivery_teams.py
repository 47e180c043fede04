"""Teams delivery: proactive Adaptive Cards through the real CloudAdapter to a fake connector."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from botbuilder.schema import ChannelAccount, ConversationAccount, ConversationReference

from bot.channels.teams.adapter import create_adapter
from bot.channels.teams.escalation_delivery import TeamsDelivery
from bot.channels.teams.references import References
from bot.core.settings import Settings
from bot.testing.escalation import FakeConnector, text_of
from tests.core.escalation.conftest import HASH_KEY, Harness

try:
    from bot.testing.teams import card_problems
except ImportError:  # pragma: no cover
    card_problems = None

AMY_TEAMS = "29:amy-teams"
PRACTITIONER_TEAMS = "6be8e1a2-3c4d-4e5f-9a0b-1c2d3e4f5a6b"


@pytest_asyncio.fixture
async def connector() -> AsyncIterator[FakeConnector]:
    fake = FakeConnector()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.close()


def reference(connector: FakeConnector, conversation: str) -> ConversationReference:
    return ConversationReference(channel_id="msteams", service_url=connector.url, bot=ChannelAccount(id="28:bot"),
                                 conversation=ConversationAccount(id=conversation, conversation_type="personal"))


@pytest_asyncio.fixture
async def teams(make_harness, connector: FakeConnector) -> Harness:  # type: ignore[no-untyped-def]
    import redis.asyncio  # noqa: F401 - the harness's store is Redis

    esc: Harness = await make_harness(platforms={})
    refs = References(esc.store, HASH_KEY, 3600)
    delivery = TeamsDelivery(create_adapter(Settings(MicrosoftAppId="")), refs, "", backoff_seconds=0.01)
    esc.deliverer.platforms["teams"] = delivery
    await refs.save([AMY_TEAMS], reference(connector, "a:amy-personal"))
    await refs.save([PRACTITIONER_TEAMS], reference(connector, "a:practitioner-personal"))
    esc.extra["connector"] = connector
    return esc


def _valid(card: dict[str, Any]) -> None:
    if card_problems is not None:
        assert card_problems(card) == []


async def test_lead_gets_a_proactive_card_updated_in_place(teams: Harness, connector: FakeConnector) -> None:
    await teams.raise_(user=PRACTITIONER_TEAMS, channel="teams")
    esc_id = await teams.open_id(user=PRACTITIONER_TEAMS, channel="teams")
    await teams.drain()
    sends = [c for c in connector.calls if c.kind == "send" and c.conversation == "a:amy-personal"]
    assert len(sends) == 1
    card = sends[0].body["attachments"][0]["content"]
    _valid(card)
    titles = [a["title"] for a in card["actions"]]
    assert titles == ["Acknowledge", "Reply", "Resolve", "Hand over", "History"]
    assert card["actions"][0]["data"] == {"esc": "ack", "id": esc_id}
    assert "use Reply to message them through the bot" in text_of(card)
    await teams.service.acknowledge(teams.person("amy"), esc_id, "teams")
    await teams.drain()
    updates = [c for c in connector.calls if c.kind == "update"]
    assert updates and all(u.activity_id == "act-1" for u in updates)
    updated = updates[-1].body["attachments"][0]["content"]
    _valid(updated)
    assert "Acknowledged by Amy Lead at 14:00." in text_of(updated)
    told = [c for c in connector.calls if c.kind == "send" and c.conversation == "a:practitioner-personal"]
    assert len(told) == 1 and "picked up your request" in text_of(told[0].body)


async def test_connector_5xx_is_retried(teams: Harness, connector: FakeConnector) -> None:
    connector.fail_with = [500, 502, 503]
    await teams.raise_(user=PRACTITIONER_TEAMS, channel="teams")
    await teams.drain()
    assert connector.failures == 3
    sends = [c for c in connector.calls if c.kind == "send" and c.conversation == "a:amy-personal"]
    assert len(sends) == 1


async def test_connector_4xx_is_permanent_and_logged(teams: Harness, connector: FakeConnector) -> None:
    connector.fail_with = [403]
    await teams.raise_(user=PRACTITIONER_TEAMS, channel="teams")
    esc_id = await teams.open_id(user=PRACTITIONER_TEAMS, channel="teams")
    await teams.drain()
    failed = [e for e in await teams.service.records.chronology(esc_id) if e["type"] == "delivery_failed"]
    assert [(e["target"], e["channel"], e["error"]) for e in failed] == [("amy", "teams", "teams_403")]
    assert await teams.service.outbox.pending_count() == 0


async def test_lead_without_a_conversation_reference(teams: Harness, connector: FakeConnector) -> None:
    await teams.store.delete(f"teams:ref:{{{References(teams.store, HASH_KEY, 1).hashed(AMY_TEAMS)}}}")
    await teams.raise_(user=PRACTITIONER_TEAMS, channel="teams")
    esc_id = await teams.open_id(user=PRACTITIONER_TEAMS, channel="teams")
    await teams.drain()
    failed = [e["error"] for e in await teams.service.records.chronology(esc_id) if e["type"] == "delivery_failed"]
    assert "no_teams_reference" in failed


@pytest.mark.parametrize("text", ["Is this about Jayden Smith? NHS 943 476 5919"])
async def test_relay_both_ways_in_teams(teams: Harness, connector: FakeConnector, text: str) -> None:
    await teams.raise_(user=PRACTITIONER_TEAMS, channel="teams")
    esc_id = await teams.open_id(user=PRACTITIONER_TEAMS, channel="teams")
    await teams.drain()
    await teams.service.reply(teams.person("amy"), esc_id, text, "teams")
    await teams.drain()
    to_practitioner = [c for c in connector.calls if c.conversation == "a:practitioner-personal"]
    relayed = text_of(to_practitioner[-1].body)
    assert "Message from Amy Lead" in relayed and "Jayden" not in relayed and "943 476 5919" not in relayed
    card = to_practitioner[-1].body["attachments"][0]["content"]
    _valid(card)
    assert card["actions"][0]["card"]["actions"][0]["data"] == {"esc": "preply", "id": esc_id}
    result = await teams.service.practitioner_reply("teams", PRACTITIONER_TEAMS, esc_id, "Thanks, that helps.")
    assert result.ok
    await teams.drain()
    to_lead = [c for c in connector.calls if c.conversation == "a:amy-personal" and c.kind == "send"]
    assert "Message from the practitioner" in text_of(to_lead[-1].body)
    assert "Thanks, that helps." in text_of(to_lead[-1].body)


async def test_a_teams_page_whose_worker_died_before_sending_is_sent_once(teams: Harness,
                                                                         connector: FakeConnector) -> None:
    await teams.raise_(user=PRACTITIONER_TEAMS, channel="teams")
    esc_id = await teams.open_id(user=PRACTITIONER_TEAMS, channel="teams")
    # A worker claimed the page and died before its request left (no "sending" mark).
    key = teams.service.keys.sent(esc_id, 1, "person:amy|teams")
    await teams.store.client.set(key, "pending:1.0", ex=60)
    await teams.drain()
    assert len([c for c in connector.calls if c.kind == "send" and c.conversation == "a:amy-personal"]) == 1
    assert "delivery_uncertain" not in await teams.kinds(esc_id)


async def test_a_teams_page_whose_worker_died_mid_request_is_not_sent_twice(teams: Harness,
                                                                          connector: FakeConnector) -> None:
    await teams.raise_(user=PRACTITIONER_TEAMS, channel="teams")
    esc_id = await teams.open_id(user=PRACTITIONER_TEAMS, channel="teams")
    key = teams.service.keys.sent(esc_id, 1, "person:amy|teams")
    await teams.store.client.set(key, "sending:1.0", ex=60)  # the request had started: it may have landed
    await teams.drain()
    assert [c for c in connector.calls if c.kind == "send" and c.conversation == "a:amy-personal"] == []
    assert "delivery_uncertain" in await teams.kinds(esc_id)
    assert "Paged" not in (await show(teams, esc_id))
    assert "may or may not have arrived" in (await show(teams, esc_id))


async def show(esc: Harness, esc_id: str) -> str:
    from bot.core.escalation.inspect import show_text

    return await show_text(esc.service, esc_id) or ""
