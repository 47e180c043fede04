"""The escalation worker: timers, delivery, reclaiming a dead worker's messages, and the auditor.

Run by ``canishare worker`` (bot/app/worker.py) as four loops in one process; any number of worker
processes can run against one Redis:

* **timers**: claim due escalations with a lease (queue.py) and run :func:`timers.tick` on each;
* **delivery**: read the outbox stream as consumer ``<host>-<slot>`` of group ``delivery`` (its own
  pending entries first: a restarted worker takes its predecessor's slot, so it resends at once),
  deliver, then XACK;
* **reclaim**: XAUTOCLAIM entries another consumer left idle (it died), and retry our own failed
  ones; entries delivered too often go to the dead-letter stream;
* **auditor** (every minute): re-arm any open escalation without a live timer; publish the run
  time (``<p>:worker:auditor_last_run``, and :func:`bot.app.ops.auditor_ran` for ``/healthz``).

Every loop survives Redis going away: it logs once, backs off and carries on when Redis returns.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from typing import Any

from redis import exceptions as rexc

from bot.app import ops
from bot.app.escalation_wiring import build_deliverer
from bot.app.worker_slots import SlotLease
from bot.core import metrics
from bot.core.escalation.causes import platforms_on
from bot.core.escalation.core import Core
from bot.core.escalation.delivery import Deliverer
from bot.core.escalation.ports import Entry
from bot.core.escalation.readiness import HEARTBEAT_TTL_SECONDS, Heartbeat, unreachable_people
from bot.core.escalation.rota_feed import gap_message
from bot.core.escalation.timers import audit, tick
from bot.core.services import Services
from bot.storage.escalation import RedisEscalationBackend
from bot.storage.redis_errors import is_unavailable

log = logging.getLogger("canishare.escalation")


def consumer_name() -> str:
    """A fallback name when no slot can be claimed (no Redis yet): unique, but not stable."""
    return f"{socket.gethostname()}-{os.getpid()}"


# The weekly rota-gap message to the leads: Mondays from 09:00, rota time (like OnCall's report).
GAP_REPORT_WEEKDAY = 0
GAP_REPORT_TIME = dt.time(9, 0)


class DeliveryUnavailable(RuntimeError):
    """The rota names people no configured channel can reach: the worker must not pretend to page."""


def check_reach(people: Any, platforms: Any) -> None:
    """Raise :class:`DeliveryUnavailable` naming the rota people none of ``platforms`` can address."""
    missing = unreachable_people(people, platforms)
    if missing:
        have = ", ".join(sorted(platforms)) or "no chat platform"
        raise DeliveryUnavailable(
            f"the rota names people this worker cannot reach ({', '.join(missing)}): it is configured for "
            f"{have}. Set SLACK_BOT_TOKEN and/or the MicrosoftApp* settings so every person on the rota has "
            "a channel, or give them a slack_user_id / teams_user_id the worker can use.")


def redis_of(core: Core) -> RedisEscalationBackend:
    """The worker runs against Redis (leases, heartbeats, the gap report's once-a-week flag)."""
    backend = core.backend
    if not isinstance(backend, RedisEscalationBackend):
        raise TypeError("the escalation worker needs the Redis escalation backend")
    return backend


class EscalationWorker:
    def __init__(self, core: Core, deliverer: Deliverer, *, consumer: str | None = None,
                 tick_seconds: float = 0.25, reclaim_idle_ms: int = 30_000, reclaim_seconds: float = 5,
                 audit_seconds: float = 60, block_ms: int = 500, concurrency: int = 16,
                 store: Any = None) -> None:
        self.redis = redis_of(core)
        self.core = core
        self.deliverer = deliverer
        self.consumer = consumer or consumer_name()
        self.tick_seconds = tick_seconds
        self.reclaim_idle_ms = reclaim_idle_ms
        self.reclaim_seconds = reclaim_seconds
        self.audit_seconds = audit_seconds
        self.block_ms = block_ms
        self.concurrency = asyncio.Semaphore(concurrency)
        self.store = store
        self.lease: SlotLease | None = None

    # --- one pass of each job (tests call these directly) ------------------------------------------
    async def timers_once(self, limit: int = 50) -> list[str]:
        ids = await self.core.due.claim(self.core.now_ms(), self.core.lease_ms, limit)
        return [await tick(self.core, esc_id) for esc_id in ids]

    async def process(self, entry: Entry) -> bool:
        async with self.concurrency:
            try:
                outcome = await self.deliverer.handle(entry.message)
            except Exception as exc:  # the entry stays pending and is retried by reclaim
                if isinstance(exc, rexc.RedisError) and is_unavailable(exc):
                    raise  # Redis itself is away: the loop backs off (platform network errors are OSErrors)
                metrics.ESCALATION_DELIVERIES.labels(kind=str(entry.message.get("k", "?"))[:10], result="error").inc()
                log.warning("escalation delivery failed (%s): will retry", type(exc).__name__,
                            exc_info=log.isEnabledFor(logging.DEBUG))
                return False
            await self.core.outbox.ack(entry.id)
            log.debug("delivered %s: %s", entry.message.get("k"), outcome)
            return True

    async def deliver_once(self, block_ms: int | None = None, pending: bool = False) -> int:
        entries = await self.core.outbox.read(self.consumer, count=50,
                                              block_ms=self.block_ms if block_ms is None else block_ms,
                                              pending=pending)
        return await self.process_all(entries)

    async def process_all(self, entries: list[Entry]) -> int:
        """Deliver in order within one escalation ("picked up" before the lead's first message), and
        concurrently across escalations."""
        groups: dict[str, list[Entry]] = {}
        for entry in entries:
            groups.setdefault(str(entry.message.get("id", "")), []).append(entry)

        async def in_order(group: list[Entry]) -> int:
            return sum([await self.process(e) for e in group])

        return sum(await asyncio.gather(*(in_order(g) for g in groups.values())))

    async def reclaim_once(self, min_idle_ms: int | None = None) -> int:
        if self.lease is not None:
            await self.lease.refresh()
        entries = await self.core.outbox.reclaim(self.consumer,
                                                 self.reclaim_idle_ms if min_idle_ms is None else min_idle_ms)
        return await self.process_all(entries)

    async def heartbeat(self) -> Heartbeat:
        """Tell web processes what this worker can deliver to (bot.core.escalation.readiness)."""
        beat = Heartbeat(self.core.clock(), frozenset(await self.deliverer.reachable()),
                         tuple(sorted(self.deliverer.platforms)))
        await self.core.backend.publish_heartbeat(beat.to_json(), HEARTBEAT_TTL_SECONDS)
        if self.lease is not None:
            await self.lease.refresh()
        return beat

    async def warn_durability(self) -> bool:
        """Log once at start-up when Redis may lose an escalation the practitioner was told about.

        ``appendonly yes`` with ``appendfsync always`` (docs/operations.md says why). Managed Redis
        services often refuse CONFIG: then there is nothing to check here, and nothing is logged.
        """
        try:
            raw = await self.redis.client.config_get("append*")
        except Exception:
            return True
        conf = {(k.decode() if isinstance(k, bytes) else str(k)): (v.decode() if isinstance(v, bytes) else str(v))
                for k, v in raw.items()}
        if conf.get("appendonly") == "yes" and conf.get("appendfsync") == "always":
            return True
        log.warning("Redis is not set to appendonly yes / appendfsync always (it has appendonly %s, appendfsync "
                    "%s): an escalation a practitioner was told about could be lost if Redis crashes",
                    conf.get("appendonly", "?"), conf.get("appendfsync", "?"))
        return False

    def check_reach(self) -> None:
        """Refuse to run when the rota names people that no configured channel can address."""
        check_reach(self.core.rota.people, self.deliverer.platforms)

    async def gap_report_once(self) -> int:
        """Monday from 09:00 (rota time), once a week across all workers: tell the leads about gaps.

        Returns how many messages were queued (0: not due, already sent, or no gaps)."""
        core = self.core
        now = core.now()
        local_now = now.astimezone(core.rota.tz)
        if local_now.weekday() != GAP_REPORT_WEEKDAY or local_now.time() < GAP_REPORT_TIME:
            return 0
        year, week, _ = local_now.isocalendar()
        tag = f"{year}-W{week:02d}"
        if not await redis_of(core).client.set(redis_of(core).keys.gap_report(tag), "1", nx=True, ex=8 * 86400):
            return 0
        text, count = gap_message(core.rota, now, covers=await core.covers(), calendar=core.view.calendar_shifts(now))
        if count == 0:
            return 0
        leads = [p for p in core.rota.people if p.role == "safeguarding_lead"]
        await core.outbox.add([{"k": "gaps", "to": f"person:{p.id}", "week": tag, "text": text} for p in leads])
        log.info("weekly rota-gap message queued for %d leads (%d gaps)", len(leads), count)
        return len(leads)

    async def audit_once(self) -> dict[str, int]:
        result = await audit(self.core)
        await self.heartbeat()
        await self.gap_report_once()
        if self.store is not None:
            await ops.auditor_ran(self.store)
        return result

    # --- the loops -------------------------------------------------------------------------------
    async def _loop(self, name: str, stop: asyncio.Event, once: Callable[[], Awaitable[Any]], every: float) -> None:
        down = False
        while not stop.is_set():
            try:
                await once()
                if down:
                    log.info("escalation %s loop running again", name)
                    down = False
                wait = every
            except Exception as exc:
                if is_unavailable(exc):  # down, failing over, or a demoted primary: wait and retry
                    if not down:
                        log.warning("escalation %s loop: Redis unavailable (%s); retrying", name, type(exc).__name__)
                        down = True
                    wait = max(every, 0.5)
                else:
                    wait = self._failed(name, exc, every)
            if wait:
                try:
                    await asyncio.wait_for(stop.wait(), timeout=wait)
                except TimeoutError:
                    pass

    @staticmethod
    def _failed(name: str, exc: Exception, every: float) -> float:
        """A bug in one pass must not stop the pager: count it, log it, go on."""
        metrics.ERRORS.labels(where=f"escalation_{name}").inc()
        log.error("escalation %s loop failed (%s)", name, type(exc).__name__, exc_info=exc)
        return max(every, 1.0)

    async def run(self, stop: asyncio.Event, claim_slot: bool = False) -> None:
        self.check_reach()
        started = False
        while not started and not stop.is_set():
            try:
                if claim_slot and self.lease is None:
                    # A stable name per host and slot: a restarted worker finds its predecessor's
                    # pending entries under its own name and delivers them at once (no 30 s wait).
                    self.lease = await SlotLease.claim(self.redis.client, self.redis.keys.prefix)
                    self.consumer = self.lease.consumer
                await self.core.outbox.ensure_group()
                await self.warn_durability()
                await self.heartbeat()
                await self.deliver_once(pending=True)  # our own entries from before a restart
                started = True
            except Exception as exc:
                if not is_unavailable(exc):
                    raise
                log.warning("escalation worker waiting for Redis")
                try:
                    await asyncio.wait_for(stop.wait(), timeout=1)
                except TimeoutError:
                    pass
        log.info("escalation worker started")
        await asyncio.gather(
            self._loop("timers", stop, self.timers_once, self.tick_seconds),
            self._loop("delivery", stop, self.deliver_once, 0),
            self._loop("reclaim", stop, self.reclaim_once, self.reclaim_seconds),
            self._loop("auditor", stop, self.audit_once, self.audit_seconds),
        )


async def run(services: Services, stop: asyncio.Event) -> None:
    """The ``canishare worker`` job (bot/app/worker.py): nothing to do without a rota and Redis."""

    service = services.escalations
    if service is None:
        log.info("escalation worker idle: no rota configured, or no REDIS_URL")
        await stop.wait()
        return
    deliverer = await build_deliverer(services, service)
    worker = EscalationWorker(service, deliverer, store=services.store)
    await worker.run(stop, claim_slot=True)


async def preflight(services: Any) -> None:
    """Raise :class:`DeliveryUnavailable` before any job starts when the rota cannot be reached."""

    service = services.escalations
    if service is None:
        rota = services.config.rota
        if rota is not None and getattr(services.store, "client", None) is not None:
            # A rota and Redis, yet no service: no platform this worker runs reaches anyone on it.

            check_reach(rota.people, platforms_on(services.settings, services.dev))
        return
    deliverer = await build_deliverer(services, service)
    EscalationWorker(service, deliverer).check_reach()
