"""Slack fixtures: the real canishare aiohttp app with the real bolt app, over real HTTP.

``fake_slack``  the local fake Web API (bot/testing/fake_slack.py)
``slack``       a :class:`bot.testing.slack.SlackHarness`: the app served by aiohttp's TestServer, its
                store on the real Redis, and helpers that send Slack-shaped requests signed with the
                signing secret
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer

from bot.app.server import create_app
from bot.channels.slack import mount as slack_mount
from bot.core.engine import Engine
from bot.core.parts import Parts
from bot.core.services import Services
from bot.storage.redis_store import RedisStore
from bot.testing.fake_slack import FakeSlack
from bot.testing.slack import HASH_KEY, SlackHarness, settings_for


@pytest_asyncio.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.close()


@pytest_asyncio.fixture
async def slack(fake_slack: FakeSlack, parts: Parts, redis_store: RedisStore) -> AsyncIterator[SlackHarness]:
    settings = settings_for(fake_slack)
    services = Services(settings=settings, config=parts.config, parts=parts, store=redis_store,
                        engine=Engine(parts, redis_store, HASH_KEY))
    app = create_app(services, mounts=[slack_mount])
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        yield SlackHarness(client, fake_slack, services)
    finally:
        await client.close()
