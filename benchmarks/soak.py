"""Soak: 200 people at once through the Slack and Teams edges, with Redis and the worker killed mid-load.

    python -m benchmarks.soak                      # 60 s, 100 Slack + 100 Teams, all the chaos
    python -m benchmarks.soak --seconds 20 --slack 50 --teams 50 --no-chaos

Everything runs on this machine and nothing leaves loopback:

* a redis-server of its own (append-only file on, as a production Redis keeps its data);
* ``canishare serve --dev`` and ``canishare worker --dev`` as real processes, configured by
  environment and a rota YAML like any deployment;
* the fake Slack Web API and the fake Bot Framework connector (benchmarks/load.py), in this process,
  with a share of Web API calls answered 429 (Retry-After), 500 or slowly (``--slow-seconds``);
* the simulated practitioners: each walks the flowchart again and again, reading each question for
  a moment (``--think``, mean 3 s; ``--think 0 --ramp 0`` is the stress test: everyone arrives in
  the same instant and clicks the moment each answer lands),
  some end with "Not sure" then "Talk to someone", which raises an escalation for the worker to
  deliver to the on-duty lead, who acknowledges it at the end.

Chaos, unless ``--no-chaos``: at 30 % of the run Redis is SIGKILLed and started again
``--redis-down`` seconds later; at 60 % the worker is SIGKILLed and started again 2 s later.

At the end it waits for the worker to deliver every escalation the practitioners were told about,
then prints a summary and exits non-zero on any error, any lost turn, any 5xx, any Slack ack later
than Slack's 3 s deadline, or any escalation not delivered.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import yaml

from benchmarks.http_paths import ROOT, Server, serve_env, start_canishare, wait_ready
from benchmarks.load import SLACK_PATH, SlackRequests, Tally, client_session, crowd, percentile
from bot.core.escalation.core import reference
from bot.core.escalation.handle import ENV_KEY
from bot.testing.fake_slack import Message, dm_of
from bot.testing.load import LoadConnector, LoadSlack, fakes
from bot.testing.redis import PrivateRedis
from bot.testing.slack import FORM

SLACK_DEADLINE = 3.0
LEAD = "U0SOAKLEAD"
DEPUTY = "U0SOAKDEPUTY"
ROTA = {
    "rota": {
        "people": [
            {"id": "lead", "name": "Soak Lead", "role": "safeguarding_lead", "slack_user_id": LEAD},
            {"id": "deputy", "name": "Soak Deputy", "role": "deputy", "slack_user_id": DEPUTY},
        ],
        "layers": [{"slot": "lead", "people": ["lead"], "start": "2020-01-06"},
                   {"slot": "deputy", "people": ["deputy"], "start": "2020-01-06"}],
        "fallback": {"people": ["deputy"]},
    },
    "escalation": {"rate_limit_count": 100},
}


@dataclass
class Chaos:
    events: list[str] = field(default_factory=list)
    start: float = field(default_factory=time.monotonic)

    def note(self, what: str) -> None:
        self.events.append(f"{time.monotonic() - self.start:5.1f} s  {what}")


def start_worker(env: dict[str, str], log_dir: Path, n: int) -> subprocess.Popen[bytes]:
    log = (log_dir / f"worker-{n}.log").open("wb")
    return subprocess.Popen([sys.executable, "-m", "bot.app.cli", "worker", "--dev"], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT)


def stop_workers(workers: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM each worker (it finishes its in-flight jobs), then SIGKILL any still running after 15 s."""
    for worker in workers:
        if worker.poll() is None:
            worker.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                worker.wait(timeout=15)
        if worker.poll() is None:
            worker.kill()


def delivered(fake: LoadSlack) -> set[str]:
    """References of the escalations whose card reached a lead's DM."""
    found = set()
    for (channel, _), meta in list(fake.metadata.items()):
        if channel in (LEAD, DEPUTY, dm_of(LEAD), dm_of(DEPUTY)) and isinstance(meta, dict):
            key = str((meta.get("event_payload") or {}).get("key", ""))
            if key:
                found.add(reference(key.split(":", 1)[0]))
    return found


