"""The leads' report: counts over a period from :mod:`bot.core.stats`, as text and as a chart.

Counts only. Nothing here names or identifies a child, family or practitioner: the figures come
from daily counters that never held an id or a word anyone typed. ``canishare report`` prints it
(and ``--png`` draws it); ``/canishare report`` in Slack shows it to the leads named in the rota.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.core import stats
from bot.core.store import DayStats, Store

if TYPE_CHECKING:
    from bot.core.config import OrgConfig

MAX_DAYS = 400  # statistics are kept 400 days
OUTCOME_KINDS = ("share", "do_not_share", "seek_advice", "urgent")
OUTCOME_LABELS = {"share": "Share", "do_not_share": "Do not share", "seek_advice": "Seek advice",
                  "urgent": "Act now (urgent)"}
CHANNEL_LABELS = {"slack": "Slack", "teams": "Teams", "web": "the web page", "terminal": "the terminal"}
_SINCE = re.compile(r"^\s*(\d{1,4})\s*([dw])\s*$", re.IGNORECASE)


class PeriodError(ValueError):
    """``--since`` was not understood."""


def parse_since(text: str) -> int:
    """``7d`` → 7, ``2w`` → 14 (whole UTC days, today included)."""
    m = _SINCE.match(text or "")
    if not m:
        raise PeriodError(f"{text!r}: give a number of days or weeks, e.g. 7d, 30d or 4w")
    days = int(m.group(1)) * (7 if m.group(2).lower() == "w" else 1)
    if not 1 <= days <= MAX_DAYS:
        raise PeriodError(f"{text!r}: choose between 1d and {MAX_DAYS}d (statistics are kept {MAX_DAYS} days)")
    return days


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile: always a time that really happened, which is what a lead expects."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "none acknowledged"
    seconds = round(seconds)
    if seconds < 90:
        return f"{seconds} s"
    minutes = round(seconds / 60)
    if minutes < 90:
        return f"{minutes} min"
    hours, mins = divmod(minutes, 60)
    return f"{hours} h {mins} min" if mins else f"{hours} h"


@dataclass
class Report:
    days: list[str]
    org: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    per_day: dict[str, dict[str, int]] = field(default_factory=dict)
    ack_seconds: list[float] = field(default_factory=list)
    quiz_participants: int = 0

    def n(self, name: str) -> int:
        return self.counts.get(name, 0)

    @property
    def ack_p50(self) -> float | None:
        return percentile(self.ack_seconds, 50)

    @property
    def ack_p90(self) -> float | None:
        return percentile(self.ack_seconds, 90)

    @property
    def by_channel(self) -> dict[str, int]:
        """Questions per channel (Slack, Teams, the web page, the terminal): counts, never who."""
        return {c: self.n(f"questions:via:{c}") for c in stats.CHANNELS}

    @property
    def outcomes(self) -> dict[str, int]:
        return {kind: self.n(f"outcome:{kind}") for kind in OUTCOME_KINDS}

    @property
    def answered_by(self) -> dict[str, int]:
        """Free-text answers by where they came from: ``national`` or a local pack (counts only)."""
        prefix = stats.ANSWERED_BY
        return dict(sorted((k[len(prefix):], v) for k, v in self.counts.items() if k.startswith(prefix)))

    @property
    def period(self) -> str:
        first, last = (dt.date.fromisoformat(d) for d in (self.days[0], self.days[-1]))
        span = f"{first:%d %b %Y} to {last:%d %b %Y}" if first != last else f"{first:%d %b %Y}"
        return f"{span} ({len(self.days)} day{'s' if len(self.days) != 1 else ''}, UTC)"

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": self.days[0], "to": self.days[-1], "days": len(self.days),
            "questions": self.n("questions"), "flowchart_walks": self.n("questions:flowchart"),
            "free_text_questions": self.n("questions:free_text"),
            "free_text_not_answered": self.n("questions:not_answered"),
            "questions_by_channel": self.by_channel,
            "outcomes": self.outcomes,
            "answered_by": self.answered_by,
            "escalations": {"raised": self.n("esc:raised"), "urgent": self.n("esc:raised_urgent"),
                            "acknowledged": self.n("esc:acknowledged"), "reached_fallback": self.n("esc:fallback"),
                            "unanswered": self.n("esc:unanswered"), "resolved": self.n("esc:resolved"),
                            "ack_seconds_p50": self.ack_p50, "ack_seconds_p90": self.ack_p90},
            "quiz": {"posted": self.n("quiz:posted"), "answers": self.n("quiz:answers"),
                     "correct": self.n("quiz:correct"), "participants": self.quiz_participants},
        }


async def build_report(store: Store, days: int, now: dt.datetime | None = None, org: str = "") -> Report:
    """Read ``days`` UTC days up to ``now`` from the store (may raise StoreUnavailable)."""
    now = now or dt.datetime.now(dt.UTC)
    names = stats.days_back(now, days)
    read: dict[str, DayStats] = await store.stats_read(names, stats.SAMPLE_NAMES)
    report = Report(days=names, org=org)
    for day in names:
        day_stats = read.get(day)
        report.per_day[day] = dict(day_stats.counts) if day_stats else {}
        if day_stats is None:
            continue
        for name, n in day_stats.counts.items():
            report.counts[name] = report.counts.get(name, 0) + n
        report.ack_seconds.extend(day_stats.samples.get(stats.ACK_SECONDS, []))
    report.quiz_participants = await store.stats_unique(names, stats.QUIZ_PARTICIPANTS)
    return report


def render_text(report: Report) -> str:
    def row(label: str, value: object, note: str = "") -> str:
        return f"  {label:<34}{value!s:>8}{('  ' + note) if note else ''}"

    lines = [f"canishare report{': ' + report.org if report.org else ''}", report.period, "",
             "Questions",
             row("questions asked", report.n("questions")),
             row("flowchart walks started", report.n("questions:flowchart")),
             row("free-text questions", report.n("questions:free_text")),
             row("not answered from the guidance", report.n("questions:not_answered")),
             *(row(f"  in {CHANNEL_LABELS[c]}", n) for c, n in report.by_channel.items()),
             "", "Answers by source (national base or local pack)"]
    lines += [row(name, n) for name, n in report.answered_by.items()] or [row("none yet", 0)]
    lines += ["", "Outcomes reached"]
    lines += [row(OUTCOME_LABELS[k].lower(), v) for k, v in report.outcomes.items()]
    lines += ["", "Escalations to a lead",
              row("raised", report.n("esc:raised"), f"({report.n('esc:raised_urgent')} urgent)"),
              row("acknowledged", report.n("esc:acknowledged")),
              row("time to acknowledge, median (p50)", duration(report.ack_p50)),
              row("time to acknowledge, p90", duration(report.ack_p90)),
              row("reached the fallback", report.n("esc:fallback")),
              row("unanswered", report.n("esc:unanswered")),
              row("resolved", report.n("esc:resolved")),
              "", "Quiz",
              row("questions posted", report.n("quiz:posted")),
              row("answers", report.n("quiz:answers"), f"({report.n('quiz:correct')} correct)"),
              row("people who took part", report.quiz_participants, "(estimated distinct count)"),
              "", "Counts only: nothing here identifies a child, family or practitioner."]
    return "\n".join(lines)


# --- the chart -------------------------------------------------------------------------------------

# Okabe-Ito colours: told apart with any colour vision, and every bar is labelled with its number.
BLUE, SKY, GREEN, VERMILION, ORANGE, GREY = "#0072B2", "#56B4E9", "#009E73", "#D55E00", "#E69F00", "#6F777B"
OUTCOME_COLOURS = {"share": GREEN, "do_not_share": VERMILION, "seek_advice": ORANGE, "urgent": "#8B1A1A"}


def render_png(report: Report, path: Path | str) -> Path:
    """Draw the report as one PNG: questions by day, outcomes, escalations, and the key numbers."""
    import matplotlib.pyplot as plt

    path = Path(path)
    fig = draw(report)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png")
    plt.close(fig)
    return path


def draw(report: Report) -> Any:
    """The report's figure, laid out so that no text runs off it, whatever the values."""
    import textwrap

    import matplotlib

    matplotlib.use("Agg")  # no display: a server or a CI box
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(12, 7.5), dpi=110, layout="constrained")
    grid = fig.add_gridspec(2, 3)
    title = "canishare: how the service was used" + (f" at {report.org}" if report.org else "")
    title = textwrap.shorten(title, 160, placeholder="…")
    fig.suptitle("\n".join(textwrap.wrap(title, 90)) + f"\n{report.period}", fontsize=15, fontweight="bold")

    _questions_by_day(fig.add_subplot(grid[0, :2]), report)
    _key_numbers(fig.add_subplot(grid[0, 2]), report)
    _bars(fig.add_subplot(grid[1, 0]), "Outcomes reached",
          [OUTCOME_LABELS[k] for k in OUTCOME_KINDS], list(report.outcomes.values()),
          [OUTCOME_COLOURS[k] for k in OUTCOME_KINDS])
    _bars(fig.add_subplot(grid[1, 1]), "Escalations to a lead",
          ["Raised", "Acknowledged", "Reached fallback", "Unanswered"],
          [report.n("esc:raised"), report.n("esc:acknowledged"), report.n("esc:fallback"), report.n("esc:unanswered")],
          [BLUE, GREEN, ORANGE, VERMILION])
    _bars(fig.add_subplot(grid[1, 2]), "Quiz",
          ["Questions posted", "Answers", "Correct answers", "People taking part"],
          [report.n("quiz:posted"), report.n("quiz:answers"), report.n("quiz:correct"), report.quiz_participants],
          [GREY, BLUE, GREEN, SKY])
    # supxlabel (not fig.text) so the constrained layout leaves room for it.
    fig.supxlabel("Counts only: nothing in this chart identifies a child, family or practitioner.",
                  fontsize=9, color="#505a5f")
    _fit(fig)
    return fig


