"""Driving the real Slack edge: requests signed with the signing secret, sent to the real bolt app.

:class:`SlackHarness` wraps the app served by aiohttp's TestServer and the fake Web API
(:mod:`bot.testing.fake_slack`); the pytest fixtures that build it are in ``tests/channels/slack``.
"""

from __future__ import annotations

import itertools
import json
import time
from typing import Any
from urllib.parse import quote, urlencode

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient
from slack_sdk.signature import SignatureVerifier

from bot.channels.slack import SLACK
from bot.channels.slack.app import SlackChannel
from bot.core.services import Services
from bot.core.settings import Settings
from bot.core.store import Snapshot
from bot.testing.fake_slack import BOT_USER, TEAM, FakeSlack, Message, dm_of
from dialogs.turn import Turn

SECRET = "test-signing-secret-0123456789abcdef"
HASH_KEY = "slack-test-hash-key"
USER = "U0PRACTITIONER"
PUBLIC = "C0GENERAL"
FORM = "application/x-www-form-urlencoded"


def settings_for(fake: FakeSlack, **extra: Any) -> Settings:
    return Settings(slack_bot_token="xoxb-test-token", slack_signing_secret=SECRET, slack_api_url=fake.api_url,
                    hash_key=HASH_KEY, **extra)


class SlackHarness:
    def __init__(self, client: TestClient, fake: FakeSlack, services: Services) -> None:
        self.client = client
        self.fake = fake
        self.services = services
        self.channel: SlackChannel = client.app[SLACK]
        self.expected = 0  # listener runs the requests sent so far should have started
        self._ids = itertools.count(1)

    # --- signing and sending ------------------------------------------------------------------
    @staticmethod
    def signed(body: str, content_type: str, ts: int | None = None, secret: str = SECRET) -> dict[str, str]:
        stamp = str(ts if ts is not None else int(time.time()))
        return {"Content-Type": content_type, "X-Slack-Request-Timestamp": stamp,
                "X-Slack-Signature": SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)}

    async def post(self, body: str, content_type: str, headers: dict[str, str] | None = None,
                   listener: bool = True) -> ClientResponse:
        response = await self.client.post("/slack/events", data=body.encode(),
                                          headers=headers if headers is not None else self.signed(body, content_type))
        if response.status == 200 and listener:
            self.expected += 1
        return response

    def command_body(self, text: str = "", user: str = USER, channel: str = PUBLIC) -> str:
        n = next(self._ids)
        return urlencode({
            "token": "legacy", "team_id": TEAM, "team_domain": "fake", "channel_id": channel,
            "channel_name": "directmessage" if channel.startswith("D") else "general", "user_id": user,
            "user_name": "practitioner", "command": "/canishare", "text": text, "api_app_id": "A0CANISHARE",
            "response_url": self.fake.hook_url(f"cmd{n}"), "trigger_id": f"{n}.1234.abcdef{n}",
        })

    async def command(self, text: str = "", user: str = USER, channel: str = PUBLIC) -> ClientResponse:
        return await self.post(self.command_body(text, user, channel), FORM)

    def event_body(self, event: dict[str, Any], event_id: str | None = None) -> str:
        return json.dumps({
            "token": "legacy", "team_id": TEAM, "api_app_id": "A0CANISHARE", "type": "event_callback",
            "event": event, "event_id": event_id or f"Ev{next(self._ids):08d}", "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
        })

    async def event(self, event: dict[str, Any], event_id: str | None = None,
                    retry: int | None = None) -> ClientResponse:
        body = self.event_body(event, event_id)
        headers = self.signed(body, "application/json")
        if retry is not None:
            headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        return await self.post(body, "application/json", headers)

    def dm_event(self, text: str, user: str = USER) -> dict[str, Any]:
        ts = f"1700000100.{next(self._ids):06d}"
        return {"type": "message", "channel": dm_of(user), "user": user, "text": text, "ts": ts,
                "event_ts": ts, "channel_type": "im"}

    def click_payload(self, message: Message, label: str, user: str = USER) -> dict[str, Any]:
        for block in message.blocks:
            for element in block.get("elements", []) if block["type"] == "actions" else []:
                if element["text"]["text"] == label:
                    action = {"type": "button", "action_id": element["action_id"], "block_id": block["block_id"],
                              "text": element["text"], "value": element["value"],
                              "action_ts": f"1700000200.{next(self._ids):06d}"}
                    break
            else:
                continue
            break
        else:
            raise AssertionError(f"no button {label!r} in message {message.ts}")
        return {
            "type": "block_actions", "user": {"id": user, "username": "practitioner", "team_id": TEAM},
            "api_app_id": "A0CANISHARE", "token": "legacy", "trigger_id": f"trig.{next(self._ids)}",
            "container": {"type": "message", "message_ts": message.ts, "channel_id": message.channel,
                          "is_ephemeral": False},
            "team": {"id": TEAM, "domain": "fake"}, "channel": {"id": message.channel, "name": "directmessage"},
            "message": message.payload(), "response_url": self.fake.hook_url("click"), "actions": [action],
        }

    async def send_payload(self, payload: dict[str, Any]) -> ClientResponse:
        return await self.post("payload=" + quote(json.dumps(payload)), FORM)

    async def click(self, message: Message, label: str, user: str = USER) -> ClientResponse:
        return await self.send_payload(self.click_payload(message, label, user))

    # --- waiting and looking ----------------------------------------------------------------------
    async def settled(self) -> None:
        """Every listener run the requests so far started has finished, and no other ran."""
        await self.channel.inflight.wait_finished(self.expected)
        assert self.channel.inflight.finished == self.expected

    def dm(self, user: str = USER) -> list[Message]:
        return self.fake.in_channel(dm_of(user))

    def question(self, user: str = USER) -> Message:
        """The latest message in the DM that still has buttons."""
        with_buttons = [m for m in self.dm(user) if any(b["type"] == "actions" for b in m.blocks)]
        assert with_buttons, self.fake.transcript(dm_of(user))
        return with_buttons[-1]

    async def state(self, user: str = USER) -> Snapshot:
        engine = self.services.engine
        return await engine.store.load(engine.key(Turn(channel="slack", user_id=f"{TEAM}:{user}")))
