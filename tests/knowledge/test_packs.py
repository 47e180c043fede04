"""Local knowledge packs: loading, the example pack, and the loader refusing packs that contradict the
urgent path or a national legal fact."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml

from bot.core.packs import check_pack
from knowledge.loader import default_knowledge
from knowledge.packs import (
    PACKS_DIR,
    PackError,
    configured,
    contradictions,
    knowledge_with,
    load_pack,
    local_notes,
    merge,
    pack_of,
    policies,
)

EXAMPLE = PACKS_DIR / "example-local"


@pytest.fixture
def pack_dir(tmp_path: Path) -> Path:
    """A copy of the example pack to break."""
    return Path(shutil.copytree(EXAMPLE, tmp_path / "example-local"))


def edit(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")


def test_packs_are_off_by_default() -> None:
    assert configured((), environ={}) == ()
    assert configured(("example-local",), environ={"CANISHARE_PACKS": "none"}) == ()
    assert configured((), environ={"CANISHARE_PACKS": "a, b"}) == ("a", "b")
    assert configured(("from-file",), environ={}) == ("from-file",)


def test_example_pack_loads_and_is_labelled_with_its_edition_and_the_advice_it_was_written_on() -> None:
    kb = knowledge_with(["example-local"])
    assert set(default_knowledge().answers) < set(kb.answers)
    local = kb.askable("local-procedures-referrals")
    assert "2019" in local.edition and "2018" in local.edition and "2024" not in local.edition.split("replaced")[0]
    assert pack_of(kb, "local-procedures-referrals") == "example-local"
    assert pack_of(kb, "referral-csc-mash") is None
    [policy] = policies(kb)
    assert "2019" in policy.label() and "July 2018" in policy.label()
    assert [n.area for n in local_notes(kb, "referral-csc-mash")] == ["Derby and Derbyshire"]
    assert {"local-partnership-can-require", "local-agreement-needed"} <= set(kb.quiz)


def test_example_pack_passes_its_own_check() -> None:
    assert [str(f) for f in check_pack(EXAMPLE) if f.level == "error"] == []


def test_a_pack_that_contradicts_the_urgent_path_is_refused_with_the_reason(pack_dir: Path) -> None:
    edit(pack_dir / "extensions.yaml", lambda d: d["items"].append({
        "id": "local-note-urgent", "extends": "urgent-danger", "reviewed": "2026-12-01",
        "text": "In our area, wait for the safeguarding lead before calling 999 or the police.",
        "cite": {"source": "ddscb-isp-2019", "section": "5"}}))
    with pytest.raises(PackError) as err:
        merge(default_knowledge(), [load_pack(pack_dir)])
    assert "local-note-urgent" in str(err.value) and "999" in str(err.value)
    errors = [f.message for f in check_pack(pack_dir, retrieval=False) if f.level == "error"]
    assert any("local-note-urgent" in e and "urgent path" in e for e in errors)


def test_a_pack_cannot_replace_a_national_answer_or_the_emergency_number(pack_dir: Path) -> None:
    def add(doc: dict) -> None:
        first = dict(doc["items"][0])
        first["id"] = "consent-needed"
        doc["items"].append(first)
    edit(pack_dir / "answers.yaml", add)
    edit(pack_dir / "contacts.yaml", lambda d: d["items"].append(
        {"label": "Emergency", "number": "999", "when": "always"}))
    errors = "\n".join(f.message for f in check_pack(pack_dir, retrieval=False))
    assert "'consent-needed'" in errors and "already a national entry" in errors
    assert "999 is national" in errors


def test_a_missing_citation_is_caught(pack_dir: Path) -> None:
    edit(pack_dir / "answers.yaml", lambda d: d["items"][0].pop("cite"))
    [finding] = check_pack(pack_dir)
    assert finding.level == "error"
    assert "local-procedures-referrals" in finding.message and "'cite'" in finding.message


def test_a_citation_to_an_unknown_source_or_without_a_section_is_caught(pack_dir: Path) -> None:
    def change(d: dict) -> None:
        d["items"][0]["cite"] = {"source": "nowhere"}
        d["items"][1]["cite"] = {"source": "ddscb-isp-2019"}
    edit(pack_dir / "answers.yaml", change)
    errors = "\n".join(f.message for f in check_pack(pack_dir, retrieval=False))
    assert "unknown source 'nowhere'" in errors
    assert "local-partnership-requests" in errors and "section" in errors


def test_an_expired_review_date_is_caught(pack_dir: Path) -> None:
    edit(pack_dir / "pack.yaml", lambda d: d.update(review_by="2026-01-31"))
    errors = [f.message for f in check_pack(pack_dir, retrieval=False, today=dt.date(2026, 12, 5))
              if f.level == "error"]
    assert any("review date 2026-01-31 has passed" in e for e in errors)
    # ... but a lapsed date never takes the service down: the loader still lays the pack over.
    assert "local-procedures-referrals" in merge(default_knowledge(), [load_pack(pack_dir)]).answers


def test_a_pack_presented_as_newer_than_it_is_is_refused(pack_dir: Path) -> None:
    edit(pack_dir / "sources.yaml", lambda d: d["items"][0].update(edition="2019 edition"))
    errors = "\n".join(f.message for f in check_pack(pack_dir, retrieval=False))
    assert "written on the 2018 national advice" in errors


@pytest.mark.parametrize("text", [
    "You must always get consent before you share anything with children's social care.",
    "GDPR prevents you from sharing health information with the school.",
    "Follow the seven Caldicott principles.",
    "Schedule 8 of the Data Protection Act 2018 gives the safeguarding condition.",
    "Do not call 999 until your manager agrees.",
])
def test_statements_that_contradict_national_facts_are_found(text: str) -> None:
    assert contradictions(text)


@pytest.mark.parametrize("text", [
    "You do not need consent before referring where a child is at risk.",
    "If a child is in danger now, call 999 first.",
    "Data protection law is not a barrier to sharing.",
    "Schedule 8 applies only to law enforcement processing by the police.",
    "There are eight Caldicott principles.",
    "Don't wait for consent before you refer to children's social care.",
    "You don't need consent before you share where a child is at risk.",
])
def test_national_facts_said_rightly_are_not_contradictions(text: str) -> None:
    assert contradictions(text) == []


def test_an_unknown_pack_is_named(tmp_path: Path) -> None:
    with pytest.raises(PackError, match="no-such-pack"):
        load_pack("no-such-pack")
    (tmp_path / "stray.yaml").write_text("items: []\n")
    (tmp_path / "pack.yaml").write_text(EXAMPLE.joinpath("pack.yaml").read_text())
    with pytest.raises(PackError, match="not a pack file"):
        load_pack(tmp_path)


def test_the_national_base_itself_never_reads_as_a_contradiction() -> None:
    """The checks must not refuse a pack for saying what the national answers say."""
    kb = default_knowledge()
    flagged = {a.id: contradictions(f"{a.answer}\n{a.law or ''}") for a in kb.answers.values() if a.current}
    assert {k: v for k, v in flagged.items() if v} == {}


def _example_folder() -> Path:
    return EXAMPLE


def test_an_installed_package_can_provide_a_pack_through_its_entry_point(monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib import metadata

    import knowledge.packs as packs

    ep = metadata.EntryPoint(name="our-trust", value="tests.knowledge.test_packs:_example_folder",
                             group=packs.ENTRY_POINT_GROUP)
    monkeypatch.setattr(packs.metadata, "entry_points",
                        lambda group=None: [ep] if group == packs.ENTRY_POINT_GROUP else [])
    assert packs.resolve("our-trust") == EXAMPLE
    assert ("our-trust", EXAMPLE) in packs.available()