FIT = "canishare_fit"  # attribute on a text: shrink it to stay inside its axes ("shrink") or widen the x range ("bar")


def _fit(fig: Any, rounds: int = 12) -> None:
    """Shrink the big key figures and widen bar charts until every label sits inside its axes.

    Matplotlib's constrained layout places axes, titles and tick labels, but not text drawn at
    axes or data positions: "none acknowledged" at 22 pt, or a seven-digit count beside a bar,
    would run off the image's right edge without this.
    """
    import matplotlib.text as mtext

    for _ in range(rounds):
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        changed = False
        for text in fig.findobj(mtext.Text):
            how = getattr(text, FIT, None)
            if how is None or not text.get_text():
                continue
            ax = text.axes
            box, limit = text.get_window_extent(renderer), ax.get_window_extent(renderer)
            if box.x1 <= limit.x1 + 0.5:
                continue
            changed = True
            if how == "shrink":
                text.set_fontsize(max(6.0, text.get_fontsize() * min(0.9, limit.width / max(box.width, 1.0))))
            else:  # a bar's value: more room on the right, in data units
                left, right = ax.get_xlim()
                per_pixel = (right - left) / max(limit.width, 1.0)
                ax.set_xlim(left, right + (box.x1 - limit.x1) * per_pixel * 1.15)
        if not changed:
            return


