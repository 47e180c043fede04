"""Every default text a practitioner sees first is short and in plain English.

Limits: an answer <= 120 words, a flowchart outcome <= 80, a flowchart question <= 25, and a Flesch
reading ease >= 60 for all of them (syllables from pyphen's dictionary, offline). The legal detail shown
one tap away (``law``) is exempt. ``python -m tests.knowledge.readability --worst 20`` prints the distribution.
"""

from __future__ import annotations

import pytest

from tests.knowledge.readability import FLESCH_MIN, LIMITS, Measured, default_texts, flesch, report, syllables

TEXTS = default_texts()


def test_syllables_and_flesch_are_sane() -> None:
    assert syllables("information") == 4 and syllables("child") == 1
    assert flesch("The cat sat on the mat. It was glad.") > 90
    hard = ("Notwithstanding the aforementioned considerations, organisational accountability "
            "necessitates comprehensive documentation of proportionality determinations.")
    assert flesch(hard) < 0


def test_every_kind_of_default_text_is_measured() -> None:
    kinds = {m.kind for m in TEXTS}
    assert {"answer", "outcome", "question", "explain", "rule", "myth", "caldicott", "term"} <= kinds
    assert len([m for m in TEXTS if m.kind == "answer"]) >= 80


@pytest.mark.parametrize("item", TEXTS, ids=[m.where for m in TEXTS])
def test_short_and_plain(item: Measured) -> None:
    assert item.words <= LIMITS[item.kind], f"{item.where}: {item.words} words (limit {LIMITS[item.kind]})"
    assert item.flesch >= FLESCH_MIN, f"{item.where}: Flesch {item.flesch:.1f} < {FLESCH_MIN}"


def test_report_prints_the_distribution(capsys: pytest.CaptureFixture[str]) -> None:
    print(report(TEXTS, worst=5))
    out = capsys.readouterr().out
    assert "ALL" in out and "Flesch median" in out
