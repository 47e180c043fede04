"""Plain-English measures for the knowledge base's default texts, computed offline.

Flesch reading ease = 206.835 - 1.015 * (words / sentences) - 84.6 * (syllables / words), with
syllables counted from pyphen's British English hyphenation dictionary (it ships in the wheel, so
nothing is fetched at run time). Legal detail (``law``/``basis``) is exempt: it is shown one tap away.

Run ``python -m tests.knowledge.readability`` to print the distribution (and ``--worst N`` to list the hardest).
"""

from __future__ import annotations

import functools
import re
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyphen
import yaml

DATA = Path(__file__).resolve().parents[2] / "knowledge" / "data"

# Word limits for each kind of default text; Flesch floor for all of them.
LIMITS = {"answer": 120, "outcome": 80, "question": 25, "explain": 120, "rule": 120, "myth": 120,
          "caldicott": 120, "term": 80, "checklist": 40, "title": 25}
FLESCH_MIN = 60.0

WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'\u2019]*")
SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)|\n+")


@functools.cache
def _dic() -> pyphen.Pyphen:
    return pyphen.Pyphen(lang="en_GB", left=1, right=1)


def syllables(word: str) -> int:
    word = word.lower().replace("\u2019", "'")
    if word.isdigit():
        return max(1, len(word))  # read digit by digit at worst; numbers are rare in default text
    if word.endswith("'s"):
        word = word[:-2]
    return max(1, len(_dic().positions(word)) + 1)


def words_of(text: str) -> list[str]:
    return WORD.findall(text)


def sentences_of(text: str) -> int:
    parts = [p for p in SENTENCE_END.split(text) if WORD.search(p)]
    return max(1, len(parts))


def flesch(text: str) -> float:
    words = words_of(text)
    if not words:
        return 100.0
    syl = sum(syllables(w) for w in words)
    return 206.835 - 1.015 * (len(words) / sentences_of(text)) - 84.6 * (syl / len(words))


@dataclass(frozen=True)
class Measured:
    where: str
    kind: str
    text: str

    @property
    def words(self) -> int:
        return len(words_of(self.text))

    @property
    def flesch(self) -> float:
        return flesch(self.text)


def _load(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def default_texts() -> list[Measured]:
    """Every text a user sees first (not the legal appendix), current editions only."""
    out: list[Measured] = []
    for path in sorted((DATA / "answers").glob("*.yaml")):
        for a in _load(path)["items"]:
            out.append(Measured(f"answer:{a['id']}", "answer", a["answer"]))
    for r in _load(DATA / "rules.yaml")["items"]:
        if r["edition"] == "current":
            out.append(Measured(f"rule:{r['id']}", "rule", r["summary"]))
    for m in _load(DATA / "myths.yaml")["items"]:
        if m["edition"] == "current":
            out.append(Measured(f"myth:{m['id']}", "myth", m["answer"]))
    for p in _load(DATA / "caldicott.yaml")["items"]:
        out.append(Measured(f"caldicott:{p['id']}", "caldicott", p["summary"]))
    glossary = DATA / "glossary.yaml"
    if glossary.exists():
        for t in _load(glossary)["items"]:
            out.append(Measured(f"term:{t['id']}", "term", t["text"]))
    chart = _load(DATA / "flowcharts" / "current.yaml")
    for n in chart["nodes"]:
        out.append(Measured(f"flow:{n['id']}.question", "question", n["question"]))
        out.append(Measured(f"flow:{n['id']}.explain", "explain", n["explain"]))
        out.append(Measured(f"flow:{n['id']}.not_sure", "explain", n["not_sure"]))
    for o in chart["outcomes"]:
        out.append(Measured(f"flow:{o['id']}", "outcome", o["text"]))
    for i, line in enumerate(chart["checklist"]):
        out.append(Measured(f"flow:checklist[{i}]", "checklist", line))
    return out


def report(items: list[Measured], worst: int = 0) -> str:
    lines = [f"{'kind':<10} {'n':>4} {'Flesch median':>13} {'worst':>7} {'<60':>4} "
             f"{'words median':>12} {'max':>5} {'over':>5}"]
    kinds = sorted({m.kind for m in items})
    for kind in [*kinds, "ALL"]:
        group = [m for m in items if kind in ("ALL", m.kind)]
        fl = [m.flesch for m in group]
        wc = [m.words for m in group]
        over = sum(1 for m in group if m.words > LIMITS[m.kind])
        lines.append(f"{kind:<10} {len(group):>4} {statistics.median(fl):>13.1f} {min(fl):>7.1f} "
                     f"{sum(1 for f in fl if f < FLESCH_MIN):>4} {statistics.median(wc):>12.0f} {max(wc):>5} {over:>5}")
    if worst:
        lines.append("")
        for m in sorted(items, key=lambda m: m.flesch)[:worst]:
            lines.append(f"{m.flesch:6.1f} {m.words:4d}w  {m.where}")
    return "\n".join(lines)


if __name__ == "__main__":
    n = int(sys.argv[sys.argv.index("--worst") + 1]) if "--worst" in sys.argv else 0
    print(report(default_texts(), worst=n))
