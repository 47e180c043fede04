"""The Slack and Teams HTTP paths through a real ``canishare serve``, beside a bare aiohttp handler.

    python -m benchmarks.http_paths [--clients 50] [--seconds 10] [--redis-url redis://127.0.0.1:6379/0]

``canishare serve --dev`` runs in its own process on 127.0.0.1 with the real Redis (a fresh key
prefix, deleted afterwards), talking to the repository's fake Slack Web API and fake Bot Framework
connector, which run in this process with the simulated people (:mod:`benchmarks.load`). Each
person walks the flowchart: a signed ``/canishare`` slash command, then a signed button click per
question, waiting for the bot's answer before clicking again; in Teams a typed "start", then one
``Action.Submit`` per question. So requests/s is the rate of turns the server sustains with every
turn doing its real work (signature, engine, Redis, Web API calls), and the ack latency is what
Slack's 3 s deadline sees.

The reference is a bare aiohttp handler in its own process (read the body, answer 200 or 201),
loaded by the same number of clients posting the same bodies: the floor any Python bot on this
machine starts from.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from aiohttp import web

from benchmarks.load import SLACK_PATH, TEAMS_PATH, Tally, client_session, crowd, percentile
from bot.testing.load import LoadConnector, LoadSlack, fakes
from bot.testing.slack import FORM, SECRET

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_REDIS = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- the servers -----------------------------------------------------------------------------------
@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:]) if self.log.exists() else ""


def serve_env(slack_api_url: str, redis_url: str, prefix: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "Microsoft", "MICROSOFT_"))}
    env.update({
        "SLACK_BOT_TOKEN": "xoxb-bench-token", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": slack_api_url,
        "REDIS_URL": redis_url, "CANISHARE_KEY_PREFIX": prefix, "CANISHARE_HASH_KEY": "bench-" + secrets.token_hex(8),
        "PYTHONUNBUFFERED": "1",
    })
    env.update(extra)
    return env


async def wait_ready(url: str, process: subprocess.Popen[bytes], path: str, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"server exited with status {process.returncode}")
            with contextlib.suppress(aiohttp.ClientError, OSError):
                async with session.get(url + path, timeout=aiohttp.ClientTimeout(total=2)) as response:
                    if response.status < 500:
                        return
            await asyncio.sleep(0.2)
    raise RuntimeError(f"server at {url} not ready within {timeout:.0f} s")


async def start_canishare(env: dict[str, str], log_dir: Path, name: str = "serve", workers: int = 1) -> Server:
    """``canishare serve --dev`` on a free loopback port (``workers`` processes sharing it)."""
    port = free_port()
    log = log_dir / f"{name}-{port}.log"
    command = [sys.executable, "-m", "bot.app.cli", "serve", "--host", "127.0.0.1", "--port", str(port), "--dev",
               "--workers", str(workers)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = Server(process, f"http://127.0.0.1:{port}", log)
    try:
        await wait_ready(server.url, process, "/healthz")
    except RuntimeError as exc:
        server.stop()
        raise RuntimeError(f"{exc}\n{server.tail()}") from None
    return server


async def start_peers(log_dir: Path, slack_api_url: str) -> Server:
    """The framework peers (benchmarks/peers.py): a minimal bolt app and a stock CloudAdapter bot."""
    port = free_port()
    log = log_dir / f"peers-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "benchmarks.peers", "--port", str(port),
                                    "--slack-api-url", slack_api_url], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    server = Server(process, f"http://127.0.0.1:{port}", log)
    await wait_ready(server.url, process, "/healthz")
    return server


async def start_bare(log_dir: Path) -> Server:
    port = free_port()
    log = log_dir / f"bare-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "benchmarks.http_paths", "--bare", str(port)],
                                   cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    server = Server(process, f"http://127.0.0.1:{port}", log)
    await wait_ready(server.url, process, "/healthz")
    return server


def bare_app() -> web.Application:
    """The reference: what any aiohttp bot does before its own work (read the body, answer)."""

    async def slack(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(status=200)

    async def teams(request: web.Request) -> web.Response:
        await request.json()
        return web.Response(status=201)

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post(SLACK_PATH, slack)
    app.router.add_post(TEAMS_PATH, teams)
    app.router.add_get("/healthz", healthz)
    return app


# --- the load ----------------------------------------------------------------------------------------
@dataclass
class PathResult:
    name: str
    requests: int
    seconds: float
    acks: list[float]
    answers: list[float]
    errors: int
    lost: int
    outcomes: int = 0
    by_kind: dict[str, list[float]] = field(default_factory=dict)  # ack seconds per request kind

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def row(self) -> str:
        return (f"{self.name:<48} {self.requests:>7} {self.per_second:>8.0f} {percentile(self.acks, 50) * 1e3:>8.1f}"
                f" {percentile(self.acks, 99) * 1e3:>8.1f} {self.errors + self.lost:>6}")


def result_of(name: str, tally: Tally, seconds: float) -> PathResult:
    return PathResult(name, tally.requests, seconds, tally.all_acks(), tally.answers, len(tally.errors), tally.lost,
                      tally.outcomes, {k: list(v) for k, v in tally.acks.items()})


async def drive(base_url: str, clients: int, seconds: float, *, slack: bool, fake: LoadSlack,
                connector: LoadConnector) -> tuple[Tally, float]:
    async with client_session() as session:
        people = crowd(session, base_url, slack=clients if slack else 0, teams=0 if slack else clients,
                       fake=fake, connector=connector)
        started = time.monotonic()
        await people.run(seconds)
        elapsed = time.monotonic() - started
    return (people.slack_tally if slack else people.teams_tally), elapsed


async def hammer(url: str, bodies: list[tuple[bytes, dict[str, str]]], clients: int, seconds: float) -> Tally:
    """Closed-loop clients posting prepared requests as fast as they are answered."""
    tally = Tally()
    deadline = time.monotonic() + seconds

    async def client(n: int, session: aiohttp.ClientSession) -> None:
        i = n
        while time.monotonic() < deadline:
            body, headers = bodies[i % len(bodies)]
            i += 1
            started = time.perf_counter()
            async with session.post(url, data=body, headers=headers) as response:
                await response.read()
            tally.ack("bare", time.perf_counter() - started, response.status, (200, 201))

    async with client_session() as session:
        await asyncio.gather(*(client(n, session) for n in range(clients)))
    return tally


async def open_loop(base_url: str, *, slack: bool, rate: float, seconds: float, fake: LoadSlack,
                    connector: LoadConnector, users: int = 100, bare: bool = False) -> Tally:
    """Requests at a fixed offered rate, whatever the answers (no coordinated omission): each
    latency runs from the moment the request was due, so a server falling behind shows it. Each
    arrival is the next person's next step: a click on their newest question, or a new walk."""
    from urllib.parse import quote

    from benchmarks.load import SlackRequests, has_button
    from bot.testing.fake_slack import dm_of
    from bot.testing.teams import TENANT, personal_message, submit_data

    tally = Tally()
    run = secrets.token_hex(3)
    requests = SlackRequests(fake)
    prepared = slack_bodies(fake) if (bare and slack) else teams_bodies(connector) if bare else []

    def slack_request(i: int) -> tuple[str, bytes, dict[str, str]]:
        user = f"UOL{run}{i % users:05d}".upper()
        dm = dm_of(user)
        question = next((m for m in reversed(fake.in_channel(dm)[-3:]) if has_button(m, "No")), None)
        if question is None or i < users:
            return "slack.command", requests.command_body("", user, dm).encode(), {}
        body = "payload=" + quote(json.dumps(requests.click_payload(question, "No", user)))
        return "slack.click", body.encode(), {}

    def teams_request(i: int) -> tuple[str, bytes, dict[str, str]]:
        n = i % users
        conversation = {"conversationType": "personal", "tenantId": TENANT, "id": f"a:ol-{run}-{n}"}
        sender = {"id": f"29:ol-{run}-{n}", "name": "Bench", "aadObjectId": f"00000000-0000-4000-8000-{n:012d}"}
        calls = [c for c in connector.by_conv[conversation["id"]] if c.kind in ("send", "reply") and c.cards()]
        last = calls[-1] if calls else None
        if last is not None and last.kind_of_card == "question" and i >= users:
            activity = personal_message(connector.url, conversation=conversation, **{"from": sender},
                                        value=submit_data(last.card, "no"), reply_to=last.new_id)
            return "teams.click", json.dumps(activity).encode(), {"Content-Type": "application/json"}
        activity = personal_message(connector.url, conversation=conversation, **{"from": sender}, text="start")
        return "teams.message", json.dumps(activity).encode(), {"Content-Type": "application/json"}

    async def one(i: int, due: float, session: aiohttp.ClientSession) -> None:
        if bare:
            kind, (body, headers) = "bare", prepared[i % len(prepared)]
        else:
            kind, body, headers = slack_request(i) if slack else teams_request(i)
            if slack:
                headers = requests.signed(body.decode(), FORM)
        path = SLACK_PATH if slack else TEAMS_PATH
        try:
            async with session.post(base_url + path, data=body, headers=headers) as response:
                await response.read()
            tally.ack(kind, time.perf_counter() - due, response.status, (200, 201))
        except (aiohttp.ClientError, OSError) as exc:
            tally.errors.append(type(exc).__name__)

    async with client_session() as session:
        tasks = []
        start = time.perf_counter()
        for i in range(int(rate * seconds)):
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.ensure_future(one(i, due, session)))
        await asyncio.gather(*tasks)
    return tally


