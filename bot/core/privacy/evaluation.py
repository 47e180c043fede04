"""Scoring the guard against the labelled message set (shared by tests and benchmarks).

A labelled message is ``{"id", "split", "text", "spans": [{"kind", "text"}]}``; a span's
``text`` is located by its first occurrence (or ``"start"`` when given).  Matching is by
overlap: redacting "Mrs Patel" when the label says "Patel" protects the same person.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

KINDS = ("name", "nhs_number", "ni_number", "postcode", "address", "date_of_birth", "phone", "email")
DEFAULT_SET = Path(__file__).resolve().parents[3] / "tests" / "data" / "privacy_messages.jsonl"
# Practitioner-style messages (typos, text-speak, roles, missing apostrophes); splits "tune" and "test".
PRACTITIONER_SET = DEFAULT_SET.with_name("privacy_practitioner.jsonl")
STRUCTURED_KINDS = tuple(k for k in KINDS if k != "name")

Span = tuple[str, int, int]
Detector = Callable[[str], Iterable[Span]]


@dataclass(frozen=True)
class Message:
    id: str
    split: str
    text: str
    gold: tuple[Span, ...]


def load_messages(path: Path = DEFAULT_SET) -> list[Message]:
    out: list[Message] = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            row = json.loads(line)
            text = row["text"]
            gold: list[Span] = []
            for span in row.get("spans", []):
                start = span.get("start", text.find(span["text"]))
                if start < 0:
                    raise ValueError(f"{row['id']}: span {span['text']!r} not in text")
                gold.append((span["kind"], start, start + len(span["text"])))
            out.append(Message(row["id"], row.get("split", "dev"), text, tuple(gold)))
    return out


@dataclass
class KindScore:
    gold: int = 0
    found: int = 0          # gold spans overlapped by a prediction of the same kind
    predicted: int = 0
    correct: int = 0        # predictions overlapping a gold span of the same kind

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else float("nan")

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else float("nan")


@dataclass
class Score:
    kinds: dict[str, KindScore] = field(default_factory=lambda: {k: KindScore() for k in KINDS})
    covered: int = 0                # gold spans overlapped by a prediction of *any* kind
    gold_total: int = 0
    negatives: int = 0
    negatives_flagged: int = 0
    flagged_ids: list[str] = field(default_factory=list)
    missed: list[tuple[str, str, str]] = field(default_factory=list)    # (id, kind, text)
    spurious: list[tuple[str, str, str]] = field(default_factory=list)  # (id, kind, text)

    @property
    def coverage(self) -> float:
        return self.covered / self.gold_total if self.gold_total else float("nan")

    @property
    def negative_fp_rate(self) -> float:
        return self.negatives_flagged / self.negatives if self.negatives else float("nan")

    def overall(self) -> KindScore:
        total = KindScore()
        for ks in self.kinds.values():
            total.gold += ks.gold
            total.found += ks.found
            total.predicted += ks.predicted
            total.correct += ks.correct
        return total


def _overlap(a: Span, b: Span) -> bool:
    return a[1] < b[2] and b[1] < a[2]


def score(detector: Detector, messages: Iterable[Message]) -> Score:
    sc = Score()
    for msg in messages:
        pred = [p for p in detector(msg.text) if p[0] in sc.kinds]
        if not msg.gold:
            sc.negatives += 1
            if pred:
                sc.negatives_flagged += 1
                sc.flagged_ids.append(msg.id)
        for g in msg.gold:
            ks = sc.kinds[g[0]]
            ks.gold += 1
            sc.gold_total += 1
            if any(p[0] == g[0] and _overlap(p, g) for p in pred):
                ks.found += 1
            else:
                sc.missed.append((msg.id, g[0], msg.text[g[1]:g[2]]))
            if any(_overlap(p, g) for p in pred):
                sc.covered += 1
        for p in pred:
            ks = sc.kinds[p[0]]
            ks.predicted += 1
            if any(g[0] == p[0] and _overlap(p, g) for g in msg.gold):
                ks.correct += 1
            else:
                sc.spurious.append((msg.id, p[0], msg.text[p[1]:p[2]]))
    return sc


@dataclass(frozen=True)
class Figures:
    """The three figures a practitioner notices: how often a clean message is stopped, and how
    many names and structured identifiers get through."""

    messages: int
    clean: int
    clean_flagged: int
    names: int
    names_found: int
    structured: int
    structured_found: int

    @property
    def false_flags_per_100(self) -> float:
        return 100 * self.clean_flagged / self.clean if self.clean else float("nan")

    @property
    def name_recall(self) -> float:
        return self.names_found / self.names if self.names else float("nan")

    @property
    def structured_recall(self) -> float:
        return self.structured_found / self.structured if self.structured else float("nan")


def figures(sc: Score, messages: int) -> Figures:
    structured = [sc.kinds[k] for k in STRUCTURED_KINDS]
    return Figures(
        messages=messages, clean=sc.negatives, clean_flagged=sc.negatives_flagged,
        names=sc.kinds["name"].gold, names_found=sc.kinds["name"].found,
        structured=sum(k.gold for k in structured), structured_found=sum(k.found for k in structured),
    )
