"""Can an escalation be delivered right now? The check behind every "I've sent your request".

A practitioner may only be told a request was *sent* when three things hold:

1. it is **durable**: the record, its chronology and its first pages are in Redis (the raise
   script returned ok);
2. a **delivery path** exists for someone paged: the worker can reach them on Slack or Teams;
3. a **worker is alive**: its heartbeat is fresh.

Only a worker knows (2) and (3): which platforms it was started with, and which leads have a
Teams conversation reference. So each worker publishes a small heartbeat document,
``<p>:worker:delivery`` (TTL :data:`HEARTBEAT_TTL_SECONDS`), holding the time it was written
(the service clock) and the recipients it can reach (rota handles and the duty channels, never a
platform id). Web processes, the terminal and ``/healthz`` read it through :func:`readiness`.

This module holds no I/O except reading and writing that one key.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

# A worker refreshes its heartbeat at least every minute (the auditor, and its own loop).
# Three missed refreshes and nobody should be told "sent".
FRESH_SECONDS = 180
HEARTBEAT_TTL_SECONDS = 600

NO_WORKER = "no_worker"
STALE_WORKER = "stale_worker"
NO_ROUTE = "no_route"
NOT_STORED = "not_stored"

REASONS: dict[str, str] = {
    NO_WORKER: "the part of the service that delivers requests to the safeguarding team is not running",
    STALE_WORKER: "the part of the service that delivers requests to the safeguarding team has stopped responding",
    NO_ROUTE: "nobody it would go to can be reached through Slack or Teams from here just now",
    NOT_STORED: "it could not be saved",
}


@dataclass(frozen=True)
class Heartbeat:
    at: float  # epoch seconds (the worker's service clock)
    reachable: frozenset[str] = field(default_factory=frozenset)  # "person:amy", "channel:slack"…
    platforms: tuple[str, ...] = ()

    def to_json(self) -> str:
        return json.dumps({"t": self.at, "reachable": sorted(self.reachable), "platforms": list(self.platforms)})

    @classmethod
    def from_json(cls, raw: bytes | str | None) -> Heartbeat | None:
        if not raw:
            return None
        try:
            d = json.loads(raw)
            return cls(float(d["t"]), frozenset(str(r) for r in d.get("reachable", ())),
                       tuple(str(p) for p in d.get("platforms", ())))
        except (KeyError, TypeError, ValueError):
            return None


@dataclass(frozen=True)
class Readiness:
    ok: bool
    reason: str = ""  # one of the constants above when not ok
    reachable: tuple[str, ...] = ()  # of the recipients asked about, those the worker can reach

    @property
    def plain(self) -> str:
        """The reason in plain words, for the practitioner."""
        return REASONS.get(self.reason, "")


def assess(heartbeat: Heartbeat | None, recipients: Sequence[str], now: float) -> Readiness:
    """Pure: can any of ``recipients`` be delivered to, given the latest worker heartbeat?"""
    if heartbeat is None:
        return Readiness(False, NO_WORKER)
    if now - heartbeat.at > FRESH_SECONDS:
        return Readiness(False, STALE_WORKER)
    reachable = tuple(r for r in recipients if r in heartbeat.reachable)
    if not reachable:
        return Readiness(False, NO_ROUTE)
    return Readiness(True, "", reachable)


def unreachable_people(people: Iterable[Any], platforms: Iterable[str]) -> list[str]:
    """Rota handles of people no configured platform can address at all (no id for any of them)."""
    have = set(platforms)
    out = []
    for person in people:
        if not (("slack" in have and person.slack_user_id) or ("teams" in have and person.teams_user_id)):
            out.append(person.id)
    return out


def heartbeat_key(prefix: str) -> str:
    return f"{prefix.rstrip(':')}:worker:delivery"


async def publish(client: Any, prefix: str, heartbeat: Heartbeat) -> None:
    await client.set(heartbeat_key(prefix), heartbeat.to_json(), ex=HEARTBEAT_TTL_SECONDS)


async def latest(client: Any, prefix: str) -> Heartbeat | None:
    return Heartbeat.from_json(await client.get(heartbeat_key(prefix)))