def slack_bodies(fake: LoadSlack) -> list[tuple[bytes, dict[str, str]]]:
    """A slash command and a button click as the load sent them (re-signed now, as Slack would)."""
    from benchmarks.load import SlackRequests

    requests = SlackRequests(fake)
    question = next((m for m in reversed(fake.messages) if any(b["type"] == "actions" for b in m.blocks)), None)
    bodies = [requests.command_body("", "U0BARE", "DU0BARE")]
    if question is not None:
        from urllib.parse import quote

        label = next(e["text"]["text"] for b in question.blocks if b["type"] == "actions" for e in b["elements"])
        bodies.append("payload=" + quote(json.dumps(requests.click_payload(question, label, "U0BARE"))))
    return [(b.encode(), requests.signed(b, FORM)) for b in bodies]


def teams_bodies(connector: LoadConnector) -> list[tuple[bytes, dict[str, str]]]:
    from bot.testing.teams import personal_message

    body = json.dumps(personal_message(connector.url or "http://127.0.0.1:9/", text="start")).encode()
    return [(body, {"Content-Type": "application/json"})]


async def delete_prefix(redis_url: str, prefix: str) -> None:
    from redis.asyncio import Redis

    client = Redis.from_url(redis_url)
    try:
        keys = [k async for k in client.scan_iter(match=f"{prefix}:*", count=1000)]
        for start in range(0, len(keys), 500):
            await client.delete(*keys[start:start + 500])
    finally:
        await client.aclose()


