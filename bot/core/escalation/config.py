"""Rota and escalation policy: the ``rota:`` and ``escalation:`` sections of the organisation YAML.

Validated with the rest of :class:`bot.core.config.OrgConfig` at start-up, so a bad rota stops the
process with the field named (``field 'rota.fallback': Field required``). A rota is optional
(the terminal runs without one, and then nobody can be paged); when there is one, its
``fallback`` is required: an escalation must always have somewhere to go, never be dropped
because a slot was empty (PagerDuty's behaviour that research note §2 calls the anti-pattern).

Times in the rota are Europe/London wall-clock times (or the rota's ``timezone``): ``09:00`` is
09:00 in both GMT and BST. Datetimes without an offset are read in that zone.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Role = Literal["safeguarding_lead", "deputy", "caldicott_guardian"]
Slot = Literal["lead", "deputy", "caldicott_guardian"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SLOTS: tuple[str, ...] = ("lead", "deputy", "caldicott_guardian")
ROLE_LABELS = {
    "safeguarding_lead": "designated safeguarding lead",
    "deputy": "deputy safeguarding lead",
    "caldicott_guardian": "Caldicott Guardian",
}
SLOT_LABELS = {"lead": "on-duty safeguarding lead", "deputy": "deputy safeguarding lead",
               "caldicott_guardian": "Caldicott Guardian", "fallback": "fallback"}

_PERSON_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,39}$")
_SLACK_ID = re.compile(r"^[UW][A-Z0-9]{2,30}$")
_SLACK_CHANNEL = re.compile(r"^[CG][A-Z0-9]{2,30}$")
_HOURS = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Person(_Strict):
    """Someone who can be paged. ``id`` is the handle used in this file (``amy``), never shown."""

    id: str
    name: str = Field(min_length=1, max_length=80)
    role: Role
    slack_user_id: str | None = None
    teams_user_id: str | None = None  # the Teams user id (29:…) or Entra object id the Teams app sees
    # Looked up on Slack (users.lookupByEmail) and Teams (the fallback channel's roster) when the ids are not
    # given; see bot/directory.py and bot/rota_directory.py.
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)
    phone: str | None = None

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not _PERSON_ID.match(value):
            raise ValueError("use lower-case letters, digits, '_', '.', '-' (up to 40)")
        return value

    @field_validator("slack_user_id")
    @classmethod
    def _slack(cls, value: str | None) -> str | None:
        if value is not None and not _SLACK_ID.match(value):
            raise ValueError("a Slack user id looks like U0123ABCD")
        return value

    @model_validator(mode="after")
    def _reachable(self) -> Person:
        # A lead the bot cannot message is a silent gap in the rota (OnCall #1326).
        if not self.slack_user_id and not (self.teams_user_id or "").strip() and not self.email:
            raise ValueError("give a slack_user_id, a teams_user_id or an email, so the bot can reach this person")
        return self

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]


class Layer(_Strict):
    """People taking turns in one slot: shift ``n`` starts at ``start`` + n × ``shift_days`` at ``handover``."""

    name: str = ""
    slot: Slot = "lead"
    people: tuple[str, ...] = Field(min_length=1)
    start: dt.date
    handover: dt.time = dt.time(9, 0)
    shift_days: int = Field(default=7, ge=1, le=366)
    days: tuple[Weekday, ...] = ()  # only on these local weekdays (empty: every day)
    hours: str | None = None  # only between these local times, e.g. "08:00-18:00" (may cross midnight)

    @field_validator("hours")
    @classmethod
    def _hours(cls, value: str | None) -> str | None:
        if value is not None and not _HOURS.match(value):
            raise ValueError("write hours as HH:MM-HH:MM, e.g. 08:00-18:00")
        return value

    def window(self) -> tuple[dt.time, dt.time] | None:
        if self.hours is None:
            return None
        m = _HOURS.match(self.hours)
        assert m is not None
        end_h = int(m.group(3))
        end = dt.time(23, 59, 59, 999999) if end_h == 24 else dt.time(end_h, int(m.group(4)))
        return dt.time(int(m.group(1)), int(m.group(2))), end


class Override(_Strict):
    """``who`` covers ``slot`` from ``from`` to ``to`` (local wall-clock unless an offset is given)."""

    who: str
    start: dt.datetime = Field(alias="from")
    end: dt.datetime = Field(alias="to")
    slot: Slot = "lead"

    @model_validator(mode="after")
    def _order(self) -> Override:
        if (self.start.tzinfo is None) != (self.end.tzinfo is None):
            raise ValueError("give both 'from' and 'to' with an offset, or neither")
        if self.end <= self.start:
            raise ValueError("'to' must be after 'from'")
        return self


class TeamsChannel(_Strict):
    """A private Teams channel for the fallback (its conversation id, service URL and tenant)."""

    conversation_id: str = Field(min_length=1)
    service_url: str = Field(min_length=1)
    tenant_id: str | None = None


class Fallback(_Strict):
    """Always paged last: named people and/or a private duty channel. At least one is required."""

    people: tuple[str, ...] = ()
    slack_channel: str | None = None  # a private channel id (C… or G…); never a public channel
    teams_channel: TeamsChannel | None = None

    @field_validator("slack_channel")
    @classmethod
    def _channel(cls, value: str | None) -> str | None:
        if value is not None and not _SLACK_CHANNEL.match(value):
            raise ValueError("a Slack channel id looks like C0123ABCD")
        return value

    @model_validator(mode="after")
    def _something(self) -> Fallback:
        if not self.people and not self.slack_channel and not self.teams_channel:
            raise ValueError("name fallback people, or a private slack_channel or teams_channel")
        return self


class Rota(_Strict):
    timezone: str = "Europe/London"
    people: tuple[Person, ...] = Field(min_length=1)
    layers: tuple[Layer, ...] = ()  # listed first = highest priority for its slot
    overrides: tuple[Override, ...] = ()
    calendar: Path | None = None  # optional iCal duty calendar (see bot.core.escalation.rota)
    fallback: Fallback  # required: escalations are never dropped

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @model_validator(mode="after")
    def _references(self) -> Rota:
        ids = [p.id for p in self.people]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"people: duplicate id {dupes[0]!r}")
        known = set(ids)
        for i, layer in enumerate(self.layers):
            for who in layer.people:
                if who not in known:
                    raise ValueError(f"layers[{i}].people: unknown person {who!r}")
        for i, override in enumerate(self.overrides):
            if override.who not in known:
                raise ValueError(f"overrides[{i}].who: unknown person {override.who!r}")
        for who in self.fallback.people:
            if who not in known:
                raise ValueError(f"fallback.people: unknown person {who!r}")
        return self

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def person(self, person_id: str) -> Person | None:
        return next((p for p in self.people if p.id == person_id), None)

    def by_platform(self, channel: str, platform_user_id: str) -> Person | None:
        for p in self.people:
            if channel == "slack" and p.slack_user_id and p.slack_user_id == platform_user_id:
                return p
            if channel == "teams" and p.teams_user_id and p.teams_user_id == platform_user_id:
                return p
        return None


# --- policy -------------------------------------------------------------------------------------

_TARGET = re.compile(r"^(lead|deputy|caldicott_guardian|fallback|person:[a-z0-9][a-z0-9_.-]{0,39})$")


class Step(_Strict):
    """Page ``notify`` (slots, ``fallback`` or ``person:<id>``), then wait before the next step."""

    notify: tuple[str, ...] = Field(min_length=1, max_length=10)
    wait_minutes: float = Field(gt=0, le=24 * 60)

    @field_validator("notify")
    @classmethod
    def _targets(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for target in value:
            if not _TARGET.match(target):
                raise ValueError(f"{target!r}: use lead, deputy, caldicott_guardian, fallback or person:<id>")
        return value


class Chain(_Strict):
    steps: tuple[Step, ...] = Field(min_length=1, max_length=20)
    loops: int = Field(ge=1, le=10)  # passes through the steps before the case is "unanswered"
    ack_idle_minutes: float = Field(gt=0, le=7 * 24 * 60)  # acknowledged but idle -> "Still on it?"


URGENT_CHAIN = Chain(steps=(Step(notify=("lead",), wait_minutes=5), Step(notify=("lead", "deputy"), wait_minutes=5),
                            Step(notify=("fallback",), wait_minutes=5)), loops=3, ack_idle_minutes=30)
NORMAL_CHAIN = Chain(steps=(Step(notify=("lead",), wait_minutes=10), Step(notify=("deputy",), wait_minutes=10),
                            Step(notify=("fallback",), wait_minutes=10)), loops=2, ack_idle_minutes=240)


class EscalationPolicy(_Strict):
    urgent: Chain = URGENT_CHAIN
    normal: Chain = NORMAL_CHAIN
    still_on_it_minutes: float = Field(default=10, gt=0, le=24 * 60)  # answer "Still on it?" within this
    unanswered_reminder_hours: float = Field(default=24, gt=0, le=24 * 7)
    rate_limit_count: int = Field(default=5, ge=1, le=100)  # escalations one practitioner may raise ...
    rate_limit_minutes: float = Field(default=60, gt=0, le=24 * 60)  # ... in this window

    def chain(self, urgent: bool) -> Chain:
        return self.urgent if urgent else self.normal

    def problems(self, rota: Rota) -> list[str]:
        """References the models cannot check alone (``person:<id>`` needs the rota)."""
        out = []
        for name in ("urgent", "normal"):
            for i, step in enumerate(self.chain(name == "urgent").steps):
                for target in step.notify:
                    if target.startswith("person:") and rota.person(target[7:]) is None:
                        out.append(f"field 'escalation.{name}.steps.{i}.notify': unknown person {target[7:]!r}")
        return out
