"""A local fake of the Slack Web API (the ``AsyncWebClient``'s ``base_url``) on 127.0.0.1.

It answers the methods canishare calls, records every call, keeps the messages of each channel
(updated in place by ``chat.update``, with block ids assigned the way Slack does), and refuses,
as Slack would with ``invalid_blocks``, any payload that breaks Block Kit's limits (see
:mod:`bot.testing.blockkit`). It also serves ``response_url`` hooks and a Socket Mode websocket.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web
from aiohttp.test_utils import TestServer

from bot.testing.blockkit import message_errors, view_errors

TEAM = "T0CANISHARE"
BOT_USER = "U0CANISHARE"
BOT_ID = "B0CANISHARE"


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    error: str | None = None  # set when the fake refused the call


@dataclass
class Message:
    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]]
    thread_ts: str | None = None
    versions: list[list[dict[str, Any]]] = field(default_factory=list)  # earlier blocks, oldest first

    def payload(self) -> dict[str, Any]:
        """The ``message`` object Slack puts in a block_actions payload."""
        return {"type": "message", "user": BOT_USER, "bot_id": BOT_ID, "ts": self.ts, "text": self.text,
                "blocks": json.loads(json.dumps(self.blocks))}


def dm_of(user: str) -> str:
    return "D" + user


class FakeSlack:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.messages: list[Message] = []
        self.hooks: list[tuple[str, dict[str, Any]]] = []
        # The workspace's members, e-mail -> user id (users.lookupByEmail, users.info).
        self.users: dict[str, str] = {}
        self.ephemeral: list[tuple[str, str, str]] = []  # (channel, user, text): seen by that user only
        self.home: dict[str, dict[str, Any]] = {}
        self.socket_acks: list[dict[str, Any]] = []
        self._ts = itertools.count(1)
        self._sockets: list[web.WebSocketResponse] = []
        self._socket_changed = asyncio.Condition()
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_post("/hooks/{hook}", self._hook)
        app.router.add_get("/socket", self._socket)
        self.server = TestServer(app, host="127.0.0.1")

    # --- life cycle ---------------------------------------------------------------------------
    async def start(self) -> None:
        await self.server.start_server()

    async def close(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        await self.server.close()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    @property
    def api_url(self) -> str:
        return self.base + "/api/"

    def hook_url(self, name: str = "cmd") -> str:
        return f"{self.base}/hooks/{name}"

    # --- what tests look at --------------------------------------------------------------------
    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    @property
    def refused(self) -> list[Call]:
        return [c for c in self.calls if c.error]

    def in_channel(self, channel: str) -> list[Message]:
        return [m for m in self.messages if m.channel == channel]

    def message(self, channel: str, ts: str) -> Message:
        return next(m for m in self.messages if m.channel == channel and m.ts == ts)

    def transcript(self, channel: str) -> str:
        """What a person sees in a channel, top to bottom, as plain text."""
        return "\n\n".join(visible(m.blocks) or html.unescape(m.text) for m in self.in_channel(channel))

    # --- the Web API -----------------------------------------------------------------------------
    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.content_type == "application/json":
            args = await request.json()
        else:
            args = dict(await request.post())
        # slack_sdk sends some methods' arguments (conversations.open) in the query string.
        args = {**request.query, **args}
        for key in ("blocks", "view"):
            if isinstance(args.get(key), str):
                args[key] = json.loads(args[key])
        call = Call(method, args)
        self.calls.append(call)
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        wanted = "xapp-" if method == "apps.connections.open" else "xoxb-"
        if not token.startswith(wanted):
            return self._error(call, "invalid_auth")
        handler = getattr(self, "m_" + method.replace(".", "_"), None)
        if handler is None:
            return self._error(call, "unknown_method")
        return await handler(call)

    def _error(self, call: Call, error: str, **extra: Any) -> web.Response:
        call.error = error
        return web.json_response({"ok": False, "error": error, **extra})

    async def m_auth_test(self, call: Call) -> web.Response:
        return web.json_response({"ok": True, "url": "https://fake.slack.test/", "team": "Fake", "user": "canishare",
                                  "team_id": TEAM, "user_id": BOT_USER, "bot_id": BOT_ID,
                                  "is_enterprise_install": False})

    async def m_users_lookupByEmail(self, call: Call) -> web.Response:
        user = self.users.get(str(call.args.get("email") or "").lower())
        if user is None:
            return self._error(call, "users_not_found")
        return web.json_response({"ok": True, "user": {"id": user, "team_id": TEAM, "deleted": False}})

    async def m_users_info(self, call: Call) -> web.Response:
        user = str(call.args.get("user") or "")
        if user not in self.users.values() and user != BOT_USER:
            return self._error(call, "user_not_found")
        return web.json_response({"ok": True, "user": {"id": user, "team_id": TEAM, "deleted": False}})

    async def m_conversations_open(self, call: Call) -> web.Response:
        users = str(call.args.get("users") or "")
        if not users or "," in users:
            return self._error(call, "invalid_arguments")
        return web.json_response({"ok": True, "channel": {"id": dm_of(users)}})

    async def m_chat_postMessage(self, call: Call) -> web.Response:
        errors = message_errors(call.args.get("text"), call.args.get("blocks"))
        if errors or not call.args.get("channel"):
            return self._error(call, "invalid_blocks", errors=errors or ["no channel"])
        ts = f"1700000000.{next(self._ts):06d}"
        blocks = [dict(b, block_id=b.get("block_id") or uuid.uuid4().hex[:8]) for b in call.args.get("blocks") or []]
        message = Message(channel=call.args["channel"], ts=ts, text=call.args["text"], blocks=blocks,
                          thread_ts=call.args.get("thread_ts"))
        self.messages.append(message)
        return web.json_response({"ok": True, "channel": message.channel, "ts": ts, "message": message.payload()})

    async def m_chat_update(self, call: Call) -> web.Response:
        errors = message_errors(call.args.get("text"), call.args.get("blocks"))
        if errors:
            return self._error(call, "invalid_blocks", errors=errors)
        try:
            message = self.message(call.args.get("channel", ""), call.args.get("ts", ""))
        except StopIteration:
            return self._error(call, "message_not_found")
        message.versions.append(message.blocks)
        message.blocks = [dict(b, block_id=b.get("block_id") or uuid.uuid4().hex[:8]) for b in call.args["blocks"]]
        message.text = call.args["text"]
        return web.json_response({"ok": True, "channel": message.channel, "ts": message.ts})

    async def m_chat_postEphemeral(self, call: Call) -> web.Response:
        errors = message_errors(call.args.get("text"), call.args.get("blocks"))
        if errors or not call.args.get("channel") or not call.args.get("user"):
            return self._error(call, "invalid_blocks", errors=errors or ["no channel or user"])
        self.ephemeral.append((call.args["channel"], call.args["user"], call.args["text"]))
        return web.json_response({"ok": True, "message_ts": f"1700000000.{next(self._ts):06d}"})

    async def m_views_publish(self, call: Call) -> web.Response:
        view = call.args.get("view")
        errors = view_errors(view)
        if errors or not call.args.get("user_id") or (view or {}).get("type") != "home":
            return self._error(call, "invalid_arguments", errors=errors)
        self.home[call.args["user_id"]] = view
        return web.json_response({"ok": True, "view": {"id": "V" + uuid.uuid4().hex[:8], **view}})

    async def m_views_open(self, call: Call) -> web.Response:
        view = call.args.get("view")
        errors = view_errors(view)
        if errors or not call.args.get("trigger_id") or (view or {}).get("type") != "modal":
            return self._error(call, "invalid_arguments", errors=errors)
        return web.json_response({"ok": True, "view": {"id": "V" + uuid.uuid4().hex[:8], **view}})

    async def m_apps_connections_open(self, call: Call) -> web.Response:
        return web.json_response({"ok": True, "url": f"ws://127.0.0.1:{self.server.port}/socket"})

    # --- response_url hooks ----------------------------------------------------------------------
    async def _hook(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.hooks.append((request.match_info["hook"], body))
        return web.Response(text="ok")

    # --- Socket Mode -------------------------------------------------------------------------------
    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        await ws.send_json({"type": "hello", "num_connections": 1, "debug_info": {"host": "fake"}})
        async with self._socket_changed:
            self._sockets.append(ws)
            self._socket_changed.notify_all()
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                async with self._socket_changed:
                    self.socket_acks.append(json.loads(msg.data))
                    self._socket_changed.notify_all()
        async with self._socket_changed:
            self._sockets.remove(ws)
        return ws

    async def wait_socket(self, timeout: float = 10.0) -> None:
        async with self._socket_changed:
            await asyncio.wait_for(self._socket_changed.wait_for(lambda: bool(self._sockets)), timeout)

    async def socket_send(self, envelope: dict[str, Any]) -> None:
        await self._sockets[-1].send_json(envelope)

    async def wait_ack(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any]:
        def found() -> bool:
            return any(a.get("envelope_id") == envelope_id for a in self.socket_acks)

        async with self._socket_changed:
            await asyncio.wait_for(self._socket_changed.wait_for(found), timeout)
        return next(a for a in self.socket_acks if a.get("envelope_id") == envelope_id)


def visible(blocks: list[dict[str, Any]]) -> str:
    """The words a person reads in a message's blocks (entities decoded, buttons as [Label])."""
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind in ("section", "header"):
            lines.append(html.unescape(block["text"]["text"]))
        elif kind == "context":
            lines.append(" ".join(html.unescape(e.get("text", "")) for e in block["elements"]))
        elif kind == "actions":
            lines.append(" ".join(f"[{e['text']['text']}]" for e in block["elements"]))
    return "\n".join(lines)
