"""A broken knowledge file is refused at start-up with the file, the entry and the field named."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from knowledge.loader import DATA_DIR, KnowledgeError, load_knowledge


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def edit(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")


def test_shipped_knowledge_loads() -> None:
    kb = load_knowledge()
    assert {"current", "2008"} <= set(kb.flowcharts)
    assert len(kb.answers) >= 40


def test_missing_field_names_file_entry_and_field(data_copy: Path) -> None:
    rules = data_copy / "rules.yaml"

    def drop_title(doc):  # type: ignore[no-untyped-def]
        doc["items"][0].pop("title")

    edit(rules, drop_title)
    first_id = yaml.safe_load(rules.read_text())["items"][0]["id"]
    with pytest.raises(KnowledgeError) as err:
        load_knowledge(data_copy)
    message = str(err.value)
    assert "rules.yaml" in message and f"'{first_id}'" in message and "'title'" in message


def test_dangling_edge_is_refused(data_copy: Path) -> None:
    chart = data_copy / "flowcharts" / "current.yaml"

    def dangle(doc):  # type: ignore[no-untyped-def]
        doc["nodes"][1]["yes"] = "nowhere"

    edit(chart, dangle)
    with pytest.raises(KnowledgeError) as err:
        load_knowledge(data_copy)
    message = str(err.value)
    assert "current.yaml" in message and "dangling edge" in message and "'nowhere'" in message and "'yes'" in message


def test_unknown_citation_is_refused(data_copy: Path) -> None:
    path = next((data_copy / "answers").glob("*.yaml"))

    def bad_cite(doc):  # type: ignore[no-untyped-def]
        doc["items"][0]["cites"] = ["gr2099-9"]

    edit(path, bad_cite)
    with pytest.raises(KnowledgeError, match="gr2099-9"):
        load_knowledge(data_copy)


def test_loop_in_flowchart_is_refused(data_copy: Path) -> None:
    chart = data_copy / "flowcharts" / "2008.yaml"

    def loop(doc):  # type: ignore[no-untyped-def]
        doc["nodes"][2]["no"] = doc["nodes"][0]["id"]

    edit(chart, loop)
    with pytest.raises(KnowledgeError, match="loops"):
        load_knowledge(data_copy)


def test_unknown_field_is_refused(data_copy: Path) -> None:
    def extra(doc):  # type: ignore[no-untyped-def]
        doc["items"][0]["colour"] = "blue"

    edit(data_copy / "myths.yaml", extra)
    with pytest.raises(KnowledgeError, match="colour"):
        load_knowledge(data_copy)


def test_historical_edition_needs_notice(data_copy: Path) -> None:
    def no_notice(doc):  # type: ignore[no-untyped-def]
        doc["notice"] = ""

    edit(data_copy / "flowcharts" / "2008.yaml", no_notice)
    with pytest.raises(KnowledgeError, match="notice"):
        load_knowledge(data_copy)


def test_not_yaml_is_refused(data_copy: Path) -> None:
    (data_copy / "myths.yaml").write_text("items: [unclosed", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"myths\.yaml: not valid YAML"):
        load_knowledge(data_copy)


def test_cli_reports_broken_knowledge_without_traceback(data_copy: Path, monkeypatch, capsys) -> None:
    import knowledge.loader as loader
    from bot.app.cli import main as cli

    (data_copy / "myths.yaml").write_text("items: 3", encoding="utf-8")
    loader.default_knowledge.cache_clear()
    monkeypatch.setattr(loader, "DATA_DIR", data_copy)
    try:
        code = cli.main(["ask", "consent"])
    finally:
        loader.default_knowledge.cache_clear()
    err = capsys.readouterr().err
    assert code == 2
    assert "myths.yaml" in err and "Traceback" not in err
