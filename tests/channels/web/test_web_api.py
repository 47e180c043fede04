"""The web page's JSON API and access rules, over real HTTP."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import aiohttp
import pytest

from bot.channels.web.access import AUTH_COOKIE, SESSION_COOKIE, is_loopback, mode_for
from bot.channels.web.access import Mode as WebMode
from bot.core.config import OrgConfig
from bot.core.engine import build_parts
from bot.core.escalation.readiness import Heartbeat, publish
from bot.storage.redis_store import RedisStore
from dialogs.turn import Turn
from tests.channels.web.conftest import WebServer, web_services

JSON = {"Content-Type": "application/json"}


def session() -> aiohttp.ClientSession:
    # unsafe=True: the cookie jar keeps cookies for an IP-address host such as 127.0.0.1.
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


async def chat(client: aiohttp.ClientSession, base: str, body: Any, headers: dict[str, str] | None = None
               ) -> tuple[int, dict[str, Any]]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    async with client.post(base + "/api/chat", data=data, headers=headers if headers is not None else JSON) as resp:
        return resp.status, await resp.json()


async def test_a_conversation_through_the_api_keeps_its_place(web_server: WebServer) -> None:
    base = await web_server()
    async with session() as client:
        async with client.get(base + "/") as page:
            assert page.status == 200
            html = await page.text()
            assert 'src="/static/chat.js?v=' in html and "__" not in html
            cookie = page.cookies[SESSION_COOKIE]
            assert cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["path"] == "/"
            assert "script-src 'self'" in page.headers["Content-Security-Policy"]
        status, body = await chat(client, base, {"action": "start"})
        assert status == 200
        question = body["replies"][-1]
        assert question["kind"] == "question" and question["step"] == 1
        assert [c["id"] for c in question["choices"]][:2] == ["yes", "no"]

        status, body = await chat(client, base, {"action": "no", "ref": question["ref"]})
        kinds = [r["kind"] for r in body["replies"]]
        assert kinds == ["progress", "question"] and body["replies"][1]["step"] == 2

        # The same button again (a stale click) is answered, not applied.
        status, body = await chat(client, base, {"action": "no", "ref": question["ref"]})
        assert status == 200 and body["replies"][0]["kind"] == "notice"
        assert "moved on" in body["replies"][0]["text"]
        assert body["replies"][-1]["step"] == 2


async def test_each_browser_has_its_own_conversation(web_server: WebServer) -> None:
    base = await web_server()
    async with session() as first, session() as second:
        await chat(first, base, {"action": "start"})
        status, body = await chat(second, base, {"text": "yes"})
        assert status == 200
        assert body["replies"][0]["text"].startswith("There's no question waiting")


async def test_a_repeated_message_id_is_answered_once(web_server: WebServer) -> None:
    base = await web_server()
    async with session() as client:
        await chat(client, base, {"action": "help"})  # gets the session cookie
        status, body = await chat(client, base, {"action": "start", "id": "a1b2c3d4e5f6a7b8"})
        assert status == 200 and body["replies"]
        status, body = await chat(client, base, {"action": "start", "id": "a1b2c3d4e5f6a7b8"})
        assert status == 200 and body["replies"] == []


@pytest.mark.parametrize(("body", "headers", "status", "says"), [
    (b"{not json", JSON, 400, "couldn't read that request"),
    (b"\xff\xfe", JSON, 400, "couldn't read that request"),
    (b"[1, 2]", JSON, 400, "couldn't read that request"),
    (b'{"text": 42}', JSON, 400, "should be text"),
    (b'{"action": ["yes"]}', JSON, 400, "should be text"),
    (b"{}", JSON, 400, "type a message or choose an option"),
    (b'{"action": "' + b"x" * 500 + b'"}', JSON, 400, "don't recognise that option"),
    (b'{"text": "hello"}', {"Content-Type": "text/plain"}, 415, "from the chat page"),
    (json.dumps({"text": "x" * 20000}).encode(), JSON, 413, "too long"),
    (b'{"text": "hello"}', {**JSON, "Origin": "https://evil.example"}, 403, "another site"),
])
async def test_client_mistakes_get_a_kind_4xx(web_server: WebServer, body: bytes, headers: dict[str, str],
                                              status: int, says: str) -> None:
    base = await web_server()
    async with session() as client:
        got, answer = await chat(client, base, body, headers)
    assert got == status
    assert says in answer["error"].lower()


async def test_text_comes_back_as_data_and_identifying_details_never_do(web_server: WebServer) -> None:
    base = await web_server()
    async with session() as client:
        text = "Can I tell Jane Smith's school? Her NHS number is 943 476 5919"
        status, body = await chat(client, base, {"text": text})
    assert status == 200
    notice = body["replies"][0]
    assert notice["kind"] == "privacy"
    raw = json.dumps(body)
    assert "943 476 5919" not in raw and "9434765919" not in raw and "Jane" not in raw


def test_loopback_addresses() -> None:
    assert all(is_loopback(h) for h in ("127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "LOCALHOST"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "::", "10.0.0.5", "example.org", ""))
    assert mode_for("127.0.0.1", None) is WebMode.OPEN
    assert mode_for("0.0.0.0", None) is WebMode.DISABLED
    assert mode_for("0.0.0.0", "tok") is WebMode.TOKEN


async def test_beyond_localhost_without_a_token_the_page_is_disabled(web_server: WebServer,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="canishare.web"):
        base = await web_server(host="0.0.0.0")
    assert any("web chat page disabled" in r.getMessage() for r in caplog.records)
    async with session() as client:
        async with client.get(base + "/") as page:
            assert page.status == 404
            assert "not enabled" in await page.text()
        async with client.post(base + "/api/chat", data=b'{"action": "start"}', headers=JSON) as resp:
            assert resp.status in (404, 405)
        async with client.get(base + "/healthz") as health:
            assert health.status == 200  # the operator's endpoints stay up


async def test_beyond_localhost_the_page_needs_the_access_link(web_server: WebServer) -> None:
    token = "correct-horse-battery-staple"
    base = await web_server(host="0.0.0.0", web_token=token)
    async with session() as client:
        async with client.get(base + "/") as page:
            assert page.status == 401
            assert "access link" in await page.text()
        status, body = await chat(client, base, {"action": "start"})
        assert status == 401 and "access link" in body["error"]
        async with client.get(base + "/?token=wrong") as page:
            assert page.status == 401
        assert AUTH_COOKIE not in {c.key for c in client.cookie_jar}

        async with client.get(base + f"/?token={token}", allow_redirects=False) as link:
            assert link.status == 303 and link.headers["Location"] == "/"  # the token leaves the address bar
            auth = link.cookies[AUTH_COOKIE]
            assert auth["httponly"] and auth["samesite"] == "Strict"
            assert token not in auth.value  # the cookie holds a MAC of the token, not the token
            assert link.headers["Referrer-Policy"] == "no-referrer"
        async with client.get(base + "/") as page:
            assert page.status == 200
        status, body = await chat(client, base, {"action": "start"})
        assert status == 200 and body["replies"][-1]["kind"] == "question"

    # Changing the token signs everyone out.
    other = await web_server(host="0.0.0.0", web_token="a-new-token")
    async with session() as client:
        client.cookie_jar.update_cookies({AUTH_COOKIE: auth.value})
        status, _ = await chat(client, other, {"action": "start"})
        assert status == 401


async def test_static_files_are_served_without_any_external_reference(web_server: WebServer) -> None:
    base = await web_server()
    async with session() as client:
        async with client.get(base + "/") as page:
            html = await page.text()
        for name in ("chat.js", "chat.css"):
            async with client.get(base + f"/static/{name}") as asset:
                assert asset.status == 200
                assert asset.headers["X-Content-Type-Options"] == "nosniff"
                text = await asset.text()
            for found in (html, text):
                assert "http://" not in found.replace("http://www.w3.org", "") and "//cdn" not in found
        async with client.get(base + "/static/../routes.py") as missing:
            assert missing.status == 404
        async with client.get(base + "/static/secret.py") as missing:
            assert missing.status == 404


def test_the_script_never_writes_markup() -> None:
    from bot.channels.web.routes import STATIC

    script = (STATIC / "chat.js").read_text()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script.replace("never innerHTML", "")


async def test_messages_from_a_lead_reach_the_page(web_server: WebServer, redis_store: RedisStore,
                                                   redis_url: str) -> None:
    config = OrgConfig.model_validate({"rota": {
        "people": [{"id": "amy", "name": "Amy Lead", "role": "safeguarding_lead", "slack_user_id": "U0LEAD0001"}],
        "layers": [{"people": ["amy"], "start": "2026-01-05", "shift_days": 1}], "fallback": {"people": ["amy"]}}})
    parts = build_parts(config)
    base = await web_server(store=redis_store, parts=parts, escalations=True, redis_url=redis_url)
    # A live worker that can reach amy: only then is the practitioner told it was sent.
    await publish(redis_store.client, redis_store.prefix, Heartbeat(time.time(), frozenset({"person:amy"})))
    async with session() as client:
        status, body = await chat(client, base, {"text": "talk to someone"})
        assert status == 200
        assert any("I've sent your request" in r["text"] for r in body["replies"]), body
        async with client.post(base + "/api/inbox", json={}) as resp:
            assert resp.status == 200 and await resp.json() == {"messages": [], "poll": True}

        # What the worker does for a practitioner it cannot push to (bot.core.escalation.delivery).
        session_id = next(c.value for c in client.cookie_jar if c.key == SESSION_COOKIE)
        services = web_services(parts, redis_store, escalations=True, redis_url=redis_url)
        service = services.extras["escalations"]
        who = services.engine.user_hash(Turn(channel="web", user_id=session_id))
        note = "Amy Lead picked up your request at 14:05 <b>and</b> will reply here."
        await service.client.rpush(service.keys.inbox(who), service.sealer.seal(note, who))

        async with client.post(base + "/api/inbox", json={}) as resp:
            assert await resp.json() == {"messages": [note], "poll": True}
        async with client.post(base + "/api/inbox", json={}) as resp:
            assert (await resp.json())["messages"] == []  # read once
        async with client.post(base + "/api/inbox", data=b"{}", headers={"Content-Type": "text/plain"}) as resp:
            assert resp.status == 415


async def test_without_escalations_the_page_does_not_poll(web_server: WebServer) -> None:
    base = await web_server()
    async with session() as client, client.post(base + "/api/inbox", json={}) as resp:
        assert await resp.json() == {"messages": [], "poll": False}
