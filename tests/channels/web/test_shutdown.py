"""``canishare serve`` as a real process: SIGTERM lets a request in flight finish; JSON log lines."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest

from bot.testing.redis import free_port

ROOT = Path(__file__).resolve().parents[3]
START_TIMEOUT = 60.0


def _pump(stream: IO[str], into: queue.Queue[str | None]) -> None:
    for line in stream:
        into.put(line.rstrip("\n"))
    into.put(None)


def wait_for(lines: queue.Queue[str | None], seen: list[str], predicate, what: str) -> str:  # type: ignore[no-untyped-def]
    while True:
        try:
            line = lines.get(timeout=START_TIMEOUT)
        except queue.Empty:
            raise AssertionError(f"no {what} within {START_TIMEOUT} s; output so far:\n" + "\n".join(seen)) from None
        if line is None:
            raise AssertionError(f"the server ended before {what}; output:\n" + "\n".join(seen))
        seen.append(line)
        if predicate(line):
            return line


@pytest.fixture
def server() -> Iterator[tuple[subprocess.Popen[str], int, queue.Queue[str | None], queue.Queue[str | None]]]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "Microsoft", "MICROSOFT_", "CANISHARE_"))}
    env.pop("REDIS_URL", None)
    env.update({"PORT": str(port), "CANISHARE_HOST": "127.0.0.1", "CANISHARE_TEST_SLOW_ENDPOINT": "1",
                "CANISHARE_LOG_FORMAT": "json", "PYTHONWARNINGS": "ignore"})
    proc = subprocess.Popen([sys.executable, "-m", "bot.app.cli", "serve", "--no-teams"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out: queue.Queue[str | None] = queue.Queue()
    err: queue.Queue[str | None] = queue.Queue()
    assert proc.stdout and proc.stderr
    threading.Thread(target=_pump, args=(proc.stdout, out), daemon=True).start()
    threading.Thread(target=_pump, args=(proc.stderr, err), daemon=True).start()
    try:
        yield proc, port, out, err
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)


def test_sigterm_lets_the_request_in_flight_finish(server) -> None:  # type: ignore[no-untyped-def]
    proc, port, out, err = server
    seen_out: list[str] = []
    seen_err: list[str] = []
    wait_for(out, seen_out, lambda line: "serving on" in line, "start-up line")

    result: dict[str, object] = {}

    def slow_request() -> None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_test/slow?seconds=2", timeout=30) as resp:
                result["status"] = resp.status
                result["body"] = json.loads(resp.read())
        except Exception as exc:  # reported by the assertions below
            result["error"] = repr(exc)

    client = threading.Thread(target=slow_request)
    client.start()
    # The request is being handled once the server logs it (no guessing with sleeps).
    wait_for(err, seen_err, lambda line: "slow test request started" in line, "slow request")
    proc.send_signal(signal.SIGTERM)
    client.join(timeout=30)

    assert result.get("status") == 200, result
    assert result["body"] == {"slept": 2.0, "started": result["body"]["started"]}  # type: ignore[index]
    assert proc.wait(timeout=30) == 0

    # Every log line is JSON (CANISHARE_LOG_FORMAT=json); the access log has no query string.
    rest = []
    while (line := err.get(timeout=10)) is not None:
        rest.append(line)
    records = [json.loads(line) for line in seen_err + rest if line.strip()]
    access = [r for r in records if r.get("event") == "http"]
    assert any(r["path"] == "/_test/slow" and r["status"] == 200 for r in access)
    assert not any("seconds=" in r["msg"] for r in records)
