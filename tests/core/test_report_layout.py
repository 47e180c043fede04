"""The report image keeps every piece of text inside the canvas, whatever the values."""

from __future__ import annotations

import datetime as dt

import matplotlib.text as mtext
import pytest

from bot.core import stats
from bot.core.report import Report, draw
from tests.conftest import FIXED_NOW


def report_with(value: int, ack: float | None, days: int = 30, org: str = "") -> Report:
    names = stats.days_back(FIXED_NOW, days)
    counts = {name: value for name in (
        "questions", "questions:flowchart", "questions:free_text", "questions:not_answered", "esc:raised",
        "esc:raised_urgent", "esc:acknowledged", "esc:fallback", "esc:unanswered", "esc:resolved", "quiz:posted",
        "quiz:answers", "quiz:correct", *(f"outcome:{k}" for k in ("share", "do_not_share", "seek_advice", "urgent")),
        *(f"questions:via:{c}" for c in stats.CHANNELS))}
    per_day = {d: {"questions:flowchart": value // days, "questions:free_text": value // days} for d in names}
    return Report(days=names, org=org, counts=counts, per_day=per_day,
                  ack_seconds=[] if ack is None else [ack], quiz_participants=value)


def drawn_texts(fig) -> list[mtext.Text]:  # type: ignore[no-untyped-def]
    """Every text the image shows: tick labels only for the ticks inside the view (the others are not drawn)."""
    tick_labels, shown = set(), []
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                tick_labels |= {id(tick.label1), id(tick.label2)}
            if ax.axison and axis.get_visible():
                ticks = axis._update_ticks()
                shown += [lab for tick in ticks for lab in (tick.label1, tick.label2) if lab.get_visible()]
    return [t for t in fig.findobj(mtext.Text) if id(t) not in tick_labels] + shown


def outside(report: Report) -> list[str]:
    fig = draw(report)
    renderer = fig.canvas.get_renderer()
    canvas = fig.bbox
    bad = []
    for text in drawn_texts(fig):
        if not text.get_visible() or not text.get_text().strip():
            continue
        box = text.get_window_extent(renderer)
        if box.x0 < canvas.x0 - 1 or box.x1 > canvas.x1 + 1 or box.y0 < canvas.y0 - 1 or box.y1 > canvas.y1 + 1:
            bad.append(f"{text.get_text()!r} at {box.bounds}")
        # The key figures and bar values must also stay inside their own panel.
        if getattr(text, "canishare_fit", None) and box.x1 > text.axes.get_window_extent(renderer).x1 + 1:
            bad.append(f"{text.get_text()!r} runs out of its panel")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return bad


@pytest.mark.parametrize("value,ack,days,org", [
    (0, None, 1, ""),  # "none acknowledged", the longest duration text
    (7, 42.0, 7, "Riverside Schools"),
    (123_456_789, 9_999_999.0, 400, "The Very Long Named Metropolitan Borough Council Children's Services "
                                    "Multi-Agency Safeguarding Partnership and Friends"),
    (1_000_000_000_000, 3_599.0, 90, "x" * 300),
], ids=["nothing", "ordinary", "huge", "absurd"])
def test_no_text_runs_off_the_image(value: int, ack: float | None, days: int, org: str) -> None:
    assert outside(report_with(value, ack, days, org)) == []


def test_walks_from_every_channel_are_counted_in_the_report() -> None:
    report = report_with(3, 60.0)
    assert report.as_dict()["questions_by_channel"] == {c: 3 for c in stats.CHANNELS}
    assert dt.date.fromisoformat(report.days[-1]) == FIXED_NOW.date()
