"""Channel-neutral message types: what the engine says, before any channel renders it.

Each channel (terminal, Slack, Teams, web) turns these into its own format; none of them holds
advice logic. Every Reply has a plain ``text`` so a channel can always fall back to it.

Advice is layered: ``text`` is the plain default (what to do and why), and an Answer's or an Outcome's
``layers`` hold the rest (the law and quotations, the checklist, the full decision record) for a channel
to put one tap away: folded in the same message where the channel can fold (Teams, web), or behind a
button or typed word that asks the engine for that layer (Slack, terminal) with the layer's ``action``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
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
    pack: str = ""  # the local pack this came from ("" for the national base)

    def cite(self) -> str:
        where = f", {self.section}" if self.section else ""
        old = "" if self.current else " (superseded; shown for history)"
        local = f"Local pack '{self.pack}': " if self.pack else ""
        return f"{local}{self.publisher}, {self.title} ({self.edition}){where}{old}"


# Layer ids, and the choice-id prefix that asks for one ("more:law", "more:record", "more:law:<entry>").
LAW, CHECKLIST, RECORD = "law", "checklist", "record"
MORE_PREFIX = "more:"
LAYER_LABELS = {LAW: "Show the law", CHECKLIST: "Before you share", RECORD: "Full record"}


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
    law: str | None = None  # legal basis and detail, one tap away
    quotes: tuple[Quote, ...] = ()  # the rules and myths it rests on, one tap away

    @property
    def choices(self) -> tuple[Choice, ...]:
        return self.options

    @property
    def layers(self) -> tuple[Layer, ...]:
        if not (self.law or self.quotes):
            return ()
        body: tuple[Reply, ...] = ((Text(text=self.law),) if self.law else ()) + self.quotes
        return (Layer(LAW, LAYER_LABELS[LAW], f"{MORE_PREFIX}{LAW}:{self.entry}", body),)

    def to_dict(self) -> dict[str, Any]:
        return _layered_dict(self)


@dataclass(frozen=True)
class Outcome(Reply):
    """Where a walk ends. ``text`` says what to do, in plain words; the legal basis, the quotations, the
    checklist and the complete decision record are its layers, one tap away."""

    kind: ClassVar[str] = "outcome"
    outcome: str = ""  # share | do_not_share | seek_advice | urgent
    title: str = ""
    law: str = ""  # the legal basis
    checklist: tuple[str, ...] = ()
    source: SourceRef | None = None
    quotes: tuple[Quote, ...] = ()
    record: Record | None = None
    ref: str = ""  # the walk at this outcome: a layer button from any other walk is stale

    @property
    def basis(self) -> str:
        """The legal basis (the older name of ``law``)."""
        return self.law

    @property
    def layers(self) -> tuple[Layer, ...]:
        layers: list[Layer] = []
        if self.law or self.quotes:
            # The outcome's source is its legal citation (articles, schedules): it belongs with the law.
            where = f"\nSource: {self.source.cite()}" if self.source else ""
            basis = (Text(text=f"Legal basis: {self.law}{where}"),) if self.law else ()
            body: tuple[Reply, ...] = basis + self.quotes
            layers.append(Layer(LAW, LAYER_LABELS[LAW], MORE_PREFIX + LAW, body))
        if self.checklist:
            items = Text(text="\n".join(f"• {item}" for item in self.checklist))
            layers.append(Layer(CHECKLIST, LAYER_LABELS[CHECKLIST], MORE_PREFIX + CHECKLIST, (items,)))
        if self.record is not None:
            layers.append(Layer(RECORD, LAYER_LABELS[RECORD], MORE_PREFIX + RECORD, (self.record,)))
        return tuple(layers)

    def to_dict(self) -> dict[str, Any]:
        return _layered_dict(self)


@dataclass(frozen=True)
class Record(Reply):
    """The decision record (golden rule 7) to copy into case notes. No user free text.

    ``text`` is the complete record, in the order a practitioner needs it: the outcome and the fill-in
    form first, then the questions and answers, and the legal basis as the last section."""

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


@dataclass(frozen=True)
class Layer:
    """One part of a reply kept one tap away: ``label`` names the button or fold, ``action`` is the choice
    id that asks the engine for it again, ``replies`` are what it shows (rendered as the channel renders
    any reply)."""

    id: str  # law | checklist | record
    label: str
    action: str
    replies: tuple[Reply, ...]

    @property
    def text(self) -> str:
        return "\n\n".join(r.text for r in self.replies if r.text)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "action": self.action, "text": self.text,
                "replies": [reply.to_dict() for reply in self.replies]}


def _layered_dict(reply: Answer | Outcome) -> dict[str, Any]:
    """Everything a script needs: the default fields, each layer's full text, and nested replies as dicts."""
    out: dict[str, Any] = {"kind": reply.kind, "text": reply.text, "choices": [asdict(c) for c in reply.choices]}
    for name in reply.__dataclass_fields__:
        value = getattr(reply, name)
        if name == "options":
            continue
        if name == "quotes":
            value = [q.to_dict() for q in value]
        elif isinstance(value, Reply):
            value = value.to_dict()
        elif isinstance(value, SourceRef):
            value = asdict(value)
        elif isinstance(value, tuple):
            value = list(value)
        out[name] = value
    if isinstance(reply, Outcome):
        out["basis"] = reply.law
    out["layers"] = [layer.to_dict() for layer in reply.layers]
    return out


REPLY_TYPES: tuple[type[Reply], ...] = (
    Text, Quote, Question, Menu, Answer, Outcome, Record, Urgent, PrivacyNotice, Contacts, Notice, Progress,
)


@dataclass
class Outbox:
    """Collects replies while a dialog runs (dialogs never send anything themselves)."""

    replies: list[Reply] = field(default_factory=list)

    def add(self, *replies: Reply) -> None:
        self.replies.extend(replies)
