"""The weekly rota-gap message to the leads, and the rota as an iCal feed (`canishare duty export --ics`)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import icalendar
import pytest
import yaml

from bot.core.escalation.rota import DutyCalendar, resolve
from bot.core.escalation.rota_feed import duty_periods, gap_message, ics
from tests.core.escalation.conftest import Harness, make_config, rota_dict

# Leads only on weekdays 08:00-18:00: nights and weekends are gaps.
OFFICE = rota_dict(layers=[
    {"name": "leads", "slot": "lead", "people": ["amy", "ben"], "start": "2026-01-05", "handover": "09:00",
     "days": ["mon", "tue", "wed", "thu", "fri"], "hours": "08:00-18:00"},
    {"name": "deputies", "slot": "deputy", "people": ["dee"], "start": "2026-01-05", "shift_days": 1}])
MONDAY_0900 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)  # 09:00 in London (GMT)


def test_gap_message_lists_the_hours_nobody_is_on_duty() -> None:
    config = make_config(rota=OFFICE)
    assert config.rota is not None
    text, count = gap_message(config.rota, MONDAY_0900)
    assert count > 0
    assert text.startswith("Safeguarding rota: the next 14 days (from Mon 23 Nov, 09:00 Europe/London).")
    assert "• Mon 23 Nov 18:00 – Tue 24 Nov 08:00 (14 hours)" in text
    assert "• Fri 27 Nov 18:00 – Mon 30 Nov 08:00 (62 hours)" in text
    assert "straight to the fallback (Fay Fallback)" in text
    full = make_config()
    assert full.rota is not None
    assert gap_message(full.rota, MONDAY_0900) == (
        "Safeguarding rota: the next 14 days (from Mon 23 Nov, 09:00 Europe/London).\n"
        "There is a safeguarding lead on duty the whole time: no gaps.", 0)


def test_ics_feed_round_trips_through_the_rota_calendar_reader(tmp_path: Path) -> None:
    config = make_config(rota=OFFICE)
    rota = config.rota
    assert rota is not None
    periods = duty_periods(rota, MONDAY_0900, 14)
    text = ics(rota, periods, MONDAY_0900)
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    cal = icalendar.Calendar.from_ical(text)
    events = list(cal.walk("VEVENT"))
    assert len(events) == len(periods) and len({str(e["UID"]) for e in events}) == len(events)
    first_lead = next(e for e in events if str(e["SUMMARY"]).startswith("Lead:"))
    assert str(first_lead["SUMMARY"]) == "Lead: Amy Lead"
    assert first_lead.decoded("DTSTART") == MONDAY_0900
    assert first_lead.decoded("DTEND") == dt.datetime(2026, 11, 23, 18, 0, tzinfo=dt.UTC)
    # Read back as a duty calendar, it gives the same people at the same moments.
    path = tmp_path / "duty.ics"
    path.write_text(text)
    shifts = DutyCalendar(rota, path).shifts(MONDAY_0900, MONDAY_0900 + dt.timedelta(days=14))
    for hours in (0, 5, 10, 30, 100, 200):
        at = MONDAY_0900 + dt.timedelta(hours=hours)
        assert resolve(rota, at).slots == resolve(rota.model_copy(update={"layers": []}), at, calendar=shifts).slots


async def test_duty_export_ics_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.app.cli.duty import run_export
    from bot.core.settings import get_settings

    org = tmp_path / "org.yaml"
    org.write_text(yaml.safe_dump({"rota": OFFICE}))
    monkeypatch.setenv("CANISHARE_CONFIG", str(org))
    monkeypatch.delenv("REDIS_URL", raising=False)
    get_settings.cache_clear()
    try:
        out = io.StringIO()
        target = tmp_path / "rota.ics"
        assert await run_export("2026-11-23T09:00", 7, str(target), out) == 0
    finally:
        get_settings.cache_clear()
    assert "duty periods over 7 days" in out.getvalue()
    cal = icalendar.Calendar.from_ical(target.read_text())
    assert any(str(e["SUMMARY"]) == "Deputy: Dee Deputy" for e in cal.walk("VEVENT"))


async def test_worker_sends_the_weekly_gap_message_to_the_leads_once(make_harness) -> None:  # type: ignore[no-untyped-def]
    from bot.testing.escalation import FakeClock

    esc: Harness = await make_harness(config=make_config(rota=OFFICE),
                                      clock=FakeClock(MONDAY_0900.timestamp() - 3600))
    assert await esc.worker.gap_report_once() == 0  # Monday 08:00: not yet
    esc.clock.advance(3600)
    assert await esc.worker.gap_report_once() == 3  # amy, ben and fay are safeguarding leads
    assert await esc.worker.gap_report_once() == 0  # once a week, across every worker
    await esc.drain()
    for lead in ("amy", "ben", "fay"):
        (note,) = esc.slack.notes(esc.dm(lead))
        assert "Nobody is on duty as safeguarding lead for" in note["text"]
    assert esc.slack.notes(esc.dm("dee")) == []
    esc.clock.advance(7 * 86400)
    assert await esc.worker.gap_report_once() == 3  # next Monday
