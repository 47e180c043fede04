"""Teams test helpers: a fake Bot Framework connector, Teams activity JSON, the app harness,
Adaptive Card 1.5 schema checks and a JWT signer. Fixtures using them live in ``conftest.py``."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import jsonschema
import jwt
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from botframework.connector.auth import (
    AuthenticationConstants,
    PasswordServiceClientCredentialFactory,
)
from cryptography.hazmat.primitives.asymmetric import rsa
from msrest.authentication import BasicTokenAuthentication

from bot.app.server import create_app
from bot.channels import teams as teams_channel
from bot.channels.teams import cards
from bot.core.services import Services
from bot.core.settings import Settings
from bot.storage.redis_store import RedisStore

APP_ID = "9f3c2b1a-4d5e-4f60-8a7b-1c2d3e4f5a6b"
APP_PASSWORD = "test-password-not-secret"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
BOT = {"id": f"28:{APP_ID}", "name": "canishare"}
USER = {"id": "29:1aBcDeFgHiJkLmNoPqRsTuVwXyZ", "name": "Alex Practitioner",
        "aadObjectId": "6be8e1a2-3c4d-4e5f-9a0b-1c2d3e4f5a6b"}
PERSONAL_CONV = "a:1Xk9mPqRsTuVwXyZpersonalchat"
CHANNEL_CONV = "19:0f1e2d3c4b5a@thread.tacv2;messageid=1712345678901"
KID = "canishare-test-key"


# --- Adaptive Card schema ---------------------------------------------------------------------
@cache
def card_validator() -> jsonschema.Draft6Validator:
    schema = json.loads(resources.files("adaptive_cards").joinpath("schemas/schema-1.5.json").read_text())
    return jsonschema.Draft6Validator(schema)


def card_problems(card: dict[str, Any]) -> list[str]:
    """Why Teams would refuse this card (empty when it is fine)."""
    problems = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in card_validator().iter_errors(card)]
    if card.get("version") != "1.5":
        problems.append(f"version {card.get('version')!r} is not 1.5")
    if cards.card_size(card) > cards.MAX_CARD_BYTES:
        problems.append(f"{cards.card_size(card)} bytes (UTF-16) over {cards.MAX_CARD_BYTES}")
    return problems


# --- fake connector ---------------------------------------------------------------------------
@dataclass
class Call:
    method: str
    kind: str  # "send" | "reply" | "update" | "create"
    conversation: str
    activity_id: str | None  # the id in the URL (reply-to or updated activity)
    body: dict[str, Any]
    auth: str | None
    new_id: str = ""  # the id the connector gave the new activity or conversation

    def cards(self) -> list[dict[str, Any]]:
        return [a["content"] for a in self.body.get("attachments") or []
                if a.get("contentType") == cards.CONTENT_TYPE]

    @property
    def card(self) -> dict[str, Any]:
        (card,) = self.cards()
        return card

    @property
    def kind_of_card(self) -> str:
        return self.card["body"][0]["id"].removeprefix("canishare-")


@dataclass
class FakeConnector:
    calls: list[Call] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    fail_create: bool = False
    url: str = ""
    # The roster the bot may read (GET .../members): Teams channel accounts with aadObjectId, email, userPrincipalName.
    members: list[dict[str, Any]] = field(default_factory=list)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v3/conversations", self.create)
        app.router.add_post("/v3/conversations/{conv}/activities", self.activity)
        app.router.add_post("/v3/conversations/{conv}/activities/{aid}", self.activity)
        app.router.add_put("/v3/conversations/{conv}/activities/{aid}", self.activity)
        app.router.add_get("/v3/conversations/{conv}/members", self.roster)
        return app

    async def roster(self, request: web.Request) -> web.Response:
        return web.json_response(self.members)

    async def create(self, request: web.Request) -> web.Response:
        body = await request.json()
        if self.fail_create:
            return web.json_response({"error": {"code": "Forbidden", "message": "bot not installed"}}, status=403)
        new = f"a:personal-{next(self._ids)}"
        self.calls.append(Call("POST", "create", "", None, body, request.headers.get("Authorization"), new))
        return web.json_response({"id": new}, status=201)

    async def activity(self, request: web.Request) -> web.Response:
        body = await request.json()
        aid = request.match_info.get("aid")
        kind = "update" if request.method == "PUT" else ("reply" if aid else "send")
        for card in Call("", "", "", None, body, None).cards():
            problems = card_problems(card)
            if problems:
                self.rejected.extend(problems)
                status = 413 if any("bytes" in p for p in problems) else 400
                return web.json_response({"error": {"code": "BadArgument", "message": problems[0]}}, status=status)
        new = aid if kind == "update" else f"msg-{next(self._ids)}"
        self.calls.append(Call(request.method, kind, request.match_info["conv"], aid, body,
                               request.headers.get("Authorization"), new))
        return web.json_response({"id": new}, status=200 if kind == "update" else 201)

    # --- views for tests ------------------------------------------------------------------------
    def messages(self, conversation: str | None = None) -> list[Call]:
        return [c for c in self.calls if c.kind in ("send", "reply")
                and (conversation is None or c.conversation == conversation)]

    def updates(self) -> list[Call]:
        return [c for c in self.calls if c.kind == "update"]

    def clear(self) -> None:
        self.calls.clear()


# --- activities (shapes as Teams sends them) ----------------------------------------------------
_activity_ids = itertools.count(1712345600000)


def _base(service_url: str, **extra: Any) -> dict[str, Any]:
    now = dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")
    return {
        "type": "message", "id": str(next(_activity_ids)), "timestamp": now, "localTimestamp": now,
        "channelId": "msteams", "serviceUrl": service_url, "from": dict(USER), "recipient": dict(BOT),
        "locale": "en-GB", "localTimezone": "Europe/London",
        "entities": [{"type": "clientInfo", "locale": "en-GB", "country": "GB", "platform": "Web",
                      "timezone": "Europe/London"}],
        **extra,
    }


def personal_message(service_url: str, text: str | None = None, value: Any = None, reply_to: str | None = None,
                     **overrides: Any) -> dict[str, Any]:
    activity = _base(service_url,
                     conversation={"conversationType": "personal", "tenantId": TENANT, "id": PERSONAL_CONV},
                     channelData={"tenant": {"id": TENANT}})
    if value is None:
        activity.update(text=text if text is not None else "", textFormat="plain")
    else:  # Action.Submit: no text, the card's data as value, replyToId = the card's message
        activity["value"] = value
        activity["channelData"] = {"tenant": {"id": TENANT}, "source": {"name": "message"},
                                   "legacy": {"replyToId": reply_to}}
    if reply_to:
        activity["replyToId"] = reply_to
    activity.update(overrides)
    return activity


def channel_mention(service_url: str, text: str) -> dict[str, Any]:
    return _base(
        service_url,
        text=f"<at>canishare</at> {text}", textFormat="plain",
        conversation={"isGroup": True, "conversationType": "channel", "tenantId": TENANT, "id": CHANNEL_CONV},
        entities=[{"type": "mention", "text": "<at>canishare</at>", "mentioned": dict(BOT)}],
        channelData={"teamsChannelId": "19:0f1e2d3c4b5a@thread.tacv2", "teamsTeamId": "19:team@thread.tacv2",
                     "channel": {"id": "19:0f1e2d3c4b5a@thread.tacv2"},
                     "team": {"id": "19:team@thread.tacv2"}, "tenant": {"id": TENANT}},
    )


def click(service_url: str, message: Call, choice: str) -> dict[str, Any]:
    """The activity Teams posts when ``choice`` is clicked on the card in ``message``."""
    return personal_message(service_url, value=submit_data(message.card, choice), reply_to=message.new_id)


def submit_data(card: dict[str, Any], choice: str) -> dict[str, Any]:
    for action in all_actions(card):
        if action["type"] == "Action.Submit" and action["data"]["a"] == choice:
            return dict(action["data"])
    raise AssertionError(f"no {choice!r} button on the card; buttons: {[a.get('data') for a in all_actions(card)]}")


def all_actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    found = list(card.get("actions", []))
    for item in card["body"]:
        if item["type"] == "ActionSet":
            found.extend(item["actions"])
    return found


# --- app harness --------------------------------------------------------------------------------
class OfflineCredentials(PasswordServiceClientCredentialFactory):
    """Bot-to-connector credentials without MSAL: the fake connector sees ``Bearer fake``."""

    async def create_credentials(self, app_id: str, oauth_scope: str, login_endpoint: str,
                                 validate_authority: bool) -> BasicTokenAuthentication:
        return BasicTokenAuthentication({"access_token": "fake"})


@dataclass
class TeamsHarness:
    client: TestClient
    services: Services
    connector: FakeConnector
    app: web.Application

    @property
    def store(self) -> RedisStore:
        return self.services.store  # type: ignore[return-value]

    async def post(self, activity: dict[str, Any], token: str | None = None) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return await self.client.post(teams_channel.ROUTE, json=activity, headers=headers)

    async def send(self, activity: dict[str, Any], token: str | None = None) -> list[Call]:
        """Post an activity, expect 201, return the messages it produced."""
        before = len(self.connector.calls)
        response = await self.post(activity, token)
        assert response.status == 201, await response.text()
        return [c for c in self.connector.calls[before:] if c.kind in ("send", "reply")]


async def run_harness(services: Services, connector: FakeConnector) -> AsyncIterator[TeamsHarness]:
    settings = services.settings
    # With an app id, replies need a token: get one offline. In dev mode botbuilder's own (empty) credentials run.
    factory = (OfflineCredentials(settings.microsoft_app_id, settings.microsoft_app_password)
               if settings.microsoft_app_id else None)
    app = create_app(services, mounts=[lambda a, s: teams_channel.mount(a, s, credentials_factory=factory)])
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        yield TeamsHarness(client, services, connector, app)
    finally:
        await client.close()


def make_settings(app_id: str = "") -> Settings:
    return Settings(microsoft_app_id=app_id, microsoft_app_password=APP_PASSWORD if app_id else "",
                    microsoft_app_type="MultiTenant", microsoft_app_tenant_id="", hash_key="teams-test-hash-key",
                    redis_url=None)


# --- Bot Framework signing keys, seeded locally ---------------------------------------------------
@dataclass
class Signer:
    key: rsa.RSAPrivateKey
    other_key: rsa.RSAPrivateKey

    def token(self, service_url: str, *, iss: str = AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER,
              aud: str = APP_ID, serviceurl: str | None = None, expires_in: int = 3600, kid: str = KID,
              key: rsa.RSAPrivateKey | None = None) -> str:
        now = int(time.time())
        claims = {"iss": iss, "aud": aud, "serviceurl": serviceurl if serviceurl is not None else service_url,
                  "nbf": now - 60, "iat": now - 60, "exp": now + expires_in}
        return jwt.encode(claims, key or self.key, algorithm="RS256", headers={"kid": kid})


