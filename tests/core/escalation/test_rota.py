"""The rota: layers, overrides, covers, DST handovers, iCal import, and config refused at start-up."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.config import ConfigError, OrgConfig, load_config
from bot.core.escalation.config import Rota
from bot.core.escalation.policy import plan_from, recipients
from bot.core.escalation.rota import CoverError, RotaView, Shift, gaps, next_change, parse_cover_end, resolve
from tests.core.escalation.conftest import PEOPLE, make_config, rota_dict

LONDON = ZoneInfo("Europe/London")
UTC = dt.UTC


def rota(**overrides) -> Rota:  # type: ignore[no-untyped-def]
    return Rota.model_validate(rota_dict(**overrides))


def at(text: str) -> dt.datetime:
    """A Europe/London wall-clock time."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=LONDON)


WEEKLY = [{"slot": "lead", "people": ["amy", "ben"], "start": "2026-01-05", "handover": "09:00", "shift_days": 7}]
DAILY = [{"slot": "lead", "people": ["amy", "ben"], "start": "2026-01-05", "handover": "09:00", "shift_days": 1}]


def test_weekly_rotation_hands_over_at_nine_on_monday() -> None:
    r = rota(layers=WEEKLY)
    assert resolve(r, at("2026-01-05T09:00")).person("lead") == "amy"
    assert resolve(r, at("2026-01-12T08:59")).person("lead") == "amy"
    assert resolve(r, at("2026-01-12T09:00")).person("lead") == "ben"
    assert resolve(r, at("2026-01-19T09:00")).person("lead") == "amy"
    assert resolve(r, at("2026-01-05T08:59")).person("lead") is None  # before the rota starts


@pytest.mark.parametrize(("sunday", "offset_before", "offset_after"), [
    ("2026-03-29", 0, 1),  # last Sunday of March: GMT -> BST at 01:00 UTC
    ("2026-10-25", 1, 0),  # last Sunday of October: BST -> GMT at 01:00 UTC
])
def test_handover_stays_at_nine_local_across_the_clock_change(sunday: str, offset_before: int,
                                                              offset_after: int) -> None:
    r = rota(layers=DAILY)
    day = dt.date.fromisoformat(sunday)
    for d in (day - dt.timedelta(days=1), day, day + dt.timedelta(days=1)):
        nine = dt.datetime.combine(d, dt.time(9, 0), tzinfo=LONDON)
        offset = offset_before if d < day else offset_after
        assert nine.utcoffset() == dt.timedelta(hours=offset)
        # The change happens exactly at 09:00 wall-clock: 08:00 UTC in summer, 09:00 UTC in winter.
        assert nine.astimezone(UTC).hour == 9 - offset
        before = resolve(r, nine - dt.timedelta(minutes=1)).person("lead")
        after = resolve(r, nine).person("lead")
        assert before != after and {before, after} == {"amy", "ben"}
    # And next_change finds the 09:00 handover on the Sunday itself, in UTC terms.
    change = next_change(r, dt.datetime.combine(day, dt.time(3, 0), tzinfo=LONDON))
    assert change is not None and change.at.astimezone(LONDON).time() == dt.time(9, 0)
    assert change.at.astimezone(LONDON).date() == day


def test_overrides_win_over_layers_and_covers_win_over_overrides() -> None:
    r = rota(layers=WEEKLY, overrides=[{"who": "fay", "from": "2026-01-06T12:00", "to": "2026-01-06T18:00"}])
    assert resolve(r, at("2026-01-06T11:59")).person("lead") == "amy"
    noon = resolve(r, at("2026-01-06T12:00"))
    assert noon.person("lead") == "fay" and noon.sources["lead"] == "override"
    assert resolve(r, at("2026-01-06T18:00")).person("lead") == "amy"  # 'to' is exclusive
    cover = Shift("ben", "lead", at("2026-01-06T13:00"), at("2026-01-06T14:00"), "cover")
    assert resolve(r, at("2026-01-06T13:30"), covers=[cover]).person("lead") == "ben"
    # The next change from 11:00 is the override starting, not the weekly handover.
    change = next_change(r, at("2026-01-06T11:00"))
    assert change is not None and change.at == at("2026-01-06T12:00") and change.person("lead") == "fay"


def test_weekday_and_hours_restrictions_leave_gaps_that_gaps_reports() -> None:
    r = rota(layers=[{"slot": "lead", "people": ["amy"], "start": "2026-01-05", "days": ["mon", "tue", "wed", "thu",
                                                                                          "fri"],
                      "hours": "08:00-18:00"}])
    assert resolve(r, at("2026-01-07T12:00")).person("lead") == "amy"
    assert resolve(r, at("2026-01-07T18:00")).person("lead") is None
    assert resolve(r, at("2026-01-10T12:00")).person("lead") is None  # Saturday
    found = gaps(r, at("2026-01-09T17:00"), days=3)
    assert found[0] == (at("2026-01-09T18:00"), at("2026-01-12T08:00"))


def test_policy_targets_resolve_against_the_rota() -> None:
    r = rota(layers=WEEKLY)
    duty = resolve(r, at("2026-01-06T12:00"))
    assert recipients(r, duty, ("lead", "deputy", "fallback")) == ("person:amy", "person:fay", "channel:slack")
    # Caldicott Guardian with no rota of its own: everyone with that role.
    assert recipients(r, duty, ("caldicott_guardian",)) == ("person:cal",)
    assert recipients(r, duty, ("lead", "person:amy")) == ("person:amy",)  # no repeats
    chain = make_config().escalation.normal
    plan = plan_from(chain, r, duty, 1, 0)  # deputy step: nobody -> skipped
    assert plan.skipped == ((1, 0),) and plan.next is not None and plan.next.step == 2


