"""``canishare serve`` serves what is configured: one line per channel, refusals for half-configured ones."""

from __future__ import annotations

import pytest

from bot.app.cli.main import main
from bot.app.serve_plan import NoChannelError, plan
from bot.core.config import ConfigError
from bot.core.settings import Settings, get_settings

APP_ID = "9f3c2b1a-4d5e-4f60-8a7b-1c2d3e4f5a6b"
SLACK = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}
TEAMS = {"MicrosoftAppId": APP_ID, "MicrosoftAppPassword": "p"}
ENV = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "MicrosoftAppId", "MICROSOFT_APP_ID",
       "MicrosoftAppPassword", "MICROSOFT_APP_PASSWORD", "MicrosoftAppTenantId", "MICROSOFT_APP_TENANT_ID",
       "MicrosoftAppType", "MICROSOFT_APP_TYPE", "CANISHARE_WEB_TOKEN", "CANISHARE_HOST", "CANISHARE_CONFIG")


def settings(**env: str) -> Settings:
    return Settings.model_validate(env)


@pytest.mark.parametrize("env,on", [
    (SLACK, {"Slack"}),
    (TEAMS, {"Teams"}),
    (SLACK | TEAMS, {"Slack", "Teams"}),
    (SLACK | {"CANISHARE_WEB_TOKEN": "t"}, {"Slack", "Web page"}),
], ids=["slack-only", "teams-only", "both", "slack-and-web"])
def test_each_fully_configured_channel_is_served(env: dict[str, str], on: set[str]) -> None:
    result = plan(settings(**env), host="0.0.0.0", port=3978)
    assert {c.name for c in result.channels if c.on} == on
    assert len(result.lines()) == 3
    assert result.teams_off is ("Teams" not in on)


def test_lines_say_where() -> None:
    lines = plan(settings(**SLACK, **TEAMS), host="0.0.0.0", port=8000).lines()
    assert lines[0] == "Slack: on, events at POST http://127.0.0.1:8000/slack/events"
    assert lines[1] == "Teams: on, Bot Framework messages at POST http://127.0.0.1:8000/api/messages"
    assert lines[2].startswith("Web page: off, 0.0.0.0 is not a loopback address")


def test_nothing_configured_is_refused_unless_the_web_page_is_on() -> None:
    with pytest.raises(NoChannelError, match="no channel is configured"):
        plan(settings(), host="0.0.0.0", port=3978)
    web_only = plan(settings(), host="127.0.0.1", port=3978)
    assert [c.name for c in web_only.channels if c.on] == ["Web page"]
    assert plan(settings(CANISHARE_WEB_TOKEN="t"), host="0.0.0.0", port=3978).web.on


@pytest.mark.parametrize("env,said", [
    ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
    ({"SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN"),
    ({"MicrosoftAppId": APP_ID}, "MicrosoftAppPassword is not set"),
    ({"MicrosoftAppPassword": "p"}, "MicrosoftAppId is not set"),
    ({"MicrosoftAppId": "not-a-guid", "MicrosoftAppPassword": "p"}, "GUID"),
], ids=["slack-no-secret", "slack-no-token", "teams-no-password", "teams-no-id", "teams-bad-id"])
def test_a_half_configured_channel_is_refused(env: dict[str, str], said: str) -> None:
    with pytest.raises(ConfigError, match=said):
        plan(settings(**env, **{"CANISHARE_WEB_TOKEN": "t"}), host="0.0.0.0", port=3978)


def test_no_teams_stays_an_explicit_switch() -> None:
    result = plan(settings(**SLACK, **TEAMS), host="0.0.0.0", port=3978, no_teams=True)
    assert result.teams_off and result.teams.line() == "Teams: off, switched off by --no-teams"


def test_serve_with_nothing_configured_exits_2_naming_every_way(monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    try:
        assert main(["serve"]) == 2
    finally:
        get_settings.cache_clear()
    err = capsys.readouterr().err
    for name in ("SLACK_BOT_TOKEN", "MicrosoftAppId", "CANISHARE_WEB_TOKEN", "canishare doctor"):
        assert name in err


@pytest.mark.parametrize("env,lines", [
    (TEAMS, ["Slack: off,", "Teams: on, Bot Framework messages at POST", "Web page: off,"]),
    (SLACK | TEAMS, ["Slack: on, events at POST", "Teams: on,", "Web page: off,"]),
], ids=["teams-only", "slack-and-teams"])
async def test_the_procfile_line_serves_what_is_configured(env: dict[str, str], lines: list[str]) -> None:
    import asyncio
    import os
    import sys
    from pathlib import Path

    import aiohttp

    from tests.conftest import free_port

    port = free_port()
    clean = {k: v for k, v in os.environ.items() if k not in ENV and k != "REDIS_URL"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.app.cli", "serve", env={**clean, **env, "PORT": str(port)},
        cwd=Path(__file__).resolve().parents[2], stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        assert process.stdout is not None
        printed = [(await asyncio.wait_for(process.stdout.readline(), 60)).decode() for _ in range(3)]
        assert [p.startswith(want) for p, want in zip(printed, lines, strict=True)] == [True] * 3, printed
        async with aiohttp.ClientSession() as http:
            for _ in range(300):
                try:
                    async with http.post(f"http://127.0.0.1:{port}/api/messages", json={"type": "message"}) as r:
                        status = r.status
                    break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)
        assert status == 400  # served, and a body that is not an activity is refused before anything runs
    finally:
        process.terminate()
        _, err = await process.communicate()
    assert "will be unused" not in err.decode()
