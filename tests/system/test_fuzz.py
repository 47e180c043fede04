"""Malformed input against every HTTP endpoint that takes a body.

Hypothesis throws broken bodies and headers at ``POST /slack/events`` (unsigned, badly signed, and
well signed but malformed), ``POST /api/messages`` (anonymous ``--dev`` mode and app-id mode) and
``POST /api/chat``. Whatever arrives, the answer is a client-error status or a polite 2xx, never a
5xx, and no body ever carries a traceback.

The application runs on a real loopback port in an event loop of this module's own (hypothesis
drives plain functions), over the real Redis, with the fake Slack and the fake connector.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

import aiohttp
import pytest
from aiohttp import web
from botframework.connector.auth import AuthenticationConstants, JwtTokenExtractor
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jwt.algorithms import RSAAlgorithm

from bot.app.server import build_services, create_app
from bot.channels import teams
from bot.core.parts import Parts
from bot.storage.redis_store import RedisStore
from bot.testing.load import LoadConnector, LoadSlack, fakes
from bot.testing.slack import FORM, SlackHarness
from bot.testing.teams import APP_ID, APP_PASSWORD, OfflineCredentials, personal_message
from tests.system.conftest import edge_settings

ALLOWED = {200, 201, 202, 400, 401, 403, 404, 405, 413, 415}
# CI runs a fixed sample; ``CANISHARE_FUZZ_EXAMPLES=2000`` explores further, with fresh examples each run.
DEEP = os.environ.get("CANISHARE_FUZZ_EXAMPLES")
FUZZ = settings(max_examples=int(DEEP or 60), deadline=None, derandomize=not DEEP, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
KID = "reliability-fuzz-key"


@dataclass
class Served:
    loop: asyncio.AbstractEventLoop = field(repr=False)
    session: aiohttp.ClientSession = field(repr=False)
    dev_url: str  # Slack, Teams --dev, the web page
    app_id_url: str  # Teams with MicrosoftAppId set
    fake: LoadSlack = field(repr=False)
    connector: LoadConnector = field(repr=False)

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        async def send() -> tuple[int, str]:
            async with self.session.post(url, data=body, headers=headers) as response:
                return response.status, await response.text(errors="replace")

        status, text = self.loop.run_until_complete(send())
        # Give the work bolt runs after its ack a moment, so failures there surface in this example.
        self.loop.run_until_complete(asyncio.sleep(0))
        return status, text


def check(status: int, text: str, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
    assert status in ALLOWED, (status, text[:500], body[:2000], headers)
    assert "Traceback" not in text, (text[:500], body[:2000], headers)


@contextlib.contextmanager
def seeded_openid_keys() -> Iterator[None]:
    """Bot Framework signing keys seeded in botframework's cache, so app-id mode never goes online."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update(kid=KID, use="sig", endorsements=["msteams"])
    urls = (AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL,
            AuthenticationConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL)
    saved = {}
    for url in urls:
        metadata = JwtTokenExtractor.get_open_id_metadata(url)
        saved[url] = (metadata.keys, metadata.last_updated)
        metadata.keys = [jwk] if url == urls[0] else []
        metadata.last_updated = dt.datetime.now()
    try:
        yield
    finally:
        for url, (keys, updated) in saved.items():
            metadata = JwtTokenExtractor.get_open_id_metadata(url)
            metadata.keys, metadata.last_updated = keys, updated


