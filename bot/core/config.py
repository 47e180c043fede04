"""The organisation's configuration: one YAML file (``CANISHARE_CONFIG``).

Name, local contacts, default edition and retention. Validated at start-up; a bad file stops
the process with the file and field named. Without a file the built-in defaults are used,
which name only national numbers and say plainly that local numbers are not configured.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.core.escalation.config import EscalationPolicy, Rota  # issue 7: the ``rota`` and ``escalation`` sections
from bot.core.quiz.config import QuizConfig  # issue 8: the ``quiz`` section


class ConfigError(ValueError):
    """The organisation config file is missing or invalid."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Contact(_Strict):
    label: str
    number: str
    when: str = ""


class Retention(_Strict):
    conversation_hours: float = Field(default=24, gt=0, le=24 * 90)
    records_days: float = Field(default=30, gt=0, le=3650)
    event_ids_minutes: float = Field(default=60, gt=0, le=24 * 60)

    @property
    def conversation_seconds(self) -> int:
        return int(self.conversation_hours * 3600)

    @property
    def records_seconds(self) -> int:
        return int(self.records_days * 86400)

    @property
    def event_ids_seconds(self) -> int:
        return int(self.event_ids_minutes * 60)


DEFAULT_CONTACTS = (
    Contact(label="Police or ambulance (emergency)", number="999", when="a child is in immediate danger"),
    Contact(
        label="NSPCC helpline (advice for adults worried about a child)",
        number="0808 800 5000",
        when="you need advice and cannot reach your safeguarding lead",
    ),
)


class OrgConfig(_Strict):
    name: str = "your organisation"
    default_edition: Literal["current", "2008"] = "current"
    timezone: str = "Europe/London"
    contacts: tuple[Contact, ...] = DEFAULT_CONTACTS
    # Local children's social care / MASH number; shown with every urgent answer.
    childrens_social_care: Contact | None = None
    retention: Retention = Retention()
    # Issue 7: who is paged, and how. Without a rota nobody can be paged (the terminal needs none);
    # with one, ``rota.fallback`` is required (bot/core/escalation/config.py).
    rota: Rota | None = None
    escalation: EscalationPolicy = EscalationPolicy()
    quiz: QuizConfig = QuizConfig()  # issue 8: personal and team quizzes, schedule
    # Local knowledge packs, in order (docs/packs.md); CANISHARE_PACKS overrides. None by default.
    packs: tuple[str, ...] = ()

    @property
    def urgent_contacts(self) -> tuple[Contact, ...]:
        local = (self.childrens_social_care,) if self.childrens_social_care else ()
        return (*self.contacts[:1], *local, *self.contacts[1:])


def load_config(path: Path | str | None) -> OrgConfig:
    if path is None:
        return OrgConfig()
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        raw = yaml.safe_load(text) or {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read organisation config: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    try:
        return OrgConfig.model_validate(raw)
    except ValidationError as exc:
        from bot.core.yaml_lines import line_of

        def where(loc: tuple[str | int, ...]) -> str:
            line = line_of(text, loc)
            return f" (line {line})" if line else ""

        fields = "; ".join(
            f"field '{'.'.join(str(p) for p in e['loc'])}'{where(e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigError(f"{path}: {fields}") from None
