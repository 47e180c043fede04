"""Workers killed with SIGKILL between claiming and finishing: real subprocesses, real Redis, fake Slack."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.testing.escalation import FakeSlack
from tests.core.escalation.conftest import Harness, make_config

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen[str]]]:
    procs: list[subprocess.Popen[str]] = []
    logs: list[Any] = []

    def start(spec: dict[str, Any]) -> subprocess.Popen[str]:
        log = open(tmp_path / f"worker-{spec['consumer']}.log", "w")
        logs.append(log)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        proc = subprocess.Popen([sys.executable, "-m", "tests.core.escalation.worker_proc", json.dumps(spec)], cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=log, text=True, env=env)
        procs.append(proc)
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.strip() == "ready", (tmp_path / f"worker-{spec['consumer']}.log").read_text()[-3000:]
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()
    for log in logs:
        log.close()


def spec(esc: Harness, slack: FakeSlack, consumer: str, config: Any, **extra: Any) -> dict[str, Any]:
    return {"redis_url": esc.extra["redis_url"], "prefix": esc.store.prefix, "slack_url": slack.url,
            "consumer": consumer, "config": config.model_dump(mode="json", by_alias=True), **extra}


async def wait_for(check: Callable[[], Any], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if await check():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


def kill(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL


async def test_a_killed_worker_loses_and_duplicates_nothing_across_1000_escalations(
        make_harness, slack: FakeSlack, spawn, redis_url: str) -> None:  # type: ignore[no-untyped-def]
    config = make_config()
    esc: Harness = await make_harness(config=config, clock=time.time)
    esc.extra["redis_url"] = redis_url
    ids = []
    for i in range(1000):
        await esc.raise_(user=f"U0KILL{i:05d}")
        ids.append(await esc.open_id(user=f"U0KILL{i:05d}"))
    # Worker A posts the 150th card, Slack takes it but never answers, and A is killed there:
    # between claiming the delivery and recording it, with more of its entries claimed and pending.
    slack.hang_on = 150
    slack.delay = 0.002
    a = spawn(spec(esc, slack, "A", config))

    async def hung() -> bool:
        return slack.stored >= 200

    await wait_for(hung, 60, "worker A to be mid-delivery")
    kill(a)
    pending_a = await esc.store.client.xpending_range(esc.service.backend.keys.outbox, "delivery", "-", "+", 1000, "A")
    assert pending_a, "worker A died holding claimed entries"
    spawn(spec(esc, slack, "B", config))
    spawn(spec(esc, slack, "C", config))

    async def done() -> bool:
        return (len(slack.cards(esc.dm("amy"))) >= 1000 and await esc.service.outbox.pending_count() == 0
                and await esc.service.outbox.length() == 0)

    await wait_for(done, 180, "workers B and C to finish A's work")
    keys = Counter(m["metadata"]["event_payload"]["key"] for m in slack.cards(esc.dm("amy")))
    assert max(keys.values()) == 1  # none delivered twice to the same lead for the same step
    assert set(keys) == {f"{i}:1:person:amy|slack" for i in ids}  # none lost
    assert await esc.store.client.xlen(esc.service.backend.keys.dead) == 0


async def test_a_worker_killed_after_claiming_timers_is_covered_by_another(
        make_harness, slack: FakeSlack, spawn, redis_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    config = make_config(escalation={"normal": {
        "steps": [{"notify": ["lead"], "wait_minutes": 0.02}, {"notify": ["deputy"], "wait_minutes": 60},
                  {"notify": ["fallback"], "wait_minutes": 60}], "loops": 1, "ack_idle_minutes": 60}})
    esc: Harness = await make_harness(config=config, clock=time.time)
    esc.extra["redis_url"] = redis_url
    ids = []
    for i in range(200):
        await esc.raise_(user=f"U0TIME{i:05d}")
        ids.append(await esc.open_id(user=f"U0TIME{i:05d}"))
    await esc.drain()  # the first pages go out here; only the timers are left
    marker = tmp_path / "claimed.json"
    a = spawn(spec(esc, slack, "A", config, stall_after_claim=True, marker=str(marker), lease_seconds=2))

    async def claimed() -> bool:
        return marker.exists()

    await wait_for(claimed, 30, "worker A to claim due escalations")
    stuck = json.loads(marker.read_text())
    kill(a)
    assert stuck and set(stuck) <= set(ids)
    spawn(spec(esc, slack, "B", config, lease_seconds=2))

    async def all_paged() -> bool:
        return len(slack.cards(esc.dm("dee"))) >= 200 and await esc.service.outbox.length() == 0

    await wait_for(all_paged, 90, "worker B to run every timer")
    for esc_id in ids:
        steps = [e["step"] for e in await esc.service.records.chronology(esc_id) if e["type"] == "step_started"]
        assert steps == [0, 1], (esc_id, steps)
    keys = Counter(m["metadata"]["event_payload"]["key"] for m in slack.cards(esc.dm("dee")))
    assert len(keys) == 200 and max(keys.values()) == 1
