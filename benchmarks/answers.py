"""How well free text is understood: the practitioner question set, the urgency set and the case set.

    python -m benchmarks.answers            # test part (and the tuning part, reported separately)
    python -m benchmarks.answers --misses   # also list what went wrong on the tuning part
    python -m benchmarks.answers --pack knowledge/packs/example-local   # also with a local pack

Each message goes the way the engine takes it: the privacy guard's redaction, the urgency check (rules
and meaning), then the answer policy of ``dialogs.qa`` (interactive: a "did you mean" may be offered).
Reported per part:
- questions.jsonl: top-1 / top-3 of the matcher on on-topic messages; what the reply was: answered right
  (the answer shown is one of the labels), answered wrong, a menu, a refusal, or the act-now reply;
  off-topic refusals; act-now on the ``urgent`` kind;
- urgent.jsonl: recall (danger now gets act-now) and false alarms (near misses that got it);
- cases.jsonl: wrongly advised to share, wrongly advised not to share (a reply's direction: act-now is
  "share"; otherwise the answered item's ``advice``);
- latency per message after start-up (p50, p99), and the start-up time and memory the model adds beside
  BM25 alone, each measured in a fresh process.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.core.config import OrgConfig
from bot.core.engine import Parts, build_parts
from dialogs.turn import clean_text
from dialogs.urgent import is_urgent

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"

URGENT, RIGHT, WRONG, MENU, REFUSED = "urgent", "right", "wrong", "menu", "refused"
ON_TOPIC = ("question", "case", "two_questions")
# A reply's direction for the case set.
SHARE, NOT_SHARE = "share", "not_share"
ADVICE_DIRECTION = {"share": SHARE, "keep_confidential": NOT_SHARE, "share_less": NOT_SHARE}


def load(name: str, split: str | None = None) -> list[dict]:
    path = DATA / name
    if not path.is_file():
        return []
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if split is None or r.get("split") == split]


@dataclass(frozen=True)
class Verdict:
    """What the engine would do with one message."""

    urgent: bool
    kind: str  # dialogs.qa decision kind, or "urgent"
    item: str | None
    top: tuple[str, ...]  # the matcher's top three


class Understander:
    """The engine's understanding steps without the store: redact, urgency, answer policy."""

    def __init__(self, parts: Parts | None = None) -> None:
        self.parts = parts or build_parts(OrgConfig())
        self.qa = self.parts.qa

    def redact(self, text: str) -> str:
        text = clean_text(text)
        return self.parts.guard.redact(text).redacted if text else text

    def urgent(self, text: str, redacted: bool = False) -> bool:
        red = text if redacted else self.redact(text)
        return bool(red) and (is_urgent(red) or self.qa.best_urgent(red))

    def respond(self, text: str, pickable: bool = True) -> tuple[bool, object]:
        """The engine's steps only (what latency is measured on): redact, urgency, answer policy."""
        red = self.redact(text)
        if self.urgent(red, redacted=True):
            return True, None
        return False, self.qa.decide(red, pickable=pickable)

    def verdict(self, text: str, pickable: bool = True) -> Verdict:
        red = self.redact(text)
        top = tuple(m.entry for m in self.qa.matcher.search(red, k=3))
        if self.urgent(red, redacted=True):
            return Verdict(True, URGENT, None, top)
        d = self.qa.decide(red, pickable=pickable)
        return Verdict(False, d.kind, d.item, top)


# Labels for which the act-now reply is the right answer, and the label meaning "walk the flowchart".
ACT_NOW_LABELS = frozenset({"urgent-danger", "flow:act_now"})
WALK_FLOWCHART = "flow"


def outcome(v: Verdict, labels: Iterable[str]) -> str:
    """right / wrong / menu / refused, or urgent: act-now where the labels did not ask for it."""
    labels = set(labels)
    if v.urgent:
        return RIGHT if labels & ACT_NOW_LABELS else URGENT
    if v.kind == "tied":
        return MENU
    if v.kind == "cannot" or v.item is None:
        return REFUSED
    if v.kind == "case" and WALK_FLOWCHART in labels:
        return RIGHT  # routed into the flowchart, which is what the label asks for
    return RIGHT if v.item in labels else WRONG


