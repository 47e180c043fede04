"""Reference figures measured in the same run as ours, for ``python -m benchmarks``.

* :func:`state_bytes`: Redis ``MEMORY USAGE`` of one live conversation, four answers in: canishare's
  real state (the engine over :class:`bot.storage.redis_store.RedisStore`) beside the state botbuilder's
  ``WaterfallDialog`` keeps for the same point of the same six-question flowchart (its
  ``ConversationState`` serialised to JSON, as a botbuilder storage writes it, under one Redis key).
* :func:`stream_hop`: the floor under any durable hand-off to a worker: ``XADD``, a reader process
  blocked in ``XREADGROUP``, one HTTP POST to a bare aiohttp handler. Beside it, benchmarks/escalation.py
  measures ours: engine turn, durable record, outbox, ``canishare worker``, Slack Web API call.

    python -m benchmarks.references     # prints both
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_REDIS = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
ANSWERS = 4


# --- state bytes --------------------------------------------------------------------------------------
async def canishare_state_bytes(redis_url: str, answers: int = ANSWERS) -> float:
    from bot.core.config import OrgConfig
    from bot.core.engine import Engine
    from bot.core.parts import build_parts
    from bot.storage.redis_store import RedisStore
    from dialogs.messages import Question
    from dialogs.turn import Turn

    store = RedisStore.from_url(redis_url, f"bench-ref-{uuid.uuid4().hex[:8]}")
    engine = Engine(build_parts(OrgConfig()), store, "bench-ref")
    sizes = []
    try:
        for n in range(20):
            user = f"ref-{n}"
            replies = await engine.handle(Turn(channel="slack", user_id=user, action="start"))
            for _ in range(answers):
                question = next(r for r in replies if isinstance(r, Question))
                answer = "no" if question.node == "urgent" else "yes"
                replies = await engine.handle(Turn(channel="slack", user_id=user, action=answer, ref=question.ref))
            key = store.key(engine.key(Turn(channel="slack", user_id=user)))
            sizes.append(await store.client.memory_usage(key, samples=0) or 0)
    finally:
        keys = [k async for k in store.client.scan_iter(match=f"{store.prefix}:*", count=1000)]
        if keys:
            await store.client.delete(*keys)
        await store.close()
    return statistics.fmean(sizes)


async def waterfall_state_bytes(redis_url: str, answers: int = ANSWERS) -> float | None:
    """The same point of the same flowchart in botbuilder's WaterfallDialog (benchmarks/turns.py)."""
    from redis.asyncio import Redis

    from benchmarks.turns import build_waterfall

    waterfall = build_waterfall()
    if waterfall is None:
        return None
    for text in ["start"] + ["yes"] * answers:
        await waterfall.adapter.receive_activity(waterfall.activity(text, "c0", "u0"))
    (item,) = [v for k, v in waterfall.storage.memory.items() if "conversations" in k]
    # As a botbuilder storage writes it: the object graph as compact JSON, unset (None) fields left out.
    payload = json.dumps(item, default=lambda o: {k.lstrip("_"): v for k, v in vars(o).items() if v is not None},
                         separators=(",", ":"))
    client = Redis.from_url(redis_url)
    key = f"bench-ref-{uuid.uuid4().hex[:8]}:waterfall"
    try:
        await client.set(key, payload, ex=60)
        return float(await client.memory_usage(key, samples=0) or 0)
    finally:
        await client.delete(key)
        await client.aclose()


async def state_bytes(redis_url: str = DEFAULT_REDIS) -> tuple[float, float | None]:
    return await canishare_state_bytes(redis_url), await waterfall_state_bytes(redis_url)


