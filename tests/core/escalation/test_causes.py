"""Every "I can't put you in touch" names its real cause: no rota, no Redis, no delivery path, Redis down."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.app.server import build_services
from bot.core.config import OrgConfig
from bot.core.settings import Settings
from bot.core.store import MemoryStore
from bot.storage.redis_store import RedisStore
from tests.core.escalation.conftest import make_config
from tests.core.escalation.test_engine_raise import _talk

SLACK = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "CANISHARE_HASH_KEY": "k"}


def said(replies: list) -> str:  # type: ignore[type-arg]
    return "\n".join(r.text for r in replies)


async def test_no_rota(parts) -> None:  # type: ignore[no-untyped-def]
    services = build_services(Settings.model_validate(SLACK), OrgConfig(), store=MemoryStore(), parts=parts)
    assert "no safeguarding lead rota is configured" in said(await _talk(services.engine))


async def test_a_rota_without_redis_says_redis_not_rota() -> None:
    config = make_config()
    services = build_services(Settings.model_validate(SLACK), config, store=MemoryStore())
    text = said(await _talk(services.engine))
    assert "no database (Redis)" in text and "no safeguarding lead rota" not in text


async def test_a_rota_nobody_can_be_reached_on() -> None:
    config = make_config()  # everyone on it has a Slack id, but Slack is not connected here
    store = RedisStore.from_url("redis://127.0.0.1:6379/0", "test-causes-nodelivery")
    try:
        services = build_services(Settings.model_validate({"CANISHARE_HASH_KEY": "k"}), config, store=store)
        text = said(await _talk(services.engine))
    finally:
        await store.close()
    assert "can be reached through the channels this service runs" in text


def test_terminal_chat_with_a_rota_but_no_redis(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    org = tmp_path / "org.yaml"
    org.write_text(yaml.safe_dump({"rota": make_config().model_dump(mode="json", by_alias=True)["rota"]}))
    env = {"CANISHARE_CONFIG": str(org), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, "-m", "bot.app.cli.main", "chat"], input="2\nnot sure\ntalk\n", env=env,
                          capture_output=True, text=True, timeout=120, cwd=Path(__file__).resolve().parents[3])
    assert "no database (Redis)" in proc.stdout, proc.stdout + proc.stderr
