"""The Teams package and the Slack manifests come from package data, so they work from an installed wheel.

setuptools' ``build_py`` lays the packages out exactly as a wheel would (code plus the package data
pyproject.toml lists); the commands then run from that copy, with the source tree off the path.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP_ID = "00000000-0000-4000-8000-00000000abcd"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    lib = tmp_path_factory.mktemp("lib")
    work = tmp_path_factory.mktemp("build")
    subprocess.run([sys.executable, "-c", "from setuptools import setup; setup()", "-q",
                    "egg_info", "--egg-base", str(work), "build_py", "--build-lib", str(lib)],
                   cwd=ROOT, check=True, capture_output=True, timeout=120)
    assert (lib / "bot" / "app" / "cli" / "main.py").exists()
    return lib


def canishare(lib: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CANISHARE_CONFIG", "REDIS_URL", "MicrosoftAppId")}
    env["PYTHONPATH"] = str(lib)  # the built copy only: not the source tree
    return subprocess.run([sys.executable, "-m", "bot.app.cli", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


def test_teams_package_works_from_the_built_packages(installed: Path, tmp_path: Path) -> None:
    result = canishare(installed, tmp_path, "teams-package", "--out", "teams.zip", "--app-id", APP_ID,
                       "--domain", "canishare.example.org")
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(tmp_path / "teams.zip") as zf:
        assert sorted(zf.namelist()) == ["color.png", "manifest.json", "outline.png"]
        assert json.loads(zf.read("manifest.json"))["id"] == APP_ID


@pytest.mark.parametrize("socket_mode", [False, True])
def test_slack_manifest_works_from_the_built_packages(installed: Path, tmp_path: Path, socket_mode: bool) -> None:
    args = ["slack-manifest", "--host", "canishare.example.org"] + (["--socket-mode"] if socket_mode else [])
    result = canishare(installed, tmp_path, *args)
    assert result.returncode == 0, result.stderr
    assert "canishare" in result.stdout and "oauth_config" in result.stdout
    if socket_mode:
        assert "socket_mode_enabled: true" in result.stdout
    else:
        assert "https://canishare.example.org/slack/events" in result.stdout
        assert "YOUR-HOST/" not in result.stdout