@pytest.fixture(scope="module")
def served(parts: Parts, redis_url: str) -> Iterator[Served]:
    loop = asyncio.new_event_loop()
    stack = contextlib.AsyncExitStack()

    async def serve(app: web.Application) -> str:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        stack.push_async_callback(runner.cleanup)
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        return f"http://127.0.0.1:{runner.addresses[0][1]}"

    async def start() -> Served:
        fake, connector = await stack.enter_async_context(fakes())
        urls = []
        for app_id in ("", APP_ID):
            store = RedisStore.from_url(redis_url, f"fuzz-{uuid.uuid4().hex[:8]}")
            stack.push_async_callback(delete_keys, store.client, store.prefix)
            settings_ = edge_settings(fake, microsoft_app_id=app_id, microsoft_app_password=APP_PASSWORD if app_id
                                      else "")
            services = build_services(settings_, parts.config, store=store, dev=not app_id, parts=parts)
            if app_id:  # Teams alone; its replies need a token: an offline one, as in tests/channels/teams
                factory = OfflineCredentials(APP_ID, APP_PASSWORD)
                app = create_app(services, mounts=[
                    lambda a, s, f=factory: teams.mount(a, s, credentials_factory=f)])
            else:
                app = create_app(services)
            urls.append(await serve(app))
        session = await stack.enter_async_context(aiohttp.ClientSession())
        return Served(loop, session, urls[0], urls[1], fake, connector)

    with seeded_openid_keys():
        try:
            yield loop.run_until_complete(start())
        finally:
            loop.run_until_complete(stack.aclose())
            pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.close()


async def delete_keys(client: Any, prefix: str) -> None:
    keys = [k async for k in client.scan_iter(match=f"{prefix}:*", count=1000)]
    if keys:
        await client.delete(*keys)
    await client.aclose()


# --- strategies -----------------------------------------------------------------------------------
scalars = st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False) | st.text(max_size=60)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=12), inner, max_size=5), max_leaves=20)
CONTENT_TYPES = [FORM, "application/json", "text/plain", "", "multipart/form-data; boundary=x",
                 "application/json; charset=latin-1", "application/x-www-form-urlencoded; charset=utf-16"]
content_types = st.sampled_from(CONTENT_TYPES) | st.text(max_size=30)
raw_bodies = st.binary(max_size=3000) | st.text(max_size=3000).map(str.encode)
safe_urls = st.sampled_from(["", "not a url", "http://127.0.0.1:1/hook", "ftp://127.0.0.1/x"])

SLACK_KEYS = ["type", "user", "actions", "container", "message", "team", "channel", "view", "trigger_id",
              "response_url", "api_app_id", "token", "state", "callback_id", "enterprise", "is_enterprise_install"]


