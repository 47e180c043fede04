"""Every benchmark, one table: each canishare figure beside its reference, measured in the same run.

    python -m benchmarks                 # about 2-3 minutes on 2 cores
    python -m benchmarks --quick         # smaller sizes, about a minute
    python -m benchmarks --markdown      # the table as Markdown (for benchmarks/RESULTS.md)

Needs Redis (``REDIS_URL``, default 127.0.0.1:6379; keys under fresh prefixes, deleted afterwards)
and the ``bench`` extra (botbuilder-dialogs) for the WaterfallDialog reference. Nothing leaves
loopback. Absolute times drift with the machine and its load (printed with the results); the
ratios are the point. "x" is canishare's advantage: the reference's figure over ours for times and
bytes, ours over the reference's for rates, so above 1 is better and below 1 is worse.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.metadata
import os
import platform
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_REDIS = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


@dataclass
class Row:
    figure: str
    ours: float | None
    reference: str
    theirs: float | None
    unit: str
    higher_is_better: bool = False
    note: str = ""
    bare: float | None = None  # the HTTP rows: the bare aiohttp handler, the floor of any Python bot

    def _ratio(self, other: float | None) -> float | None:
        if not self.ours or not other:
            return None
        return self.ours / other if self.higher_is_better else other / self.ours

    @property
    def advantage(self) -> float | None:
        return self._ratio(self.theirs)

    @property
    def bare_advantage(self) -> float | None:
        return self._ratio(self.bare)


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit in ("turns/s", "req/s", "bytes"):
        return f"{value:,.0f} {unit}"
    if unit == "ms" and value < 10:
        return f"{value:.2f} ms"
    if unit == "µs":
        return f"{value:,.0f} µs"
    return f"{value:,.1f} {unit}" if unit else f"{value:,.3f}"


# --- the sections ------------------------------------------------------------------------------------
async def engine_rows(conversations: int, redis_url: str) -> list[Row]:
    from benchmarks.load import percentile
    from benchmarks.turns import run_ours, run_waterfall
    from bot.core.config import OrgConfig
    from bot.core.parts import build_parts
    from bot.storage.memory import MemoryStore
    from bot.storage.redis_store import RedisStore

    parts = build_parts(OrgConfig())
    await run_ours(parts, MemoryStore(), 20)  # warm-up: imports, caches
    await run_waterfall(20)
    memory = await run_ours(parts, MemoryStore(), conversations)
    store = RedisStore.from_url(redis_url, f"bench-turns-{uuid.uuid4().hex[:8]}")
    try:
        redis = await run_ours(parts, store, conversations)
    finally:
        keys = [k async for k in store.client.scan_iter(match=f"{store.prefix}:*", count=1000)]
        if keys:
            await store.client.delete(*keys)
        await store.close()
    ref = await run_waterfall(conversations)
    name = "WaterfallDialog + MemoryStorage (TestAdapter)"
    if ref is None:
        name += ": not installed, pip install -e '.[bench]'"

    def rate(t: list[float] | None) -> float | None:
        return len(t) / sum(t) if t else None

    def pct(t: list[float] | None, p: float) -> float | None:
        return percentile(t, p) * 1e6 if t else None

    return [
        Row("engine turns/s, memory store", rate(memory), name, rate(ref), "turns/s", True),
        Row("engine turn p50, memory store", pct(memory, 50), name, pct(ref, 50), "µs"),
        Row("engine turn p99, memory store", pct(memory, 99), name, pct(ref, 99), "µs"),
        Row("engine turns/s, Redis store (loopback)", rate(redis), name, rate(ref), "turns/s", True),
        Row("engine turn p50, Redis store", pct(redis, 50), name, pct(ref, 50), "µs"),
        Row("engine turn p99, Redis store", pct(redis, 99), name, pct(ref, 99), "µs"),
    ]


async def http_rows(clients: int, seconds: float, redis_url: str) -> list[Row]:
    from benchmarks.http_paths import OPEN_RATE, measure
    from benchmarks.load import percentile

    results = {r.name.split(" (")[0]: r for r in await measure(clients, seconds, redis_url)}
    rows = []
    for edge, what, peer, peer_name in (
            ("Slack", "slash command + button clicks", "bolt peer", "minimal slack-bolt AsyncApp, dict state"),
            ("Teams", "message + Action.Submit clicks", "CloudAdapter peer", "stock botbuilder CloudAdapter bot")):
        ours, two = results[f"{edge} via canishare serve"], results[f"{edge} via canishare serve x2"]
        theirs, bare = results[f"{edge} via {peer}"], results[f"{edge} bare aiohttp handler"]
        ref = f"{peer_name}, same {clients} clients"
        note = f"{ours.errors + ours.lost} errors/lost; {ours.outcomes} walks completed; state in Redis"
        rows += [
            Row(f"{edge} {what}: requests/s, 1 process", ours.per_second, ref, theirs.per_second, "req/s", True,
                note, bare.per_second),
            Row(f"{edge} {what}: requests/s, 2 processes (--workers 2)", two.per_second, ref + " (1 process)",
                theirs.per_second, "req/s", True, f"{two.errors + two.lost} errors/lost", bare.per_second),
        ]
        if edge == "Slack":
            for kind, label in (("slack.command", "slash commands"), ("slack.click", "button clicks")):
                mine = len(ours.by_kind.get(kind, [])) / ours.seconds
                peers = len(theirs.by_kind.get(kind, [])) / theirs.seconds
                rows.append(Row(f"Slack {label} alone: requests/s, 1 process", mine, ref, peers, "req/s", True,
                                "share of the same walks", None))
        rows += [
            Row(f"{edge} ack p50 (closed loop)", percentile(ours.acks, 50) * 1e3, ref,
                percentile(theirs.acks, 50) * 1e3, "ms", bare=percentile(bare.acks, 50) * 1e3),
            Row(f"{edge} ack p99 (closed loop)", percentile(ours.acks, 99) * 1e3, ref,
                percentile(theirs.acks, 99) * 1e3, "ms", bare=percentile(bare.acks, 99) * 1e3),
        ]
        their_open = results[f"{edge} open loop via {peer}"]
        bare_open = results[f"{edge} open loop via bare aiohttp handler"]
        for label, name in (("1 process", "canishare serve"), ("2 processes", "canishare serve x2")):
            mine_open = results[f"{edge} open loop via {name}"]
            rows.append(Row(f"{edge} ack p99, open loop at {OPEN_RATE:.0f} req/s, {label}",
                            percentile(mine_open.acks, 99) * 1e3, peer_name + " (1 process)",
                            percentile(their_open.acks, 99) * 1e3, "ms",
                            note=f"{mine_open.errors} errors; timed from when each request was due",
                            bare=percentile(bare_open.acks, 99) * 1e3))
    return rows


async def state_rows(redis_url: str) -> list[Row]:
    from benchmarks.references import ANSWERS, state_bytes

    ours, theirs = await state_bytes(redis_url)
    return [Row(f"Redis bytes per live conversation ({ANSWERS} answers in)", ours,
                "WaterfallDialog's ConversationState as JSON, one key", theirs, "bytes")]


def run_module(args: list[str], timeout: float) -> str:
    done = subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} exited {done.returncode}: {done.stderr[-500:]}")
    return done.stdout


async def escalation_rows(escalations: int, redis_url: str) -> list[Row]:
    from benchmarks.load import percentile
    from benchmarks.references import stream_hop

    # One practitioner at a time: the latency of a hand-off, not the queueing of a burst.
    out = await asyncio.to_thread(run_module, ["benchmarks.escalation", "--escalations", str(escalations),
                                               "--workers", "1", "--concurrency", "1"], 300)
    found = re.search(r"card at the Slack API \(ms\): p50 ([\d.]+)\s+p90 ([\d.]+)\s+p99 ([\d.]+)", out)
    missing = re.search(r"(\d+) missing", out)
    if not found:
        raise RuntimeError(f"unexpected output from benchmarks.escalation: {out[-300:]}")
    hops = await stream_hop(redis_url, n=escalations, concurrency=1)
    ref = "XADD -> XREADGROUP (another process) -> HTTP POST"
    note = f"{missing.group(1) if missing else '?'} escalations missing"
    return [
        Row("escalation: 'Talk to someone' -> lead's card, p50", float(found.group(1)), ref,
            percentile(hops, 50) * 1e3, "ms", note=note),
        Row("escalation: 'Talk to someone' -> lead's card, p99", float(found.group(3)), ref,
            percentile(hops, 99) * 1e3, "ms"),
    ]


async def startup_rows(runs: int) -> list[Row]:
    from benchmarks.startup import measure

    times = await asyncio.to_thread(measure, runs)
    ours = times["canishare --help"] * 1e3
    return [
        Row("`canishare --help` wall time (median)", ours, "python -c 'import aiohttp'",
            times["python -c 'import aiohttp'"] * 1e3, "ms"),
        Row("`canishare --help` wall time (median)", ours, "python -c pass", times["python -c pass"] * 1e3, "ms"),
    ]


async def privacy_rows() -> list[Row]:
    out = await asyncio.to_thread(run_module, ["benchmarks.privacy"], 300)
    speeds = dict(re.findall(r"^(\S+): ([\d.]+) ms/message median CPU", out, re.M))
    coverage = re.findall(r"^(\S+): redaction coverage [^=]*= ([\d.]+)", out, re.M)
    ours = float(speeds["canishare"]) if "canishare" in speeds else None
    others = [(name, float(v)) for name, v in speeds.items() if name != "canishare"]
    ref, theirs = (others[0][0], others[0][1]) if others else ("Presidio (not installed here)", None)
    note = f"redaction coverage {coverage[-1][1]}" if coverage else ""
    return [Row("privacy guard CPU per message (median)", ours, ref, theirs, "ms", note=note)]


# --- the machine ------------------------------------------------------------------------------------------
def machine(redis_url: str) -> dict[str, str]:
    facts: dict[str, str] = {}
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        facts["CPU"] = re.search(r"model name\s*:\s*(.+)", cpuinfo).group(1).strip()  # type: ignore[union-attr]
    except (OSError, AttributeError):
        facts["CPU"] = platform.processor() or platform.machine()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    facts["cores"] = f"{usable} usable ({os.cpu_count()} online)"
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))  # type: ignore[union-attr]
        facts["memory"] = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, AttributeError):
        pass
    facts["OS"] = platform.platform()
    facts["Python"] = f"{platform.python_implementation()} {platform.python_version()}"
    try:
        import redis

        client = redis.Redis.from_url(redis_url, socket_timeout=2)
        facts["Redis"] = f"{client.info('server')['redis_version']} at {redis_url} (loopback)"
        client.close()
    except Exception as exc:  # the table still says what ran
        facts["Redis"] = f"unavailable ({type(exc).__name__})"
    versions = []
    for package in ("aiohttp", "slack_bolt", "slack_sdk", "botbuilder-core", "botbuilder-dialogs", "redis"):
        try:
            versions.append(f"{package} {importlib.metadata.version(package)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{package} (not installed)")
    facts["packages"] = ", ".join(versions)
    return facts


# --- output ----------------------------------------------------------------------------------------------
def _x(value: float | None) -> str:
    return f"{value:.2f}x" if value else "—"


def text_table(rows: list[Row]) -> str:
    lines = [f"{'figure':<60} {'canishare':>14}  {'reference':<50} {'value':>14} {'x':>7} {'bare':>14} {'x bare':>7}"]
    lines.append("-" * len(lines[0]))
    for row in rows:
        bare = fmt(row.bare, row.unit) if row.bare is not None else "—"
        lines.append(f"{row.figure[:60]:<60} {fmt(row.ours, row.unit):>14}  {row.reference[:50]:<50} "
                     f"{fmt(row.theirs, row.unit):>14} {_x(row.advantage):>7} {bare:>14} {_x(row.bare_advantage):>7}"
                     + (f"   {row.note}" if row.note else ""))
    return "\n".join(lines)


def markdown_table(rows: list[Row]) -> str:
    lines = ["| figure | canishare | reference (same run) | reference | x | bare aiohttp handler | x bare | notes |",
             "| --- | ---: | --- | ---: | ---: | ---: | ---: | --- |"]
    for row in rows:
        bare = fmt(row.bare, row.unit) if row.bare is not None else "—"
        lines.append(f"| {row.figure} | {fmt(row.ours, row.unit)} | {row.reference} | {fmt(row.theirs, row.unit)} "
                     f"| {_x(row.advantage)} | {bare} | {_x(row.bare_advantage)} | {row.note} |")
    return "\n".join(lines)


async def run_all(args: argparse.Namespace) -> tuple[list[Row], list[str]]:
    q = args.quick
    sections: list[tuple[str, Callable[[], Awaitable[list[Row]]]]] = [
        ("engine", lambda: engine_rows(100 if q else 300, args.redis_url)),
        ("http", lambda: http_rows(args.clients, 5.0 if q else args.seconds, args.redis_url)),
        ("state", lambda: state_rows(args.redis_url)),
        ("escalation", lambda: escalation_rows(50 if q else 150, args.redis_url)),
        ("startup", lambda: startup_rows(3 if q else 5)),
        ("privacy", privacy_rows),
    ]
    rows: list[Row] = []
    failed: list[str] = []
    for name, section in sections:
        if args.only and name not in args.only:
            continue
        started = time.monotonic()
        print(f"[{name}] running...", file=sys.stderr, flush=True)
        try:
            rows += await section()
        except Exception as exc:  # one broken benchmark must not hide the others' figures
            failed.append(f"{name}: {type(exc).__name__}: {exc}"[:400])
        print(f"[{name}] {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    return rows, failed


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes (about a minute)")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument("--clients", type=int, default=50, help="concurrent HTTP clients")
    parser.add_argument("--seconds", type=float, default=8.0, help="seconds of load per HTTP path")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS)
    parser.add_argument("--only", nargs="*", choices=("engine", "http", "state", "escalation", "startup", "privacy"))
    args = parser.parse_args(argv)

    facts = machine(args.redis_url)
    load_before = os.getloadavg()
    started = time.monotonic()
    rows, failed = asyncio.run(run_all(args))
    load_after = os.getloadavg()
    facts["load average"] = (f"{load_before[0]:.2f} before, {load_after[0]:.2f} after "
                             f"(1-minute; other work on the machine shifts absolute figures)")
    facts["run"] = f"{time.strftime('%Y-%m-%d %H:%M %Z')}, {time.monotonic() - started:.0f} s"
    print(markdown_table(rows) if args.markdown else text_table(rows))
    print()
    for key, value in facts.items():
        print(f"- {key}: {value}" if args.markdown else f"{key:>13}: {value}")
    if failed:
        print("\nFAILED: " + "; ".join(failed), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