def _questions_by_day(ax: Any, report: Report) -> None:
    days = report.days
    flow = [report.per_day.get(d, {}).get("questions:flowchart", 0) for d in days]
    free = [report.per_day.get(d, {}).get("questions:free_text", 0) for d in days]
    x = range(len(days))
    ax.bar(x, flow, color=BLUE, label="Flowchart walks")
    ax.bar(x, free, bottom=flow, color=SKY, label="Free-text questions")
    step = max(1, math.ceil(len(days) / 14))  # at most ~14 date labels, however long the period
    ax.set_xticks(list(x)[::step], [dt.date.fromisoformat(d).strftime("%a\n%d %b") for d in days][::step])
    via = " · ".join(f"{CHANNEL_LABELS[c].removeprefix('the ')} {n:,}" for c, n in report.by_channel.items() if n)
    ax.set_title(f"Questions asked: {report.n('questions'):,}" + (f" ({via})" if via else ""), loc="left",
                 fontweight="bold", wrap=True)
    ax.set_ylabel("questions per day")
    ax.yaxis.get_major_locator().set_params(integer=True)
    totals = [a + b for a, b in zip(flow, free, strict=True)]
    ax.set_ylim(0, max(max(totals, default=0), 1) * 1.3)  # headroom so the legend never covers a bar
    ax.legend(frameon=False, loc="upper left", ncols=2)
    ax.spines[["top", "right"]].set_visible(False)


def _key_numbers(ax: Any, report: Report) -> None:
    ax.axis("off")
    ax.set_title("Key figures", loc="left", fontweight="bold")
    items = [("half acknowledged within (p50)", duration(report.ack_p50)),
             ("90% acknowledged within (p90)", duration(report.ack_p90)),
             ("escalations raised", f"{report.n('esc:raised'):,}"),
             ("unanswered", f"{report.n('esc:unanswered'):,}")]
    for i, (label, value) in enumerate(items):
        y = 0.85 - i * 0.24
        big = ax.text(0.02, y, value, fontsize=22, fontweight="bold", color=VERMILION if (
            label == "unanswered" and report.n("esc:unanswered")) else "#0b0c0c", transform=ax.transAxes)
        small = ax.text(0.02, y - 0.08, label, fontsize=11, color="#505a5f", transform=ax.transAxes)
        setattr(big, FIT, "shrink")
        setattr(small, FIT, "shrink")


def _bars(ax: Any, title: str, labels: list[str], values: list[int], colours: list[str]) -> None:
    y = list(range(len(labels)))[::-1]
    ax.barh(y, values, color=colours)
    ax.set_yticks(y, labels)
    ax.set_title(title, loc="left", fontweight="bold")
    top = max(values) if values and max(values) > 0 else 1
    ax.set_xlim(0, top * 1.25)
    for yi, v in zip(y, values, strict=True):
        label = ax.text(v + top * 0.02, yi, f"{v:,}", va="center", fontsize=11, fontweight="bold")
        setattr(label, FIT, "bar")
    ax.xaxis.set_visible(False)
    ax.spines[["top", "right", "bottom"]].set_visible(False)


# --- who may see it --------------------------------------------------------------------------------

def is_lead(config: OrgConfig, channel: str, platform_user_id: str) -> bool:
    """True for people named in the rota (leads, deputies, Caldicott Guardians) on this platform.

    Without a rota nobody is a lead, so the report is refused in chat (the CLI still works for
    whoever runs the service).
    """
    if config.rota is None or not platform_user_id:
        return False
    return config.rota.by_platform(channel, platform_user_id) is not None
