"""Channel-neutral message types: what the engine says, before any channel renders it.

Each channel (terminal, Slack, Teams, web) turns these into its own format; none of them holds
advice logic. Every Reply has a plain ``text`` so a channel can always fall back to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class Choice:
    """A button. ``id`` is what comes back in a Turn's ``action``."""

    id: str
    label: str


@dataclass(frozen=True)
class SourceRef:
    title: str
    publisher: str
    edition: str
    url: str
    section: str = ""
    current: bool = True

    def cite(self) -> str:
        where = f", {self.section}" if self.section else ""
        old = "" if self.current else " (superseded; shown for history)"
        return f"{self.publisher}, {self.title} ({self.edition}){where}{old}"


@dataclass(frozen=True)
class Reply:
    kind: ClassVar[str] = "text"
    text: str

    @property
    def choices(self) -> tuple[Choice, ...]:
        return ()

    def to_dict(self) -> dict[str, Any]:
        fields = asdict(self)
        fields.pop("options", None)
        return {"kind": self.kind, "text": self.text, "choices": [asdict(c) for c in self.choices], **fields}


@dataclass(frozen=True)
class Text(Reply):
    kind: ClassVar[str] = "text"


@dataclass(frozen=True)
class Quote(Reply):
    """Guidance quoted or summarised with its source. ``verbatim`` marks a true quotation."""

    kind: ClassVar[str] = "quote"
    title: str = ""
    source: SourceRef | None = None
    verbatim: bool = False


@dataclass(frozen=True)
class Question(Reply):
    """A flowchart question awaiting Yes / No / Not sure / Explain / Back."""

    kind: ClassVar[str] = "question"
    node: str = ""
    ref: str = ""  # identifies this exact question instance; stale buttons carry an old ref
    step: int = 1
    edition_label: str = ""
    options: tuple[Choice, ...] = ()

    @property
    def choices(self) -> tuple[Choice, ...]:
        return self.options


@dataclass(frozen=True)
class Menu(Reply):
    """Text with choices that are not a flowchart question (suggestions, privacy options)."""

    kind: ClassVar[str] = "menu"
    options: tuple[Choice, ...] = ()
    ref: str = ""

    @property
    def choices(self) -> tuple[Choice, ...]:
        return self.options


@dataclass(frozen=True)
class Answer(Reply):
    """A free-text question answered from the knowledge base."""

    kind: ClassVar[str] = "answer"
    entry: str = ""
    title: str = ""
    source: SourceRef | None = None
    options: tuple[Choice, ...] = ()

    @property
    def choices(self) -> tuple[Choice, ...]:
        return self.options


@dataclass(frozen=True)
class Outcome(Reply):
    kind: ClassVar[str] = "outcome"
    outcome: str = ""  # share | do_not_share | seek_advice | urgent
    title: str = ""
    basis: str = ""
    checklist: tuple[str, ...] = ()
    source: SourceRef | None = None


@dataclass(frozen=True)
class Record(Reply):
    """The decision record (golden rule 7) to copy into case notes. No user free text."""

    kind: ClassVar[str] = "record"
    title: str = "Decision record"
    options: tuple[Choice, ...] = ()

    @property
    def choices(self) -> tuple[Choice, ...]:
        return self.options


@dataclass(frozen=True)
class Urgent(Reply):
    """Act now: shown before anything else when a child may be in danger."""

    kind: ClassVar[str] = "urgent"
    contacts: tuple[tuple[str, str], ...] = ()  # (label, number)


@dataclass(frozen=True)
class PrivacyNotice(Reply):
    """Identifying details were found. Lists kinds only: never echoes the detail."""

    kind: ClassVar[str] = "privacy"
    found: tuple[str, ...] = ()
    options: tuple[Choice, ...] = ()

    @property
    def choices(self) -> tuple[Choice, ...]:
        return self.options


@dataclass(frozen=True)
class Contacts(Reply):
    kind: ClassVar[str] = "contacts"
    contacts: tuple[tuple[str, str], ...] = ()


def contacts_reply(contacts: Sequence[tuple[str, str]], heading: str | None = "Who to contact:") -> Contacts:
    """The one contacts reply: a bulleted list of (label, number), under ``heading`` when given."""
    pairs = tuple(contacts)
    lines = [f"• {label}: {number}" for label, number in pairs]
    return Contacts(text="\n".join([heading, *lines] if heading else lines), contacts=pairs)


@dataclass(frozen=True)
class Notice(Reply):
    """A status or error message for the user (stale button, store down, bad input)."""

    kind: ClassVar[str] = "notice"
    level: str = "info"  # info | warning


@dataclass(frozen=True)
class Progress(Reply):
    """Marks an answered question so a channel can update that message in place."""

    kind: ClassVar[str] = "progress"
    ref: str = ""
    question: str = ""
    answer: str = ""


@dataclass(frozen=True)
class EscalationRequest(Reply):
    """Internal: the dialog asks for a person. The engine makes it durable, then replaces this
    with what the practitioner is told; channels never see it."""

    kind: ClassVar[str] = "escalation_request"
    urgent: bool = False
    edition: str = ""
    answers: tuple[tuple[str, str], ...] = ()  # (question, answer) so far
    stuck_at: tuple[str, ...] = ()  # questions where they said "Not sure"
    reason: str = ""  # "talk", "not_sure", "seek_advice", "urgent"


REPLY_TYPES: tuple[type[Reply], ...] = (
    Text, Quote, Question, Menu, Answer, Outcome, Record, Urgent, PrivacyNotice, Contacts, Notice, Progress,
)
