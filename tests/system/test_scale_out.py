"""Two ``serve`` and two ``worker`` processes on a real Redis Cluster and a real Sentinel set, with the
primary failed over mid-load: no request refused, no turn lost, no conversation loses its place, every
escalation reaches the lead exactly once and is acknowledged.

The topologies are started by .ci/redis-topologies (idempotent; CI runs it first). Every request of a
conversation goes to the other server than the one before, so each conversation is served by both
processes. The failover is triggered once a set number of requests has been answered, and every
person walks once more after it, so the checks do not depend on how fast this machine is.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from benchmarks.failover import TOPOLOGIES, ensure_topology, run

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _needs_redis_server() -> None:
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is not on PATH: install Redis (see README 'Running the tests')")


@pytest.mark.parametrize("name", ["cluster", "sentinel"])
async def test_two_servers_two_workers_survive_a_failover(name: str, tmp_path: Path) -> None:
    ensure_topology(name)
    report = await run(TOPOLOGIES[name], slack=8, teams=8, walks=2, talk_share=0.5, failover_after=30,
                       work=tmp_path)
    text = "\n".join(report.lines())
    assert not report.failures, text
    assert any("FAILOVER" in event for event in report.events), text
    assert report.told, text  # escalations were raised, before and after the failover
    assert report.slack.outcomes and report.teams.outcomes, text
