"""The rota by e-mail address: resolved on Slack (users.lookupByEmail) and Teams (the fallback channel's
roster), cached in Redis sealed and with a TTL, and accepted by ``canishare duty``."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
import yaml
from aiohttp.test_utils import TestServer

from bot.app.cli.duty import run_duty
from bot.app.directory import CACHE_SECONDS, directory_for
from bot.app.rota_directory import resolve_rota
from bot.core.config import OrgConfig
from bot.core.settings import Settings, get_settings
from bot.storage.redis_store import RedisStore
from bot.testing.fake_slack import FakeSlack
from bot.testing.teams import APP_ID, APP_PASSWORD, FakeConnector
from tests.channels.teams.fake_login import FakeLogin

ENTRA = "0b7c1e5a-2d3f-4a6b-9c8d-7e6f5a4b3c2d"


@pytest_asyncio.fixture
async def platforms() -> AsyncIterator[tuple[FakeSlack, FakeLogin, FakeConnector]]:
    slack = FakeSlack()
    slack.users["amy@example.org"] = "U0AMY0001"
    login = FakeLogin(APP_ID, APP_PASSWORD)
    connector = FakeConnector(members=[{"id": "29:ben", "aadObjectId": ENTRA, "email": "Ben@Example.org"}])
    server = TestServer(connector.app(), host="127.0.0.1")
    await slack.start()
    await login.start()
    await server.start_server()
    connector.url = str(server.make_url("/"))
    yield slack, login, connector
    await server.close()
    await login.close()
    await slack.close()


def org(connector: FakeConnector) -> dict[str, Any]:
    return {"rota": {
        "people": [{"id": "amy", "name": "Amy Lead", "role": "safeguarding_lead", "email": "amy@example.org"},
                   {"id": "ben", "name": "Ben Lead", "role": "safeguarding_lead", "email": "ben@example.org"},
                   {"id": "zed", "name": "Zed Nobody", "role": "deputy", "email": "zed@example.org"}],
        "layers": [{"name": "leads", "slot": "lead", "people": ["amy", "ben"], "start": "2026-01-05"}],
        "fallback": {"people": ["amy"], "teams_channel": {"conversation_id": "19:leads@thread.tacv2",
                                                          "service_url": connector.url, "tenant_id": "t"}}}}


def env(slack: FakeSlack, login: FakeLogin) -> dict[str, str]:
    return {"SLACK_BOT_TOKEN": "xoxb-rota", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": slack.api_url,
            "MicrosoftAppId": APP_ID, "MicrosoftAppPassword": APP_PASSWORD,
            "CANISHARE_MICROSOFT_LOGIN_URL": login.url, "CANISHARE_HASH_KEY": "rota-email-key"}


async def test_addresses_resolve_on_each_platform_and_are_cached_sealed(
        platforms: tuple[FakeSlack, FakeLogin, FakeConnector], redis_store: RedisStore) -> None:
    slack, login, connector = platforms
    settings = Settings.model_validate(env(slack, login))
    config = OrgConfig.model_validate(org(connector))
    directory = directory_for(settings, config, redis_store.client, redis_store.prefix)
    result = await resolve_rota(config, directory)
    await directory.close()
    assert result.config.rota is not None
    people = {p.id: p for p in result.config.rota.people}
    assert people["amy"].slack_user_id == "U0AMY0001"
    assert people["ben"].teams_user_id == ENTRA  # found in the roster, address matched without regard to case
    assert [p.split(":")[0] for p in result.problems] == ["zed"] and "Finding ids by hand" in result.problems[0]

    keys = [k.decode() async for k in redis_store.client.scan_iter(match=f"{redis_store.prefix}:dir:*")]
    assert len(keys) == 2
    for key in keys:
        assert 0 < await redis_store.client.ttl(key) <= CACHE_SECONDS
        raw = await redis_store.client.get(key)
        assert b"U0AMY0001" not in raw and ENTRA.encode() not in raw and b"example.org" not in raw + key.encode()

    # Cached: the next process resolves without asking Slack again.
    slack.users.clear()
    again = directory_for(settings, config, redis_store.client, redis_store.prefix)
    assert await again.slack_by_email("amy@example.org") == "U0AMY0001"
    await again.close()


async def test_duty_accepts_addresses(platforms: tuple[FakeSlack, FakeLogin, FakeConnector], tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    slack, login, connector = platforms
    path = tmp_path / "org.yaml"
    path.write_text(yaml.safe_dump(org(connector)))
    for name, value in {**env(slack, login), "CANISHARE_CONFIG": str(path)}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("REDIS_URL", raising=False)
    get_settings.cache_clear()
    out = io.StringIO()
    try:
        assert await run_duty("2026-01-06T10:00", False, out) == 0
    finally:
        get_settings.cache_clear()
    text = out.getvalue()
    assert "Amy Lead" in text and "Not resolved: zed" in text
