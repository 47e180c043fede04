"""Teams fixtures: the real botbuilder CloudAdapter on the real aiohttp app, a fake Bot Framework
connector on 127.0.0.1, real Redis, and (for app-id mode) Bot Framework signing keys seeded locally.

- ``connector``  a fake connector at the activities' ``serviceUrl``: records every POST (new
                 message, reply, create conversation) and PUT (update); answers 400 to a card that
                 breaks the Adaptive Card 1.5 schema and 413 to one over the size budget, as Teams would.
- ``teams``      a :class:`TeamsHarness`: the app with only the Teams surface, dev mode (no app id).
- ``signer``     Bot Framework signing keys: a test RSA key seeded into botframework's OpenID cache.
- ``teams_auth`` the harness with ``MicrosoftAppId`` set: JWT validation runs for real, offline.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio
from aiohttp.test_utils import TestServer
from botframework.connector.auth import AuthenticationConstants, JwtTokenExtractor
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from bot.app.server import build_services
from bot.core.config import OrgConfig
from bot.core.parts import Parts, build_parts
from bot.storage.redis_store import RedisStore
from bot.testing.teams import APP_ID, KID, FakeConnector, Signer, TeamsHarness, make_settings, run_harness


@pytest_asyncio.fixture
async def connector() -> AsyncIterator[FakeConnector]:
    fake = FakeConnector()
    server = TestServer(fake.app(), host="127.0.0.1")
    await server.start_server()
    fake.url = str(server.make_url("/"))
    try:
        yield fake
    finally:
        await server.close()
    assert not fake.rejected, f"the bot sent cards Teams would refuse: {fake.rejected}"


@pytest.fixture(scope="session")
def parts() -> Parts:
    return build_parts(OrgConfig())


@pytest_asyncio.fixture
async def teams(redis_store: RedisStore, connector: FakeConnector, parts: Parts) -> AsyncIterator[TeamsHarness]:
    services = build_services(make_settings(), parts.config, store=redis_store, dev=True, parts=parts)
    async for running in run_harness(services, connector):
        yield running


@pytest.fixture(scope="session")
def rsa_keys() -> tuple[rsa.RSAPrivateKey, rsa.RSAPrivateKey]:
    return (rsa.generate_private_key(public_exponent=65537, key_size=2048),
            rsa.generate_private_key(public_exponent=65537, key_size=2048))


@pytest.fixture
def signer(rsa_keys: tuple[rsa.RSAPrivateKey, rsa.RSAPrivateKey]) -> Iterator[Signer]:
    """Seed botframework's class-level OpenID cache with our public key (fresh, so it never refreshes)."""
    key, other = rsa_keys
    jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update(kid=KID, use="sig", endorsements=["msteams"])
    urls = (AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL,
            AuthenticationConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL)
    saved = {}
    for url in urls:
        metadata = JwtTokenExtractor.get_open_id_metadata(url)
        saved[url] = (metadata.keys, metadata.last_updated)
        metadata.keys = [jwk] if url == urls[0] else []
        metadata.last_updated = dt.datetime.now()  # botframework compares naive local times
    try:
        yield Signer(key, other)
    finally:
        for url, (keys, updated) in saved.items():
            metadata = JwtTokenExtractor.get_open_id_metadata(url)
            metadata.keys, metadata.last_updated = keys, updated


@pytest_asyncio.fixture
async def teams_auth(redis_store: RedisStore, connector: FakeConnector, parts: Parts,
                     signer: Signer) -> AsyncIterator[TeamsHarness]:
    services = build_services(make_settings(APP_ID), parts.config, store=redis_store, dev=False, parts=parts)
    async for running in run_harness(services, connector):
        yield running
