"""docs/deployment.md, followed as written, against local fakes of Slack and the Bot Framework.

The settings come from the guide's ``env`` block, the organisation file from its ``yaml`` block and
the commands from its ``sh`` blocks; only the ``<…>`` placeholders are filled in (with the fakes'
addresses and test secrets). Redis is a real server of the test's own with the persistence the guide
asks for. The run must end as the guide says: a doctor report with no failures and no warnings.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
import shlex
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiohttp.test_utils import TestServer

from bot.testing.fake_slack import FakeSlack
from bot.testing.teams import APP_ID, APP_PASSWORD, FakeConnector
from tests.channels.teams.fake_login import FakeLogin
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "deployment.md"
BEN_ENTRA = "0b7c1e5a-2d3f-4a6b-9c8d-7e6f5a4b3c2d"


def blocks(kind: str) -> list[str]:
    return re.findall(rf"```{kind}\n(.*?)```", GUIDE.read_text(), flags=re.S)


@pytest_asyncio.fixture
async def fakes() -> AsyncIterator[tuple[FakeSlack, FakeLogin, FakeConnector]]:
    slack = FakeSlack()
    slack.users.update({"amy.patel@example.org": "U0AMYPATEL", "cal.jones@example.org": "U0CALJONES"})
    login = FakeLogin(APP_ID, APP_PASSWORD)
    connector = FakeConnector(members=[{"id": "29:ben-okafor", "name": "Ben Okafor", "aadObjectId": BEN_ENTRA,
                                        "email": "ben.okafor@example.org",
                                        "userPrincipalName": "ben.okafor@example.org"}])
    server = TestServer(connector.app(), host="127.0.0.1")
    await slack.start()
    await login.start()
    await server.start_server()
    connector.url = str(server.make_url("/"))
    try:
        yield slack, login, connector
    finally:
        await server.close()
        await login.close()
        await slack.close()


def fill(text: str, values: dict[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        for needle, value in values.items():
            if needle in match.group(1):
                return value
        raise AssertionError(f"the test does not know how to fill <{match.group(1)}>")

    return re.sub(r"<([^>]+)>", one, text)


async def run(cmd: str, env: dict[str, str], cwd: Path) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.app.cli.main", *shlex.split(cmd)[1:], env=env, cwd=cwd,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
    return proc.returncode or 0, out.decode(), err.decode()


async def doctor(env: dict[str, str], cwd: Path) -> dict[str, Any]:
    code, out, err = await run("canishare doctor --json", env, cwd)
    report = json.loads(out)
    assert (code == 0) is report["ok"], err
    return report


async def until(condition: Callable[[], Any], seconds: float = 60) -> Any:
    for _ in range(int(seconds * 10)):
        result = await condition()
        if result:
            return result
        await asyncio.sleep(0.1)
    raise AssertionError("timed out")


async def test_the_guide_leads_to_a_green_doctor(fakes: tuple[FakeSlack, FakeLogin, FakeConnector], tmp_path: Path,
                                                 make_private_redis: Callable[..., Any]) -> None:
    slack, login, connector = fakes
    redis = make_private_redis(appendonly=True)  # step 1's persistence
    assert "redis-server --appendonly yes --appendfsync everysec --maxmemory-policy noeviction" in blocks("sh")[0]
    # The guide's Procfile is the repository's, unchanged, for Slack and Teams together.
    assert "```\n" + (ROOT / "Procfile").read_text() + "```" in GUIDE.read_text()

    # Step 5, the settings, as written; placeholders filled with the fakes' secrets.
    (env_block,) = blocks("env")
    values = {"openssl rand": secrets.token_hex(32), "xoxb": "xoxb-guide-token", "signing secret": "guide-secret",
              "app id": APP_ID, "client secret": APP_PASSWORD}
    settings = dict(line.split("=", 1) for line in fill(env_block, values).splitlines() if line.strip())
    assert settings["REDIS_URL"].startswith("redis://") and settings["CANISHARE_CONFIG"] == "config/org.yaml"
    settings["REDIS_URL"] = redis.url  # the guide's Redis, on this test's port
    # Where "Slack" and "Microsoft" are, for this test only: the local fakes.
    settings |= {"SLACK_API_URL": slack.api_url, "CANISHARE_MICROSOFT_LOGIN_URL": login.url,
                 "PORT": str(free_port()), "CANISHARE_KEY_PREFIX": "guide"}
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT), **settings}

    # Step 6, the organisation file, as written, in a fresh directory (the guide's relative path).
    work = tmp_path / "deploy"
    (work / "config").mkdir(parents=True)
    org_values = {"Slack channel id": "C0LEADS001", "Teams channel id": "19:leads@thread.tacv2",
                  "service URL": connector.url, "tenant id": "72f988bf-86f1-41af-91ab-2d7cd011db47"}
    yaml_blocks = [b for b in blocks("yaml") if "rota:" in b]
    (work / "config" / "org.yaml").write_text(fill(yaml_blocks[0], org_values))

    # Step 7: the doctor before anything runs names the worker and nothing else.
    commands = [line.strip() for block in blocks("sh") for line in block.splitlines() if "canishare" in line]
    assert commands[:2] == ["pip install .", "canishare doctor"] or "canishare doctor" in commands
    first = await doctor(env, work)
    failing = [c["name"] for c in first["checks"] if c["status"] == "fail"]
    assert failing == ["worker"], first

    processes = []
    try:
        for command in ("canishare worker &", "canishare serve &"):
            assert command in commands
            processes.append(await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot.app.cli.main", *shlex.split(command.rstrip(" &"))[1:], env=env, cwd=work,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE))
        serve = processes[1]
        assert serve.stdout is not None
        lines = [(await asyncio.wait_for(serve.stdout.readline(), 60)).decode().strip() for _ in range(3)]
        assert lines[0].startswith("Slack: on, events at POST") and lines[1].startswith("Teams: on,"), lines

        # Step 8: green once the worker has reported.
        async def green() -> dict[str, Any] | None:
            report = await doctor(env, work)
            return report if report["ok"] else None

        report = await until(green)
    finally:
        for process in processes:
            if process.returncode is None:
                process.terminate()
                await process.wait()
    statuses = {c["name"]: c["status"] for c in report["checks"]}
    assert not [c for c in report["checks"] if c["status"] in ("fail", "warn")], report
    for name in ("redis", "redis persistence", "worker", "slack credentials", "teams credentials",
                 "rota person amy", "rota person ben", "rota person cal", "rota cover", "fallback"):
        assert statuses[name] == "ok", (name, report)
    assert [c.args["email"] for c in slack.calls_to("users.lookupByEmail")]  # resolved through Slack
    assert login.requests and login.requests[0]["scope"] == "https://api.botframework.com/.default"


@pytest.mark.parametrize("problem,check,said", [
    ("slack", "slack credentials", "Slack refused the bot token"),
    ("teams", "teams credentials", "Microsoft refused the app's credentials (invalid_client)"),
    ("org", "organisation file", "(line 4)"),
    ("redis", "redis", "Redis cannot be reached"),
])
async def test_doctor_names_each_failure_with_a_fix(fakes: tuple[FakeSlack, FakeLogin, FakeConnector],
                                                   tmp_path: Path, redis_url: str, problem: str, check: str,
                                                   said: str) -> None:
    slack, login, _ = fakes
    org = tmp_path / "org.yaml"
    org.write_text("name: Test\nrota:\n  people:\n    - {id: amy, name: Amy, role: lead_person, "
                   "slack_user_id: U0AMY}\n" if problem == "org" else "name: Test\n")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT), "CANISHARE_CONFIG": str(org),
           "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0" if problem == "redis" else redis_url,
           "CANISHARE_KEY_PREFIX": "test-doctor-" + secrets.token_hex(4), "CANISHARE_HASH_KEY": secrets.token_hex(32),
           "SLACK_BOT_TOKEN": "not-a-bot-token" if problem == "slack" else "xoxb-ok", "SLACK_SIGNING_SECRET": "s",
           "SLACK_API_URL": slack.api_url, "MicrosoftAppId": APP_ID,
           "MicrosoftAppPassword": "wrong" if problem == "teams" else APP_PASSWORD,
           "CANISHARE_MICROSOFT_LOGIN_URL": login.url}
    code, out, _ = await run("canishare doctor", env, tmp_path)
    assert code == 1
    line = next(x for x in out.splitlines() if x.startswith(f"✗ {check}:"))
    assert said in line, out
    fix = out.splitlines()[out.splitlines().index(line) + 1]
    assert fix.startswith("    fix: "), out
