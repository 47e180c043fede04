"""Who is on duty at an instant: covers, overrides, the duty calendar, then rotation layers.

Resolution per slot (lead, deputy, Caldicott Guardian), first match wins, as Grafana OnCall's
``_resolve_schedule`` does (research note §1.6, §5.7):

1. covers taken from chat (``/canishare cover until 17:00``), newest first;
2. overrides in the YAML, in the order written;
3. the optional iCal duty calendar;
4. rotation layers, in the order written.

Everything is computed in the rota's wall-clock zone (Europe/London by default) with
:mod:`zoneinfo`: a 09:00 handover is 09:00 local on both sides of the last Sundays of March and
October (OnCall #3261 was exactly this bug). Resolution is pure: the caller passes the instant.

Duty calendar (``rota.calendar``): an ``.ics`` file, expanded with ``recurring-ical-events`` so
weekly ``RRULE`` shifts work. Each event's SUMMARY names who is on duty: a person's id or
name, optionally after a slot, e.g. ``amy``, ``Lead: Amy Patel``, ``deputy: ben``. Events that
name nobody on the rota are reported once by :func:`calendar_problems` and otherwise ignored.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.core.escalation.config import SLOT_LABELS, SLOTS, WEEKDAYS, Layer, Person, Rota

log = logging.getLogger("canishare.escalation")

HORIZON_DAYS = 14
MAX_COVER = dt.timedelta(days=7)
UTC = dt.UTC


@dataclass(frozen=True)
class Shift:
    """One person in one slot for a period (an override, a cover or a calendar event)."""

    person: str
    slot: str
    start: dt.datetime  # aware
    end: dt.datetime  # aware, exclusive
    source: str  # "cover" | "override" | "calendar"

    def covers(self, at: dt.datetime) -> bool:
        return self.start <= at < self.end


@dataclass(frozen=True)
class OnDuty:
    """The resolved rota at one instant: slot -> person id (absent: nobody)."""

    at: dt.datetime
    slots: dict[str, str] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)

    def person(self, slot: str) -> str | None:
        return self.slots.get(slot)


def local(rota: Rota, when: dt.date, at: dt.time) -> dt.datetime:
    """A wall-clock time on a local date as an aware datetime (zoneinfo picks the offset)."""
    return dt.datetime.combine(when, at, tzinfo=rota.tz)


def aware(rota: Rota, value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=rota.tz)


def layer_person(rota: Rota, layer: Layer, at: dt.datetime) -> str | None:
    """Who this layer puts on duty at ``at``, or None outside its days, hours or start."""
    now = at.astimezone(rota.tz)
    if layer.days and WEEKDAYS[now.weekday()] not in layer.days:
        return None
    window = layer.window()
    if window is not None:
        begin, end = window
        t = now.time()
        inside = begin <= t < end if begin <= end else (t >= begin or t < end)
        if not inside:
            return None
    # Whole local days since the rotation started, counting a day only from its handover time.
    days = (now.date() - layer.start).days
    if now.time() < layer.handover:
        days -= 1
    if days < 0:
        return None
    return layer.people[(days // layer.shift_days) % len(layer.people)]


def overrides(rota: Rota) -> list[Shift]:
    return [Shift(o.who, o.slot, aware(rota, o.start), aware(rota, o.end), "override") for o in rota.overrides]


def resolve(rota: Rota, at: dt.datetime, covers: Sequence[Shift] = (), calendar: Sequence[Shift] = ()) -> OnDuty:
    """The on-duty person for each slot at ``at`` (aware)."""
    if at.tzinfo is None:
        raise ValueError("resolve() needs an aware datetime")
    slots: dict[str, str] = {}
    sources: dict[str, str] = {}
    ordered = [*sorted(covers, key=lambda s: s.start, reverse=True), *overrides(rota), *calendar]
    for slot in SLOTS:
        for shift in ordered:
            if shift.slot == slot and shift.covers(at) and rota.person(shift.person) is not None:
                slots[slot], sources[slot] = shift.person, shift.source
                break
        else:
            for layer in rota.layers:
                if layer.slot != slot:
                    continue
                who = layer_person(rota, layer, at)
                if who is not None:
                    slots[slot], sources[slot] = who, "rota"
                    break
    return OnDuty(at=at, slots=slots, sources=sources)


def _boundaries(rota: Rota, start: dt.datetime, end: dt.datetime, shifts: Iterable[Shift]) -> list[dt.datetime]:
    """Every instant in (start, end] at which the resolution might change."""
    found: set[dt.datetime] = set()
    day = start.astimezone(rota.tz).date() - dt.timedelta(days=1)
    last = end.astimezone(rota.tz).date() + dt.timedelta(days=1)
    while day <= last:
        for layer in rota.layers:
            found.add(local(rota, day, layer.handover))
            found.add(local(rota, day, dt.time(0, 0)))
            window = layer.window()
            if window is not None:
                found.update(local(rota, day, t) for t in window)
        day += dt.timedelta(days=1)
    for shift in shifts:
        found.update((shift.start, shift.end))
    return sorted(t for t in found if start < t <= end)


def next_change(rota: Rota, at: dt.datetime, covers: Sequence[Shift] = (), calendar: Sequence[Shift] = (),
                horizon_days: int = HORIZON_DAYS) -> OnDuty | None:
    """The first resolution after ``at`` that differs from the one at ``at`` (None: no change ahead)."""
    now = resolve(rota, at, covers, calendar)
    shifts = [*covers, *overrides(rota), *calendar]
    for t in _boundaries(rota, at, at + dt.timedelta(days=horizon_days), shifts):
        later = resolve(rota, t, covers, calendar)
        if later.slots != now.slots:
            return later
    return None


def gaps(rota: Rota, start: dt.datetime, days: int = HORIZON_DAYS, slot: str = "lead",
         covers: Sequence[Shift] = (), calendar: Sequence[Shift] = ()) -> list[tuple[dt.datetime, dt.datetime]]:
    """Periods in the next ``days`` with nobody in ``slot`` (the fallback would be paged at once)."""
    end = start + dt.timedelta(days=days)
    shifts = [*covers, *overrides(rota), *calendar]
    points = [start, *_boundaries(rota, start, end, shifts)]
    out: list[tuple[dt.datetime, dt.datetime]] = []
    for i, t in enumerate(points):
        if resolve(rota, t, covers, calendar).person(slot) is None:
            stop = points[i + 1] if i + 1 < len(points) else end
            if out and out[-1][1] == t:
                out[-1] = (out[-1][0], stop)
            else:
                out.append((t, stop))
    return out


# --- covers from chat -----------------------------------------------------------------------------

_UNTIL = re.compile(r"^(?:until\s+)?(?:(today|tomorrow|\d{4}-\d{2}-\d{2})\s+)?([01]?\d|2[0-3])[:.]?([0-5]\d)$")
_FOR = re.compile(r"^for\s+(\d{1,3})\s*(h|hr|hrs|hours?|m|mins?|minutes?)$")


class CoverError(ValueError):
    """A cover request that cannot be applied (the message is shown to the lead)."""


def parse_cover_end(text: str, now: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """``until 17:00`` (next 17:00), ``until tomorrow 09:00``, ``until 2026-11-23 09:00``, ``for 2 hours``."""
    words = " ".join(text.lower().split())
    m = _FOR.match(words)
    if m:
        amount = int(m.group(1))
        end = now + (dt.timedelta(hours=amount) if m.group(2).startswith("h") else dt.timedelta(minutes=amount))
    else:
        m = _UNTIL.match(words)
        if not m:
            raise CoverError("Say how long, e.g. `cover until 17:00`, `cover until tomorrow 09:00` or "
                             "`cover for 2 hours`.")
        day_word, hour, minute = m.group(1), int(m.group(2)), int(m.group(3))
        today = now.astimezone(tz).date()
        if day_word in (None, "today"):
            day = today
        elif day_word == "tomorrow":
            day = today + dt.timedelta(days=1)
        else:
            try:
                day = dt.date.fromisoformat(day_word)
            except ValueError:
                raise CoverError("I couldn't read that date: use YYYY-MM-DD.") from None
        end = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz)
        if day_word is None and end <= now:
            end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(hour, minute), tzinfo=tz)
    if end <= now:
        raise CoverError("That time has already passed.")
    if end - now > MAX_COVER:
        raise CoverError("A cover can last at most 7 days; ask your rota manager to change the rota instead.")
    return end


# --- the iCal duty calendar -----------------------------------------------------------------------

_SLOT_PREFIX = re.compile(r"^\s*(?:\[?(lead|deputy|caldicott(?:[ _]guardian)?)\]?\s*[:\-]?\s*)?(.+?)\s*$", re.I)


def _match_person(people: Sequence[Person], text: str) -> Person | None:
    wanted = text.strip().lower()
    return next((p for p in people if wanted in (p.id, p.name.lower())), None)


def _summary_to(people: Sequence[Person], summary: str) -> tuple[str, Person] | None:
    m = _SLOT_PREFIX.match(summary or "")
    if not m:
        return None
    slot_word = (m.group(1) or "lead").lower()
    slot = "caldicott_guardian" if slot_word.startswith("caldicott") else slot_word
    person = _match_person(people, m.group(2))
    return (slot, person) if person is not None else None


class DutyCalendar:
    """An iCal file of duty shifts, expanded on demand and cached per window."""

    def __init__(self, rota: Rota, path: Path) -> None:
        import icalendar

        self.rota = rota
        self.path = path
        try:
            self.calendar = icalendar.Calendar.from_ical(path.read_bytes())
        except OSError as exc:
            raise ValueError(f"rota.calendar: cannot read {path}: {exc.strerror}") from None
        except ValueError as exc:
            raise ValueError(f"rota.calendar: {path} is not an iCal file ({exc})") from None
        self._cache: dict[tuple[dt.date, dt.date], list[Shift]] = {}

    def _moment(self, value: dt.date | dt.datetime) -> dt.datetime:
        if isinstance(value, dt.datetime):
            return aware(self.rota, value)
        return local(self.rota, value, dt.time(0, 0))

    def shifts(self, start: dt.datetime, end: dt.datetime) -> list[Shift]:
        import recurring_ical_events

        # Whole local days, so repeated queries in one day hit the cache.
        first = start.astimezone(self.rota.tz).date() - dt.timedelta(days=1)
        last = end.astimezone(self.rota.tz).date() + dt.timedelta(days=2)
        cached = self._cache.get((first, last))
        if cached is not None:
            return cached
        out: list[Shift] = []
        for event in recurring_ical_events.of(self.calendar).between(first, last):
            found = _summary_to(self.rota.people, str(event.get("SUMMARY", "")))
            if found is None:
                continue
            begin = self._moment(event.decoded("DTSTART"))
            finish = self._moment(event.decoded("DTEND")) if event.get("DTEND") else begin + dt.timedelta(days=1)
            out.append(Shift(found[1].id, found[0], begin, finish, "calendar"))
        if len(self._cache) > 64:
            self._cache.clear()
        self._cache[(first, last)] = out
        return out

    def problems(self) -> list[str]:
        """Events naming nobody on the rota (start-up warnings)."""
        out = []
        for event in self.calendar.walk("VEVENT"):
            summary = str(event.get("SUMMARY", ""))
            if _summary_to(self.rota.people, summary) is None:
                out.append(f"rota.calendar: an event names nobody on the rota ({len(summary)} characters)")
        return out


class RotaView:
    """A rota with its calendar loaded: the one object callers ask "who is on duty?"."""

    def __init__(self, rota: Rota, base_dir: Path | None = None) -> None:
        self.rota = rota
        self.calendar: DutyCalendar | None = None
        if rota.calendar is not None:
            path = rota.calendar if rota.calendar.is_absolute() or base_dir is None else base_dir / rota.calendar
            self.calendar = DutyCalendar(rota, path)
            for problem in self.calendar.problems():
                log.warning("%s", problem)

    def calendar_shifts(self, at: dt.datetime, days: int = HORIZON_DAYS) -> list[Shift]:
        if self.calendar is None:
            return []
        return self.calendar.shifts(at - dt.timedelta(days=1), at + dt.timedelta(days=days))

    def on_duty(self, at: dt.datetime, covers: Sequence[Shift] = ()) -> OnDuty:
        return resolve(self.rota, at, covers, self.calendar_shifts(at, 1))

    def next_change(self, at: dt.datetime, covers: Sequence[Shift] = ()) -> OnDuty | None:
        return next_change(self.rota, at, covers, self.calendar_shifts(at))

    def describe(self, at: dt.datetime, covers: Sequence[Shift] = ()) -> str:
        """Plain text for ``canishare duty`` and the chat commands: who is on now and next."""
        tz = self.rota.tz
        now = self.on_duty(at, covers)
        lines = [f"On duty now ({at.astimezone(tz):%a %d %b %Y, %H:%M} {tz.key}):"]
        lines += self._slot_lines(now)
        later = self.next_change(at, covers)
        if later is None:
            lines.append(f"No change in the next {HORIZON_DAYS} days.")
        else:
            lines.append(f"Next, from {later.at.astimezone(tz):%a %d %b, %H:%M}:")
            lines += self._slot_lines(later)
        fb = self.rota.fallback
        parts = [self.rota.person(p).name for p in fb.people if self.rota.person(p)]  # type: ignore[union-attr]
        if fb.slack_channel or fb.teams_channel:
            parts.append("the private duty channel")
        lines.append("Fallback (always paged if nobody answers): " + ", ".join(parts))
        return "\n".join(lines)

    def _slot_lines(self, duty: OnDuty) -> list[str]:
        lines = []
        for slot in SLOTS:
            who = duty.person(slot)
            if who is None:
                guardians = [p.name for p in self.rota.people if p.role == "caldicott_guardian"]
                if slot == "caldicott_guardian" and guardians:
                    lines.append(f"  {SLOT_LABELS[slot]}: {', '.join(guardians)}")  # no rota: always them
                else:
                    lines.append(f"  {SLOT_LABELS[slot].capitalize()}: nobody")
                continue
            person = self.rota.person(who)
            assert person is not None
            note = {"cover": " (cover)", "override": " (override)", "calendar": " (duty calendar)"}.get(
                duty.sources.get(slot, ""), "")
            lines.append(f"  {SLOT_LABELS[slot].capitalize()}: {person.name}{note}")
        return lines
