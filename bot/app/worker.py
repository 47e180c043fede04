"""``canishare worker``: the background jobs, in one process, against the same Redis as the web.

Jobs are modules exposing ``async def run(services, stop: asyncio.Event)``: the escalation worker
(timers, delivery, auditor) and the quiz scheduler. A job whose module is absent is skipped, so
the worker runs whatever this installation has. Any number of workers may run at once: every
job coordinates through Redis (leases, consumer groups, compare-and-set), never in memory.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import signal
import sys
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger("canishare.worker")

JOB_MODULES = ("bot.app.escalation_worker", "bot.app.quiz_scheduler")

Job = Callable[[Any, asyncio.Event], Awaitable[None]]


def jobs(modules: tuple[str, ...] = JOB_MODULES) -> list[tuple[str, Job]]:
    # Each job module exposes ``async def run(services, stop)``.
    return [(name, importlib.import_module(name).run) for name in modules]


async def run_jobs(services: Any, stop: asyncio.Event, selected: list[tuple[str, Job]] | None = None) -> None:
    """Run every job until ``stop`` is set. A job that crashes is logged and restarted after a pause."""

    async def guarded(name: str, job: Job) -> None:
        while not stop.is_set():
            try:
                await job(services, stop)
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # one failing job must not stop the others
                log.exception("worker job %s failed (%s); restarting in 5 s", name, type(exc).__name__)
                try:
                    await asyncio.wait_for(stop.wait(), timeout=5)
                except TimeoutError:
                    pass

    selected = jobs() if selected is None else selected
    await asyncio.gather(*(guarded(name, job) for name, job in selected))


async def main(settings: Any, config: Any, *, dev: bool = False) -> int:
    from bot.app.rota_directory import resolve_for_process
    from bot.app.server import build_services
    from bot.app.stores import build_store

    store = build_store(settings)
    # Rota e-mail addresses become platform ids once, at start (cached in Redis for the other processes).
    config = (await resolve_for_process(settings, config, getattr(store, "client", None),
                                        getattr(store, "prefix", None))).config
    services = build_services(settings, config, store=store, dev=dev)
    from bot.app.escalation_worker import DeliveryUnavailable, preflight

    try:
        await preflight(services)
    except DeliveryUnavailable as exc:
        log.error("canishare worker not started: %s", exc)
        print(f"canishare worker: not started: {exc}", file=sys.stderr)
        await services.store.close()
        return 3
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # pragma: no cover - not on this platform
            pass
    names = [name for name, _ in jobs()]
    log.info("canishare worker running: %s", ", ".join(names) or "no jobs")
    try:
        await run_jobs(services, stop)
    finally:
        await services.store.close()
    return 0