def lead_cards(fake: LoadSlack) -> dict[str, Message]:
    """The newest card of each escalation in the leads' DMs, by reference."""
    cards: dict[str, Message] = {}
    for (channel, ts), meta in list(fake.metadata.items()):
        key = str(((meta or {}).get("event_payload") or {}).get("key", "")) if isinstance(meta, dict) else ""
        if key and channel in (LEAD, DEPUTY, dm_of(LEAD), dm_of(DEPUTY)):
            message = fake.by_ts[(channel, ts)]
            if any(b["type"] == "actions" for b in message.blocks):
                cards[reference(key.split(":", 1)[0])] = message
    return cards


async def acknowledge_all(server_url: str, fake: LoadSlack, connector: LoadConnector, refs: set[str],
                          wait: float) -> set[str]:
    """The lead presses Acknowledge on every card (a signed click, as Slack sends it); returns the
    references whose practitioner was never told that someone picked it up."""
    requests = SlackRequests(fake)
    cards = lead_cards(fake)
    async with client_session() as session:
        for ref in sorted(refs):
            card = cards.get(ref)
            if card is None:
                continue
            lead = LEAD if card.channel in (LEAD, dm_of(LEAD)) else DEPUTY
            body = "payload=" + quote(json.dumps(requests.click_payload(card, "Acknowledge", lead)))
            async with session.post(server_url + SLACK_PATH, data=body.encode(),
                                    headers=requests.signed(body, FORM)) as response:
                await response.read()

    def told() -> set[str]:
        said = " ".join(m.text for m in fake.messages) + json.dumps([c.body for c in connector.calls])
        return {ref for ref in refs if f"picked up your request {ref}" in said}

    deadline = time.monotonic() + wait
    while told() != refs and time.monotonic() < deadline:
        await asyncio.sleep(0.25)
    return refs - told()


def summary(name: str, tally: Tally, seconds: float, start: float) -> list[str]:
    acks = tally.all_acks()
    slowest = sorted(tally.timeline, key=lambda t: -t[1])[:3]
    lines = [
        f"{name}: {tally.requests} requests in {seconds:.0f} s ({tally.requests / seconds:.0f}/s); "
        f"{tally.outcomes} walks reached an outcome; {tally.restarts} started again; "
        f"{tally.degraded} turns answered 'storage unavailable'",
        f"  ack ms  p50 {percentile(acks, 50) * 1e3:.0f}  p99 {percentile(acks, 99) * 1e3:.0f}  "
        f"max {max(acks, default=0) * 1e3:.0f}   answer ms  p50 {percentile(tally.answers, 50) * 1e3:.0f}  "
        f"p99 {percentile(tally.answers, 99) * 1e3:.0f}",
        f"  statuses {dict(sorted(tally.statuses.items()))}; lost {tally.lost}; errors {len(tally.errors)}",
        "  slowest acks: " + ", ".join(f"{s * 1e3:.0f} ms at {at - start:.1f} s" for at, s in slowest),
    ]
    for error in sorted(set(tally.errors))[:10]:
        lines.append(f"    {tally.errors.count(error)} x {error}")
    return lines


