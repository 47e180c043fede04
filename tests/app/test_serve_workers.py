"""``canishare serve --workers 2``: two processes share one port, and one conversation is served by both.

Each request goes over a new connection, so the kernel (SO_REUSEPORT) picks a process for it; the
process id in each access-log line says which one answered. The conversation is walked again until
both processes have answered its requests (each request has an even chance, so this ends quickly)
and every turn must find the state the other process wrote: state lives only in Redis.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import aiohttp
import pytest

from benchmarks.http_paths import ROOT, fakes, free_port, serve_env, wait_ready
from benchmarks.load import SLACK_PATH, SlackRequests, classify_slack
from bot.testing.fake_slack import dm_of
from bot.testing.slack import FORM

pytestmark = pytest.mark.slow
ACCESS = re.compile(r"INFO \[(\d+)\] aiohttp\.access: POST /slack/events 200")


def test_more_than_one_process_needs_redis(tmp_path: Path) -> None:
    env = serve_env("http://127.0.0.1:9/api/", "", "p")
    env.pop("REDIS_URL")
    done = subprocess.run([sys.executable, "-m", "bot.app.cli", "serve", "--workers", "2", "--dev"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "needs REDIS_URL" in done.stderr


async def test_two_processes_serve_one_conversation(tmp_path: Path) -> None:
    async with fakes() as (fake, _connector):
        port = free_port()
        env = serve_env(fake.api_url, "redis://127.0.0.1:6379/0", f"workers-{uuid.uuid4().hex[:8]}")
        log = tmp_path / "serve.log"
        with log.open("wb") as out:
            process = subprocess.Popen([sys.executable, "-m", "bot.app.cli", "serve", "--workers", "2", "--dev",
                                        "--host", "127.0.0.1", "--port", str(port)], cwd=ROOT, env=env,
                                       stdout=out, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            await wait_ready(url, process, "/healthz")
            requests = SlackRequests(fake)
            user = "U0WORKERS"
            dm = dm_of(user)
            outcomes = 0

            async def post(body: str) -> None:
                # A fresh connection per request: the kernel chooses the process each time.
                async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as session:
                    async with session.post(url + SLACK_PATH, data=body.encode(),
                                            headers=requests.signed(body, FORM)) as response:
                        assert response.status == 200

            async def turn(body: str) -> object:
                seen = len(fake.in_channel(dm))
                await post(body)
                for _ in range(400):
                    turned = classify_slack(fake.in_channel(dm)[seen:])
                    if turned is not None:
                        return turned
                    await fake.waiters.wait(dm, 0.05)
                raise AssertionError("the turn was never answered")

            def pids() -> set[str]:
                return set(ACCESS.findall(log.read_text(errors="replace")))

            for _ in range(30):  # walks; each request has an even chance of either process
                turned = await turn(requests.command_body("", user, dm))
                while turned.kind == "question":  # type: ignore[attr-defined]
                    payload = requests.click_payload(turned.question, "No", user)  # type: ignore[attr-defined]
                    turned = await turn("payload=" + quote(json.dumps(payload)))
                assert turned.kind == "outcome", turned  # type: ignore[attr-defined]
                outcomes += 1
                await asyncio.sleep(0.3)  # let the access log lines reach the file
                if len(pids()) >= 2:
                    break
            assert len(pids()) == 2, log.read_text(errors="replace")[-3000:]
            assert outcomes >= 1
        finally:
            process.terminate()
            process.wait(timeout=40)
        assert process.returncode == 0