def test_cover_end_parsing() -> None:
    now = at("2026-11-18T14:05")
    assert parse_cover_end("until 17:00", now, LONDON) == at("2026-11-18T17:00")
    assert parse_cover_end("until 09:00", now, LONDON) == at("2026-11-19T09:00")  # next 09:00
    assert parse_cover_end("until tomorrow 9.30", now, LONDON) == at("2026-11-19T09:30")
    assert parse_cover_end("for 2 hours", now, LONDON) == now + dt.timedelta(hours=2)
    with pytest.raises(CoverError):
        parse_cover_end("until teatime", now, LONDON)
    with pytest.raises(CoverError):
        parse_cover_end("until 2026-12-30 09:00", now, LONDON)  # more than 7 days


async def test_cover_command_takes_the_lead_slot(esc) -> None:  # type: ignore[no-untyped-def]
    assert (await esc.service.on_duty()).person("lead") == "amy"
    refused = await esc.service.cover("slack", "U0NOTONROTA", "until 17:00")
    assert not refused.ok
    result = await esc.service.cover("slack", "U0BEN0001", "until 17:00")
    assert result.ok and "until Wed 18 Nov, 17:00" in result.message
    assert (await esc.service.on_duty()).person("lead") == "ben"
    replies = await esc.raise_()
    assert "Ben Lead" in replies[0].text
    text = await esc.service.duty_text()
    assert "On-duty safeguarding lead: Ben Lead (cover)" in text
    assert "Next, from Wed 18 Nov, 17:00" in text
    esc.clock.advance(3 * 3600 + 60)
    assert (await esc.service.on_duty()).person("lead") == "amy"


def test_config_without_fallback_is_refused_naming_the_field(tmp_path: Path) -> None:
    bad = rota_dict()
    del bad["fallback"]
    path = tmp_path / "org.yaml"
    import yaml

    path.write_text(yaml.safe_dump({"rota": bad}))
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert "field 'rota.fallback' (line 1): Field required" in str(err.value)  # the rota: section starts there
    bad["fallback"] = {}
    path.write_text(yaml.safe_dump({"rota": bad}))
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert "rota.fallback" in str(err.value)


def test_config_with_unknown_people_is_refused(tmp_path: Path) -> None:
    import yaml

    path = tmp_path / "org.yaml"
    path.write_text(yaml.safe_dump({"rota": rota_dict(overrides=[{"who": "zed", "from": "2026-01-01T09:00",
                                                                   "to": "2026-01-02T09:00"}])}))
    with pytest.raises(ConfigError, match=re.escape("overrides[0].who: unknown person 'zed'")):
        load_config(path)
    unreachable = [dict(PEOPLE[0], slack_user_id=None, teams_user_id=None)]
    path.write_text(yaml.safe_dump({"rota": rota_dict(people=unreachable, layers=[], fallback={"people": ["amy"]})}))
    with pytest.raises(ConfigError, match=re.escape("rota.people.0")):
        load_config(path)


def test_no_rota_is_fine() -> None:
    assert OrgConfig().rota is None


ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//duty//EN
BEGIN:VEVENT
UID:1@test
DTSTART;TZID=Europe/London:20260302T090000
DTEND;TZID=Europe/London:20260303T090000
RRULE:FREQ=WEEKLY;COUNT=10
SUMMARY:Lead: Ben Lead
END:VEVENT
BEGIN:VEVENT
UID:2@test
DTSTART;TZID=Europe/London:20260304T090000
DTEND;TZID=Europe/London:20260304T170000
SUMMARY:deputy: fay
END:VEVENT
BEGIN:VEVENT
UID:3@test
DTSTART;VALUE=DATE:20260305
SUMMARY:Somebody Else
END:VEVENT
END:VCALENDAR
"""


def test_ical_duty_calendar(tmp_path: Path) -> None:
    (tmp_path / "duty.ics").write_text(ICS)
    r = rota(layers=WEEKLY, calendar="duty.ics")
    view = RotaView(r, base_dir=tmp_path)
    assert view.on_duty(at("2026-03-02T12:00")).person("lead") == "ben"  # calendar beats the layer (amy)
    assert view.on_duty(at("2026-03-02T12:00")).sources["lead"] == "calendar"
    assert view.on_duty(at("2026-03-09T12:00")).person("lead") == "ben"  # the weekly repeat
    assert view.on_duty(at("2026-03-03T12:00")).person("lead") == "amy"
    assert view.on_duty(at("2026-03-04T10:00")).person("deputy") == "fay"
    assert view.calendar is not None and len(view.calendar.problems()) == 1  # "Somebody Else" is nobody here
    # Overrides still beat the calendar.
    r2 = rota(layers=WEEKLY, calendar="duty.ics",
              overrides=[{"who": "amy", "from": "2026-03-02T10:00", "to": "2026-03-02T11:00"}])
    assert RotaView(r2, base_dir=tmp_path).on_duty(at("2026-03-02T10:30")).person("lead") == "amy"


def test_unreadable_calendar_is_refused(tmp_path: Path) -> None:
    from bot.app.escalation_wiring import rota_view
    from bot.core.settings import Settings

    config = make_config(rota_dict(calendar=str(tmp_path / "missing.ics")))
    with pytest.raises(ConfigError, match=re.escape("rota.calendar")):
        rota_view(Settings(), config)
