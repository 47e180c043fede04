"""Wiring: when /api/messages is mounted, refusing to serve it unauthenticated, the tenant trap,
and the Teams app package."""

from __future__ import annotations

import io
import json
import logging
import zipfile
from pathlib import Path

import pytest
from aiohttp import web
from botbuilder.schema import Activity
from PIL import Image

from bot.app.cli import teams as teams_cli
from bot.app.cli.main import main
from bot.app.server import build_services
from bot.channels import teams as teams_channel
from bot.channels.teams import TeamsSettingsError, check_teams_settings
from bot.channels.teams.references import tenant_of
from bot.core.config import OrgConfig
from bot.core.parts import Parts
from bot.core.services import Services
from bot.storage.memory import MemoryStore
from bot.testing.teams import APP_ID, TENANT, make_settings, personal_message

REPO = Path(__file__).resolve().parents[3]


def services_for(app_id: str, dev: bool, parts: Parts) -> Services:
    return build_services(make_settings(app_id), OrgConfig(), store=MemoryStore(), dev=dev, parts=parts)


def test_not_mounted_without_app_id_or_dev(parts: Parts, caplog: pytest.LogCaptureFixture) -> None:
    app = web.Application()
    with caplog.at_level(logging.INFO, logger="canishare.teams"):
        teams_channel.mount(app, services_for("", dev=False, parts=parts))
    assert [r.resource.canonical for r in app.router.routes()] == []
    assert [r.getMessage() for r in caplog.records if r.name == "canishare.teams"] == [
        "Teams disabled: MicrosoftAppId is not set (use --dev to test with the Bot Framework Emulator)"]


@pytest.mark.parametrize(("app_id", "dev"), [("", True), (APP_ID, False)])
def test_mounted_with_app_id_or_dev(parts: Parts, app_id: str, dev: bool) -> None:
    app = web.Application()
    services = services_for(app_id, dev=dev, parts=parts)
    teams_channel.mount(app, services)
    assert [(r.method, r.resource.canonical) for r in app.router.routes()] == [("POST", "/api/messages")]
    assert services.teams_bot is app[teams_channel.TEAMS]


def test_serve_refuses_an_unauthenticated_endpoint() -> None:
    with pytest.raises(TeamsSettingsError, match=r"MicrosoftAppId is not set.*--dev.*--no-teams"):
        check_teams_settings(make_settings(""), dev=False, no_teams=False)
    check_teams_settings(make_settings(""), dev=True, no_teams=False)  # the Emulator
    check_teams_settings(make_settings(""), dev=False, no_teams=True)  # Teams switched off
    check_teams_settings(make_settings(APP_ID), dev=False, no_teams=False)


@pytest.mark.parametrize(("changes", "message"), [
    ({"microsoft_app_password": ""}, "MicrosoftAppPassword is not set"),
    ({"microsoft_app_id": "not-a-guid"}, "GUID"),
    ({"microsoft_app_type": "SingleTenant"}, "MicrosoftAppTenantId is required"),
    ({"microsoft_app_type": "Sometimes"}, "MicrosoftAppType must be one of"),
])
def test_app_settings_that_cannot_work_are_refused(changes: dict, message: str) -> None:
    settings = make_settings(APP_ID).model_copy(update=changes)
    with pytest.raises(TeamsSettingsError, match=message):
        check_teams_settings(settings, dev=False, no_teams=False)


def test_single_tenant_and_managed_identity_settings_pass() -> None:
    single = make_settings(APP_ID).model_copy(update={"microsoft_app_type": "SingleTenant",
                                                     "microsoft_app_tenant_id": TENANT})
    msi = make_settings(APP_ID).model_copy(update={"microsoft_app_type": "UserAssignedMSI",
                                                  "microsoft_app_password": "", "microsoft_app_tenant_id": TENANT})
    check_teams_settings(single, dev=False, no_teams=False)
    check_teams_settings(msi, dev=False, no_teams=False)


def test_tenant_is_read_from_channel_data() -> None:
    activity = Activity().deserialize(personal_message("http://127.0.0.1:1/"))
    assert activity.conversation.tenant_id is None  # botbuilder 4.17.1 maps "tenantID"; Teams sends "tenantId"
    assert tenant_of(activity) == TENANT
    broken = personal_message("http://127.0.0.1:1/", channelData={"tenant": "not an object"})
    del broken["conversation"]["tenantId"]
    assert tenant_of(Activity().deserialize(broken)) is None