@dataclass
class QuestionFigures:
    n: int = 0
    top1: int = 0
    top3: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    offtopic: int = 0
    offtopic_refused: int = 0
    urgent_kind: int = 0
    urgent_kind_fired: int = 0
    misses: list[tuple[str, str, str, tuple[str, ...]]] = field(default_factory=list)

    def rate(self, key: str) -> float:
        return self.counts.get(key, 0) / self.n if self.n else 0.0


def score_questions(u: Understander, rows: list[dict]) -> QuestionFigures:
    f = QuestionFigures()
    for row in rows:
        v = u.verdict(row["text"])
        kind = row["kind"]
        if kind == "offtopic":
            f.offtopic += 1
            f.offtopic_refused += v.kind == "cannot"
            if v.kind != "cannot":
                f.misses.append(("offtopic", row["text"], v.kind + ":" + str(v.item), v.top))
            continue
        if kind == "urgent":
            f.urgent_kind += 1
            f.urgent_kind_fired += v.urgent
            if not v.urgent:
                f.misses.append(("urgent missed", row["text"], str(v.item), v.top))
            continue
        labels = row["labels"]
        f.n += 1
        f.top1 += bool(v.top) and v.top[0] in labels
        f.top3 += any(t in labels for t in v.top)
        o = outcome(v, labels)
        f.counts[o] = f.counts.get(o, 0) + 1
        if o != RIGHT:
            f.misses.append((o, row["text"], f"{v.kind}:{v.item} want {labels}", v.top))
    return f


@dataclass
class UrgentFigures:
    urgent: int = 0
    caught: int = 0
    calm: int = 0
    false_alarms: int = 0
    misses: list[tuple[str, str]] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.caught / self.urgent if self.urgent else 1.0

    @property
    def false_alarm_rate(self) -> float:
        return self.false_alarms / self.calm if self.calm else 0.0


def score_urgent(u: Understander, rows: list[dict]) -> UrgentFigures:
    f = UrgentFigures()
    for row in rows:
        fired = u.urgent(row["text"])
        if row["urgent"]:
            f.urgent += 1
            f.caught += fired
            if not fired:
                f.misses.append(("missed", row["text"]))
        else:
            f.calm += 1
            f.false_alarms += fired
            if fired:
                f.misses.append(("false alarm", row["text"]))
    return f


def direction(u: Understander, v: Verdict) -> str | None:
    if v.urgent:
        return SHARE
    if v.item is None or v.kind in ("cannot", "tied"):
        return None
    return ADVICE_DIRECTION.get(u.qa.items[v.item].advice)


@dataclass
class CaseFigures:
    n: int = 0
    wrong_share: int = 0  # told to share / refer when it should not
    wrong_not_share: int = 0  # told not to share when a child is at risk
    no_direction: int = 0
    misses: list[tuple[str, str, str]] = field(default_factory=list)


def score_cases(u: Understander, rows: list[dict]) -> CaseFigures:
    f = CaseFigures()
    for row in rows:
        v = u.verdict(row["text"])
        got = direction(u, v)
        f.n += 1
        if got is None:
            f.no_direction += 1
        elif got == SHARE and row["direction"] == NOT_SHARE:
            f.wrong_share += 1
            f.misses.append(("wrongly share", row["text"], f"{v.kind}:{v.item}"))
        elif got == NOT_SHARE and row["direction"] == SHARE:
            f.wrong_not_share += 1
            f.misses.append(("wrongly not share", row["text"], f"{v.kind}:{v.item}"))
    return f


def latency(u: Understander, texts: list[str], rounds: int = 3) -> tuple[float, float, float, float]:
    """p50 and p99 in ms of wall time, then of this thread's CPU time (what other processes on a shared
    machine cannot inflate)."""
    for t in texts[:20]:
        u.respond(t)
    wall, cpu = [], []
    for _ in range(rounds):
        for t in texts:
            start, start_cpu = time.perf_counter(), time.thread_time()
            u.respond(t)
            cpu.append((time.thread_time() - start_cpu) * 1000)
            wall.append((time.perf_counter() - start) * 1000)
    wall.sort()
    cpu.sort()

    def p99(xs: list[float]) -> float:
        return xs[min(len(xs) - 1, int(len(xs) * 0.99))]

    return statistics.median(wall), p99(wall), statistics.median(cpu), p99(cpu)


