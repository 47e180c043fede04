"""Choose the fusion weight and the answer policy's thresholds on the TUNING part, by cross-validation.

    python -m benchmarks.calibrate [--folds 3]

The matcher learns phrasings from the tuning part (benchmarks/learn.py), so scoring the tuning part with
phrasings learnt from itself would flatter every setting. Here the tuning part is cut into folds; each
fold is scored by a matcher that learnt from the other folds only. Prints, for each setting, answered
right / wrong / menu / refused on on-topic questions and off-topic refusals; the test part is never read.
"""

from __future__ import annotations

import argparse
import itertools
import random

from benchmarks.answers import load
from benchmarks.learn import learned_rows
from bot.config import OrgConfig
from bot.engine import build_parts
from dialogs.qa import QADialog
from knowledge.search import Matcher


def folds(rows: list[dict], n: int, seed: int = 7) -> list[list[dict]]:
    rows = rows[:]
    random.Random(seed).shuffle(rows)
    return [rows[i::n] for i in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=3)
    args = parser.parse_args()
    parts = build_parts(OrgConfig())
    kb = parts.kb
    rows = [r for r in load("questions.jsonl", "tune") if r["kind"] != "urgent"]
    cut = folds(rows, args.folds)
    # (weight, fold) -> per-row (labels, kind, matches, off-topic score)
    results: dict[float, list[tuple[dict, list, float]]] = {}
    for w in (0.3, 0.4, 0.5, 0.6):
        Matcher.W_COS = w
        out = []
        for i, held in enumerate(cut):
            train = [r for j, f in enumerate(cut) if j != i for r in f]
            learned = [(r["id"], r["text"]) for r in learned_rows(train)]
            m = Matcher(kb, embedder=parts.qa.matcher.embedder, learned=learned)
            qa = QADialog(kb, m)
            for r in held:
                red = parts.guard.redact(r["text"]).redacted
                out.append((r, qa, red))
        results[w] = out
    print("w     LOW   CLEAR  OFFCOS  right  wrong  menu  refused  offtopic-refused")
    best = []
    for w, out in results.items():
        for low, clear, offcos in itertools.product((0.36, 0.40, 0.44, 0.48, 0.52), (0.0, 0.03, 0.06),
                                                    (0.7, 0.8, 0.9, 2.0)):
            right = wrong = menu = refused = n = off = off_ref = 0
            for r, qa, red in out:
                qa.LOW, qa.CLEAR, qa.OFF_COS = low, clear, offcos
                d = qa.decide(red)
                if r["kind"] == "offtopic":
                    off += 1
                    off_ref += d.kind == "cannot"
                    continue
                n += 1
                if d.kind == "cannot":
                    refused += 1
                elif d.kind == "tied":
                    menu += 1
                elif d.item in r["labels"]:
                    right += 1
                else:
                    wrong += 1
            best.append((right / n, -wrong / n, w, low, clear, offcos, menu / n, refused / n, off_ref, off))
    best.sort(reverse=True)
    for b in best[:25]:
        print(f"{b[2]:.2f}  {b[3]:.2f}  {b[4]:.2f}  {b[5]:.2f}   {b[0]:.3f}  {-b[1]:.3f}  {b[6]:.3f}  {b[7]:.3f}  "
              f"{b[8]}/{b[9]}")


if __name__ == "__main__":
    main()