def slack_objects(types: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Dicts shaped a little like Slack's, with anything at all in the fields."""
    return st.fixed_dictionaries(
        {"type": st.sampled_from(types) | st.text(max_size=20)},
        optional={key: json_values for key in SLACK_KEYS[1:]},
    ).map(lambda d: {**d, "response_url": "not a url"} if "response_url" in d else d)


def click_like(draw: st.DrawFn) -> dict[str, Any]:
    """A block_actions payload with one field or another broken."""
    action = draw(st.fixed_dictionaries({"type": st.just("button")}, optional={
        "action_id": st.sampled_from(["cs.0", "cs.1", "quiz.x", "ask"]) | st.text(max_size=20),
        "value": json_values.map(json.dumps) | st.text(max_size=200) | json_values,
        "action_ts": st.text(max_size=20) | json_values, "block_id": json_values, "text": json_values}))
    payload = {"type": "block_actions", "user": {"id": "U0FUZZ", "team_id": "T0CANISHARE"},
               "team": {"id": "T0CANISHARE"}, "api_app_id": "A0CANISHARE", "token": "legacy",
               "container": {"type": "message", "message_ts": "1.2", "channel_id": "DU0FUZZ"},
               "channel": {"id": "DU0FUZZ"}, "actions": [action], "response_url": "not a url",
               "message": {"ts": "1.2", "text": "x", "blocks": []}}
    for key in draw(st.lists(st.sampled_from(sorted(payload)), max_size=3, unique=True)):
        payload[key] = draw(json_values)
    return payload


@st.composite
def slack_requests(draw: st.DrawFn) -> tuple[bytes, dict[str, str]]:
    kind = draw(st.sampled_from(["raw", "payload", "click", "command", "event"]))
    content_type = FORM
    if kind == "raw":
        body = draw(raw_bodies)
        content_type = draw(content_types)
    elif kind == "payload":
        body = ("payload=" + quote(json.dumps(draw(slack_objects(
            ["block_actions", "view_submission", "shortcut", "message_action", "block_suggestion", "view_closed",
             "interactive_message"]))))).encode()
    elif kind == "click":
        body = ("payload=" + quote(json.dumps(draw(st.composite(click_like)())))).encode()
    elif kind == "command":
        fields = draw(st.dictionaries(st.sampled_from(["token", "team_id", "channel_id", "user_id", "command", "text",
                                                       "trigger_id", "api_app_id", "user_name", "enterprise_id"]),
                                      st.text(max_size=80), max_size=9))
        fields.setdefault("command", draw(st.sampled_from(["/canishare", "/other", ""])))
        fields["response_url"] = draw(safe_urls)
        body = urlencode(fields).encode()
    else:
        event = draw(slack_objects(["message", "app_mention", "app_home_opened", "reaction_added"]))
        outer = {"type": draw(st.sampled_from(["event_callback", "url_verification", "app_rate_limited"])
                              | st.text(max_size=20)),
                 "team_id": "T0CANISHARE", "api_app_id": "A0CANISHARE", "event": event,
                 "event_id": f"EvFUZZ{uuid.uuid4().hex[:10]}", "event_time": int(time.time())}
        for key in draw(st.lists(st.sampled_from(sorted(outer)), max_size=2, unique=True)):
            outer[key] = draw(json_values)
        body = json.dumps(outer).encode()
        content_type = "application/json"
    signing = draw(st.sampled_from(["good", "good", "good", "none", "wrong", "stale", "junk-ts"]))
    text = body.decode("utf-8", errors="replace")
    if signing == "good":
        headers = SlackHarness.signed(text, content_type)
    elif signing == "none":
        headers = {"Content-Type": content_type}
    elif signing == "wrong":
        headers = SlackHarness.signed(text, content_type, secret="not-the-secret")
    elif signing == "stale":
        headers = SlackHarness.signed(text, content_type, ts=int(time.time()) - 3600)
    else:
        headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": draw(st.text(max_size=12)),
                   "X-Slack-Signature": draw(st.text(max_size=80))}
    if draw(st.booleans()):
        headers["X-Slack-Retry-Num"] = draw(st.sampled_from(["1", "x", "-1", ""]))
    return body, {k: _header(v) for k, v in headers.items()}


def _header(value: str) -> str:
    # aiohttp refuses to send control characters in a header; real clients can't send them either.
    return "".join(c for c in value if c.isprintable() and ord(c) < 0x7F)


ACTIVITY_TYPES = ["message", "invoke", "conversationUpdate", "messageReaction", "event", "installationUpdate",
                  "typing", "endOfConversation", "messageUpdate", "messageDelete"]


@st.composite
def activities(draw: st.DrawFn, service_url: str) -> dict[str, Any]:
    activity = personal_message(draw(st.sampled_from([service_url, service_url]) | safe_urls),
                                text=draw(st.text(max_size=300)))
    activity["type"] = draw(st.sampled_from(ACTIVITY_TYPES) | st.text(max_size=20))
    if activity["type"] == "invoke" or draw(st.booleans()):
        activity["name"] = draw(st.sampled_from(["adaptiveCard/action", "task/fetch", "composeExtension/query",
                                                 "signin/verifyState", "actionableMessage/executeAction"])
                                | st.text(max_size=20))
    if draw(st.booleans()):
        activity["value"] = draw(json_values)
    for key in draw(st.lists(st.sampled_from(sorted(activity)), max_size=4, unique=True)):
        activity[key] = draw(json_values)
    if draw(st.booleans()):
        activity["membersAdded"] = draw(json_values)
    return activity


