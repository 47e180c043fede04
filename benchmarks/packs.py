"""Does a local pack make national answers worse? The question set scored with and without packs.

    python -m benchmarks.answers --pack knowledge/packs/example-local
    python -m benchmarks.packs knowledge/packs/example-local [--split tune|test]

Every labelled question in tests/data/questions.jsonl asks about national advice, so with a pack the
"answered right" rate must not fall: a pack that takes a national question's place is doing harm.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass

from benchmarks.answers import RIGHT, QuestionFigures, Understander, load, pct, score_questions
from bot.core.config import OrgConfig
from bot.core.engine import build_parts
from knowledge.loader import default_knowledge
from knowledge.packs import load_pack, merge, pack_of


@dataclass(frozen=True)
class Comparison:
    split: str
    without: QuestionFigures
    with_packs: QuestionFigures
    taken: tuple[tuple[str, str], ...]  # (question, pack entry) where a national question got a pack's answer

    @property
    def right_without(self) -> float:
        return self.without.rate(RIGHT)

    @property
    def right_with(self) -> float:
        return self.with_packs.rate(RIGHT)


def compare(packs: Sequence[str], split: str = "test") -> Comparison:
    base = default_knowledge()
    merged = merge(base, [load_pack(p) for p in packs])
    national = Understander(build_parts(OrgConfig(), kb=base))
    local = Understander(build_parts(OrgConfig(), kb=merged))
    rows = load("questions.jsonl", split)
    without, with_packs = score_questions(national, rows), score_questions(local, rows)
    taken = []
    for row in rows:
        if row["kind"] in ("question", "case", "two_questions"):
            v = local.verdict(row["text"])
            if v.item and pack_of(merged, v.item):
                taken.append((row["text"], v.item))
    return Comparison(split, without, with_packs, tuple(taken))


def print_comparison(c: Comparison, packs: Sequence[str]) -> None:
    print(f"\n== national questions, {c.split} part (n={c.without.n}), with and without {', '.join(packs)} ==")
    print(f"  answered right   without {pct(c.right_without)}   with {pct(c.right_with)}")
    print(f"  answered wrong   without {pct(c.without.rate('wrong'))}   with {pct(c.with_packs.rate('wrong'))}")
    print(f"  top-1            without {pct(c.without.top1 / max(c.without.n, 1))}   "
          f"with {pct(c.with_packs.top1 / max(c.with_packs.n, 1))}")
    print(f"  national questions answered from a pack: {len(c.taken)}")
    verdict = "not worse" if c.right_with >= c.right_without else "WORSE"
    print(f"  national answers with the pack: {verdict}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("packs", nargs="+", help="pack folders or names, in order")
    parser.add_argument("--split", default="test", choices=("tune", "test"))
    args = parser.parse_args(argv)
    print_comparison(compare(args.packs, args.split), args.packs)


if __name__ == "__main__":
    main()
