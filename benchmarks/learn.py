"""Write the matcher's learnt phrasings and the urgency check's examples from the TUNING parts only.

    python -m benchmarks.learn

- ``knowledge/models/learned_phrasings.jsonl``: each tuning question (kind question or case) as an alternate
  phrasing of its first label, and each off-topic one as an example of what is out of scope — the way
  QnA Maker adds a real failed query as an alternate question of the right answer;
- ``knowledge/models/urgent_examples.jsonl``: the hand-written seed examples (``urgent_seed.jsonl``) plus the
  tuning part of ``tests/data/urgent.jsonl`` and the ``urgent`` kind of the question set.
The test parts are never read here. Re-run after the data sets change and commit the two files.
"""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.answers import load
from knowledge.search import LEARNED_FILE, OFF_TOPIC

MODELS = LEARNED_FILE.parent
SEED = MODELS / "urgent_seed.jsonl"
URGENT_FILE = MODELS / "urgent_examples.jsonl"


def learned_rows(rows: list[dict]) -> list[dict]:
    out = []
    for row in rows:
        if row["kind"] == "offtopic":
            out.append({"id": OFF_TOPIC, "text": row["text"]})
        elif row["kind"] in ("question", "case") and row.get("labels"):
            out.append({"id": row["labels"][0], "text": row["text"]})
    return out


def urgent_rows(urgent: list[dict], questions: list[dict]) -> list[dict]:
    out = [json.loads(line) for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]
    out += [{"text": r["text"], "urgent": bool(r["urgent"])} for r in urgent]
    out += [{"text": r["text"], "urgent": True} for r in questions if r["kind"] == "urgent"]
    return out


def write(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"{path.relative_to(MODELS.parent.parent)}: {len(rows)} rows")


def main() -> None:
    questions = load("questions.jsonl", "tune")
    write(LEARNED_FILE, learned_rows(questions))
    write(URGENT_FILE, urgent_rows(load("urgent.jsonl", "tune"), questions))


if __name__ == "__main__":
    main()
