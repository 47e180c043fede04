"""Web page and ops fixtures: the real aiohttp app (web page + /healthz + /metrics) on a real port.

``web_server``   factory: ``await web_server(host=..., web_token=..., store=...)`` serves the app on
                 127.0.0.1 (``host`` is what the settings say the server listens on, which decides
                 the page's access rule) and returns its base URL; all are closed after the test
``browser``      Debian's chromium driven by Playwright (skipped when /usr/bin/chromium is absent, except in CI
                 (CI=true), where a missing browser fails the run: the accessibility audit must run there)
``artifacts``    test-artifacts/ at the repository root, for screenshots
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiohttp.test_utils import TestServer

from bot.app import ops
from bot.app.server import create_app
from bot.channels import web
from bot.core.engine import Engine, Parts
from bot.core.services import Services
from bot.core.settings import Settings
from bot.core.store import MemoryStore, Store

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
HASH_KEY = "web-test-hash-key"


def web_services(parts: Parts, store: Store | None = None, escalations: bool = False, **settings: Any) -> Services:
    """Services as ``canishare serve`` builds them; ``escalations=True`` adds the real escalation
    service (it needs a rota in ``parts.config`` and a Redis store)."""
    store = store or MemoryStore()
    values: dict[str, Any] = {"host": "127.0.0.1", "web_token": None, "redis_url": None, "hash_key": HASH_KEY}
    values.update(settings)
    escalator = None
    if escalations:
        from bot.app.escalation_wiring import build_service

        escalator = build_service(Settings(**values), parts.config, store)
    services = Services(settings=Settings(**values), config=parts.config, parts=parts, store=store,
                        engine=Engine(parts, store, HASH_KEY, escalator=escalator))
    services.extras["escalations"] = escalator
    return services


WebServer = Callable[..., Awaitable[str]]


@pytest_asyncio.fixture
async def web_server(parts: Parts) -> AsyncIterator[WebServer]:
    servers: list[TestServer] = []

    async def start(store: Store | None = None, parts: Parts = parts, **settings: Any) -> str:
        services = web_services(parts, store, **settings)
        server = TestServer(create_app(services, mounts=[ops.mount, web.mount]), host="127.0.0.1")
        await server.start_server()
        servers.append(server)
        return str(server.make_url("")).rstrip("/")

    try:
        yield start
    finally:
        for server in servers:
            await server.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest_asyncio.fixture
async def browser() -> AsyncIterator[Any]:
    if not CHROMIUM.exists():
        why = "Debian's chromium is not installed at /usr/bin/chromium (apt-get install chromium; .ci/run installs it)"
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail(f"{why}: in CI the browser tests, and their accessibility audit, must run", pytrace=False)
        pytest.skip(why)
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            await chromium.close()
