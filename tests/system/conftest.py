"""Reliability fixtures: the whole application (Slack, Teams in --dev mode, the web page, /healthz)
on a real loopback HTTP port with the real Redis, and the load fakes of :mod:`benchmarks.load`.

``load_fakes``  a :class:`bot.testing.load.LoadSlack` (fake Slack Web API) and a
                :class:`bot.testing.load.LoadConnector` (fake Bot Framework connector), running
``serve_edge``  factory: ``async with serve_edge(store) as edge`` serves the app over ``store``
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web

from bot.app.server import build_services, create_app
from bot.core.parts import Parts
from bot.core.services import Services
from bot.core.settings import Settings
from bot.core.store import Store
from bot.testing.load import LoadConnector, LoadSlack, fakes
from bot.testing.slack import SECRET

HASH_KEY = "reliability-hash-key"
SYSTEM_DIR = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Everything under tests/system is slow and end to end: ``pytest -m "not slow"`` skips it.
    for item in items:
        if SYSTEM_DIR in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.slow)


@dataclass
class Edge:
    url: str
    services: Services
    app: web.Application
    fake: LoadSlack
    connector: LoadConnector


def edge_settings(fake: LoadSlack, **extra: Any) -> Settings:
    values: dict[str, Any] = {"slack_bot_token": "xoxb-reliability", "slack_signing_secret": SECRET,
                              "slack_api_url": fake.api_url, "hash_key": HASH_KEY, "host": "127.0.0.1",
                              "redis_url": "redis://127.0.0.1:6379/0"}
    values.update(extra)
    return Settings(**values)


@pytest_asyncio.fixture
async def load_fakes() -> AsyncIterator[tuple[LoadSlack, LoadConnector]]:
    async with fakes() as pair:
        yield pair


EdgeFactory = Callable[..., contextlib.AbstractAsyncContextManager[Edge]]


@pytest.fixture
def serve_edge(load_fakes: tuple[LoadSlack, LoadConnector], parts: Parts) -> EdgeFactory:
    fake, connector = load_fakes

    @contextlib.asynccontextmanager
    async def serve(store: Store, *, dev: bool = True, **settings: Any) -> AsyncIterator[Edge]:
        services = build_services(edge_settings(fake, **settings), parts.config, store=store, dev=dev, parts=parts)
        app = create_app(services)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        try:
            yield Edge(f"http://127.0.0.1:{port}", services, app, fake, connector)
        finally:
            await runner.cleanup()

    return serve