# --- the app package ------------------------------------------------------------------------------
def test_committed_manifest_and_icons() -> None:
    manifest = json.loads((REPO / "bot" / "channels" / "teams" / "manifest" / "manifest.json").read_text())
    assert manifest["manifestVersion"] == "1.17"
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}
    assert Image.open(REPO / "bot" / "channels" / "teams" / "manifest" / "color.png").size == (192, 192)
    outline = Image.open(REPO / "bot" / "channels" / "teams" / "manifest" / "outline.png").convert("RGBA")
    assert outline.size == (32, 32)
    raw = outline.tobytes()
    colours = {tuple(raw[i:i + 4]) for i in range(0, len(raw), 4)}
    assert all(a == 0 or (r, g, b) == (255, 255, 255) for r, g, b, a in colours)  # white on transparent
    assert any(a == 0 for *_, a in colours) and any(a == 255 for *_, a in colours)


def test_teams_package_builds_a_sideloadable_zip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "pkg" / "canishare-teams.zip"
    code = main(["teams-package", "--out", str(out), "--app-id", APP_ID, "--name", "Can I share",
                 "--domain", "canishare.example.org", "--domain", "*.example.org", "--developer", "Example Council"])
    assert code == 0, capsys.readouterr().err
    with zipfile.ZipFile(out) as zf:
        assert sorted(zf.namelist()) == ["color.png", "manifest.json", "outline.png"]  # at the root
        manifest = json.loads(zf.read("manifest.json"))
        assert Image.open(io.BytesIO(zf.read("color.png"))).size == (192, 192)
        assert Image.open(io.BytesIO(zf.read("outline.png"))).size == (32, 32)
    assert manifest["id"] == APP_ID
    assert [b["botId"] for b in manifest["bots"]] == [APP_ID]
    assert manifest["name"]["short"] == "Can I share"
    assert manifest["name"]["full"].startswith("Can I share: ")
    assert manifest["validDomains"] == ["canishare.example.org", "*.example.org"]
    assert manifest["developer"]["name"] == "Example Council"
    assert manifest["developer"]["websiteUrl"] == "https://canishare.example.org/"
    assert "{{" not in json.dumps(manifest)
    assert set(manifest["bots"][0]["scopes"]) == {"personal", "team", "groupChat"}
    assert len(manifest["description"]["short"]) <= 80 and len(manifest["description"]["full"]) <= 4000
    assert "wrote" in capsys.readouterr().out


def test_teams_package_reads_the_app_id_from_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.core.settings import get_settings

    monkeypatch.setenv("MicrosoftAppId", APP_ID)
    monkeypatch.setenv("CANISHARE_TEAMS_DOMAINS", "bot.example.org")
    monkeypatch.delenv("CANISHARE_CONFIG", raising=False)
    get_settings.cache_clear()
    try:
        assert main(["teams-package", "--out", str(tmp_path / "t.zip")]) == 0
    finally:
        get_settings.cache_clear()
    with zipfile.ZipFile(tmp_path / "t.zip") as zf:
        manifest = json.loads(zf.read("manifest.json"))
    assert manifest["id"] == APP_ID and manifest["validDomains"] == ["bot.example.org"]
    assert manifest["name"]["short"] == teams_cli.DEFAULT_NAME


@pytest.mark.parametrize(("args", "message"), [
    (["--app-id", ""], "MicrosoftAppId is not set"),
    (["--app-id", "my-bot"], "must be a GUID"),
    (["--app-id", APP_ID, "--domain", "https://bot.example.org/x"], "without https://"),
    (["--app-id", APP_ID, "--domain", "bot.example.org", "--name", "x" * 31], "1 to 30 characters"),
    (["--app-id", APP_ID, "--domain", "bot.example.org", "--package-version", "1.0"], "like 1.2.3"),
])
def test_teams_package_explains_what_is_missing(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch, args: list[str],
                                                message: str) -> None:
    monkeypatch.delenv("CANISHARE_TEAMS_DOMAINS", raising=False)
    out = tmp_path / "x.zip"
    assert main(["teams-package", "--out", str(out), *args]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()
