"""``canishare serve``: one aiohttp application carrying every HTTP surface.

Built by an app factory (never at import time) so tests and several worker processes each get
their own. Each surface registers its routes in one ``mount`` call; handlers live in the
surface's own package (the bolt starter template's ``listeners/__init__.py`` shape).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.core.config import OrgConfig
from bot.core.engine import Engine, Parts, build_parts
from bot.core.services import Services
from bot.core.settings import Settings
from bot.core.store import Store

log = logging.getLogger("canishare.server")


SERVICES = web.AppKey("services", Services)

Mount = Callable[[web.Application, Services], None]


def surfaces() -> list[Mount]:
    """The surfaces to mount, in order."""
    from bot.app import ops
    from bot.channels import slack, teams, web

    return [ops.mount, slack.mount, teams.mount, web.mount]


def build_services(settings: Settings, config: OrgConfig, store: Store | None = None, dev: bool = False,
                   parts: Parts | None = None) -> Services:
    from bot.app.stores import build_store

    store = store or build_store(settings)
    parts = parts or build_parts(config)
    from bot.app.escalation_wiring import build_service  # issue 7: None without a rota or Redis
    from bot.core.escalation.causes import unavailable

    cause = unavailable(settings, config, store, dev=dev)
    escalator = build_service(settings, config, store) if cause is None else None
    engine = Engine(parts, store, settings.hash_key, escalator=escalator, unavailable=cause)
    services = Services(settings=settings, config=config, parts=parts, store=store, engine=engine, dev=dev)
    services.extras["escalations"] = escalator
    return services


def create_app(services: Services, mounts: list[Mount] | None = None,
               on_cleanup: list[Callable[[web.Application], Awaitable[None]]] | None = None) -> web.Application:
    app = web.Application(client_max_size=1024 * 1024)
    app[SERVICES] = services
    for mount in (mounts if mounts is not None else surfaces()):
        mount(app, services)

    async def close_store(_: web.Application) -> None:
        await services.store.close()

    app.on_cleanup.append(close_store)
    for hook in on_cleanup or []:
        app.on_cleanup.append(hook)
    return app
