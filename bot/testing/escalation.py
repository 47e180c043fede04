"""Local fakes for escalation tests: a clock, the Slack Web API and the Bot Framework connector.

The Slack fake answers the four methods the worker calls (chat.postMessage, chat.update,
conversations.open, conversations.history), keeps each message's metadata, checks Block Kit
limits (with the Slack channel's own checker when it is installed), and can answer 429 with a
Retry-After. The Teams fake answers send and update, and can answer 5xx first.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from aiohttp import web
from aiohttp.test_utils import TestServer

try:  # the Slack channel's Block Kit checker (tests/channels/slack), when present
    from bot.testing.blockkit import message_errors as _message_errors
except ImportError:  # pragma: no cover
    _message_errors = None


class FakeClock:
    """Epoch seconds that move only when a test says so."""

    def __init__(self, start: float) -> None:
        self.t = float(start)

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


def _basic_block_errors(text: Any, blocks: Any) -> list[str]:
    errors = []
    if not isinstance(text, str) or not text.strip():
        errors.append("text required")
    if blocks is not None:
        if not isinstance(blocks, list) or len(blocks) > 50:
            errors.append("blocks: at most 50")
        for block in blocks or []:
            t = (block.get("text") or {}).get("text", "")
            if len(t) > 3000:
                errors.append("section text over 3000")
            for el in block.get("elements", []) or []:
                label = (el.get("text") or {}).get("text", "") if isinstance(el.get("text"), dict) else ""
                if len(label) > 75 and el.get("type") == "button":
                    errors.append("button text over 75")
    return errors


@dataclass
class SlackPost:
    method: str
    args: dict[str, Any]
    at: float  # time.monotonic() when the request arrived


@dataclass
class FakeSlack:
    posts: list[SlackPost] = field(default_factory=list)
    messages: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # (channel, ts) -> message
    rate_limited: int = 0  # answer this many chat.postMessage calls with 429 first
    retry_after: int = 1
    unknown_users: set[str] = field(default_factory=set)  # chat.postMessage to these: user_not_found
    hang_on: int = 0  # store the Nth posted message, then never answer (a worker killed mid-call)
    lose_on: int = 0  # never answer the Nth chat.postMessage and never store it (killed before it landed)
    non_json: int = 0  # answer this many chat.postMessage calls with an HTML error page (a proxy's 502)
    non_json_status: int = 502
    _posts_seen: int = 0
    stored: int = 0
    delay: float = 0.0  # seconds before answering each chat.postMessage
    _last_ts: float = 0.0
    url: str = ""
    _ts: Any = field(default_factory=lambda: itertools.count(1))
    server: TestServer | None = None

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self.handle)
        return app

    async def start(self) -> None:
        self.server = TestServer(self.app(), host="127.0.0.1")
        await self.server.start_server()
        self.url = str(self.server.make_url("/api/"))

    async def close(self) -> None:
        if self.server is not None:
            await self.server.close()

    async def _args(self, request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = {k: v for k, v in request.query.items()}
        if request.can_read_body:
            raw = await request.read()
            if request.content_type == "application/json":
                args.update(json.loads(raw or b"{}"))
            else:
                args.update({k: v[0] for k, v in parse_qs(raw.decode()).items()})
        for key in ("blocks", "metadata"):
            if isinstance(args.get(key), str):
                args[key] = json.loads(args[key])
        return args

    @staticmethod
    def dm(user: str) -> str:
        return "D" + user[1:]

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._args(request)
        self.posts.append(SlackPost(method, args, time.monotonic()))
        if method == "chat.postMessage":
            self._posts_seen += 1
            if self.lose_on and self._posts_seen == self.lose_on:
                await asyncio.Event().wait()
            if self.non_json > 0:
                self.non_json -= 1
                return web.Response(text="<html><body>502 Bad Gateway</body></html>", status=self.non_json_status,
                                    content_type="text/html")
            if self.rate_limited > 0:
                self.rate_limited -= 1
                return web.json_response({"ok": False, "error": "ratelimited"}, status=429,
                                         headers={"Retry-After": str(self.retry_after)})
            if args.get("channel") in self.unknown_users:
                return web.json_response({"ok": False, "error": "user_not_found"})
            errors = (_message_errors or _basic_block_errors)(args.get("text"), args.get("blocks"))
            if errors:
                return web.json_response({"ok": False, "error": "invalid_blocks", "errors": errors})
            channel = str(args["channel"])
            if channel.startswith(("U", "W")):
                channel = self.dm(channel)

            # Real-time, unique timestamps, as Slack's are (conversations.history filters on them).
            self._last_ts = max(time.time(), self._last_ts + 0.000001)
            ts = f"{self._last_ts:.6f}"
            message = {"ts": ts, "text": args.get("text"), "blocks": args.get("blocks"),
                       "metadata": args.get("metadata"), "updates": []}
            self.messages[(channel, ts)] = message
            self.stored += 1
            if self.hang_on and self.stored == self.hang_on:
                await asyncio.Event().wait()  # posted, but the answer never comes
            if self.delay:
                await asyncio.sleep(self.delay)
            return web.json_response({"ok": True, "channel": channel, "ts": ts, "message": message})
        if method == "chat.update":
            key = (str(args["channel"]), str(args["ts"]))
            if key not in self.messages:
                return web.json_response({"ok": False, "error": "message_not_found"})
            errors = (_message_errors or _basic_block_errors)(args.get("text"), args.get("blocks"))
            if errors:
                return web.json_response({"ok": False, "error": "invalid_blocks", "errors": errors})
            message = self.messages[key]
            message["updates"].append(message["blocks"])
            message.update(text=args.get("text"), blocks=args.get("blocks"))
            return web.json_response({"ok": True, "channel": key[0], "ts": key[1]})
        if method == "conversations.open":
            return web.json_response({"ok": True, "channel": {"id": self.dm(str(args["users"]))}})
        if method == "conversations.history":
            channel = str(args["channel"])
            oldest, latest = float(args.get("oldest") or 0), float(args.get("latest") or 1e12)
            found = sorted((dict(m) for (ch, ts), m in self.messages.items()
                            if ch == channel and oldest <= float(ts) <= latest), key=lambda m: -float(m["ts"]))
            start, limit = int(args.get("cursor") or 0), int(args.get("limit") or 100)
            page, more = found[start:start + limit], start + limit < len(found)
            meta = {"next_cursor": str(start + limit) if more else ""}
            return web.json_response({"ok": True, "messages": page, "has_more": more, "response_metadata": meta})
        return web.json_response({"ok": False, "error": "unknown_method"})

    # --- views for tests ---------------------------------------------------------------------------
    def posted(self, channel: str | None = None) -> list[dict[str, Any]]:
        return [m for (ch, _), m in self.messages.items() if channel is None or ch == channel]

    def cards(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Posted escalation cards (they have a header block)."""
        return [m for m in self.posted(channel) if m["blocks"] and m["blocks"][0]["type"] == "header"]

    def notes(self, channel: str | None = None) -> list[dict[str, Any]]:
        return [m for m in self.posted(channel) if not (m["blocks"] and m["blocks"][0]["type"] == "header")]


