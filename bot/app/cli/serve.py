"""``canishare serve``: run the one aiohttp server (Slack, Teams, the web page, /healthz, /metrics).

Binds ``0.0.0.0:$PORT`` (3978 by default) so it works in a container or on a PaaS. Each channel whose
settings are complete is served (:mod:`bot.app.serve_plan`), one line per channel says so, and the
checks run before anything listens: a half-configured Slack or Teams, or nothing to serve at all,
stops the process with a clear message instead of failing on the first request.
"""

from __future__ import annotations

import argparse
import os

from aiohttp import web

from bot.app.access_log import SafeAccessLogger
from bot.app.rota_directory import resolve_for_process
from bot.app.serve_plan import plan
from bot.app.server import Mount, build_services, create_app, surfaces
from bot.app.stores import build_store
from bot.core.config import OrgConfig, load_config
from bot.core.logs import configure
from bot.core.settings import Settings, get_settings

SHUTDOWN_SECONDS = 15.0
TEAMS_MODULE = "bot.channels.teams"


def mounts(no_teams: bool) -> list[Mount]:
    return [m for m in surfaces() if not (no_teams and m.__module__.startswith(TEAMS_MODULE))]


async def make_app(settings: Settings, config: OrgConfig, *, socket_mode: bool = False, dev: bool = False,
                   no_teams: bool = False) -> web.Application:
    """Built inside the running loop, so the store, the Slack client and the websocket share it."""

    store = build_store(settings)
    # Rota e-mail addresses become platform ids once, at start (cached in Redis).
    config = (await resolve_for_process(settings, config, getattr(store, "client", None),
                                        getattr(store, "prefix", None))).config
    services = build_services(settings, config, store=store, dev=dev)
    services.socket_mode = socket_mode
    return create_app(services, mounts=mounts(no_teams))


def cmd_serve(args: argparse.Namespace) -> int:
    settings = get_settings()
    config = load_config(settings.config_path)
    workers = args.workers if args.workers is not None else int(os.environ.get("CANISHARE_WORKERS", "1") or 1)
    if workers < 1:
        raise SystemExit("canishare serve: --workers must be at least 1")
    if workers > 1 and not settings.redis_url:
        # The memory store lives inside one process: a second one would not know the conversation.
        raise SystemExit("canishare serve: --workers above 1 needs REDIS_URL (state must be shared between processes)")
    if workers > 1 and args.socket_mode:
        raise SystemExit("canishare serve: Socket Mode keeps one websocket to Slack; run it with --workers 1")
    host = args.host or settings.host
    port = args.port or settings.port
    # Each fully configured channel is served, a half-configured one stops the start (ConfigError).
    channels = plan(settings, host=host, port=port, socket_mode=args.socket_mode, dev=args.dev,
                    no_teams=args.no_teams)
    for line in channels.lines():
        print(line, flush=True)
    configure(settings.log_level, settings.log_format, process=workers > 1)
    # Surfaces must see the address really bound: the web page is open only on a loopback address.
    settings = settings.model_copy(update={"host": host, "port": port})

    def serve_one(n: int | None = None) -> None:
        # run_app handles SIGINT/SIGTERM: stop accepting, let open requests finish, then run the
        # on_shutdown hooks (close the Slack websocket, drain work after acks) and on_cleanup (close the store).
        suffix = "" if n is None else f" (process {n + 1} of {workers})"
        web.run_app(make_app(settings, config, socket_mode=args.socket_mode, dev=args.dev, no_teams=channels.teams_off),
                    host=host, port=port, shutdown_timeout=SHUTDOWN_SECONDS, access_log_class=SafeAccessLogger,
                    reuse_port=True if n is not None else None,
                    print=lambda _: print(f"canishare serving on http://{host}:{port}{suffix}", flush=True))

    if workers == 1:
        serve_one()
        return 0
    from bot.app.processes import supervise

    return supervise(workers, serve_one, stop_seconds=SHUTDOWN_SECONDS + 5)