# --- the stream hop -------------------------------------------------------------------------------------
class Arrivals:
    """A bare aiohttp handler in a thread of its own, noting when each id arrives."""

    def __init__(self) -> None:
        self.at: dict[str, float] = {}
        self.url = ""
        self.notify: Any = None  # called (in this thread) with each id as it arrives
        self.loop = asyncio.new_event_loop()
        self.runner: web.AppRunner | None = None

    def start(self) -> None:
        ready = threading.Event()

        async def serve() -> None:
            async def hit(request: web.Request) -> web.Response:
                body = await request.json()
                self.at.setdefault(body["id"], time.monotonic())
                if self.notify is not None:
                    self.notify(body["id"])
                return web.json_response({"ok": True})

            app = web.Application()
            app.router.add_post("/hit", hit)
            self.runner = web.AppRunner(app, access_log=None)
            await self.runner.setup()
            site = web.TCPSite(self.runner, "127.0.0.1", 0)
            await site.start()
            self.url = f"http://127.0.0.1:{self.runner.addresses[0][1]}/hit"

        def run() -> None:
            asyncio.set_event_loop(self.loop)
            self.loop.run_until_complete(serve())
            ready.set()
            self.loop.run_forever()

        threading.Thread(target=run, daemon=True, name="arrivals").start()
        ready.wait(10)

    def stop(self) -> None:
        if self.runner is not None:
            asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)


async def reader(spec: dict[str, Any]) -> None:
    """The worker's part: read the stream in a group, POST each entry, acknowledge it."""
    import aiohttp
    from redis.asyncio import Redis

    client = Redis.from_url(spec["redis_url"])
    stream, group = spec["stream"], "g"
    print("ready", flush=True)
    async with aiohttp.ClientSession() as session:
        while True:
            batch = await client.xreadgroup(group, "reader", {stream: ">"}, count=10, block=1000)
            entries = [entry for _, found in batch or [] for entry in found]
            if any(fields.get(b"stop") for _, fields in entries):
                await client.aclose()
                return

            async def deliver(entry_id: bytes, fields: dict[bytes, bytes]) -> None:
                async with session.post(spec["url"], json={"id": fields[b"id"].decode()}) as response:
                    await response.read()
                await client.xack(stream, group, entry_id)

            await asyncio.gather(*(deliver(entry_id, fields) for entry_id, fields in entries))


async def stream_hop(redis_url: str = DEFAULT_REDIS, n: int = 200, concurrency: int = 10) -> list[float]:
    """Seconds from XADD to the POST arriving, per entry."""
    from redis.asyncio import Redis

    arrivals = Arrivals()
    arrivals.start()
    stream = f"bench-ref-{uuid.uuid4().hex[:8]}:stream"
    client = Redis.from_url(redis_url)
    await client.xgroup_create(stream, "g", id="0", mkstream=True)
    spec = {"redis_url": redis_url, "stream": stream, "url": arrivals.url}
    proc = subprocess.Popen([sys.executable, "-m", "benchmarks.references", "--reader", json.dumps(spec)], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    started: dict[str, float] = {}
    loop = asyncio.get_running_loop()
    waiting: dict[str, asyncio.Future[None]] = {f"e{i}": loop.create_future() for i in range(n)}

    def arrived(entry: str) -> None:
        future = waiting.get(entry)
        if future is not None and not future.done():
            future.set_result(None)

    arrivals.notify = lambda entry: loop.call_soon_threadsafe(arrived, entry)
    try:
        assert proc.stdout is not None
        await asyncio.to_thread(proc.stdout.readline)
        gate = asyncio.Semaphore(concurrency)

        async def one(i: int) -> None:
            async with gate:
                entry = f"e{i}"
                started[entry] = time.monotonic()
                await client.xadd(stream, {"id": entry})
                await waiting[entry]

        await asyncio.wait_for(asyncio.gather(*(one(i) for i in range(n))), 60)
        await client.xadd(stream, {"stop": "1"})
        await asyncio.to_thread(proc.wait, 10)
    finally:
        if proc.poll() is None:
            proc.kill()
        await client.delete(stream)
        await client.aclose()
        arrivals.stop()
    return [arrivals.at[e] - t0 for e, t0 in started.items() if e in arrivals.at]


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--redis-url", default=DEFAULT_REDIS)
    parser.add_argument("--reader", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.reader:
        asyncio.run(reader(json.loads(args.reader)))
        return
    ours, theirs = asyncio.run(state_bytes(args.redis_url))
    print(f"live conversation, {ANSWERS} answers in: canishare {ours:.0f} bytes; WaterfallDialog {theirs} bytes")
    hops = sorted(asyncio.run(stream_hop(args.redis_url)))
    print(f"stream hop (XADD -> XREADGROUP in another process -> HTTP POST): p50 {hops[len(hops) // 2] * 1e3:.2f} ms"
          f"  p99 {hops[int(len(hops) * 0.99)] * 1e3:.2f} ms")


if __name__ == "__main__":
    main()