async def soak(args: argparse.Namespace) -> int:
    chaos = Chaos()
    work = Path(tempfile.mkdtemp(prefix="canishare-soak-"))  # kept, with the process logs, when the soak fails
    config = work / "org.yaml"
    config.write_text(yaml.safe_dump(ROTA))
    redis = PrivateRedis(work / "redis", appendonly=True)
    redis.start()
    prefix = f"soak-{uuid.uuid4().hex[:6]}"
    workers: list[subprocess.Popen[bytes]] = []
    server: Server | None = None
    try:
        async with fakes() as (fake, connector):
            fake.fault_rate = args.fault_rate
            fake.slow_seconds = args.slow_seconds
            env = serve_env(fake.api_url, redis.url, prefix, CANISHARE_CONFIG=str(config),
                            **{ENV_KEY: "soak-" + uuid.uuid4().hex})
            server = await start_canishare(env, work)
            workers.append(start_worker(env, work, 0))
            chaos.note(f"serving at {server.url}; worker started; Redis {redis.url}")

            async def inflict() -> None:
                if args.no_chaos:
                    return
                await asyncio.sleep(args.seconds * 0.3)
                await asyncio.to_thread(redis.stop)
                chaos.note("Redis SIGKILLed")
                await asyncio.sleep(args.redis_down)
                await asyncio.to_thread(redis.start)
                chaos.note("Redis started again")
                await asyncio.sleep(max(0.0, args.seconds * 0.3 - args.redis_down))
                workers[-1].send_signal(signal.SIGKILL)
                workers[-1].wait()
                chaos.note("worker SIGKILLed")
                await asyncio.sleep(2.0)
                workers.append(start_worker(env, work, len(workers)))
                chaos.note("worker started again")

            async with client_session() as session:
                people = crowd(session, server.url, slack=args.slack, teams=args.teams, fake=fake,
                               connector=connector, talk_share=args.talk_share, recover_for=60.0,
                               think=args.think, ramp=args.ramp)
                started = time.monotonic()
                await asyncio.gather(people.run(args.seconds), inflict())
                elapsed = time.monotonic() - started
            chaos.note("load finished")

            told = people.slack_tally.references | people.teams_tally.references
            deadline = time.monotonic() + args.delivery_wait
            while not told <= delivered(fake) and time.monotonic() < deadline:
                await asyncio.sleep(0.25)
            missing = told - delivered(fake)
            chaos.note(f"escalations: {len(told)} raised, {len(told) - len(missing)} delivered to a lead")
            unacked = await acknowledge_all(server.url, fake, connector, told - missing, args.delivery_wait)
            chaos.note(f"escalations: lead acknowledged {len(told - missing)}; "
                       f"{len(told - missing) - len(unacked)} practitioners told it was picked up")
            await wait_ready(server.url, server.process, "/healthz", timeout=5)
    finally:
        if server is not None:
            server.stop()
        stop_workers(workers)
        redis.stop()

    late = [s for s in people.slack_tally.all_acks() if s > SLACK_DEADLINE]
    print("\n".join(chaos.events))
    print()
    for line in (summary("Slack", people.slack_tally, elapsed, chaos.start)
                 + summary("Teams", people.teams_tally, elapsed, chaos.start)):
        print(line)
    injected = [kind for _, kind, _ in fake.injected]
    print(f"Slack Web API faults injected: {len(injected)} "
          f"({', '.join(f'{k} x{injected.count(k)}' for k in sorted(set(injected)))}); "
          f"Slack acks over {SLACK_DEADLINE:.0f} s: {len(late)}")
    print(f"escalations: {len(told)} raised, {len(told) - len(missing)} delivered, {len(missing)} missing; "
          f"{len(told - missing) - len(unacked)} acknowledged and the practitioner told")
    failures = []
    for name, tally in (("slack", people.slack_tally), ("teams", people.teams_tally)):
        if tally.errors or tally.lost:
            failures.append(f"{name}: {len(tally.errors)} errors, {tally.lost} lost turns")
        if any(int(s.split()[-1]) >= 500 for s in tally.statuses):
            failures.append(f"{name}: 5xx answers")
    if late:
        failures.append(f"{len(late)} Slack acks later than {SLACK_DEADLINE:.0f} s")
    if missing:
        failures.append(f"{len(missing)} escalations not delivered")
    if unacked:
        failures.append(f"{len(unacked)} practitioners never told their escalation was picked up")
    if server is not None and "Traceback" in server.log.read_text(errors="replace") and args.strict_logs:
        failures.append(f"a traceback in the server log ({server.log})")
    print("PASS" if not failures else "FAIL: " + "; ".join(failures) + f" (logs in {work})")
    if not failures:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--slack", type=int, default=100, help="people in Slack")
    parser.add_argument("--teams", type=int, default=100, help="people in Teams")
    parser.add_argument("--think", type=float, default=3.0,
                        help="mean seconds each person reads an answer before clicking (0: click at once)")
    parser.add_argument("--ramp", type=float, default=5.0,
                        help="people arrive over this many seconds (0: all in the same instant)")
    parser.add_argument("--talk-share", type=float, default=0.05, help="share of walks ending in 'Talk to someone'")
    parser.add_argument("--fault-rate", type=float, default=0.02, help="share of Web API calls answered 429/500/slow")
    parser.add_argument("--slow-seconds", type=float, default=5.0)
    parser.add_argument("--redis-down", type=float, default=3.0, help="seconds Redis stays dead")
    parser.add_argument("--delivery-wait", type=float, default=60.0, help="seconds to wait for escalations after")
    parser.add_argument("--no-chaos", action="store_true", help="no Redis kill, no worker kill")
    parser.add_argument("--strict-logs", action="store_true", help="also fail on a traceback in the server log")
    args = parser.parse_args(argv)
    sys.exit(asyncio.run(soak(args)))


if __name__ == "__main__":
    main()
