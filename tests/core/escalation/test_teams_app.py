"""The lead's side in the real Teams bot: card submits and "who is on duty" through botbuilder."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest_asyncio
from aiohttp.test_utils import TestServer

from bot.core.engine import Engine, build_parts
from bot.core.escalation.records import ACKNOWLEDGED, RESOLVED
from bot.core.services import Services
from bot.testing.teams import USER, FakeConnector, TeamsHarness, make_settings, personal_message, run_harness
from tests.core.escalation.conftest import HASH_KEY, PEOPLE, Harness, make_config, rota_dict

LEAD_AAD = USER["aadObjectId"]  # the Teams test user is Amy, a lead on this rota


@pytest_asyncio.fixture
async def harness(make_harness) -> Harness:  # type: ignore[no-untyped-def]
    people = [dict(p, teams_user_id=LEAD_AAD) if p["id"] == "amy" else p for p in PEOPLE]
    return await make_harness(config=make_config(rota_dict(people=people)))


@pytest_asyncio.fixture
async def bot(harness: Harness) -> AsyncIterator[TeamsHarness]:
    connector = FakeConnector()
    server = TestServer(connector.app(), host="127.0.0.1")
    await server.start_server()
    connector.url = str(server.make_url("/"))
    config = harness.service.config
    parts = build_parts(config)
    settings = make_settings().model_copy(update={"hash_key": HASH_KEY})
    services = Services(settings=settings, config=config, parts=parts, store=harness.store,
                        engine=Engine(parts, harness.store, HASH_KEY, escalator=harness.service), dev=True)
    services.extras["escalations"] = harness.service
    try:
        async for running in run_harness(services, connector):
            yield running
    finally:
        await server.close()


def said(calls: list) -> str:  # type: ignore[type-arg]
    return json.dumps([c.body for c in calls], ensure_ascii=False)


async def test_acknowledge_and_resolve_from_a_teams_card(harness: Harness, bot: TeamsHarness) -> None:
    await harness.raise_()
    esc_id = await harness.open_id()
    url = bot.connector.url
    out = await bot.send(personal_message(url, value={"esc": "ack", "id": esc_id}, reply_to="act-1"))
    assert f"You've acknowledged ESC-{esc_id}" in said(out)
    rec = await harness.service.records.load(esc_id)
    assert rec is not None and rec.state == ACKNOWLEDGED and rec.acked_by == "amy"
    again = await bot.send(personal_message(url, value={"esc": "ack", "id": esc_id}, reply_to="act-1"))
    assert "Already acknowledged by Amy Lead at 14:00." in said(again)
    missing = await bot.send(personal_message(url, value={"esc": "resolve", "id": esc_id, "outcome": "share"}))
    assert "Please give a reason" in said(missing)
    done = await bot.send(personal_message(url, value={"esc": "resolve", "id": esc_id, "outcome": "share",
                                                       "reason": "Shared with consent."}))
    assert "Resolved (Advised to share)" in said(done)
    assert (await harness.service.records.load(esc_id)).state == RESOLVED  # type: ignore[union-attr]


async def test_who_is_on_duty_in_teams(harness: Harness, bot: TeamsHarness) -> None:
    out = await bot.send(personal_message(bot.connector.url, text="who is on duty?"))
    assert "On-duty safeguarding lead: Amy Lead" in said(out)
    cover = await bot.send(personal_message(bot.connector.url, text="cover until 17:00"))
    assert "You're the on-duty safeguarding lead until" in said(cover)


async def test_a_malformed_escalation_submit_is_answered_kindly(harness: Harness, bot: TeamsHarness) -> None:
    out = await bot.send(personal_message(bot.connector.url, value={"esc": "ack", "id": "NOSUCH"}))
    assert "I can't find that escalation" in said(out)
    odd = await bot.send(personal_message(bot.connector.url, value={"esc": "ack", "id": ["not", "a", "string"]}))
    assert "I can't find that escalation" in said(odd)


async def test_history_from_a_teams_card(harness: Harness, bot: TeamsHarness) -> None:
    await harness.raise_()
    esc_id = await harness.open_id()
    url = bot.connector.url
    await bot.send(personal_message(url, value={"esc": "ack", "id": esc_id}, reply_to="act-1"))
    out = said(await bot.send(personal_message(url, value={"esc": "history", "id": esc_id}, reply_to="act-1")))
    assert f"History of ESC-{esc_id}" in out
    assert "Acknowledged by Amy Lead (designated safeguarding lead) in Teams." in out
    assert "U0PRACT001" not in out
