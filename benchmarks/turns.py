"""Engine turns/s and per-turn latency, beside botbuilder's WaterfallDialog in the same run.

    python -m benchmarks.turns [--conversations 300] [--store memory|redis|both]

Each simulated conversation starts the flowchart and answers every question until an outcome
(the current edition: up to seven questions), so every turn does real work: guard, urgency check,
load, route, save. The reference is the same six-question flowchart built the way a Teams developer
would otherwise build it: botbuilder-dialogs ``WaterfallDialog`` with ``TextPrompt``s over
``MemoryStorage`` and ``TestAdapter`` (the botbuilder-dialogs package is a benchmark-only
dependency: ``pip install -e ".[bench]"``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.core.config import OrgConfig
from bot.core.engine import Engine
from bot.core.parts import Parts, build_parts
from bot.core.store import Store
from bot.storage.memory import MemoryStore
from dialogs.messages import Question
from dialogs.turn import Turn


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


async def run_ours(parts: Parts, store: Store, conversations: int, seed: int = 7) -> list[float]:
    engine = Engine(parts, store, "bench-key")
    rng = random.Random(seed)
    timings: list[float] = []
    for n in range(conversations):
        user = f"bench-{n}"
        t0 = time.perf_counter()
        replies = await engine.handle(Turn(channel="terminal", user_id=user, action="start"))
        timings.append(time.perf_counter() - t0)
        while True:
            questions = [r for r in replies if isinstance(r, Question)]
            if not questions:
                break
            # Mostly "no" to the triage so most walks go the full length.
            answer = "no" if questions[-1].node == "urgent" else rng.choice(("yes", "no", "no"))
            t0 = time.perf_counter()
            replies = await engine.handle(Turn(channel="terminal", user_id=user, action=answer, ref=questions[-1].ref))
            timings.append(time.perf_counter() - t0)
    return timings


@dataclass
class Waterfall:
    """The reference stack: botbuilder-dialogs WaterfallDialog over MemoryStorage and TestAdapter."""

    adapter: Any
    storage: Any
    activity: Callable[[str, str, str], Any]  # (text, conversation id, user id) -> Activity


def build_waterfall() -> Waterfall | None:
    """The same six-question flowchart built the way a Teams developer otherwise would; None without
    botbuilder-dialogs. A "no" to identifiable or confidential ends it, as in the real chart."""
    try:
        from botbuilder.core import ConversationState, MemoryStorage, TurnContext
        from botbuilder.core.adapters import TestAdapter
        from botbuilder.dialogs import DialogSet, DialogTurnStatus, WaterfallDialog, WaterfallStepContext
        from botbuilder.dialogs.prompts import PromptOptions, TextPrompt
        from botbuilder.schema import Activity, ActivityTypes, ChannelAccount, ConversationAccount
    except ImportError:
        return None

    storage = MemoryStorage()
    convo_state = ConversationState(storage)
    dialogs = DialogSet(convo_state.create_property("DialogState"))
    # TextPrompt, not ConfirmPrompt: ConfirmPrompt's recognisers cost ~5x more and would flatter us.
    dialogs.add(TextPrompt("confirm"))

    def ask(index: int):  # type: ignore[no-untyped-def]
        async def step(ctx: WaterfallStepContext):  # type: ignore[no-untyped-def]
            if index in (1, 2) and ctx.result == "no":
                return await ctx.end_dialog("share")
            return await ctx.prompt("confirm", PromptOptions(prompt=Activity(type="message", text=QUESTIONS[index])))
        return step

    async def finish(ctx: WaterfallStepContext):  # type: ignore[no-untyped-def]
        return await ctx.end_dialog("share" if ctx.result == "yes" else "do_not_share")

    dialogs.add(WaterfallDialog("flow", [ask(i) for i in range(len(QUESTIONS))] + [finish]))

    async def logic(context: TurnContext) -> None:
        dc = await dialogs.create_context(context)
        result = await dc.continue_dialog()
        if result.status == DialogTurnStatus.Empty:
            await dc.begin_dialog("flow")
        await convo_state.save_changes(context)

    def activity(text: str, conversation: str, user: str) -> Any:
        return Activity(type=ActivityTypes.message, text=text, conversation=ConversationAccount(id=conversation),
                        from_property=ChannelAccount(id=user), recipient=ChannelAccount(id="bot"),
                        channel_id="test", id=str(uuid.uuid4()))

    return Waterfall(adapter=TestAdapter(logic), storage=storage, activity=activity)


QUESTIONS = ["purpose?", "identifiable?", "confidential?", "consent?", "statutory duty?", "public interest?"]


async def run_waterfall(conversations: int, seed: int = 7) -> list[float] | None:
    waterfall = build_waterfall()
    if waterfall is None:
        return None
    rng = random.Random(seed)
    timings: list[float] = []
    for n in range(conversations):
        texts = ["start"] + [rng.choice(("yes", "no", "no")) for _ in QUESTIONS]
        for text in texts:
            activity = waterfall.activity(text, f"c{n}", f"u{n}")
            t0 = time.perf_counter()
            await waterfall.adapter.receive_activity(activity)
            timings.append(time.perf_counter() - t0)
        waterfall.adapter.activity_buffer.clear()
    return timings


def row(name: str, timings: list[float]) -> str:
    per_s = len(timings) / sum(timings)
    return (f"{name:<44} {len(timings):>7} {per_s:>10,.0f} {percentile(timings, 50) * 1e3:>9.3f}"
            f" {percentile(timings, 99) * 1e3:>9.3f}")


async def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=300)
    parser.add_argument("--store", choices=("memory", "redis", "both"), default="memory")
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    args = parser.parse_args(argv)

    parts = build_parts(OrgConfig())
    await run_ours(parts, MemoryStore(), 20)  # warm-up: imports, caches
    print(f"{'engine':<44} {'turns':>7} {'turns/s':>10} {'p50 ms':>9} {'p99 ms':>9}")
    results: dict[str, list[float]] = {}
    results["canishare, memory store"] = await run_ours(parts, MemoryStore(), args.conversations)
    print(row("canishare, memory store", results["canishare, memory store"]))
    if args.store in ("redis", "both"):
        from benchmarks.redis_memory import live_conversation_bytes
        from bot.storage.redis_store import RedisStore

        prefix = f"bench-{uuid.uuid4().hex[:8]}"
        store = RedisStore.from_url(args.redis_url, prefix)
        try:
            results["canishare, Redis store (loopback)"] = await run_ours(parts, store, args.conversations)
            print(row("canishare, Redis store (loopback)", results["canishare, Redis store (loopback)"]))
            size = await live_conversation_bytes(store)
        finally:
            keys = [k async for k in store.client.scan_iter(match=f"{prefix}:*", count=1000)]
            if keys:
                await store.client.delete(*keys)
            await store.close()
    reference = await run_waterfall(args.conversations)
    if reference is None:
        print("botbuilder-dialogs WaterfallDialog: not installed (pip install -e '.[bench]')")
    else:
        print(row("botbuilder WaterfallDialog + MemoryStorage", reference))
        ours = len(results["canishare, memory store"]) / sum(results["canishare, memory store"])
        ref = len(reference) / sum(reference)
        print(f"\nratio (canishare memory / WaterfallDialog), turns/s: {ours / ref:.1f}x")
        print(f"median per turn: canishare {statistics.median(results['canishare, memory store']) * 1e6:.0f} µs, "
              f"WaterfallDialog {statistics.median(reference) * 1e6:.0f} µs")
    if args.store in ("redis", "both"):
        print(f"Redis MEMORY USAGE per live conversation: {size:.0f} bytes")


if __name__ == "__main__":
    asyncio.run(main())
