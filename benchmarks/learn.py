"""Write what the matcher and the urgency check learn, from the TUNING parts only.

    python -m benchmarks.learn [--cv]

- ``knowledge/models/learned_phrasings.jsonl``: each tuning question (kind question, long, typo or case) as an
  alternate phrasing of its first label, and each off-topic one as an example of what is out of scope — the
  way QnA Maker adds a real query as an alternate question of the right answer;
- ``knowledge/models/urgent_examples.jsonl``: the urgency check's labelled messages: the hand-written seed
  (``urgent_seed.jsonl``), the tuning part of ``tests/data/urgent.jsonl``, and as near misses the tuning
  questions and cases that are not emergencies;
- ``knowledge/models/urgency_weights.npy``: the urgency check's linear model trained on those messages.
``--cv`` prints the model's recall and false alarms on the urgency tuning part by 5-fold cross-validation.
The test parts are never read here. Re-run after the data sets change and commit the files.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

import numpy as np

from benchmarks.answers import ACT_NOW_LABELS, load
from bot.core.config import OrgConfig
from bot.core.engine import build_parts
from dialogs.urgent import _DENIED, WEIGHTS_FILE, UrgencyDetector, features, normalise, train, vetoed
from knowledge.search import LEARNED_FILE, OFF_TOPIC

MODELS = LEARNED_FILE.parent
SEED = MODELS / "urgent_seed.jsonl"
URGENT_FILE = MODELS / "urgent_examples.jsonl"


def learned_rows(rows: list[dict]) -> list[dict]:
    out = []
    for row in rows:
        if row["kind"] == "offtopic":
            out.append({"id": OFF_TOPIC, "text": row["text"]})
        elif row["kind"] in ("question", "long", "typo", "case") and row.get("labels"):
            out.append({"id": row["labels"][0], "text": row["text"]})
    return out


def urgent_rows(urgent: list[dict], questions: list[dict], cases: list[dict]) -> list[dict]:
    out = [json.loads(line) for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]
    out += [{"text": r["text"], "urgent": bool(r["urgent"])} for r in urgent]
    out += [{"text": r["text"], "urgent": r["kind"] == "urgent"} for r in questions
            if not set(r.get("labels", ())) & ACT_NOW_LABELS]
    out += [{"text": r["text"], "urgent": False} for r in cases if r.get("reason") != "emergency"]
    return out


def write(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"{path.name}: {len(rows)} rows")


def matrix(rows: list[dict], encode) -> tuple[np.ndarray, np.ndarray]:  # type: ignore[no-untyped-def]
    x = np.vstack([features(_DENIED.sub(" ", normalise(r["text"])), encode(r["text"])) for r in rows])
    return x, np.asarray([float(r["urgent"]) for r in rows])


def cross_validate(rows: list[dict], tune_texts: set[str], encode, folds: int = 5) -> None:  # type: ignore[no-untyped-def]
    x, y = matrix(rows, encode)
    held = [i for i, r in enumerate(rows) if r["text"] in tune_texts]
    random.Random(3).shuffle(held)
    prob = np.zeros(len(rows))
    for k in range(folds):
        test = set(held[k::folds])
        train_idx = [i for i in range(len(rows)) if i not in test]
        w = train(x[train_idx], y[train_idx])
        for i in test:
            prob[i] = 1.0 / (1.0 + np.exp(-float(x[i] @ w)))
    veto = np.asarray([vetoed(_DENIED.sub(" ", normalise(rows[i]["text"]))) for i in held])
    yy, pp = y[held], prob[held]
    for t in (0.1, 0.2, 0.3, 0.4, 0.5):
        fired = (pp >= t) & ~veto
        print(f"threshold {t}: recall {fired[yy == 1].mean():.3f}  false alarms {fired[yy == 0].mean():.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cv", action="store_true")
    args = parser.parse_args()
    questions = load("questions.jsonl", "tune")
    write(LEARNED_FILE, learned_rows(questions))
    urgent = load("urgent.jsonl", "tune")
    rows = urgent_rows(urgent, questions, load("cases.jsonl", "tune"))
    write(URGENT_FILE, rows)
    encode = build_parts(OrgConfig()).qa.matcher.vector
    if args.cv:
        cross_validate(rows, {r["text"] for r in urgent}, encode)
    x, y = matrix(rows, encode)
    np.save(WEIGHTS_FILE, train(x, y))
    print(f"{WEIGHTS_FILE.name}: {x.shape[1]} weights, threshold {UrgencyDetector.THRESHOLD}")


if __name__ == "__main__":
    main()
