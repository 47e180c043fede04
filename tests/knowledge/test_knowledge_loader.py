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


def test_everything_is_askable() -> None:
    from knowledge.schema import Askable

    kb = load_knowledge()
    items = kb.askables
    assert all(isinstance(a, Askable) for a in items)
    ids = [a.id for a in items]
    assert len(ids) == len(set(ids)), "askable ids are unique"
    by_id = {a.id: a for a in items}
    # The id scheme shared with the matcher and the data sets.
    for expected, kind in [("consent-needed", "answer"), ("gr2024-3", "rule"), ("gr2008-1", "rule"),
                           ("myth-consent", "myth"), ("cp-4", "caldicott"), ("flow:consent", "flow"),
                           ("flow:confidential", "flow"), ("flow:do_not_share", "outcome"), ("term:dsl", "term"),
                           ("term:parental-responsibility", "term"), ("sexuality-disclosure", "answer")]:
        assert by_id[expected].kind == kind, expected
    assert len([a for a in items if a.kind == "answer"]) == len(kb.answers)
    assert len([a for a in items if a.kind == "rule"]) == 21
    assert len([a for a in items if a.kind == "caldicott"]) == 8
    assert len([a for a in items if a.kind == "term"]) >= 19
    for a in items:
        assert a.title and a.text.strip(), a.id
        assert len(a.questions) >= (5 if a.kind == "answer" else 3), a.id
        assert a.advice in ("share", "keep_confidential", "share_less", "depends"), a.id
        assert a.cite.source in kb.sources, a.id
        assert a.edition, a.id
        assert all(r in kb.answers for r in a.related), a.id
    # Superseded editions are askable but flagged, so they are offered only when history is asked.
    assert by_id["gr2018-4"].current is False and by_id["gr2024-4"].current is True
    assert by_id["history-2008-course"].current is False
    assert by_id["flow:act_now"].advice == "share" and by_id["flow:do_not_share"].advice == "keep_confidential"
    assert by_id["flow:without_consent"].advice == "depends"
    # Plain text first, the law one tap away.
    assert by_id["consent-needed"].law and "Art" in by_id["consent-needed"].law
    assert "Art 6" not in by_id["consent-needed"].text
    assert kb.askable("term:dsl") is by_id["term:dsl"]


def test_outcome_keeps_its_old_basis_name(data_copy: Path) -> None:
    kb = load_knowledge(data_copy)
    outcome = kb.flowchart("current").outcomes[0]
    assert outcome.basis == outcome.law and outcome.advice == "share"


def test_answer_without_advice_is_refused(data_copy: Path) -> None:
    path = next((data_copy / "answers").glob("*.yaml"))

    def drop(doc):  # type: ignore[no-untyped-def]
        doc["items"][0].pop("advice")

    edit(path, drop)
    with pytest.raises(KnowledgeError) as err:
        load_knowledge(data_copy)
    assert "'advice'" in str(err.value) and path.name in str(err.value)
