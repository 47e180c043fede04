"""Content checks on the knowledge files, read straight from the YAML.

These guard what the guidance requires of the content (../shared/notes/guidance.md), not the
loader's mechanics: every golden rule of each edition is there, the eight Caldicott principles,
no dangling ids, quotations short and verbatim, the withdrawn 2008 material labelled as history,
and the corrections to the seed material (UK GDPR naming, Schedule 8 only for law enforcement)
applied.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from knowledge.schema import LIST_FILES, MAX_QUOTE_CHARS, Flowchart

DATA = Path(__file__).resolve().parents[2] / "knowledge" / "data"
SEEDS = Path(os.environ.get("CANISHARE_SEEDS_DIR", Path(__file__).resolve().parents[3] / "shared" / "seeds"))
SEED_FILES = {"seed-000": "000_6244487be294d799.txt", "seed-003": "003_33afbffad9f5fdbe.txt"}
BASELINE_REVIEW = dt.date(2026, 11, 21)


# ------------------------------------------------------------------------------------ loading
def _load(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _items(name: str) -> list[dict[str, Any]]:
    doc = _load(DATA / name)
    return doc["items"]


def _answers() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for path in sorted((DATA / "answers").glob("*.yaml")):
        out.extend(_load(path)["items"])
    return out


def _chart(edition: str) -> dict[str, Any]:
    return _load(DATA / "flowcharts" / f"{edition}.yaml")


SOURCES = {s["id"]: s for s in _items("sources.yaml")}
RULES = {r["id"]: r for r in _items("rules.yaml")}
MYTHS = {m["id"]: m for m in _items("myths.yaml")}
PRINCIPLES = {p["id"]: p for p in _items("caldicott.yaml")}
ANSWERS = {a["id"]: a for a in _answers()}
CHARTS = {"current": _chart("current"), "2008": _chart("2008")}
GLOSSARY = {t["id"]: t for t in _items("glossary.yaml")}
CITABLE = set(RULES) | set(MYTHS) | set(PRINCIPLES)


def _all_entries() -> list[tuple[str, dict[str, Any]]]:
    """(label, entry) for every entry that carries reviewed/cite, flowchart parts included."""
    out: list[tuple[str, dict[str, Any]]] = []
    for table, label in ((RULES, "rule"), (MYTHS, "myth"), (PRINCIPLES, "principle"), (ANSWERS, "answer"),
                         (GLOSSARY, "term")):
        out.extend((f"{label}:{k}", v) for k, v in table.items())
    for edition, chart in CHARTS.items():
        out.append((f"flowchart:{edition}", chart))
        out.extend((f"flowchart:{edition}:{n['id']}", n) for n in chart["nodes"])
        out.extend((f"flowchart:{edition}:{o['id']}", o) for o in chart["outcomes"])
    return out


def _quotes() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for table in (RULES, MYTHS, PRINCIPLES):
        out.extend((k, v["quote"]) for k, v in table.items() if v.get("quote"))
    return out


# Our own prose (not quotations, not the phrasings users type).
OWN_TEXT_FIELDS = ("summary", "answer", "explain", "not_sure", "text", "law", "notice", "title", "term")


def _own_texts() -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for label, entry in _all_entries():
        for fld in OWN_TEXT_FIELDS:
            value = entry.get(fld)
            if isinstance(value, str):
                out.append((f"{label}.{fld}", value))
        if label.startswith("myth:"):
            out.append((f"{label}.myth", entry["myth"]))
    for edition, chart in CHARTS.items():
        for fld in ("checklist", "record_prompts"):
            out.extend((f"flowchart:{edition}.{fld}", line) for line in chart[fld])
    return out


def _norm(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return re.sub(r"\s+", " ", text).strip()


# ------------------------------------------------------------------------------------ shape
def test_list_files_are_single_items_mappings() -> None:
    for pattern in LIST_FILES:
        for path in DATA.glob(pattern):
            doc = _load(path)
            assert isinstance(doc, dict) and list(doc) == ["items"], path
            assert isinstance(doc["items"], list) and doc["items"], path


def test_flowcharts_validate_and_edges_are_strings() -> None:
    for edition, chart in CHARTS.items():
        Flowchart.model_validate(chart)
        for node in chart["nodes"]:
            # An unquoted yes:/no: key would load as a boolean in YAML 1.1.
            assert "yes" in node and "no" in node, (edition, node["id"])


def test_ids_unique_across_all_list_files() -> None:
    entries = [*_answers()]
    for name in ("sources.yaml", "rules.yaml", "myths.yaml", "caldicott.yaml"):
        entries.extend(_items(name))
    counts = Counter(e["id"] for e in entries)
    assert not [i for i, n in counts.items() if n > 1]


def test_every_entry_reviewed_and_cited() -> None:
    for label, entry in _all_entries():
        reviewed = entry["reviewed"]
        assert isinstance(reviewed, dt.date) and reviewed >= BASELINE_REVIEW, label
        assert entry["cite"]["source"], label


# ------------------------------------------------------------------------------------ rules, myths, principles
@pytest.mark.parametrize(("edition", "prefix"), [("current", "gr2024"), ("2018", "gr2018"), ("2008", "gr2008")])
def test_seven_golden_rules_per_edition(edition: str, prefix: str) -> None:
    for n in range(1, 8):
        rule = RULES.get(f"{prefix}-{n}")
        assert rule is not None, f"{prefix}-{n} missing"
        assert rule["edition"] == edition and rule["number"] == n
        assert rule["summary"].strip()
    assert len([r for r in RULES.values() if r["edition"] == edition]) == 7


def test_2024_rules_never_quoted() -> None:
    # The exact 2024 wording is not held verbatim (guidance.md §2.2; rule 7 is wholly unconfirmed), and a
    # quotation is shown only when checked word for word against a document we hold.
    for rule in RULES.values():
        if rule["edition"] == "current":
            assert rule.get("quote") is None, rule["id"]


def test_eight_caldicott_principles() -> None:
    assert sorted(PRINCIPLES) == [f"cp-{n}" for n in range(1, 9)]
    assert sorted(p["number"] for p in PRINCIPLES.values()) == list(range(1, 9))
    # Principle 8 (2020) is the new "inform patients and service users" principle.
    assert "inform" in PRINCIPLES["cp-8"]["title"].lower()
    # Principle 7 is the 2020 wording ("is as important"), not 2013's "can be".
    assert "is as important" in PRINCIPLES["cp-7"]["title"]


def test_myths_cover_2018_guide_and_current_framing() -> None:
    editions = Counter(m["edition"] for m in MYTHS.values())
    assert editions["2018"] >= 4 and editions["current"] >= 4
    for required in ("myth-consent", "myth-dp-barrier", "myth-protocol", "myth-fear-criticism"):
        assert MYTHS[required]["edition"] == "current"


# ------------------------------------------------------------------------------------ references
def test_no_dangling_source_ids() -> None:
    for label, entry in _all_entries():
        assert entry["cite"]["source"] in SOURCES, (label, entry["cite"]["source"])
    for label, quote in _quotes():
        assert quote["source"] in SOURCES, (label, quote["source"])


def test_cites_and_related_resolve() -> None:
    for aid, answer in ANSWERS.items():
        for cid in answer.get("cites", []):
            assert cid in CITABLE, (aid, cid)
        for rid in answer.get("related", []):
            assert rid in ANSWERS and rid != aid, (aid, rid)
    for edition, chart in CHARTS.items():
        for part in (*chart["nodes"], *chart["outcomes"]):
            for cid in part.get("cites", []):
                assert cid in CITABLE, (edition, part["id"], cid)


def test_sources_current_flags() -> None:
    assert SOURCES["dfe-2024"]["current"] is True
    for withdrawn in ("dfe-2018", "hmg-2008", "seed-000", "seed-003"):
        assert SOURCES[withdrawn]["current"] is False, withdrawn
    for sid, src in SOURCES.items():
        if not sid.startswith("seed-"):
            assert src["url"].startswith("https://"), sid


# ------------------------------------------------------------------------------------ quotations
def test_quotations_short() -> None:
    for label, quote in _quotes():
        assert len(quote["text"]) <= MAX_QUOTE_CHARS, label


def test_seed_quotes_are_attributed_to_a_seed() -> None:
    for label, quote in _quotes():
        if quote["confirmed_by"] == "seed":
            assert quote["source"] in SEED_FILES, label


@pytest.mark.parametrize("source_id", sorted(SEED_FILES))
def test_seed_quotes_are_verbatim(source_id: str) -> None:
    path = SEEDS / SEED_FILES[source_id]
    if not path.exists():
        pytest.skip(f"seed file not available: {path}")
    seed = _norm(path.read_text(encoding="utf-8"))
    quoted = [(label, q) for label, q in _quotes() if q["source"] == source_id]
    assert quoted, f"nothing quoted from {source_id}"
    for label, quote in quoted:
        assert _norm(quote["text"]) in seed, label


def test_confirmed_caldicott_quotes_are_the_titles() -> None:
    for pid, principle in PRINCIPLES.items():
        quote = principle.get("quote")
        if quote:
            assert quote["confirmed_by"] == "confirmed"
            assert _norm(quote["text"]) == _norm(principle["title"]), pid


# ------------------------------------------------------------------------------------ flowcharts
CURRENT_EDGES = {
    "urgent": ("act_now", "purpose"),
    "purpose": ("identifiable", "no_purpose"),
    "identifiable": ("confidential", "share_anonymised"),
    "confidential": ("consent", "share_not_confidential"),
    "consent": ("share_with_consent", "statutory"),
    "statutory": ("share_statutory", "without_consent"),
    "without_consent": ("share_without_consent", "do_not_share"),
}
CURRENT_KINDS = {
    "act_now": "urgent", "no_purpose": "do_not_share", "share_anonymised": "share",
    "share_not_confidential": "share", "share_with_consent": "share", "share_statutory": "share",
    "share_without_consent": "share", "do_not_share": "do_not_share", "seek_advice": "seek_advice",
}
HISTORICAL_EDGES = {
    "purpose": ("identifiable", "no_purpose"),
    "identifiable": ("confidential", "share_anonymised"),
    "confidential": ("consent", "share_not_confidential"),
    "consent": ("share_with_consent", "statutory"),
    "statutory": ("share_statutory", "public_interest"),
    "public_interest": ("share_public_interest", "do_not_share"),
}
HISTORICAL_KINDS = {
    "no_purpose": "do_not_share", "share_anonymised": "share", "share_not_confidential": "share",
    "share_with_consent": "share", "share_statutory": "share", "share_public_interest": "share",
    "do_not_share": "do_not_share", "seek_advice": "seek_advice",
}


@pytest.mark.parametrize(
    ("edition", "start", "edges", "kinds"),
    [("current", "urgent", CURRENT_EDGES, CURRENT_KINDS), ("2008", "purpose", HISTORICAL_EDGES, HISTORICAL_KINDS)],
)
def test_flowchart_structure(edition: str, start: str, edges: dict, kinds: dict) -> None:
    chart = CHARTS[edition]
    assert chart["start"] == start
    assert [n["id"] for n in chart["nodes"]] == list(edges)
    for node in chart["nodes"]:
        assert (node["yes"], node["no"]) == edges[node["id"]], node["id"]
        for fld in ("question", "explain", "not_sure"):
            assert node[fld].strip(), (node["id"], fld)
    assert {o["id"]: o["kind"] for o in chart["outcomes"]} == kinds
    targets = {t for pair in edges.values() for t in pair}
    assert "seek_advice" not in targets  # reached from "Talk to someone", not from an edge
    for outcome in chart["outcomes"]:
        assert outcome["title"].strip() and outcome["text"].strip() and outcome["law"].strip()
        assert outcome.get("checklist", False) is (outcome["kind"] == "share"), outcome["id"]
    assert chart["checklist"] and chart["record_prompts"]


def test_current_flowchart_is_current_and_cites_2024() -> None:
    chart = CHARTS["current"]
    assert chart["edition"] == "current" and chart["historical"] is False
    assert "2024" in chart["label"]
    cites = {c for part in (*chart["nodes"], *chart["outcomes"]) for c in part.get("cites", [])}
    assert any(c.startswith("gr2024-") for c in cites)
    assert any(c.startswith("cp-") for c in cites)
    assert not any(c.startswith("gr2008-") for c in cites)
    basis = {o["id"]: o["law"] for o in chart["outcomes"]}["share_without_consent"]
    for needed in ("UK GDPR", "9(2)(g)", "para 18", "recognised legitimate interest", "public task"):
        assert needed in basis, needed


def test_historical_flowchart_is_labelled() -> None:
    chart = CHARTS["2008"]
    assert chart["edition"] == "2008" and chart["historical"] is True
    notice = chart["notice"]
    assert "1998" in notice and "withdrawn" in notice.lower() and "current" in notice.lower()
    assert "2008" in chart["label"] and "historical" in chart["label"].lower()
    cites = {c for part in (*chart["nodes"], *chart["outcomes"]) for c in part.get("cites", [])}
    assert cites and all(c.startswith("gr2008-") for c in cites)
    # Confidential is asked before consent (guidance.md §4.5).
    order = [n["id"] for n in chart["nodes"]]
    assert order.index("confidential") < order.index("consent")
    # Every outcome tells the reader it is history.
    for outcome in chart["outcomes"]:
        assert "historical" in outcome["law"].lower(), outcome["id"]


# ------------------------------------------------------------------------------------ answers
REQUIRED_ANSWERS = [
    "consent-needed", "consent-not-lawful-basis", "consent-three-meanings", "consent-when-not-to-seek",
    "consent-withdrawn", "consent-one-parent", "capacity-16-plus", "gillick-competence", "consent-age-12",
    "child-refuses", "parent-mental-illness", "confidentiality-duty", "public-interest", "public-task",
    "legal-obligation", "vital-interests", "legitimate-interests", "recognised-legitimate-interest",
    "special-category-data", "criminal-offence-data", "telling-police", "referral-csc-mash", "s47-request",
    "emergency-sharing", "urgent-danger", "dvds-clares-law", "csods-sarahs-law", "caldicott-principles",
    "caldicott-guardian", "who-to-ask", "record-keeping", "refusing-request", "protocol-not-needed",
    "share-securely", "protect-identities", "telling-family", "working-together-2026", "cwsa-duty-to-share",
    "history-2008-course", "article-8-echr", "crime-disorder-s115", "early-help", "transfer-another-la",
    "ico-wont-penalise", "profession-guidance",
]


def test_answer_coverage() -> None:
    assert len(ANSWERS) >= 45
    missing = [a for a in REQUIRED_ANSWERS if a not in ANSWERS]
    assert not missing, missing


def test_answer_phrasings_and_keywords() -> None:
    seen: dict[str, str] = {}
    for aid, answer in ANSWERS.items():
        assert 5 <= len(answer["questions"]) <= 10, aid
        assert answer.get("keywords"), aid
        for q in answer["questions"]:
            key = _norm(q).lower()
            assert key not in seen, (aid, q, seen.get(key))
            seen[key] = aid


def test_one_or_two_urgent_answers_that_say_act_now() -> None:
    urgent = [a for a in ANSWERS.values() if a.get("urgent")]
    assert 1 <= len(urgent) <= 2
    assert ANSWERS["urgent-danger"].get("urgent") is True
    for answer in urgent:
        text = answer["answer"].lower()
        assert "999" in text and "act now" in text and "consent" in text, answer["id"]


def test_duty_to_share_commencement_not_overstated() -> None:
    law = ANSWERS["cwsa-duty-to-share"]["law"]
    assert "16LA" in law and "not confirmed" in law
    assert "not confirmed" in ANSWERS["cwsa-duty-to-share"]["answer"].replace("have not confirmed", "not confirmed")


# ------------------------------------------------------------------------------------ seed corrections
def test_uk_gdpr_naming_in_our_own_text() -> None:
    # "GDPR" on its own is the seed's out-of-date naming (guidance.md §8); quotations may keep it.
    offenders = [(where, text) for where, text in _own_texts() if re.search(r"(?<!UK )GDPR", text)]
    assert not offenders, offenders


def _own_text_by_entry(extra: list[tuple[str, str]] | None = None) -> dict[str, str]:
    """All of our own prose of one entry (or flowchart box list) joined, keyed by entry label."""
    by_entry: dict[str, str] = {}
    for where, text in _own_texts() + (extra or []):
        key = where.rsplit(".", 1)[0]
        by_entry[key] = by_entry.get(key, "") + " " + text
    return by_entry


def test_dpa_1998_never_presented_as_current() -> None:
    pattern = re.compile(r"(Data Protection Act 1998|DPA 1998|1998 Act)")
    for key, text in _own_text_by_entry().items():
        if pattern.search(text):
            assert re.search(r"repealed|historical|withdrawn", text, re.IGNORECASE), key


def test_schedule_8_only_for_law_enforcement() -> None:
    # Seed 003 cites DPA 2018 Sch 8 para 4 for everyone; it applies only to Part 3 law-enforcement
    # processing (police and other competent authorities). Practitioners use Art 9(2)(g) + Sch 1 para 18.
    sch8 = re.compile(r"\b(Schedule|Sch)\.? ?8\b", re.IGNORECASE)
    cites = [(f"{label}.cite", entry["cite"].get("section", "")) for label, entry in _all_entries()]
    for key, text in _own_text_by_entry(cites).items():
        if sch8.search(text):
            assert re.search(r"law[- ]enforcement|police", text, re.IGNORECASE), key
            assert "para 18" in text or "paragraph 18" in text, key
    special = ANSWERS["special-category-data"]
    assert "9(2)(g)" in special["law"] and "paragraph 18" in special["law"]
    assert not sch8.search(special["cite"]["section"])
    assert special["cite"]["source"] == "dpa-2018"


def test_seed_003_caldicott_seven_not_used() -> None:
    # The 2013 wording ("personal confidential data", "absolutely necessary") is not a principle title now.
    for principle in PRINCIPLES.values():
        assert "personal confidential data" not in principle["title"].lower()
        assert "absolutely" not in principle["title"].lower()