_STARTUP = """
import sys, time
sys.path.insert(0, {root!r})

def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])

import numpy, rapidfuzz, bm25s, Stemmer
from knowledge.loader import default_knowledge
kb = default_knowledge()
if {semantic} == "tokenizers":
    before, t = rss(), time.perf_counter()
    import tokenizers
else:
    import knowledge.search
    from dialogs.qa import QADialog
    before, t = rss(), time.perf_counter()
    QADialog(kb, knowledge.search.Matcher(kb, semantic={semantic}))
print(time.perf_counter() - t, rss() - before)
"""


def startup(semantic: bool | str, runs: int = 3) -> tuple[float, float]:
    """Seconds and KiB of resident memory to build the matcher and the urgency check once the knowledge
    base is loaded, in a fresh process (median of runs). ``"tokenizers"``: the cost of importing the one
    library the model needs, which the hybrid's figure adds (BM25 alone does not need it)."""
    took, mem = [], []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", _STARTUP.format(root=str(ROOT), semantic=repr(semantic))],
                             capture_output=True, text=True, check=True, cwd=ROOT).stdout.split()
        took.append(float(out[0]))
        mem.append(float(out[1]))
    return statistics.median(took), statistics.median(mem)


def pct(x: float) -> str:
    return f"{100 * x:5.1f}%"


def report(u: Understander, split: str, misses: bool) -> dict:
    q = score_questions(u, load("questions.jsonl", split))
    g = score_urgent(u, load("urgent.jsonl", split))
    c = score_cases(u, load("cases.jsonl", split))
    print(f"\n== {split} part ==")
    print(f"questions (on-topic n={q.n}): top-1 {pct(q.top1 / max(q.n, 1))}  top-3 {pct(q.top3 / max(q.n, 1))}")
    print(f"  answered right {pct(q.rate(RIGHT))}  answered wrong {pct(q.rate(WRONG))}  menu {pct(q.rate(MENU))}  "
          f"refused {pct(q.rate(REFUSED))}  act-now {pct(q.rate(URGENT))}")
    print(f"  off-topic refused {q.offtopic_refused}/{q.offtopic}   urgent-kind act-now "
          f"{q.urgent_kind_fired}/{q.urgent_kind}")
    print(f"urgent.jsonl: recall {g.caught}/{g.urgent} ({pct(g.recall)})  false alarms {g.false_alarms}/{g.calm} "
          f"({pct(g.false_alarm_rate)})")
    print(f"cases.jsonl (n={c.n}): wrongly advised to share {c.wrong_share}  wrongly advised not to share "
          f"{c.wrong_not_share}  no advice given {c.no_direction}")
    if misses:
        for m in q.misses:
            print("  Q", m)
        for m in g.misses:
            print("  U", m)
        for m in c.misses:
            print("  C", m)
    return {"questions": q, "urgent": g, "cases": c}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list the tuning part's misses")
    parser.add_argument("--no-startup", action="store_true", help="skip the fresh-process start-up figures")
    parser.add_argument("--tune-only", action="store_true", help="report the tuning part only (while tuning)")
    parser.add_argument("--pack", action="append", default=[], metavar="PATH",
                        help="also score the test part with this local pack (repeat for several, in order)")
    args = parser.parse_args(argv)
    u = Understander()
    report(u, "tune", args.misses)
    if not args.tune_only:
        report(u, "test", False)
    if args.pack:
        from benchmarks.packs import compare, print_comparison

        print_comparison(compare(args.pack, "test"), args.pack)
    texts = [r["text"] for name in ("questions.jsonl", "urgent.jsonl", "cases.jsonl") for r in load(name)]
    texts = texts or ["do I need consent to tell the police?"]
    p50, p99, c50, c99 = latency(u, texts)
    print(f"\nlatency per message (redact + urgency + answer policy): p50 {p50:.2f} ms  p99 {p99:.2f} ms wall; "
          f"p50 {c50:.2f} ms  p99 {c99:.2f} ms CPU")
    if not args.no_startup:
        bm_t, bm_m = startup(False)
        hy_t, hy_m = startup(True)
        tok_t, tok_m = startup("tokenizers")
        hy_t, hy_m = hy_t + tok_t, hy_m + tok_m
        print(f"start-up   BM25 alone {bm_t * 1000:.0f} ms, {bm_m / 1024:.1f} MB   hybrid (model + urgency) "
              f"{hy_t * 1000:.0f} ms, {hy_m / 1024:.1f} MB   model adds {(hy_t - bm_t) * 1000:.0f} ms, "
              f"{(hy_m - bm_m) / 1024:.1f} MB")


if __name__ == "__main__":
    main()
