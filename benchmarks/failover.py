"""Scale-out on a real Redis Cluster or Sentinel set, with the primary failed over under load.

    .ci/redis-topologies start                                   # the cluster and the Sentinel set, on loopback
    python -m benchmarks.failover --topology cluster --escalations 1000
    python -m benchmarks.failover --topology sentinel --escalations 1000

Two ``canishare serve --dev`` processes and two ``canishare worker --dev`` processes run against the
topology; the simulated people (:mod:`benchmarks.load`) send each request of a conversation to the
next server in turn, so every conversation is served by both processes and its state lives only in
Redis. Some walks end "Not sure" -> "Talk to someone", which raises an escalation that a worker
delivers to the on-duty lead (the fake Slack Web API). Once a set share of the requests has been
answered, the primary is failed over:

* Cluster: ``CLUSTER FAILOVER`` on the replica of the master holding the ``{esc}`` slot (every
  escalation key) - the coordinated failover: the master pauses writers until the replica caught up;
* Sentinel: ``SENTINEL FAILOVER``; the primary refuses writes as soon as its replica is gone
  (``min-replicas-to-write 1`` in .ci/redis-topologies), so nothing is written where it would be lost.

Then the run checks, and exits non-zero unless: every request was acknowledged (no 5xx), every turn
answered, no conversation lost its place (no walk had to start again), every escalation the
practitioners were told about reached a lead exactly once per recipient and step, and after the
lead pressed Acknowledge every practitioner was told. The key prefix is deleted afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from benchmarks.http_paths import Server, fakes, serve_env, start_canishare
from benchmarks.load import Tally, client_session, crowd, percentile
from benchmarks.soak import ROTA, acknowledge_all, delivered, start_worker, stop_workers
from bot.core.escalation.handle import ENV_KEY
from bot.testing.load import LoadSlack

ROOT = Path(__file__).resolve().parent.parent
TOPOLOGY_SCRIPT = ROOT / ".ci" / "redis-topologies"
CLUSTER_URL = "redis+cluster://127.0.0.1:7000,127.0.0.1:7001,127.0.0.1:7002"
SENTINELS = ((("127.0.0.1", 7110)), ("127.0.0.1", 7111), ("127.0.0.1", 7112))
SERVICE = "canishare"
SENTINEL_URL = "redis+sentinel://" + ",".join(f"{h}:{p}" for h, p in SENTINELS) + f"/{SERVICE}"


# --- the topologies -------------------------------------------------------------------------------
def ensure_topology(name: str) -> None:
    """Start the topology with .ci/redis-topologies (idempotent: a running one is left alone)."""
    subprocess.run([str(TOPOLOGY_SCRIPT), name], check=True, stdout=subprocess.DEVNULL)


def _admin(port: int, host: str = "127.0.0.1") -> object:
    import redis

    return redis.Redis(host=host, port=port, socket_timeout=5, decode_responses=True)


def cluster_failover() -> str:
    """Fail over the master that holds ``{esc}`` to its replica; returns what happened."""
    admin = _admin(7000)
    slot = int(admin.execute_command("CLUSTER", "KEYSLOT", "{esc}"))  # type: ignore[attr-defined]
    nodes = admin.execute_command("CLUSTER", "NODES")  # type: ignore[attr-defined]
    rows = [line.split() for line in (nodes if isinstance(nodes, str) else _nodes_text(nodes)).splitlines() if line]
    master = next(r for r in rows if "master" in r[2] and any(_covers(s, slot) for s in r[8:]))
    replica = next(r for r in rows if r[3] == master[0] and "fail" not in r[2])
    host, port = replica[1].split("@")[0].rsplit(":", 1)
    promoted = _admin(int(port), host)
    promoted.execute_command("CLUSTER", "FAILOVER")  # type: ignore[attr-defined]
    deadline = time.monotonic() + 30
    while promoted.execute_command("ROLE")[0] != "master":  # type: ignore[attr-defined]
        if time.monotonic() > deadline:
            raise RuntimeError("CLUSTER FAILOVER did not promote the replica within 30 s")
        time.sleep(0.05)
    return f"CLUSTER FAILOVER: slot {slot} moved from {master[1].split('@')[0]} to {host}:{port}"


def _nodes_text(nodes: object) -> str:
    # redis-py parses CLUSTER NODES into a dict on some versions; rebuild the raw text form.
    assert isinstance(nodes, dict)
    lines = []
    for address, node in nodes.items():
        slots = " ".join("-".join(s) if s[0] != s[-1] else s[0] for s in node.get("slots", []))
        lines.append(f"{node['node_id']} {address} {node['flags']} {node['master_id']} 0 0 0 connected {slots}")
    return "\n".join(lines)


def _covers(spec: str, slot: int) -> bool:
    if spec.startswith("["):
        return False  # a slot being migrated
    low, _, high = spec.partition("-")
    return int(low) <= slot <= int(high or low)


def sentinel_master() -> tuple[str, int]:
    sentinel = _admin(SENTINELS[0][1])
    host, port = sentinel.execute_command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", SERVICE)  # type: ignore[attr-defined]
    return host, int(port)


def sentinel_failover() -> str:
    before = sentinel_master()
    _admin(SENTINELS[0][1]).execute_command("SENTINEL", "FAILOVER", SERVICE)  # type: ignore[attr-defined]
    deadline = time.monotonic() + 60
    while sentinel_master() == before:
        if time.monotonic() > deadline:
            raise RuntimeError("SENTINEL FAILOVER did not elect a new primary within 60 s")
        time.sleep(0.1)
    after = sentinel_master()
    return f"SENTINEL FAILOVER: primary moved from {before[0]}:{before[1]} to {after[0]}:{after[1]}"


def sentinel_settled() -> None:
    """Wait until the old primary has become the new one's replica (the next run starts healthy)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        host, port = sentinel_master()
        info = _admin(port, host).info("replication")  # type: ignore[attr-defined]
        if int(info.get("connected_slaves", 0)) >= 1:
            return
        time.sleep(0.2)
    raise RuntimeError("the Sentinel set has no replica 60 s after the failover")


