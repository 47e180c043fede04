"""Privacy-guard benchmark: practitioner-text figures, precision/recall per kind on the labelled set, and speed.

    python -m benchmarks.privacy [--split dev|heldout|all] [--misses]

First the three figures a practitioner feels, on the practitioner set's test part
(tests/data/privacy_practitioner.jsonl): clean messages stopped per 100, name recall and
structured-identifier recall, beside the figures before the guard was tuned on that set's tune
part and the older set's figures.  ``--misses`` lists failures of the tune part and the older
set's dev split only: test and held-out items are never for tuning.

Prints our figures and, when ``presidio-analyzer`` is importable and runs offline with pattern
recognisers only (``no_op`` NLP engine, so no spaCy model and no PERSON entities), Presidio's
figures on the same messages.  Presidio is a benchmark comparison only, never a runtime
dependency.  Matching is by span overlap (see ``bot.core.privacy.evaluation``).
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from collections.abc import Callable, Iterable

from bot.core.privacy import get_guard
from bot.core.privacy.evaluation import (
    KINDS,
    PRACTITIONER_SET,
    Figures,
    Message,
    Score,
    figures,
    load_messages,
    score,
)

Span = tuple[str, int, int]

# Presidio entity -> our kind.  DATE_TIME has no DOB notion, so it is scored as date_of_birth.
_PRESIDIO_KINDS = {
    "PERSON": "name", "UK_NHS": "nhs_number", "UK_NINO": "ni_number", "UK_POSTCODE": "postcode",
    "PHONE_NUMBER": "phone", "EMAIL_ADDRESS": "email", "DATE_TIME": "date_of_birth",
    "LOCATION": "address",
}


def ours() -> Callable[[str], list[Span]]:
    guard = get_guard()
    return lambda text: [(f.kind, f.start, f.end) for f in guard.find(text)]


def presidio() -> tuple[Callable[[str], list[Span]] | None, str]:
    """Presidio with pattern recognisers only; returns (detector, note)."""
    try:
        from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
        from presidio_analyzer.nlp_engine import NlpEngineProvider
        from presidio_analyzer.predefined_recognizers import (
            DateRecognizer,
            EmailRecognizer,
            NhsRecognizer,
            PhoneRecognizer,
            UkNinoRecognizer,
            UkPostcodeRecognizer,
        )
    except ImportError:
        return None, "presidio-analyzer not installed: no comparison (pip install presidio-analyzer to add one)"
    try:
        from importlib.metadata import version as dist_version

        version = dist_version("presidio-analyzer")
        # no_op engine: loads nothing, so it runs offline; context words are then ignored.
        nlp = NlpEngineProvider(nlp_configuration={
            "nlp_engine_name": "no_op", "models": [{"lang_code": "en", "model_name": "no_op"}]}).create_engine()
        registry = RecognizerRegistry(supported_languages=["en"])
        # UK NINO and postcode are disabled in Presidio's defaults; add them explicitly.
        for rec in (NhsRecognizer(), UkNinoRecognizer(), UkPostcodeRecognizer(), EmailRecognizer(),
                    DateRecognizer(), PhoneRecognizer(supported_regions=("GB",))):
            registry.add_recognizer(rec)
        engine = AnalyzerEngine(registry=registry, nlp_engine=nlp, supported_languages=["en"])

        def detect(text: str) -> list[Span]:
            out: list[Span] = []
            for r in engine.analyze(text=text, language="en"):
                kind = _PRESIDIO_KINDS.get(r.entity_type)
                if kind:
                    out.append((kind, r.start, r.end))
            return out

        detect("warm up 07911 123456")
        return detect, f"presidio-analyzer {version}, no_op NLP engine, UK NHS/NINO/postcode + email/date/phone(GB)"
    except Exception as exc:  # report, don't crash the benchmark
        return None, f"presidio-analyzer installed but did not run offline: {exc!r}"


# The guard as it was before tuning on practitioner text (main at 8e4878c), measured on the same
# sets; kept here because the old rules are gone from the code.
BEFORE: dict[tuple[str, str], Figures] = {
    ("practitioner", "test"): Figures(messages=297, clean=161, clean_flagged=6, names=114, names_found=107,
                                      structured=62, structured_found=62),
    ("practitioner", "tune"): Figures(messages=416, clean=202, clean_flagged=6, names=160, names_found=142,
                                      structured=124, structured_found=120),
    ("older", "dev"): Figures(messages=180, clean=70, clean_flagged=0, names=71, names_found=71,
                              structured=62, structured_found=62),
    ("older", "heldout"): Figures(messages=142, clean=58, clean_flagged=1, names=59, names_found=58,
                                  structured=45, structured_found=44),
}


def _figure_row(label: str, f: Figures) -> str:
    return (f"{label:34}{f.false_flags_per_100:8.2f} ({f.clean_flagged:>3}/{f.clean:<3})"
            f"{f.name_recall:9.3f} ({f.names_found:>3}/{f.names:<3})"
            f"{f.structured_recall:9.3f} ({f.structured_found:>3}/{f.structured:<3})")


def practitioner_report(detect: Callable[[str], list[Span]], show_misses: bool = False) -> str:
    """The practitioner set's figures, now and before tuning, beside the older set's."""
    sets = {"practitioner": (load_messages(PRACTITIONER_SET), ("test", "tune")),
            "older": (load_messages(), ("heldout", "dev"))}
    lines = [f"{'':34}{'false flags/100 clean':>21}{'name recall':>19}{'structured recall':>21}"]
    misses: list[str] = []
    for set_name, (messages, splits) in sets.items():
        for sp in splits:
            subset = [m for m in messages if m.split == sp]
            sc = score(detect, subset)
            lines.append(_figure_row(f"{set_name} {sp} ({len(subset)} msgs), now", figures(sc, len(subset))))
            if (set_name, sp) in BEFORE:
                lines.append(_figure_row(f"{set_name} {sp}, before", BEFORE[(set_name, sp)]))
            if show_misses and sp in ("tune", "dev"):
                by_id = {m.id: m.text for m in subset}
                misses += [f"  {set_name} {sp} missed {kind:13} {text!r} in {by_id[mid]!r}"
                           for mid, kind, text in sc.missed]
                misses += [f"  {set_name} {sp} flagged clean message {by_id[mid]!r}" for mid in sc.flagged_ids]
    return "\n".join(lines + misses)


def _fmt(x: float) -> str:
    return "  -  " if math.isnan(x) else f"{x:5.2f}"


def timing(detect: Callable[[str], list[Span]], texts: list[str], rounds: int = 5) -> dict[str, float]:
    """Milliseconds per message after one warm-up pass: wall-clock median and p95, and CPU-time
    (this thread only) median and p95.  CPU time is the figure to trust on a shared machine,
    where other processes preempt us and inflate the wall-clock tail."""
    for t in texts:
        detect(t)
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(rounds):
        for t in texts:
            c0, t0 = time.thread_time(), time.perf_counter()
            detect(t)
            wall.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.thread_time() - c0) * 1000)
    wall.sort()
    cpu.sort()
    p95 = int(0.95 * (len(wall) - 1))
    return {"wall_median": statistics.median(wall), "wall_p95": wall[p95],
            "cpu_median": statistics.median(cpu), "cpu_p95": cpu[p95]}


def table(results: dict[str, Score]) -> str:
    names = list(results)
    head = f"{'kind':15}{'gold':>5}" + "".join(f"  {n[:10]:>10} P    R" for n in names)
    lines = [head, "-" * len(head)]
    for kind in KINDS:
        gold = next(iter(results.values())).kinds[kind].gold
        row = f"{kind:15}{gold:5d}"
        for n in names:
            ks = results[n].kinds[kind]
            row += f"  {'':>5}{_fmt(ks.precision)}{_fmt(ks.recall)}"
        lines.append(row)
    row = f"{'all kinds':15}{next(iter(results.values())).gold_total:5d}"
    for n in names:
        tot = results[n].overall()
        row += f"  {'':>5}{_fmt(tot.precision)}{_fmt(tot.recall)}"
    lines.append(row)
    lines.append("")
    for n in names:
        sc = results[n]
        lines.append(f"{n}: redaction coverage (gold spans hidden by any kind) {sc.covered}/{sc.gold_total}"
                     f" = {sc.coverage:.3f}; clean messages flagged {sc.negatives_flagged}/{sc.negatives}"
                     f" = {sc.negative_fp_rate:.3f}")
    return "\n".join(lines)


def run(split: str = "all", show_misses: bool = False) -> None:
    messages = load_messages()
    splits: Iterable[str] = ("dev", "heldout", "all") if split == "all" else (split,)
    detectors: dict[str, Callable[[str], list[Span]]] = {"canishare": ours()}
    pres, note = presidio()
    if pres is not None:
        detectors["presidio"] = pres
    print(f"Labelled set: {len(messages)} messages "
          f"({sum(1 for m in messages if m.gold)} with identifiers, {sum(1 for m in messages if not m.gold)} clean)")
    print(f"Comparison: {note}\n")
    print("== practitioner text: the test part is the figure to quote (CI holds <= 1.00, >= 0.95, >= 0.98) ==")
    print(practitioner_report(detectors["canishare"], show_misses))
    print()
    for sp in splits:
        subset: list[Message] = [m for m in messages if sp == "all" or m.split == sp]
        results = {name: score(det, subset) for name, det in detectors.items()}
        print(f"== split: {sp} ({len(subset)} messages) ==")
        print(table(results))
        if show_misses and sp == "dev":
            for name, sc in results.items():
                for mid, kind, text in sc.missed:
                    print(f"  {name} missed {kind:13} {text!r} ({mid})")
                for mid, kind, text in sc.spurious:
                    print(f"  {name} spurious {kind:13} {text!r} ({mid})")
                for mid in sc.flagged_ids:
                    print(f"  {name} flagged clean message {mid}")
        print()
    texts = [m.text for m in messages]
    for name, det in detectors.items():
        tm = timing(det, texts)
        print(f"{name}: {tm['cpu_median']:.3f} ms/message median CPU, {tm['cpu_p95']:.3f} ms p95 CPU; "
              f"wall clock {tm['wall_median']:.3f} ms median, {tm['wall_p95']:.3f} ms p95 ({len(texts)} messages x 5)")
    long_text = " ".join(texts) * 5
    c0 = time.thread_time()
    detectors["canishare"](long_text)
    print(f"canishare: one {len(long_text):,}-character message in {(time.thread_time() - c0) * 1000:.0f} ms CPU")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("dev", "heldout", "all"), default="all")
    parser.add_argument("--misses", action="store_true",
                        help="list misses and spurious hits (dev and tune only: held-out and test are not for tuning)")
    args = parser.parse_args(argv)
    run(args.split, args.misses)


if __name__ == "__main__":
    main()
