"""The rota as data for people: the weekly gap message to the leads, and an iCal feed of duty.

Both are pure functions of the rota (layers, overrides, the duty calendar, covers) over a window:

* :func:`duty_periods` walks the window at every instant the resolution may change and merges
  consecutive instants with the same person in a slot;
* :func:`gap_message` says, in the rota's local time, when nobody is on duty as lead in the next
  14 days and for how many hours (the fallback is paged at once then), or that there are none;
* :func:`ics` is an iCalendar file of those periods, one event per person per stretch of duty,
  summaries in the form the rota's own calendar import reads back ("Lead: Amy Patel").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.escalation.config import SLOT_LABELS, SLOTS, Rota
from bot.core.escalation.rota import HORIZON_DAYS, Shift, _boundaries, gaps, overrides, resolve

SLOT_WORDS = {"lead": "Lead", "deputy": "Deputy", "caldicott_guardian": "Caldicott"}


@dataclass(frozen=True)
class Period:
    slot: str
    person: str  # rota handle
    start: dt.datetime
    end: dt.datetime


def duty_periods(rota: Rota, start: dt.datetime, days: int, covers: Sequence[Shift] = (),
                 calendar: Sequence[Shift] = ()) -> list[Period]:
    end = start + dt.timedelta(days=days)
    shifts = [*covers, *overrides(rota), *calendar]
    points = [start, *_boundaries(rota, start, end, shifts)]
    out: list[Period] = []
    open_: dict[str, Period] = {}
    for i, t in enumerate(points):
        stop = points[i + 1] if i + 1 < len(points) else end
        if stop <= t:
            continue
        duty = resolve(rota, t, covers, calendar)
        for slot in SLOTS:
            who = duty.person(slot)
            current = open_.get(slot)
            if current is not None and current.person == who and current.end == t:
                open_[slot] = Period(slot, who, current.start, stop)
                continue
            if current is not None:
                out.append(current)
                del open_[slot]
            if who is not None:
                open_[slot] = Period(slot, who, t, stop)
    out.extend(open_.values())
    return sorted(out, key=lambda p: (p.start, SLOTS.index(p.slot)))


def _hours(delta: dt.timedelta) -> str:
    hours = delta.total_seconds() / 3600
    if hours >= 1:
        n = round(hours, 1)
        return f"{n:g} hour{'s' if n != 1 else ''}"
    minutes = max(1, round(hours * 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def gap_message(rota: Rota, start: dt.datetime, covers: Sequence[Shift] = (), calendar: Sequence[Shift] = (),
                days: int = HORIZON_DAYS) -> tuple[str, int]:
    """(text for the leads, number of gaps) for the next ``days``."""
    tz = rota.tz
    found = gaps(rota, start, days, covers=covers, calendar=calendar)
    head = f"Safeguarding rota: the next {days} days (from {start.astimezone(tz):%a %d %b, %H:%M} {tz.key})."
    if not found:
        return head + "\nThere is a safeguarding lead on duty the whole time: no gaps.", 0
    total = sum((b - a for a, b in found), dt.timedelta())
    fallback = ", ".join(p.name for p in rota.people if p.id in rota.fallback.people) or "the private duty channel"
    lines = [head, f"Nobody is on duty as safeguarding lead for {_hours(total)} in {len(found)} "
                   f"period{'s' if len(found) != 1 else ''}; escalations then go straight to the fallback "
                   f"({fallback}):"]
    for a, b in found:
        lines.append(f"• {a.astimezone(tz):%a %d %b %H:%M} – {b.astimezone(tz):%a %d %b %H:%M} ({_hours(b - a)})")
    lines.append("To fill a gap: add an override to the rota, or take it with `cover until …` in chat.")
    return "\n".join(lines), len(found)


def _ics_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def ics(rota: Rota, periods: Sequence[Period], stamp: dt.datetime, name: str = "Safeguarding duty") -> str:
    """An RFC 5545 calendar of duty periods (times in UTC, so any client shows its own local time)."""
    def utc(t: dt.datetime) -> str:
        return t.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")

    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//canishare//safeguarding rota//EN", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"X-WR-CALNAME:{_ics_text(name)}", f"X-WR-TIMEZONE:{rota.tz.key}"]
    for p in periods:
        person = rota.person(p.person)
        who = person.name if person else p.person
        lines += ["BEGIN:VEVENT", f"UID:{p.slot}-{p.person}-{utc(p.start)}@canishare", f"DTSTAMP:{utc(stamp)}",
                  f"DTSTART:{utc(p.start)}", f"DTEND:{utc(p.end)}",
                  f"SUMMARY:{_ics_text(SLOT_WORDS[p.slot] + ': ' + who)}",
                  f"DESCRIPTION:{_ics_text(SLOT_LABELS[p.slot] + ' on duty (from the canishare rota)')}",
                  "TRANSP:TRANSPARENT", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


def _fold(line: str) -> str:
    """Lines longer than 75 octets are folded (RFC 5545 §3.1)."""
    raw = line.encode()
    if len(raw) <= 75:
        return line
    parts, cut = [], 75
    while raw:
        chunk, raw = raw[:cut], raw[cut:]
        while chunk and raw and (raw[0] & 0xC0) == 0x80:  # never split a UTF-8 character
            raw = chunk[-1:] + raw
            chunk = chunk[:-1]
        parts.append(chunk.decode())
        cut = 74
    return "\r\n ".join(parts)
