"""Schema and size checks for the labelled urgent / near-miss and share / not-share case sets.

The files are evaluation data: the `test` rows are held out and never used for tuning, so these
tests guard the shape of the data and the frozen split, not any matching behaviour.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
KNOWLEDGE = ROOT / "knowledge" / "data"

# Item ids agreed in the coordination plan for answers the knowledge base is adding; listed here so the
# data sets can be validated before (and independently of) those answers landing.
PLANNED_IDS = frozenset(
    {
        "legitimate-purpose", "identifiable-info", "fact-and-opinion", "records-retention", "informed-consent",
        "mental-capacity-act", "discuss-without-identifying", "someone-else-reported", "request-housing",
        "request-school", "request-gp", "police-request", "parents-disagree", "subject-access-request",
        "operation-encompass", "check-caller-identity", "press-and-neighbours", "personal-devices",
        "adults-at-risk", "advice-non-statutory", "other-uk-nations", "keep-confidence",
        "sexuality-disclosure", "curious-colleague", "parent-past-history", "consensual-relationship-16-17",
        "parent-without-pr", "just-in-case", "whole-file-request",
    }
)
GLOSSARY_SLUGS = frozenset(
    {
        "dsl", "mash", "lado", "sar", "cin", "cp-plan", "ehcp", "parental-responsibility", "dpo",
        "caldicott-guardian", "uk-gdpr", "dpa-2018", "gillick", "fraser", "s47", "s17", "early-help",
        "front-door", "special-category",
    }
)
NOT_SHARE_REASONS = frozenset(
    {
        "no_risk", "no_purpose", "not_necessary", "wrong_recipient", "consent_appropriate_not_sought",
        "breach_of_confidence_unjustified",
    }
)
SHARE_REASONS = frozenset(
    {
        "risk_of_harm", "neglect", "domestic_abuse", "exploitation", "s47_enquiry", "court_order",
        "statutory_duty", "police_investigation", "allegation_against_staff", "adult_at_risk", "emergency",
        "consent_given", "early_help_with_agreement", "transfer_continuity",
    }
)
TUNE_SHARE = 0.55


def _load(name: str) -> list[dict]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _known_ids() -> set[str]:
    ids: set[str] = set(PLANNED_IDS)
    id_line = re.compile(r"^\s*-?\s*id:\s*['\"]?([A-Za-z0-9_.:-]+)")
    for path in KNOWLEDGE.rglob("*.yaml"):
        for line in path.read_text(encoding="utf-8").splitlines():
            match = id_line.match(line)
            if match:
                ids.add(match.group(1))
    for path in (KNOWLEDGE / "flowcharts").glob("*.yaml"):
        for line in path.read_text(encoding="utf-8").splitlines():
            match = id_line.match(line)
            if match:
                ids.add("flow:" + match.group(1))
    ids.update("term:" + slug for slug in GLOSSARY_SLUGS)
    return ids


def _expected_split(rows: list[dict], key: str) -> dict[str, str]:
    """The frozen rule: within each class, rank ids by SHA-256 of "canishare-split:<id>"; first 55% tune."""
    by_class: dict[object, list[str]] = {}
    for row in rows:
        by_class.setdefault(row[key], []).append(row["id"])
    expected: dict[str, str] = {}
    for ids in by_class.values():
        ranked = sorted(ids, key=lambda i: hashlib.sha256(f"canishare-split:{i}".encode()).hexdigest())
        cut = round(len(ranked) * TUNE_SHARE)
        expected.update({i: ("tune" if n < cut else "test") for n, i in enumerate(ranked)})
    return expected


@pytest.fixture(scope="module")
def urgent_rows() -> list[dict]:
    return _load("urgent.jsonl")


@pytest.fixture(scope="module")
def case_rows() -> list[dict]:
    return _load("cases.jsonl")


def test_urgent_schema(urgent_rows: list[dict]) -> None:
    for row in urgent_rows:
        assert set(row) == {"id", "text", "urgent", "note", "split"}, row
        assert re.fullmatch(r"u\d{4}", row["id"]), row["id"]
        assert isinstance(row["text"], str) and len(row["text"].strip()) >= 10, row["id"]
        assert isinstance(row["urgent"], bool), row["id"]
        assert isinstance(row["note"], str) and row["note"].strip(), row["id"]
        assert row["split"] in {"tune", "test"}, row["id"]


def test_urgent_counts(urgent_rows: list[dict]) -> None:
    counts = Counter((row["urgent"], row["split"]) for row in urgent_rows)
    assert counts[(True, "tune")] + counts[(True, "test")] >= 150
    assert counts[(False, "tune")] + counts[(False, "test")] >= 150
    # both classes are represented in the held-out part in strength
    assert counts[(True, "test")] >= 60 and counts[(False, "test")] >= 60


def test_case_schema_and_reasons(case_rows: list[dict]) -> None:
    for row in case_rows:
        assert set(row) == {"id", "text", "direction", "reason", "labels", "split"}, row
        assert re.fullmatch(r"c\d{4}", row["id"]), row["id"]
        assert isinstance(row["text"], str) and len(row["text"].strip()) >= 10, row["id"]
        assert row["direction"] in {"share", "not_share"}, row["id"]
        reasons = NOT_SHARE_REASONS if row["direction"] == "not_share" else SHARE_REASONS
        assert row["reason"] in reasons, (row["id"], row["reason"])
        assert isinstance(row["labels"], list) and row["labels"], row["id"]
        assert len(set(row["labels"])) == len(row["labels"]), row["id"]
        assert row["split"] in {"tune", "test"}, row["id"]


def test_case_counts(case_rows: list[dict]) -> None:
    counts = Counter(row["direction"] for row in case_rows)
    assert counts["share"] >= 120
    assert counts["not_share"] >= 120
    test_counts = Counter(row["direction"] for row in case_rows if row["split"] == "test")
    assert test_counts["share"] >= 45 and test_counts["not_share"] >= 45
    # every not-share reason is exercised, so the benchmark can report them separately
    assert {row["reason"] for row in case_rows if row["direction"] == "not_share"} == NOT_SHARE_REASONS


def test_case_labels_are_known_ids(case_rows: list[dict]) -> None:
    known = _known_ids()
    unknown = sorted({label for row in case_rows for label in row["labels"] if label not in known})
    assert not unknown, unknown


@pytest.mark.parametrize(("name", "prefix"), [("urgent.jsonl", "u"), ("cases.jsonl", "c")])
def test_ids_and_texts_unique(name: str, prefix: str) -> None:
    rows = _load(name)
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids))
    assert all(i.startswith(prefix) for i in ids)
    texts = [" ".join(row["text"].lower().split()) for row in rows]
    assert len(texts) == len(set(texts))


def test_no_text_shared_between_the_two_sets(urgent_rows: list[dict], case_rows: list[dict]) -> None:
    urgent_texts = {" ".join(row["text"].lower().split()) for row in urgent_rows}
    case_texts = {" ".join(row["text"].lower().split()) for row in case_rows}
    assert not urgent_texts & case_texts


@pytest.mark.parametrize(("name", "key"), [("urgent.jsonl", "urgent"), ("cases.jsonl", "direction")])
def test_split_follows_the_frozen_rule(name: str, key: str) -> None:
    rows = _load(name)
    expected = _expected_split(rows, key)
    wrong = [row["id"] for row in rows if row["split"] != expected[row["id"]]]
    assert not wrong, wrong
