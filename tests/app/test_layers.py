"""The dependency rule (docs/architecture.md) is checked by import-linter; these tests show it bites.

The contracts live in pyproject.toml under ``[tool.importlinter]``. One test runs them on the tree as
it is; the others copy the packages to a temporary directory, add one import that breaks a rule,
and check that ``lint-imports`` fails naming the broken contract.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT = Path(sys.executable).with_name("lint-imports")


def lint(root: Path) -> subprocess.CompletedProcess[str]:
    if not LINT.exists():  # pragma: no cover - import-linter is in the test extra
        pytest.fail("lint-imports is not installed: pip install -e '.[test]'")
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([str(LINT), "--no-cache", "--no-logo", str(root / "pyproject.toml")], cwd=root, env=env,
                          capture_output=True, text=True, timeout=120)


def copy_tree(tmp_path: Path) -> Path:
    for name in ("bot", "dialogs", "knowledge"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "data", "static"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def add_import(path: Path, line: str) -> None:
    text = path.read_text()
    head, sep, rest = text.partition("from __future__ import annotations\n")
    path.write_text(head + sep + line + "\n" + rest if sep else line + "\n" + text)


def test_the_tree_keeps_every_contract() -> None:
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(("module", "line", "contract"), [
    ("bot/core/identity.py", "import redis  # noqa", "import no I/O library"),
    ("dialogs/turn.py", "import bot.core.config  # noqa", "Layers"),
    ("bot/channels/slack/buttons.py", "import bot.channels.teams.cards  # noqa", "Channels never import each other"),
    ("bot/core/stats.py", "import bot.app.server  # noqa", "Layers"),
])
def test_a_deliberate_violation_fails(tmp_path: Path, module: str, line: str, contract: str) -> None:
    root = copy_tree(tmp_path)
    add_import(root / module, line)
    result = lint(root)
    assert result.returncode != 0, result.stdout
    broken = result.stdout.split("Broken contracts", 1)[-1]
    assert contract in broken, result.stdout


def test_the_cli_grammar_loads_no_subcommand() -> None:
    # ``canishare --help`` builds the whole parser; the subcommands' modules (and the SDKs, the
    # engine and the search index behind them) load only when that subcommand runs.
    code = ("import sys\nfrom bot.app.cli.main import build_parser\nbuild_parser().format_help()\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('aiohttp', 'slack_bolt', 'slack_sdk', "
            "'botbuilder', 'redis') or m.startswith(('bot.app.cli.', 'bot.core.engine', 'knowledge.search'))))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['bot.app.cli.main']"
