"""Operational endpoints: ``/healthz`` and ``/metrics``.

``/healthz`` answers 200 when the service can do its job and 503 when it cannot:

* ``redis``: ``ok``, ``down`` (503), or ``not configured`` (memory store: one process, nothing shared);
* ``worker``: ``fresh`` when the escalation worker's auditor reported within
  :data:`WORKER_FRESH_SECONDS`, ``stale`` (503) when it reported before that, ``unknown`` when no
  worker has ever reported (or Redis cannot be asked). The worker calls :func:`auditor_ran`.

``/metrics`` is the Prometheus text format: this process's counters (turns, outcomes, guard
hits, escalations, errors...) plus today's service-wide counters from the store, so events that
happened in a worker process are visible from any web process. No text, no ids, no free labels.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import time
from typing import TYPE_CHECKING, Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from bot.core import stats
from bot.core.store import DayStats, Store, StoreUnavailable

if TYPE_CHECKING:
    from bot.core.services import Services

log = logging.getLogger("canishare.ops")

AUDITOR_KEY = "ops:auditor"
# The auditor runs every minute; three missed runs mean the worker is not doing its job.
WORKER_FRESH_SECONDS = 180
# Kept long enough to tell "stale" (a worker that stopped) from "unknown" (never ran).
AUDITOR_TTL_SECONDS = 30 * 86400
# Test-only: a slow endpoint for the graceful-shutdown test. Off unless this variable is "1".
SLOW_ENDPOINT_ENV = "CANISHARE_TEST_SLOW_ENDPOINT"


async def auditor_ran(store: Store, now: float | None = None) -> None:
    """Called by the worker after each successful auditor pass (feeds ``/healthz``)."""
    await store.put(AUDITOR_KEY, {"at": time.time() if now is None else now}, AUDITOR_TTL_SECONDS)


async def health(store: Store, redis_configured: bool, now: float | None = None,
                 escalations: Any = None) -> tuple[dict[str, str], bool]:
    """The health document and whether the service is healthy.

    With a rota (``escalations``: the escalation service), ``escalations`` is ``ok`` only when a
    worker is alive and can reach the people paged now or the fallback; otherwise ``degraded``
    (503): practitioners are being given phone numbers instead of a page.
    """
    now = time.time() if now is None else now
    out = {"redis": "not configured", "worker": "unknown"}
    if escalations is not None:
        out["escalations"] = "degraded"
    if not redis_configured:
        return out, escalations is None
    if not await store.ping():
        out["redis"] = "down"
        return out, False
    out["redis"] = "ok"
    try:
        snap = await store.load(AUDITOR_KEY)
    except StoreUnavailable:
        out["redis"] = "down"
        return out, False
    at = snap.data.get("at")
    if isinstance(at, int | float):
        out["worker"] = "fresh" if now - at <= WORKER_FRESH_SECONDS else "stale"
    healthy = out["worker"] != "stale"
    if escalations is not None:
        try:
            ready = await escalations.delivery_readiness()
        except Exception as exc:  # Redis went away between the two reads
            log.warning("escalation readiness unknown: %s", type(exc).__name__)
            ready = None
        if ready is not None and ready.ok:
            out["escalations"] = "ok"
        else:
            healthy = False
            if ready is not None:
                out["escalations_reason"] = ready.reason
    return out, healthy


class _TodayCollector(Collector):
    """Today's service-wide counters, read from the store before each scrape."""

    def __init__(self, today: DayStats | None) -> None:
        self.today = today

    def collect(self):  # type: ignore[no-untyped-def]
        counts = self.today.counts if self.today else {}
        questions = GaugeMetricFamily("canishare_today_questions", "Questions asked today (UTC), all processes")
        questions.add_metric([], counts.get("questions", 0))
        yield questions
        outcomes = GaugeMetricFamily("canishare_today_outcomes", "Outcomes reached today (UTC), all processes",
                                     labels=["outcome"])
        for kind in ("share", "do_not_share", "seek_advice", "urgent"):
            outcomes.add_metric([kind], counts.get(f"outcome:{kind}", 0))
        yield outcomes
        escalations = GaugeMetricFamily("canishare_today_escalations",
                                        "Escalation events today (UTC), all processes", labels=["state"])
        for state in stats.ESCALATION_EVENTS:
            escalations.add_metric([state], counts.get(f"esc:{state}", 0))
        yield escalations


def mount(app: web.Application, services: Services) -> None:
    store = services.store
    redis_configured = bool(services.settings.redis_url)

    async def healthz(request: web.Request) -> web.Response:
        body, ok = await health(store, redis_configured, escalations=services.extras.get("escalations"))
        return web.json_response(body, status=200 if ok else 503, headers={"Cache-Control": "no-store"})

    async def metrics(request: web.Request) -> web.Response:
        today: DayStats | None = None
        if redis_configured:
            try:
                day = stats.day_of()
                today = (await store.stats_read([day])).get(day)
            except Exception as exc:  # a scrape still gets this process's figures
                log.warning("today's statistics unavailable for /metrics: %s", type(exc).__name__)
        extra = CollectorRegistry(auto_describe=False)
        extra.register(_TodayCollector(today))
        body = generate_latest(REGISTRY) + generate_latest(extra)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"})

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    if os.environ.get(SLOW_ENDPOINT_ENV) == "1":
        app.router.add_get("/_test/slow", _slow)


async def _slow(request: web.Request) -> web.Response:
    """Test-only (``CANISHARE_TEST_SLOW_ENDPOINT=1``): answers after ``?seconds=`` (at most 10)."""
    try:
        seconds = min(10.0, max(0.0, float(request.query.get("seconds", "1"))))
    except ValueError:
        seconds = 1.0
    started = dt.datetime.now(dt.UTC)
    log.info("slow test request started", extra={"event": "test_slow_started"})
    await asyncio.sleep(seconds)
    return web.json_response({"slept": seconds, "started": started.isoformat()})
