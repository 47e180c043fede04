"""``canishare serve`` (issue 5): start-up checks, and the real server process answering Slack."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
import pytest
import yaml

from bot.app.cli.main import main
from bot.channels.slack.listeners import BOT_EVENTS
from bot.core.settings import get_settings
from bot.testing.fake_slack import TEAM, FakeSlack, dm_of, visible
from tests.channels.slack.conftest import SECRET, SlackHarness
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[3]
SLACK_ENV = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL", "MicrosoftAppId",
             "MICROSOFT_APP_ID", "REDIS_URL")


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    for name in SLACK_ENV:
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def test_serve_has_its_flags(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["serve", "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    for flag in ("--host", "--port", "--socket-mode", "--dev", "--no-teams"):
        assert flag in out


@pytest.mark.parametrize("env,args,said", [
    ({"SLACK_BOT_TOKEN": "xoxb-1"}, ["--no-teams"], "SLACK_SIGNING_SECRET"),
    ({"SLACK_SIGNING_SECRET": "s"}, ["--no-teams"], "SLACK_BOT_TOKEN"),
    ({"SLACK_BOT_TOKEN": "xoxb-1"}, ["--no-teams", "--socket-mode"], "SLACK_APP_TOKEN"),
    ({}, ["--socket-mode", "--no-teams"], "SLACK_BOT_TOKEN and SLACK_APP_TOKEN"),
    ({}, [], "MicrosoftAppId"),  # the Teams check runs too (unless --no-teams or --dev)
], ids=["no-secret", "no-token", "socket-no-app-token", "socket-nothing", "teams-unauthenticated"])
def test_serve_refuses_a_half_configured_start(clean_env: pytest.MonkeyPatch, env: dict[str, str], args: list[str],
                                               said: str, capsys: pytest.CaptureFixture[str]) -> None:
    for name, value in env.items():
        clean_env.setenv(name, value)
    assert main(["serve", *args]) == 2
    assert said in capsys.readouterr().err


async def test_the_server_process_serves_slack_and_shuts_down_cleanly(fake_slack: FakeSlack) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in SLACK_ENV}
    env |= {"SLACK_BOT_TOKEN": "xoxb-serve", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake_slack.api_url,
            "PORT": str(port), "CANISHARE_HASH_KEY": "serve-test"}
    # The Procfile's line, unchanged: a Slack-only deployment needs no --no-teams.
    process = subprocess.Popen([sys.executable, "-m", "bot.app.cli", "serve", "--host", "127.0.0.1"],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/slack/events"
    try:
        async with aiohttp.ClientSession() as http:
            body = '{"type": "url_verification", "challenge": "abc", "token": "legacy"}'
            status = await _when_up(http, url, body, process)
            assert status == 200

            command = urlencode({"team_id": TEAM, "user_id": "U0SERVE", "channel_id": "C0GENERAL",
                                 "command": "/canishare", "text": "", "trigger_id": "serve.1",
                                 "response_url": fake_slack.hook_url("serve")})
            async with http.post(url, data=command.encode(),
                                 headers=SlackHarness.signed(command, "application/x-www-form-urlencoded")) as r:
                assert r.status == 200
            await _until(lambda: bool(fake_slack.in_channel(dm_of("U0SERVE"))), process)
            assert "Question 1" in visible(fake_slack.in_channel(dm_of("U0SERVE"))[0].blocks)
            async with http.post(url, data=command.encode(), headers={"Content-Type": "text/plain"}) as r:
                assert r.status == 401
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err.decode()
    assert f"canishare serving on http://127.0.0.1:{port}" in out.decode()
    assert f"Slack: on, events at POST http://127.0.0.1:{port}/slack/events" in out.decode()
    assert "Teams: off, MicrosoftAppId and MicrosoftAppPassword are not set" in out.decode()
    assert "will be unused" not in err.decode()
    assert "U0SERVE" not in err.decode()  # no clear user id in the logs


async def _when_up(http: aiohttp.ClientSession, url: str, body: str, process: subprocess.Popen[bytes]) -> int:
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, process.communicate()[1].decode()
        try:
            async with http.post(url, data=body.encode(), headers=SlackHarness.signed(body, "application/json")) as r:
                return r.status
        except aiohttp.ClientConnectionError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.1)


async def _until(condition: Callable[[], bool], process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        assert process.poll() is None
        assert time.monotonic() < deadline, "the server did not answer"
        await asyncio.sleep(0.05)


# --- the manifest ----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["manifest.yml", "manifest.socket-mode.yml"])
def test_the_manifest_asks_for_what_the_code_uses_and_no_more(name: str) -> None:
    manifest = yaml.safe_load((ROOT / "slack" / name).read_text())
    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == [
        "app_mentions:read", "chat:write", "commands", "im:history", "im:write", "users:read", "users:read.email"]
    assert manifest["oauth_config"]["scopes"].get("user") is None
    assert sorted(manifest["settings"]["event_subscriptions"]["bot_events"]) == sorted(BOT_EVENTS)
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["features"]["app_home"]["messages_tab_read_only_enabled"] is False
    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == "/canishare"
    socket = manifest["settings"]["socket_mode_enabled"]
    assert socket is (name == "manifest.socket-mode.yml")
    urls = [command.get("url"), manifest["settings"]["event_subscriptions"].get("request_url"),
            manifest["settings"]["interactivity"].get("request_url")]
    assert urls == ([None] * 3 if socket else ["https://YOUR-HOST/slack/events"] * 3)


def test_the_docs_justify_every_scope() -> None:
    docs = (ROOT / "docs" / "slack.md").read_text()
    manifest = yaml.safe_load((ROOT / "slack" / "manifest.yml").read_text())
    for scope in manifest["oauth_config"]["scopes"]["bot"]:
        assert f"| `{scope}` |" in docs, scope
