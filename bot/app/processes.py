"""``canishare serve --workers N``: N server processes sharing one port (SO_REUSEPORT).

The parent binds nothing itself: it forks N children before any event loop exists, and each child
runs the whole aiohttp application on the same host and port with ``reuse_port=True``, so the
kernel spreads incoming connections over them. No state lives in a process (conversations,
escalations, event ids and statistics are all in Redis), so any process can serve any request;
that is why more than one process needs ``REDIS_URL``.

The parent supervises: a child that dies unexpectedly is started again (after a pause that grows
while children keep dying), and SIGTERM/SIGINT is passed on to every child, which stops accepting,
lets open requests finish and runs its shutdown hooks, as a single ``canishare serve`` does.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import time
from collections.abc import Callable
from multiprocessing.process import BaseProcess

log = logging.getLogger("canishare.server")

RESTART_PAUSE_MAX = 10.0  # seconds between restarts of a child that keeps dying


def supervise(workers: int, serve_one: Callable[[int], None], *, stop_seconds: float = 20.0) -> int:
    """Run ``serve_one(n)`` in ``workers`` forked processes until SIGTERM/SIGINT; returns an exit status."""
    # Fork, not spawn: the children inherit the parsed settings and the imported modules; nothing
    # (no loop, no Redis client, no thread) has been created yet, so there is nothing unsafe to copy.
    context = multiprocessing.get_context("fork")
    children: dict[int, BaseProcess] = {}
    stopping = False
    pause = 0.5

    def start(n: int) -> None:
        process = context.Process(target=serve_one, args=(n,), name=f"canishare-serve-{n}", daemon=False)
        process.start()
        children[n] = process

    def stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        for process in children.values():
            if process.is_alive() and process.pid is not None:
                os.kill(process.pid, signal.SIGTERM)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        for n in range(workers):
            start(n)
        log.info("canishare serve: %d processes sharing the port", workers)
        while not stopping:
            time.sleep(0.2)
            for n, process in list(children.items()):
                if not process.is_alive() and not stopping:
                    log.warning("server process %d exited with status %s; starting it again in %.1f s",
                                n, process.exitcode, pause)
                    time.sleep(pause)
                    pause = min(pause * 2, RESTART_PAUSE_MAX)
                    start(n)
        deadline = time.monotonic() + stop_seconds
        for process in children.values():
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
