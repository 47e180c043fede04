"""The lead's side in the real Slack app: signed requests through slack-bolt to the escalation service."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer

from bot.app.server import create_app
from bot.channels.slack import mount as slack_mount
from bot.core.engine import Engine, build_parts
from bot.core.escalation.records import ACKNOWLEDGED, RESOLVED
from bot.core.services import Services
from bot.core.settings import Settings
from bot.testing.fake_slack import TEAM, FakeSlack
from tests.channels.slack.conftest import SECRET, SlackHarness
from tests.core.escalation.conftest import HASH_KEY, Harness

PRACTITIONER = f"{TEAM}:U0PRACT001"  # as the Slack channel names users


@pytest_asyncio.fixture
async def bolt_fake() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.close()


@pytest_asyncio.fixture
async def app(esc: Harness, bolt_fake: FakeSlack) -> AsyncIterator[SlackHarness]:
    config = esc.service.config
    settings = Settings(slack_bot_token="xoxb-test", slack_signing_secret=SECRET, slack_api_url=bolt_fake.api_url,
                        hash_key=HASH_KEY)
    parts = build_parts(config)
    services = Services(settings=settings, config=config, parts=parts, store=esc.store,
                        engine=Engine(parts, esc.store, HASH_KEY, escalator=esc.service))
    services.extras["escalations"] = esc.service
    client = TestClient(TestServer(create_app(services, mounts=[slack_mount]), host="127.0.0.1"))
    await client.start_server()
    try:
        yield SlackHarness(client, bolt_fake, services)
    finally:
        await client.close()


def click(app: SlackHarness, user: str, action: str, esc_id: str, hook: str) -> dict[str, Any]:
    return {
        "type": "block_actions", "user": {"id": user, "username": "lead", "team_id": TEAM},
        "api_app_id": "A0CANISHARE", "token": "legacy", "trigger_id": f"trig.{hook}",
        "container": {"type": "message", "message_ts": "1700000001.000100", "channel_id": "D0LEAD",
                      "is_ephemeral": False},
        "team": {"id": TEAM, "domain": "fake"}, "channel": {"id": "D0LEAD", "name": "directmessage"},
        "message": {"type": "message", "ts": "1700000001.000100", "text": "card", "blocks": []},
        "response_url": app.fake.hook_url(hook),
        "actions": [{"type": "button", "action_id": f"esc_{action}", "block_id": f"esc:{esc_id}", "value": esc_id,
                     "text": {"type": "plain_text", "text": action}, "action_ts": "1700000200.000001"}],
    }


def submission(user: str, callback: str, esc_id: str, values: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "view_submission", "team": {"id": TEAM, "domain": "fake"},
        "user": {"id": user, "username": "lead", "team_id": TEAM}, "api_app_id": "A0CANISHARE", "token": "legacy",
        "trigger_id": "trig.view",
        "view": {"id": "V0001", "type": "modal", "callback_id": callback, "private_metadata": esc_id,
                 "team_id": TEAM, "state": {"values": values}, "hash": "1", "title": {"type": "plain_text",
                                                                                         "text": "x"}},
    }


def hooks(app: SlackHarness, name: str) -> list[str]:
    return [body.get("text", "") for hook, body in app.fake.hooks if hook == name]


async def test_two_leads_press_acknowledge_in_slack(esc: Harness, app: SlackHarness) -> None:
    await esc.raise_(user=PRACTITIONER)
    esc_id = await esc.open_id(user=PRACTITIONER)
    responses = await asyncio.gather(app.send_payload(click(app, "U0AMY0001", "ack", esc_id, "amy")),
                                     app.send_payload(click(app, "U0BEN0001", "ack", esc_id, "ben")))
    assert [r.status for r in responses] == [200, 200]
    await app.settled()
    rec = await esc.service.records.load(esc_id)
    assert rec is not None and rec.state == ACKNOWLEDGED
    winner, loser = ("amy", "ben") if rec.acked_by == "amy" else ("ben", "amy")
    assert hooks(app, winner)[0].startswith(f"You've acknowledged ESC-{esc_id}")
    assert hooks(app, loser) == [f"Already acknowledged by {esc.person(winner).name} at 14:00."]


async def test_someone_not_on_the_rota_cannot_act(esc: Harness, app: SlackHarness) -> None:
    await esc.raise_(user=PRACTITIONER)
    esc_id = await esc.open_id(user=PRACTITIONER)
    await app.send_payload(click(app, "U0STRANGER", "ack", esc_id, "stranger"))
    await app.settled()
    assert hooks(app, "stranger") == ["Only people on the safeguarding rota can act on escalations."]
    assert (await esc.service.records.load(esc_id)).state == "paging"  # type: ignore[union-attr]


async def test_resolve_opens_a_form_that_requires_a_reason(esc: Harness, app: SlackHarness) -> None:
    await esc.raise_(user=PRACTITIONER)
    esc_id = await esc.open_id(user=PRACTITIONER)
    await app.send_payload(click(app, "U0AMY0001", "resolve", esc_id, "amy"))
    await app.settled()
    (opened,) = app.fake.calls_to("views.open")
    assert opened.error is None, opened.error
    view = opened.args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["callback_id"] == "esc_resolve" and view["private_metadata"] == esc_id
    values = {"outcome": {"outcome": {"type": "static_select", "selected_option": {"value": "share"}}},
              "reason": {"reason": {"type": "plain_text_input", "value": "  "}}}
    response = await app.send_payload(submission("U0AMY0001", "esc_resolve", esc_id, values))
    assert response.status == 200
    body = await response.json()
    assert body["response_action"] == "errors" and "reason" in body["errors"]
    values["reason"]["reason"]["value"] = "Shared with consent."
    response = await app.send_payload(submission("U0AMY0001", "esc_resolve", esc_id, values))
    assert response.status == 200
    await app.settled()
    rec = await esc.service.records.load(esc_id)
    assert rec is not None and rec.state == RESOLVED and rec.outcome == "share" and rec.resolved_by == "amy"


async def test_reply_relays_between_lead_and_practitioner(esc: Harness, app: SlackHarness) -> None:
    await esc.raise_(user=PRACTITIONER)
    esc_id = await esc.open_id(user=PRACTITIONER)
    await esc.drain()
    text = {"text": {"text": {"type": "plain_text_input", "value": "Can you call me?"}}}
    await app.send_payload(submission("U0AMY0001", "esc_reply", esc_id, text))
    await esc.drain()
    to_practitioner = esc.slack.notes(esc.slack.dm("U0PRACT001"))
    relay = [n for n in to_practitioner if n["text"].startswith("Message from Amy Lead")]
    assert len(relay) == 1 and "Can you call me?" in json.dumps(relay[0]["blocks"])
    assert relay[0]["blocks"][-1]["elements"][0]["action_id"] == "esc_preply"
    answer = {"text": {"text": {"type": "plain_text_input", "value": "Yes, on my work phone."}}}
    response = await app.send_payload(submission("U0PRACT001", "esc_preply", esc_id, answer))
    assert response.status == 200
    await app.settled()
    await esc.drain()
    to_lead = [n for n in esc.slack.notes(esc.dm("amy")) if n["text"].startswith("Message from the practitioner")]
    assert len(to_lead) == 1 and "Yes, on my work phone." in json.dumps(to_lead[0]["blocks"])
    # Someone else cannot reply as the practitioner.
    response = await app.send_payload(submission("U0BEN0001", "esc_preply", esc_id, answer))
    body = await response.json()
    assert body["errors"]["text"] == "That isn't one of your requests."


async def test_duty_and_cover_commands(esc: Harness, app: SlackHarness) -> None:
    await app.command("duty", user="U0PRACT001")
    await app.settled()
    (duty,) = [body["text"] for _, body in app.fake.hooks]
    assert "On-duty safeguarding lead: Amy Lead" in duty
    await app.command("cover until 17:00", user="U0BEN0001")
    await app.settled()
    assert app.fake.hooks[-1][1]["text"].startswith("You're the on-duty safeguarding lead until")
    assert (await esc.service.on_duty()).person("lead") == "ben"


async def test_history_button_shows_the_chronology_to_a_lead(esc: Harness, app: SlackHarness) -> None:
    await esc.raise_(user=PRACTITIONER)
    esc_id = await esc.open_id(user=PRACTITIONER)
    await esc.drain()
    await app.send_payload(click(app, "U0AMY0001", "ack", esc_id, "amy"))
    await app.settled()
    await app.send_payload(click(app, "U0AMY0001", "history", esc_id, "hist"))
    await app.settled()
    (text,) = hooks(app, "hist")
    assert text.startswith(f"History of ESC-{esc_id}")
    assert "Wed 18 Nov 2026 (Europe/London)" in text
    assert "14:00:00  Raised by the practitioner in Slack" in text
    assert "Paged Amy Lead (designated safeguarding lead) on Slack." in text
    assert "Acknowledged by Amy Lead (designated safeguarding lead) in Slack." in text
    assert "U0PRACT001" not in text and esc.hash(PRACTITIONER) not in text  # never the practitioner's identity
    await app.send_payload(click(app, "U0STRANGER", "history", esc_id, "nosy"))
    await app.settled()
    assert hooks(app, "nosy") == ["Only people on the safeguarding rota can act on escalations."]
