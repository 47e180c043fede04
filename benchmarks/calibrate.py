"""Choose the fusion weight and the answer policy's thresholds on the TUNING part, by cross-validation.

    python -m benchmarks.calibrate [--folds 3]

The matcher learns phrasings from the tuning part (benchmarks/learn.py), so scoring the tuning part with
phrasings learnt from itself would flatter every setting. Here the tuning part is cut into folds; each
fold is scored by a matcher that learnt from the other folds only. Prints the best settings by answered
right (then fewest wrong) with off-topic refusals; the test part is never read.
"""

from __future__ import annotations

import argparse
import itertools
import random

from benchmarks.answers import WALK_FLOWCHART, load
from benchmarks.learn import learned_rows
from bot.core.config import OrgConfig
from bot.core.engine import build_parts
from dialogs.qa import QADialog
from knowledge.search import Match, Matcher


def folds(rows: list[dict], n: int, seed: int = 7) -> list[list[dict]]:
    rows = rows[:]
    random.Random(seed).shuffle(rows)
    return [rows[i::n] for i in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--weights", default="0.3,0.4,0.5,0.6")
    args = parser.parse_args()
    parts = build_parts(OrgConfig())
    kb = parts.kb
    rows = [r for r in load("questions.jsonl", "tune") if r["kind"] not in ("urgent", "two_questions")]
    cut = folds(rows, args.folds)
    scored: dict[float, list[tuple[dict, list[Match], float, QADialog]]] = {}
    for w in (float(x) for x in args.weights.split(",")):
        Matcher.W_COS = w
        out = []
        for i, held in enumerate(cut):
            train = [r for j, f in enumerate(cut) if j != i for r in f]
            m = Matcher(kb, embedder=parts.qa.matcher.embedder,
                        learned=[(r["id"], r["text"]) for r in learned_rows(train)])
            qa = QADialog(kb, m)
            for r in held:
                red = parts.guard.redact(r["text"]).redacted
                matches = m.search(red, k=6)
                out.append((r, matches, m.off_topic(red) if matches else 0.0, qa))
        scored[w] = out
    table = []
    for w, out in scored.items():
        top1 = sum(bool(ms) and ms[0].entry in r["labels"] for r, ms, _, _ in out if r["kind"] != "offtopic")
        for low, clear, tie, offcos in itertools.product((0.30, 0.34, 0.38, 0.42, 0.46, 0.50), (0.0, 0.02, 0.05),
                                                         (0.0, 0.005, 0.01), (0.6, 0.7, 0.8, 2.0)):
            c = {"right": 0, "wrong": 0, "menu": 0, "refused": 0, "n": 0, "off": 0, "off_refused": 0}
            for r, ms, off, qa in out:
                qa.LOW, qa.CLEAR, qa.TIE, qa.OFF_COS = low, clear, tie, offcos
                d = qa.policy(ms, off, True)
                if r["kind"] == "offtopic":
                    c["off"] += 1
                    c["off_refused"] += d.kind == "cannot"
                    continue
                c["n"] += 1
                if d.kind == "cannot":
                    c["refused"] += 1
                elif d.kind == "tied":
                    c["menu"] += 1
                elif d.item in r["labels"] or (r["kind"] == "case" and WALK_FLOWCHART in r["labels"]):
                    c["right"] += 1
                else:
                    c["wrong"] += 1
            n = c["n"]
            table.append((c["off_refused"] == c["off"], c["right"] / n, -c["wrong"] / n, w, low, clear, tie, offcos,
                          c["menu"] / n, c["refused"] / n, f"{c['off_refused']}/{c['off']}", top1 / n))
    table.sort(reverse=True)
    print("all-off  right  wrong  w     LOW   CLEAR TIE    OFF   menu   refused off-topic top-1")
    for t in table[:30]:
        print(f"{t[0]!s:6} {t[1]:.3f}  {-t[2]:.3f}  {t[3]:.2f}  {t[4]:.2f}  {t[5]:.2f}  {t[6]:.3f}  {t[7]:.1f}  "
              f"{t[8]:.3f}  {t[9]:.3f}  {t[10]}  {t[11]:.3f}")


if __name__ == "__main__":
    main()
