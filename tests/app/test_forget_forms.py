"""``canishare forget`` with every id form an administrator may have, on the real Redis.

Each test stores what the channels really store for one person (their conversation, a kept record,
quiz progress, a Teams reference, escalation rate/inbox/index keys) under the form the channel
hashes, then forgets by another form and checks that nothing is left and nobody else lost anything.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from botbuilder.schema import ChannelAccount, ConversationAccount, ConversationReference

from bot.app.cli.forget import _run
from bot.channels.teams.references import References
from bot.core.erasure_ids import parse_id
from bot.core.escalation.records import Keys
from bot.core.identity import user_hash
from bot.core.quiz.progress import progress_key
from bot.core.settings import Settings
from bot.core.store import conversation_key, record_key
from bot.storage.redis_store import RedisStore
from bot.testing.fake_slack import TEAM, FakeSlack
from tests.conftest import delete_prefix, new_prefix

HASH = "forget-forms-key"
HOUR = 3600
ENTRA = "6be8e1a2-3c4d-4e5f-9a0b-1c2d3e4f5a6b"
TEAMS_29 = "29:1aBcDeFgHiJkLmNoPqRsTuVwXyZ"


@pytest_asyncio.fixture
async def store(redis_url: str) -> AsyncIterator[RedisStore]:
    prefix = new_prefix()
    s = RedisStore.from_url(redis_url, prefix)
    yield s
    await s.close()
    delete_prefix(redis_url, prefix)


@pytest_asyncio.fixture
async def slack_api() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    fake.users["amy@example.org"] = "U0AMY0001"
    await fake.start()
    yield fake
    await fake.close()


def settings_for(store: RedisStore, slack: FakeSlack | None = None) -> Settings:
    values: dict[str, Any] = {"REDIS_URL": "redis://unused", "CANISHARE_KEY_PREFIX": store.prefix,
                              "CANISHARE_HASH_KEY": HASH}
    if slack is not None:
        values |= {"SLACK_BOT_TOKEN": "xoxb-forget", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": slack.api_url}
    return Settings.model_validate(values)


async def seed_person(store: RedisStore, channel: str, user_id: str) -> list[str]:
    """What the channels keep about one person; returns the keys (without prefix)."""
    h = user_hash(HASH, channel, user_id)
    keys = [conversation_key(h, f"{channel}:dm"), record_key(h, "r1"), progress_key(h)]
    for key in keys:
        await store.put(key, {"x": 1}, HOUR)
    k = Keys(store.prefix)
    await store.client.set(k.rate(h), 1, ex=HOUR)
    await store.client.rpush(k.inbox(h), "sealed")
    await store.client.expire(k.inbox(h), HOUR)
    return keys + [key[len(store.prefix) + 1:] for key in (k.rate(h), k.inbox(h))]


async def left_for(store: RedisStore, channel: str, user_id: str) -> list[str]:
    h = user_hash(HASH, channel, user_id)
    return [raw.decode() async for raw in store.client.scan_iter(match=f"{store.prefix}:*{h}*")]


async def forget(store: RedisStore, user: str, slack: FakeSlack | None = None,
                 channels: list[str] | None = None) -> list[str]:
    # _run closes the store it is given; give it its own connection to the same prefix.
    own = RedisStore.from_url(_url(store), store.prefix)
    return (await _run(own, settings_for(store, slack), user, channels)).lines()


def _url(store: RedisStore) -> str:
    kw = store.client.connection_pool.connection_kwargs
    return f"redis://{kw.get('host', '127.0.0.1')}:{kw.get('port', 6379)}/{kw.get('db', 0)}"


def test_every_form_is_recognised() -> None:
    assert parse_id("U0AMY0001").kind == "slack_user"
    assert parse_id("T0ORG:U0AMY0001").value == "T0ORG:U0AMY0001"
    assert parse_id("t0org/u0amy0001").value == "T0ORG:U0AMY0001"
    assert parse_id("Amy@Example.org").value == "amy@example.org"
    assert parse_id(TEAMS_29).kind == "teams_29"
    assert parse_id(ENTRA).kind == "entra"
    assert parse_id("a-web-session-cookie-value-0123456789abcdef").kind == "other"


async def test_a_bare_slack_id_is_found_under_its_workspace(store: RedisStore, slack_api: FakeSlack) -> None:
    other = await seed_person(store, "slack", f"{TEAM}:U0BOB0001")
    await seed_person(store, "slack", f"{TEAM}:U0AMY0001")
    lines = await forget(store, "U0AMY0001", slack_api)
    assert await left_for(store, "slack", f"{TEAM}:U0AMY0001") == []
    assert len(await left_for(store, "slack", f"{TEAM}:U0BOB0001")) == len(other)
    text = "\n".join(lines)
    assert "Deleted 5 keys" in text and "conversation state" in text and "quiz progress" in text
    assert "escalation rate-limit counter" in text and "U0AMY0001" not in text


async def test_a_bare_slack_id_without_slack_settings_says_what_to_give(store: RedisStore) -> None:
    from bot.app.erasure import ResolveError

    with pytest.raises(ResolveError, match=r"T…:U…"):
        await forget(store, "U0AMY0001")


async def test_a_slack_id_with_its_workspace(store: RedisStore) -> None:
    await seed_person(store, "slack", "T0ORG:U0AMY0001")
    await forget(store, "T0ORG:U0AMY0001")
    assert await left_for(store, "slack", "T0ORG:U0AMY0001") == []


async def test_an_email_address_through_slack(store: RedisStore, slack_api: FakeSlack) -> None:
    await seed_person(store, "slack", f"{TEAM}:U0AMY0001")
    lines = await forget(store, "Amy@Example.org", slack_api)
    assert await left_for(store, "slack", f"{TEAM}:U0AMY0001") == []
    assert "amy@example.org" not in "\n".join(lines).lower()
    assert [c.args["email"] for c in slack_api.calls_to("users.lookupByEmail")] == ["amy@example.org"]


async def _teams_person(store: RedisStore) -> None:
    # The conversation is kept under the Entra id; the reference under both ids.
    await seed_person(store, "teams", ENTRA)
    ref = ConversationReference(channel_id="msteams", service_url="http://127.0.0.1:1/",
                                conversation=ConversationAccount(id="a:personal"), bot=ChannelAccount(id="28:bot"))
    assert await References(store, HASH, HOUR).save([ENTRA, TEAMS_29], ref)


@pytest.mark.parametrize("given", [TEAMS_29, ENTRA], ids=["29-id", "entra-id"])
async def test_either_teams_id_removes_everything(store: RedisStore, given: str) -> None:
    await _teams_person(store)
    await forget(store, given)
    assert await left_for(store, "teams", ENTRA) == []
    assert await left_for(store, "teams", TEAMS_29) == []


async def test_a_web_session_id(store: RedisStore) -> None:
    session = "Zm9yZ2V0LXdlYi1zZXNzaW9uLWlkLTAxMjM0NTY3ODk"
    await seed_person(store, "web", session)
    await forget(store, session)
    assert await left_for(store, "web", session) == []


async def test_open_escalation_is_kept_and_said_resolved_is_unlinked(store: RedisStore) -> None:
    person = "T0ORG:U0AMY0001"
    h = user_hash(HASH, "slack", person)
    k = Keys(store.prefix)
    await store.client.hset(k.rec("open1"), mapping={"id": "open1", "state": "paging", "phash": h, "pid": "sealed"})
    await store.client.set(k.who(h), "open1")
    await store.client.hset(k.rec("done1"), mapping={"id": "done1", "state": "resolved", "phash": h, "pid": "x"})
    await store.client.expire(k.rec("done1"), 10 * 86400)
    lines = "\n".join(await forget(store, person))
    assert "open escalation ESC-open1: until a lead resolves it, then 30 days" in lines
    assert "Why: it is a safeguarding request" in lines
    assert "Unlinked resolved escalation ESC-done1" in lines
    assert await store.client.hget(k.rec("open1"), "phash") == h.encode()  # the lead can still reply
    assert await store.client.hget(k.rec("done1"), "phash") is None
    assert await store.client.exists(k.who(h)) == 0


def test_the_command_line_with_an_email_and_no_platform(redis_url: str) -> None:
    env = {"PATH": "/usr/bin:/bin", "REDIS_URL": redis_url, "CANISHARE_KEY_PREFIX": "test-forget-cli-email"}
    proc = subprocess.run([sys.executable, "-m", "bot.app.cli.main", "forget", "--user", "amy@example.org"], env=env,
                          capture_output=True, text=True, timeout=60, cwd=Path(__file__).resolve().parents[2])
    assert proc.returncode == 2
    assert "nothing was removed" in proc.stderr and "SLACK_BOT_TOKEN" in proc.stderr


async def test_an_email_address_through_the_teams_roster(store: RedisStore, tmp_path: Path) -> None:
    from aiohttp.test_utils import TestServer

    from bot.testing.teams import APP_ID, APP_PASSWORD, FakeConnector
    from tests.channels.teams.fake_login import FakeLogin

    login = FakeLogin(APP_ID, APP_PASSWORD)
    connector = FakeConnector(members=[{"id": TEAMS_29, "aadObjectId": ENTRA, "email": "ben@example.org"}])
    server = TestServer(connector.app(), host="127.0.0.1")
    await login.start()
    await server.start_server()
    try:
        org = tmp_path / "org.yaml"
        org.write_text(
            "rota:\n  people:\n    - {id: cal, name: Cal, role: caldicott_guardian, teams_user_id: '29:cal'}\n"
            "  fallback:\n    people: [cal]\n    teams_channel: {conversation_id: '19:leads@thread.tacv2', "
            f"service_url: '{server.make_url('/')}', tenant_id: t}}\n")
        await _teams_person(store)
        settings = settings_for(store).model_copy(update={
            "config_path": org, "microsoft_app_id": APP_ID, "microsoft_app_password": APP_PASSWORD,
            "microsoft_login_url": login.url})
        own = RedisStore.from_url(_url(store), store.prefix)
        lines = (await _run(own, settings, "ben@example.org", None)).lines()
    finally:
        await server.close()
        await login.close()
    assert await left_for(store, "teams", ENTRA) == [] and await left_for(store, "teams", TEAMS_29) == []
    assert "ben@example.org" not in "\n".join(lines)