OPEN_RATE = 100.0  # requests/s offered in the open-loop runs


async def measure(clients: int = 50, seconds: float = 10.0, redis_url: str = DEFAULT_REDIS,
                  open_seconds: float = 6.0) -> list[PathResult]:
    """Closed loop (``clients`` people) and open loop (:data:`OPEN_RATE`) against canishare (one and two
    processes), the framework peers and the bare handler, one after the other, same fakes."""
    results: list[PathResult] = []
    with tempfile.TemporaryDirectory(prefix="canishare-bench-") as tmp:
        async with fakes() as (fake, connector):
            for workers in (1, 2):
                prefix = f"bench-http-{uuid.uuid4().hex[:8]}"
                server = await start_canishare(serve_env(fake.api_url, redis_url, prefix), Path(tmp),
                                               workers=workers)
                label = "canishare serve" + (f" x{workers}" if workers > 1 else "")
                try:
                    for edge, slack in (("Slack", True), ("Teams", False)):
                        tally, elapsed = await drive(server.url, clients, seconds, slack=slack, fake=fake,
                                                     connector=connector)
                        results.append(result_of(f"{edge} via {label} ({clients} clients)", tally, elapsed))
                        tally = await open_loop(server.url, slack=slack, rate=OPEN_RATE, seconds=open_seconds,
                                                fake=fake, connector=connector)
                        results.append(result_of(f"{edge} open loop via {label}", tally, open_seconds))
                finally:
                    server.stop()
                    await delete_prefix(redis_url, prefix)
            peers = await start_peers(Path(tmp), fake.api_url)
            try:
                for edge, slack, name in (("Slack", True, "bolt peer"), ("Teams", False, "CloudAdapter peer")):
                    tally, elapsed = await drive(peers.url, clients, seconds, slack=slack, fake=fake,
                                                 connector=connector)
                    results.append(result_of(f"{edge} via {name} ({clients} clients)", tally, elapsed))
                    tally = await open_loop(peers.url, slack=slack, rate=OPEN_RATE, seconds=open_seconds,
                                            fake=fake, connector=connector)
                    results.append(result_of(f"{edge} open loop via {name}", tally, open_seconds))
            finally:
                peers.stop()
            bare = await start_bare(Path(tmp))
            try:
                for name, path, bodies, slack in (("Slack", SLACK_PATH, slack_bodies(fake), True),
                                                  ("Teams", TEAMS_PATH, teams_bodies(connector), False)):
                    started = time.monotonic()
                    tally = await hammer(bare.url + path, bodies, clients, seconds)
                    results.append(result_of(f"{name} bare aiohttp handler ({clients} clients)", tally,
                                             time.monotonic() - started))
                    tally = await open_loop(bare.url, slack=slack, rate=OPEN_RATE, seconds=open_seconds, fake=fake,
                                            connector=connector, bare=True)
                    results.append(result_of(f"{name} open loop via bare aiohttp handler", tally, open_seconds))
            finally:
                bare.stop()
    return results


HEADER = f"{'path':<48} {'reqs':>7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS)
    parser.add_argument("--bare", type=int, metavar="PORT", help=argparse.SUPPRESS)  # the reference server
    args = parser.parse_args(argv)
    if args.bare:
        web.run_app(bare_app(), host="127.0.0.1", port=args.bare, access_log=None, print=None)
        return
    results = asyncio.run(measure(args.clients, args.seconds, args.redis_url))
    print(HEADER)
    for result in results:
        print(result.row())
    by = {r.name.split(" (")[0]: r for r in results}
    for edge, peer in (("Slack", "bolt peer"), ("Teams", "CloudAdapter peer")):
        ours, theirs = by[f"{edge} via canishare serve"], by[f"{edge} via {peer}"]
        bare = by[f"{edge} bare aiohttp handler"]
        print(f"{edge}: {ours.per_second / theirs.per_second:.2f}x the {peer}'s requests/s, "
              f"{ours.per_second / bare.per_second:.2f}x the bare handler's; "
              f"p99 answer {percentile(ours.answers, 99) * 1e3:.0f} ms; outcomes {ours.outcomes}")


if __name__ == "__main__":
    main()
