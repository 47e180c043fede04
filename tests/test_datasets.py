"""Validity of the practitioner question set (tests/data/questions.jsonl).

The set labels each message with the knowledge items that answer it. This test checks the shape, that every
label names an item the knowledge base has (or one of the ids agreed for the answers, glossary terms and
flowchart entries being added alongside it), the minimum sizes, and that the held-out test part has not been
edited since it was handed over: changing it needs a deliberate update of TEST_PART_SHA256 below.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "tests" / "data" / "questions.jsonl"
KB = ROOT / "knowledge" / "data"

KINDS = {"question", "long", "typo", "two_questions", "case", "offtopic", "urgent"}
SPLITS = {"tune", "test"}

# Free-text answers agreed in the coordination plan; they may not be in the knowledge base yet.
NEW_ANSWER_IDS = frozenset("""
legitimate-purpose identifiable-info fact-and-opinion records-retention informed-consent mental-capacity-act
discuss-without-identifying someone-else-reported request-housing request-school request-gp police-request
parents-disagree subject-access-request operation-encompass check-caller-identity press-and-neighbours
personal-devices adults-at-risk advice-non-statutory other-uk-nations keep-confidence sexuality-disclosure
curious-colleague parent-past-history consensual-relationship-16-17 parent-without-pr just-in-case
whole-file-request
""".split())

TERM_IDS = frozenset("term:" + t for t in """
dsl mash lado sar cin cp-plan ehcp parental-responsibility dpo caldicott-guardian uk-gdpr dpa-2018 gillick
fraser s47 s17 early-help front-door special-category
""".split())

# The current flowchart's questions and outcomes, as askable items.
FLOW_IDS = frozenset("flow:" + n for n in """
urgent purpose identifiable confidential consent statutory without_consent act_now no_purpose share_anonymised
share_not_confidential share_with_consent share_statutory share_without_consent do_not_share seek_advice
""".split())

# "flow" as a label: walking the flowchart is a right response to a described case.
WALK_FLOWCHART = "flow"

# sha256 of the test part (rows with split "test", each as sorted-key JSON, joined by newlines).
TEST_PART_SHA256 = "1f1728b7aa2737a615b1d3b10ad4bf9c1511031bc231f522fc209b4eb5c08a78"


def _rows() -> list[dict[str, Any]]:
    lines = QUESTIONS.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _ids_in(node: Any) -> set[str]:
    """Every `id` value in a YAML document (tolerates the files growing new sections)."""
    found: set[str] = set()
    if isinstance(node, dict):
        if isinstance(node.get("id"), str):
            found.add(node["id"])
        for value in node.values():
            found |= _ids_in(value)
    elif isinstance(node, list):
        for value in node:
            found |= _ids_in(value)
    return found


def _knowledge_ids() -> set[str]:
    ids: set[str] = set()
    files = sorted((KB / "answers").glob("*.yaml")) + [KB / n for n in ("rules.yaml", "myths.yaml", "caldicott.yaml")]
    for path in files:
        if path.is_file():
            ids |= _ids_in(yaml.safe_load(path.read_text(encoding="utf-8")))
    chart = KB / "flowcharts" / "current.yaml"
    if chart.is_file():
        doc = yaml.safe_load(chart.read_text(encoding="utf-8"))
        ids |= {"flow:" + n["id"] for n in doc.get("nodes", []) + doc.get("outcomes", [])}
    return ids


ROWS = _rows()


def test_schema() -> None:
    ids = [r["id"] for r in ROWS]
    assert len(ids) == len(set(ids))
    texts = [re.sub(r"\W+", " ", r["text"].lower()).strip() for r in ROWS]
    assert len(texts) == len(set(texts)), "duplicate question text"
    for r in ROWS:
        assert set(r) == {"id", "text", "labels", "kind", "split"}, r["id"]
        assert re.fullmatch(r"q\d{4}", r["id"]), r["id"]
        assert isinstance(r["text"], str) and r["text"].strip(), r["id"]
        assert isinstance(r["labels"], list) and all(isinstance(x, str) for x in r["labels"]), r["id"]
        assert len(r["labels"]) == len(set(r["labels"])), r["id"]
        assert r["kind"] in KINDS, r["id"]
        assert r["split"] in SPLITS, r["id"]
        # Off-topic messages, and only they, have no answering item.
        assert (r["kind"] == "offtopic") == (r["labels"] == []), r["id"]
        if r["labels"]:
            assert r["labels"][0] != WALK_FLOWCHART, f"{r['id']}: the best item comes first"


def test_labels_are_known_items() -> None:
    allowed = _knowledge_ids() | NEW_ANSWER_IDS | TERM_IDS | FLOW_IDS | {WALK_FLOWCHART}
    unknown = sorted({(r["id"], x) for r in ROWS for x in r["labels"] if x not in allowed})
    assert unknown == []


def test_sizes_and_coverage() -> None:
    kinds = Counter(r["kind"] for r in ROWS)
    assert len(ROWS) >= 400
    assert kinds["offtopic"] >= 30
    for kind in ("question", "long", "typo", "two_questions", "case"):
        assert kinds[kind] >= 20, kind
    counts = Counter(x for r in ROWS for x in r["labels"])
    items = _knowledge_ids() | NEW_ANSWER_IDS | TERM_IDS | FLOW_IDS
    thin = sorted(i for i in items if counts[i] < 2)
    assert thin == [], f"items with fewer than 2 questions: {thin}"


def test_split_is_balanced() -> None:
    by_kind: dict[str, Counter[str]] = {}
    for r in ROWS:
        by_kind.setdefault(r["kind"], Counter())[r["split"]] += 1
    for kind, c in by_kind.items():
        share = c["tune"] / (c["tune"] + c["test"])
        assert 0.45 <= share <= 0.65, (kind, dict(c))
    # Every item that is some question's best answer is the best answer in both parts.
    firsts = {s: {r["labels"][0] for r in ROWS if r["split"] == s and r["labels"]} for s in SPLITS}
    assert firsts["tune"] == firsts["test"]


def test_test_part_unchanged() -> None:
    test_part = [r for r in ROWS if r["split"] == "test"]
    canon = "\n".join(json.dumps(r, sort_keys=True, ensure_ascii=False) for r in test_part)
    assert hashlib.sha256(canon.encode("utf-8")).hexdigest() == TEST_PART_SHA256


def test_no_identifying_details() -> None:
    # Names, NHS numbers, phone numbers and addresses belong to the privacy guard's own set, not here.
    for r in ROWS:
        assert not re.search(r"\d[\d ]{8,}\d", r["text"]), r["id"]
        assert "@" not in r["text"], r["id"]