@dataclass(frozen=True)
class Topology:
    name: str
    url: str
    failover: Callable[[], str]
    settle: Callable[[], None] = lambda: None


TOPOLOGIES = {
    "cluster": Topology("cluster", CLUSTER_URL, cluster_failover),
    "sentinel": Topology("sentinel", SENTINEL_URL, sentinel_failover, sentinel_settled),
}


# --- the run ---------------------------------------------------------------------------------------
@dataclass
class Report:
    topology: str
    events: list[str] = field(default_factory=list)
    slack: Tally = field(default_factory=Tally)
    teams: Tally = field(default_factory=Tally)
    told: set[str] = field(default_factory=set)
    missing: set[str] = field(default_factory=set)
    duplicates: dict[str, int] = field(default_factory=dict)
    unacknowledged: set[str] = field(default_factory=set)
    seconds: float = 0.0
    deliveries: list[float] = field(default_factory=list)  # seconds from "told" to "card seen", polled
    logs: Path | None = None

    @property
    def failures(self) -> list[str]:
        out = []
        for name, tally in (("slack", self.slack), ("teams", self.teams)):
            if tally.errors or tally.lost:
                out.append(f"{name}: {len(tally.errors)} errors ({sorted(set(tally.errors))[:3]}), {tally.lost} lost")
            if any(int(s.split()[-1]) >= 500 for s in tally.statuses):
                out.append(f"{name}: 5xx answers {dict(tally.statuses)}")
            if tally.restarts:
                out.append(f"{name}: {tally.restarts} conversations lost their place")
        if not self.told:
            out.append("no escalation was raised")
        if self.missing:
            out.append(f"{len(self.missing)} escalations never reached a lead")
        if self.duplicates:
            out.append(f"{len(self.duplicates)} lead cards posted more than once")
        if self.unacknowledged:
            out.append(f"{len(self.unacknowledged)} practitioners never told their escalation was picked up")
        return out

    def lines(self) -> list[str]:
        acks = self.slack.all_acks() + self.teams.all_acks()
        out = [f"{self.topology}: 2 serve + 2 worker processes, {self.seconds:.0f} s", *("  " + e for e in self.events)]
        out.append(f"  requests: Slack {self.slack.requests}, Teams {self.teams.requests}; walks to an outcome "
                   f"{self.slack.outcomes + self.teams.outcomes}; answered 'storage unavailable' meanwhile "
                   f"{self.slack.degraded + self.teams.degraded}; ack p50 {percentile(acks, 50) * 1e3:.0f} ms, "
                   f"p99 {percentile(acks, 99) * 1e3:.0f} ms")
        out.append(f"  escalations: {len(self.told)} raised, {len(self.told) - len(self.missing)} delivered, "
                   f"{len(self.missing)} missing, {len(self.duplicates)} duplicated; "
                   f"{len(self.told) - len(self.unacknowledged)} acknowledged and the practitioner told")
        out.append("  PASS" if not self.failures else "  FAIL: " + "; ".join(self.failures))
        return out


def duplicated_cards(fake: LoadSlack) -> dict[str, int]:
    """Escalation delivery keys (escalation, step, recipient) posted as more than one new message."""
    keys: Counter[str] = Counter()
    for meta in list(fake.metadata.values()):
        if isinstance(meta, dict):
            key = str((meta.get("event_payload") or {}).get("key", ""))
            if key:
                keys[key] += 1
    return {k: n for k, n in keys.items() if n > 1}


async def delete_prefix(url: str, prefix: str) -> None:
    from bot.storage.redis_store import RedisStore

    store = RedisStore.from_url(url, prefix)
    try:
        keys = [k async for k in store.client.scan_iter(match=f"{prefix}:*", count=1000)]
        for key in keys:  # one key per DEL: keys of many slots
            await store.client.delete(key)
    finally:
        await store.close()


