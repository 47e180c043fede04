"""``canishare pack new | check | list``."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app.cli.main import main


def test_pack_new_writes_a_scaffold_that_check_sends_back_until_filled_in(tmp_path: Path,
                                                                           capsys: pytest.CaptureFixture) -> None:
    assert main(["pack", "new", "our-area", "--dir", str(tmp_path)]) == 0
    root = tmp_path / "our-area"
    assert {p.name for p in root.iterdir()} >= {"pack.yaml", "sources.yaml", "answers.yaml", "contacts.yaml"}
    assert main(["pack", "check", str(root), "--quick"]) == 1
    assert "still say TODO" in capsys.readouterr().out
    assert main(["pack", "new", "our-area", "--dir", str(tmp_path)]) == 2  # never overwrites


def test_pack_check_passes_the_example_and_fails_a_broken_pack(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["pack", "check", "example-local", "--quick"]) == 0
    assert ": OK" in capsys.readouterr().out
    (tmp_path / "pack.yaml").write_text("name: Bad Name\n")
    assert main(["pack", "check", str(tmp_path)]) == 1
    assert "field 'name'" in capsys.readouterr().out


def test_pack_list_shows_the_example_pack_off_by_default(monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture) -> None:
    monkeypatch.delenv("CANISHARE_PACKS", raising=False)
    assert main(["pack", "list"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("example-local"))
    assert " off " in line and "edition 2019" in line
    monkeypatch.setenv("CANISHARE_PACKS", "example-local")
    assert main(["pack", "list"]) == 0
    assert "on (1)" in capsys.readouterr().out
