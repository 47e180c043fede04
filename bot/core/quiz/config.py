"""The ``quiz`` section of the organisation config (see docs/quiz.md).

Example::

    quiz:
      questions: 5              # questions in a personal quiz
      progress_days: 90         # how long a person's spaced-repetition progress is kept
      close_minutes: 60         # how long a team question stays open
      leaderboard_weeks: 5      # how long weekly leaderboards are kept
      schedule:
        - platform: slack
          channel: C0123456789
          weekday: monday
          time: "09:30"         # Europe/London (the organisation's timezone)
"""

from __future__ import annotations

import hashlib
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class QuizSlot(_Strict):
    """One recurring team quiz: a channel, a weekday and a local time."""

    platform: Literal["slack", "teams"]
    channel: str = Field(min_length=1, max_length=200)  # Slack channel id, or Teams channel conversation id
    weekday: str
    time: str
    # Teams only, used when the bot has not yet seen the channel: where to send proactive messages.
    service_url: str = ""
    tenant_id: str = ""

    @field_validator("weekday")
    @classmethod
    def _weekday(cls, value: str) -> str:
        low = value.strip().lower()
        for day in WEEKDAYS:
            if low in (day, day[:3]):
                return day
        raise ValueError(f"weekday must be one of {', '.join(WEEKDAYS)} (or its first three letters)")

    @field_validator("time")
    @classmethod
    def _time(cls, value: str) -> str:
        value = value.strip()
        if len(value) == 4:
            value = "0" + value  # "9:30"
        if not _HHMM.match(value):
            raise ValueError("time must be HH:MM on the 24-hour clock, e.g. 09:30")
        return value

    @property
    def weekday_index(self) -> int:
        return WEEKDAYS.index(self.weekday)

    @property
    def hour_minute(self) -> tuple[int, int]:
        hours, minutes = self.time.split(":")
        return int(hours), int(minutes)

    @property
    def id(self) -> str:
        """Stable across restarts and processes, so every worker names a slot the same way."""
        raw = f"{self.platform}\x1f{self.channel}\x1f{self.weekday}\x1f{self.time}"
        return hashlib.blake2b(raw.encode(), digest_size=8).hexdigest()


class QuizConfig(_Strict):
    questions: int = Field(default=5, ge=1, le=20)
    progress_days: float = Field(default=90, gt=0, le=3650)
    close_minutes: float = Field(default=60, gt=0, le=7 * 24 * 60)
    leaderboard_weeks: int = Field(default=5, ge=1, le=104)
    schedule: tuple[QuizSlot, ...] = ()

    @property
    def progress_seconds(self) -> int:
        return int(self.progress_days * 86400)

    @property
    def close_seconds(self) -> int:
        return max(1, int(self.close_minutes * 60))