def text_of(message: dict[str, Any]) -> str:
    """Everything a person could read in a Slack message or Adaptive Card, flattened."""
    return json.dumps(message, ensure_ascii=False)


@dataclass
class TeamsCall:
    kind: str  # send | update
    conversation: str
    activity_id: str | None
    body: dict[str, Any]


@dataclass
class FakeConnector:
    calls: list[TeamsCall] = field(default_factory=list)
    fail_with: list[int] = field(default_factory=list)  # statuses to answer first (e.g. [502, 503])
    failures: int = 0
    hang_on: int = 0  # record the Nth send, then never answer (a worker killed mid-post)
    sends: int = 0
    url: str = ""
    server: TestServer | None = None
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v3/conversations/{conv}/activities", self.activity)
        app.router.add_post("/v3/conversations/{conv}/activities/{aid}", self.activity)  # reply-to
        app.router.add_put("/v3/conversations/{conv}/activities/{aid}", self.activity)
        return app

    async def start(self) -> None:
        self.server = TestServer(self.app(), host="127.0.0.1")
        await self.server.start_server()
        self.url = str(self.server.make_url("/")).rstrip("/") + "/"

    async def close(self) -> None:
        if self.server is not None:
            await self.server.close()

    async def activity(self, request: web.Request) -> web.Response:
        if self.fail_with:
            self.failures += 1
            return web.json_response({"error": {"code": "ServiceError", "message": "try again"}},
                                     status=self.fail_with.pop(0))
        body = await request.json()
        aid = request.match_info.get("aid")
        kind = "update" if request.method == "PUT" else "send"
        new = aid if kind == "update" else f"act-{next(self._ids)}"
        self.calls.append(TeamsCall(kind, request.match_info["conv"], aid, body))
        if kind == "send":
            self.sends += 1
            if self.hang_on and self.sends == self.hang_on:
                await asyncio.Event().wait()
        return web.json_response({"id": new}, status=200 if kind == "update" else 201)

    def cards(self, kind: str = "send") -> list[dict[str, Any]]:
        return [a["content"] for c in self.calls if c.kind == kind for a in c.body.get("attachments") or []]
