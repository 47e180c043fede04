"""Schema for the knowledge files.

Every YAML file under ``knowledge/data`` is validated against these models when it loads.
The models are strict (``extra="forbid"``) so a misspelt field fails loudly rather than
being silently ignored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Id = str
OutcomeKind = Literal["share", "do_not_share", "seek_advice", "urgent"]
EditionId = Literal["current", "2018", "2008"]
Confirmation = Literal["confirmed", "seed"]
# What the practitioner is advised to do: share (or refer), keep the confidence, share only part or only
# with the right person, or "depends" for general information.
Advice = Literal["share", "keep_confidential", "share_less", "depends"]
ADVICE_OF_OUTCOME: dict[str, str] = {
    "share": "share", "urgent": "share", "do_not_share": "keep_confidential", "seek_advice": "depends",
}

# A quotation longer than this is no longer "short" (Standards: quotations short).
MAX_QUOTE_CHARS = 320


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(Strict):
    """A published document we rely on."""

    id: Id
    title: str
    publisher: str
    edition: str  # e.g. "May 2024", "October 2008"
    year: int
    url: str
    licence: str  # e.g. "Open Government Licence v3.0"
    current: bool  # False for withdrawn / superseded material
    note: str = ""
    # When the entry must be checked again against the published text; a test fails once it has passed.
    review_by: dt.date
    # A project seed (held verbatim, no public address) is shown to users as the published document it
    # reproduces, never under its own name.
    shown_as: Id | None = None


class Citation(Strict):
    """Where an entry's content comes from: a source id and the part of it."""

    source: Id
    section: str = ""


class Quotation(Strict):
    """A short quotation. Shown as a quotation only when checked word for word against a seed we hold
    (``confirmed_by: seed``); anything else is shown as our summary."""

    text: str = Field(max_length=MAX_QUOTE_CHARS)
    source: Id
    section: str = ""
    confirmed_by: Confirmation


class Reviewed(Strict):
    reviewed: dt.date
    cite: Citation


class Rule(Reviewed):
    """A golden rule of one edition of the guidance."""

    id: Id  # e.g. "gr2024-1"
    edition: EditionId
    number: int = Field(ge=1, le=7)
    title: str
    summary: str  # our own words
    quote: Quotation | None = None
    questions: list[str] = Field(min_length=3)  # how people ask about it


class Myth(Reviewed):
    id: Id
    edition: EditionId
    myth: str
    answer: str  # our own words
    quote: Quotation | None = None
    questions: list[str] = Field(min_length=3)


class Principle(Reviewed):
    """A Caldicott principle (the eight of December 2020)."""

    id: Id
    number: int = Field(ge=1, le=8)
    title: str
    summary: str
    quote: Quotation | None = None
    questions: list[str] = Field(min_length=3)


class Answer(Reviewed):
    """A free-text answer: what the matcher can return."""

    id: Id
    category: str
    title: str
    answer: str  # our own words: the plain default text a user sees first
    advice: Advice
    law: str | None = None  # legal basis and detail, shown one tap away
    questions: list[str] = Field(min_length=3)  # phrasings people use
    keywords: list[str] = []
    cites: list[Id] = []  # rule / myth / principle ids quoted with the answer
    related: list[Id] = []  # other answer ids
    urgent: bool = False  # matching this entry means "child in danger now"
    current: bool = True  # False for answers about superseded editions (shown when history is asked)

    @property
    def text(self) -> str:
        return self.answer


class Node(Reviewed):
    """One question of a flowchart. ``yes``/``no`` name a node or an outcome."""

    id: Id
    question: str
    explain: str
    not_sure: str
    yes: Id
    no: Id
    cites: list[Id] = []
    title: str = ""  # what the question is about, when asked as free text
    questions: list[str] = []  # how people ask about it (>= 3 in the current edition)
    keywords: list[str] = []


class Outcome(Reviewed):
    id: Id
    kind: OutcomeKind
    title: str
    text: str  # plain default text
    law: str  # the legal basis, shown one tap away
    cites: list[Id] = []
    checklist: bool = False  # show the sharing checklist
    questions: list[str] = []
    keywords: list[str] = []

    @property
    def basis(self) -> str:
        """The legal basis (older name of ``law``)."""
        return self.law

    @property
    def advice(self) -> str:
        return ADVICE_OF_OUTCOME[self.kind]


class Flowchart(Reviewed):
    edition: Literal["current", "2008"]
    label: str  # shown on every question, e.g. "Current advice (DfE, May 2024)"
    historical: bool
    notice: str = ""  # shown at the start; required when historical
    start: Id
    nodes: list[Node]
    outcomes: list[Outcome]
    checklist: list[str]  # the "share" box
    record_prompts: list[str]  # what to add to the decision record

    @field_validator("notice")
    @classmethod
    def _notice_text(cls, v: str) -> str:
        return v.strip()


class Term(Reviewed):
    """A glossary term practitioners meet (DSL, MASH, LADO...)."""

    id: Id  # slug, e.g. "dsl"; askable as "term:<id>"
    term: str  # e.g. "Designated safeguarding lead (DSL)"
    text: str  # plain meaning
    law: str | None = None
    questions: list[str] = Field(min_length=3)
    keywords: list[str] = []
    related: list[Id] = []  # answer ids


class QuizItem(Reviewed):
    """A true/false or multiple-choice quiz item (issue 8)."""

    id: Id
    kind: Literal["true_false", "multiple_choice"]
    prompt: str
    options: list[str] = []  # multiple choice only
    answer: str  # "true"/"false", or the exact text of the right option
    explanation: str
    topic: str
    seed_module: int | None = None  # 1-4 for the course's own quiz statements
    cites_rules: list[Id] = []


# Glob (relative to knowledge/data) -> the model of each entry in that file's ``items`` list.
LIST_FILES: dict[str, type[Strict]] = {
    "sources.yaml": Source,
    "rules.yaml": Rule,
    "myths.yaml": Myth,
    "caldicott.yaml": Principle,
    "answers/*.yaml": Answer,
    "quiz/*.yaml": QuizItem,
    "glossary.yaml": Term,
}
# Each file matching this glob is one whole Flowchart.
FLOWCHART_FILES = "flowcharts/*.yaml"


AskableKind = Literal["answer", "rule", "myth", "caldicott", "flow", "outcome", "term"]


@dataclass(frozen=True)
class Askable:
    """One thing a practitioner can ask about, whatever file it lives in.

    ``text`` is the plain default text shown first; ``law`` the legal detail one tap away.
    """

    id: str  # "consent-needed", "gr2024-3", "myth-consent", "cp-4", "flow:consent", "term:dsl"
    kind: str  # one of AskableKind
    title: str
    text: str
    law: str | None
    questions: tuple[str, ...]
    keywords: tuple[str, ...]
    advice: str  # share | keep_confidential | share_less | depends
    current: bool  # False for superseded editions: offer only when history is asked
    edition: str  # e.g. "DfE 2024", "HM Government 2018", "2008 course (historical)"
    cite: Citation
    related: tuple[str, ...] = ()
