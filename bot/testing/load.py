"""The repository's fake Slack Web API and fake Bot Framework connector, extended for load.

* :class:`LoadSlack`      indexes messages by channel, wakes the person waiting on a channel, keeps
                          message metadata and answers ``conversations.history`` (what the
                          escalation worker reads), and can answer Web API calls with 429 +
                          Retry-After, 500 or a slow response (a queue of faults for the next
                          calls, or a random share of calls; a random fault is transient: the retry
                          of the same call succeeds);
* :class:`LoadConnector`  indexes activities by conversation and skips the Adaptive Card schema
                          check (tests/channels/teams checks every card; here it would cost more than the bot).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections import defaultdict, deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.testing.fake_slack import Call as SlackCall
from bot.testing.fake_slack import FakeSlack, Message
from bot.testing.teams import Call as TeamsCall
from bot.testing.teams import FakeConnector

FAULTABLE = ("chat.postMessage", "chat.update", "conversations.open")


class Waiters:
    """Per-key wake-ups: a user waits on its own channel, not on every message in the run."""

    def __init__(self) -> None:
        self._events: dict[str, asyncio.Event] = {}

    def touch(self, key: str) -> None:
        event = self._events.pop(key, None)
        if event is not None:
            event.set()

    async def wait(self, key: str, timeout: float) -> None:
        event = self._events.setdefault(key, asyncio.Event())
        try:
            await asyncio.wait_for(event.wait(), max(timeout, 0.0))
        except TimeoutError:
            pass


class LoadSlack(FakeSlack):
    def __init__(self, seed: int = 11) -> None:
        super().__init__()
        self.by_channel: dict[str, list[Message]] = defaultdict(list)
        self.by_ts: dict[tuple[str, str], Message] = {}
        self.metadata: dict[tuple[str, str], Any] = {}  # message metadata (escalation delivery keys)
        self.waiters = Waiters()
        self.faults: deque[str] = deque()  # the next faultable calls fail like this, in order
        self.fault_rate = 0.0  # and, at random, this share of the others
        self.fault_kinds: tuple[str, ...] = ("429", "500", "slow")
        self.retry_after = 1
        self.slow_seconds = 5.0
        self.injected: list[tuple[str, str, float]] = []  # (method, fault, monotonic time)
        self.served: list[tuple[str, float]] = []  # faultable calls answered normally (method, time)
        self.slow_running = 0
        self._rng = random.Random(seed)
        self._faulted: set[bytes] = set()  # random faults are transient: the retry of a faulted call succeeds

    # Look-ups by index: the base class scans every message, which a long soak would feel.
    def in_channel(self, channel: str) -> list[Message]:
        return self.by_channel.get(channel, [])

    def message(self, channel: str, ts: str) -> Message:
        try:
            return self.by_ts[(channel, ts)]
        except KeyError:
            raise StopIteration from None

    def _fault(self, method: str, body: bytes) -> str | None:
        if method not in FAULTABLE:
            return None
        if self.faults:
            return self.faults.popleft()
        call = method.encode() + b"\0" + body
        if call in self._faulted:
            self._faulted.discard(call)
            return None
        if self.fault_rate and self._rng.random() < self.fault_rate:
            self._faulted.add(call)
            return self._rng.choice(self.fault_kinds)
        return None

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        fault = self._fault(method, await request.read())  # aiohttp keeps the body for the base class
        if fault is not None:
            self.injected.append((method, fault, time.monotonic()))
            if fault == "429":
                return web.json_response({"ok": False, "error": "ratelimited"}, status=429,
                                         headers={"Retry-After": str(self.retry_after)})
            if fault == "500":
                return web.json_response({"ok": False, "error": "fatal_error"}, status=500)
            self.slow_running += 1
            try:
                await asyncio.sleep(self.slow_seconds)
            finally:
                self.slow_running -= 1
        response = await super()._api(request)
        if method in FAULTABLE:
            self.served.append((method, time.monotonic()))
        return response

    async def m_chat_postMessage(self, call: SlackCall) -> web.Response:
        before = len(self.messages)
        response = await super().m_chat_postMessage(call)
        for message in self.messages[before:]:
            self.by_channel[message.channel].append(message)
            self.by_ts[(message.channel, message.ts)] = message
            if call.args.get("metadata"):
                self.metadata[(message.channel, message.ts)] = call.args["metadata"]
            self.waiters.touch(message.channel)
        return response

    async def m_conversations_history(self, call: SlackCall) -> web.Response:
        """Newest first, with metadata: what the escalation worker reads to find a post it may have made."""
        channel = str(call.args.get("channel", ""))
        messages = [{**m.payload(), "metadata": self.metadata.get((channel, m.ts))}
                    for m in reversed(self.in_channel(channel))]
        return web.json_response({"ok": True, "messages": messages, "has_more": False})

    async def m_chat_update(self, call: SlackCall) -> web.Response:
        response = await super().m_chat_update(call)
        self.waiters.touch(str(call.args.get("channel", "")))
        return response


@dataclass
class LoadConnector(FakeConnector):
    by_conv: dict[str, list[TeamsCall]] = field(default_factory=lambda: defaultdict(list))

    async def activity(self, request: web.Request) -> web.Response:
        body = await request.json()
        aid = request.match_info.get("aid")
        kind = "update" if request.method == "PUT" else ("reply" if aid else "send")
        new = aid if kind == "update" else f"msg-{next(self._ids)}"
        call = TeamsCall(request.method, kind, request.match_info["conv"], aid, body,
                         request.headers.get("Authorization"), new or "")
        self.calls.append(call)
        self.by_conv[call.conversation].append(call)
        return web.json_response({"id": new}, status=200 if kind == "update" else 201)


async def start_connector(connector: LoadConnector) -> web.AppRunner:
    runner = web.AppRunner(connector.app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    connector.url = f"http://127.0.0.1:{port}/"
    return runner


@contextlib.asynccontextmanager
async def fakes() -> AsyncIterator[tuple[LoadSlack, LoadConnector]]:
    fake = LoadSlack()
    await fake.start()
    connector = LoadConnector()
    runner = await start_connector(connector)
    try:
        yield fake, connector
    finally:
        await runner.cleanup()
        await fake.close()