@st.composite
def teams_requests(draw: st.DrawFn, service_url: str) -> tuple[bytes, dict[str, str]]:
    kind = draw(st.sampled_from(["raw", "json", "activity", "activity", "activity"]))
    if kind == "raw":
        return draw(raw_bodies), {"Content-Type": _header(draw(content_types))}
    value = draw(json_values) if kind == "json" else draw(activities(service_url))
    return json.dumps(value).encode(), {"Content-Type": "application/json"}


KNOWN_BAD_TOKENS = [
    "Bearer ", "Bearer a.b.c", "Basic Zm9vOmJhcg==",
    "Bearer eyJhbGciOiJSUzI1NiIsImtpZCI6InJlbGlhYmlsaXR5LWZ1enota2V5In0.e30.c2ln",
    "Bearer eyJhbGciOiJub25lIn0.eyJpc3MiOiJodHRwczovL2FwaS5ib3RmcmFtZXdvcmsuY29tIn0.",
]
authorizations = (st.none() | st.text(max_size=100) | st.text(max_size=300).map(lambda t: "Bearer " + t)
                  | st.sampled_from(KNOWN_BAD_TOKENS))


@st.composite
def chat_requests(draw: st.DrawFn) -> tuple[bytes, dict[str, str]]:
    kind = draw(st.sampled_from(["raw", "json", "fields", "fields"]))
    headers = {"Content-Type": "application/json"}
    if kind == "raw":
        body = draw(raw_bodies)
        headers["Content-Type"] = _header(draw(content_types))
    elif kind == "json":
        body = json.dumps(draw(json_values)).encode()
    else:
        fields = draw(st.dictionaries(st.sampled_from(["text", "action", "ref", "id", "other"]),
                                      json_values | st.text(max_size=3000), max_size=5))
        body = json.dumps(fields).encode()
    origin = draw(st.sampled_from([None, None, "same", "http://evil.example", "null", ""]))
    if origin is not None:
        headers["Origin"] = origin
    cookie = draw(st.none() | st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_-", max_size=70))
    if cookie is not None:
        headers["Cookie"] = f"canishare_web_session={cookie}"
    return body, headers


# --- the tests ------------------------------------------------------------------------------------
@FUZZ
@given(request=slack_requests())
def test_slack_events_never_fail_on_bad_input(served: Served, request: tuple[bytes, dict[str, str]]) -> None:
    body, headers = request
    check(*served.post(served.dev_url + "/slack/events", body, headers), body, headers)


@FUZZ
@given(data=st.data())
def test_teams_dev_mode_never_fails_on_bad_input(served: Served, data: st.DataObject) -> None:
    body, headers = data.draw(teams_requests(served.connector.url))
    status, text = served.post(served.dev_url + "/api/messages", body, headers)
    if status == 501 and is_invoke(body):
        # The Bot Framework's contract for an invoke this bot does not implement (task modules, message
        # extensions...: nothing our manifest declares). botbuilder answers it; it is not a failure.
        assert "Traceback" not in text
        return
    check(status, text, body, headers)


def is_invoke(body: bytes) -> bool:
    try:
        activity = json.loads(body)
    except ValueError:
        return False
    return isinstance(activity, dict) and activity.get("type") == "invoke"


@FUZZ
@given(data=st.data(), authorization=authorizations)
def test_teams_app_id_mode_refuses_bad_input(served: Served, data: st.DataObject, authorization: str | None) -> None:
    body, headers = data.draw(teams_requests(served.connector.url))
    if authorization is not None:
        headers["Authorization"] = _header(authorization)
    status, text = served.post(served.app_id_url + "/api/messages", body, headers)
    check(status, text, body, headers)
    # Nobody gets in without a valid Bot Framework token.
    assert status in {400, 401, 413, 415}, (status, body[:2000], headers)


@FUZZ
@given(request=chat_requests())
def test_web_chat_never_fails_on_bad_input(served: Served, request: tuple[bytes, dict[str, str]]) -> None:
    body, headers = request
    if headers.get("Origin") == "same":
        headers["Origin"] = served.dev_url
    check(*served.post(served.dev_url + "/api/chat", body, headers), body, headers)