async def run(topology: Topology, *, slack: int, teams: int, walks: int, talk_share: float,
              failover_after: int, think: float = 0.0, ramp: float = 0.0, delivery_wait: float = 90.0,
              work: Path | None = None, concurrency: int = 0, walk_after: bool = True) -> Report:
    """One run; ``failover_after``: fail over once this many requests were acknowledged;
    ``concurrency``: at most this many people at once; ``walk_after``: one more walk each after it."""
    report = Report(topology.name)
    work = work or Path(tempfile.mkdtemp(prefix=f"canishare-{topology.name}-"))
    report.logs = work
    config = work / "org.yaml"
    config.write_text(yaml.safe_dump(ROTA))
    prefix = f"fo-{uuid.uuid4().hex[:8]}"
    started = time.monotonic()

    def note(what: str) -> None:
        report.events.append(f"{time.monotonic() - started:6.1f} s  {what}")

    servers: list[Server] = []
    workers: list[subprocess.Popen[bytes]] = []
    try:
        async with fakes() as (fake, connector):
            env = serve_env(fake.api_url, topology.url, prefix, CANISHARE_CONFIG=str(config),
                            **{ENV_KEY: "fo-" + uuid.uuid4().hex})
            # Workers first: /healthz answers 503 until a worker reports that it can page someone.
            workers = [start_worker(env, work, n) for n in range(2)]
            servers = list(await asyncio.gather(start_canishare(env, work, "serve-a"),
                                                start_canishare(env, work, "serve-b")))
            note(f"2 serve ({', '.join(s.url for s in servers)}) and 2 worker processes on {topology.url}")
            async with client_session() as session:
                people = crowd(session, ",".join(s.url for s in servers), slack=slack, teams=teams, fake=fake,
                               connector=connector, talk_share=talk_share, recover_for=90.0, think=think,
                               ramp=ramp, walks=walks)

                started_failover = asyncio.Event()

                async def fail_over() -> None:
                    while people.slack_tally.requests + people.teams_tally.requests < failover_after:
                        await asyncio.sleep(0.05)
                    started_failover.set()
                    note(f"{people.slack_tally.requests + people.teams_tally.requests} requests answered; "
                         "failing over")
                    note(await asyncio.to_thread(topology.failover))

                load = asyncio.ensure_future(people.run(3600, concurrency))
                failing = asyncio.ensure_future(fail_over())
                await load
                if failing.done() or started_failover.is_set():
                    # A failover already under way (it can outlast a short load) is waited for, not
                    # abandoned: the walks below then run against the new primary for certain.
                    await failing
                else:
                    failing.cancel()
                    note("the load finished before the failover point")
                if walk_after:
                    # One more walk each, begun after the failover for certain: whatever the timing,
                    # the new primary serves conversations and escalations too.
                    for person in [*people.slack, *people.teams]:
                        person.walks += 1
                    await people.run(3600, concurrency)
                    note("one more walk each after the failover")
            report.slack, report.teams = people.slack_tally, people.teams_tally
            note("load finished")
            report.told = report.slack.references | report.teams.references
            deadline = time.monotonic() + delivery_wait
            while not report.told <= delivered(fake) and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            report.missing = report.told - delivered(fake)
            note(f"{len(report.told) - len(report.missing)} of {len(report.told)} escalations delivered")
            report.unacknowledged = await acknowledge_all(servers[0].url, fake, connector,
                                                          report.told - report.missing, delivery_wait)
            report.duplicates = duplicated_cards(fake)
            note("acknowledged")
    finally:
        for server in servers:
            server.stop()
        stop_workers(workers)
        with contextlib.suppress(Exception):
            await asyncio.to_thread(topology.settle)
        with contextlib.suppress(Exception):
            await delete_prefix(topology.url, prefix)
    report.seconds = time.monotonic() - started
    return report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--topology", choices=sorted(TOPOLOGIES), action="append",
                        help="cluster and/or sentinel (default both)")
    parser.add_argument("--escalations", type=int, default=1000,
                        help="people, half in Slack and half in Teams, each walking once to 'Talk to someone'")
    parser.add_argument("--concurrency", type=int, default=40, help="people talking to the bot at the same time")
    args = parser.parse_args(argv)
    failed = False
    for name in args.topology or ["cluster", "sentinel"]:
        ensure_topology(name)
        half = args.escalations // 2
        # Everyone walks once to "Talk to someone"; the failover comes a quarter of the way through.
        report = asyncio.run(run(TOPOLOGIES[name], slack=args.escalations - half, teams=half, walks=1,
                                 talk_share=1.0, failover_after=args.escalations, concurrency=args.concurrency,
                                 walk_after=False))
        print("\n".join(report.lines()), flush=True)
        failed = failed or bool(report.failures)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
