"""Schema for the knowledge files.

Every YAML file under ``knowledge/data`` is validated against these models when it loads.
The models are strict (``extra="forbid"``) so a misspelt field fails loudly rather than
being silently ignored.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Id = str
OutcomeKind = Literal["share", "do_not_share", "seek_advice", "urgent"]
EditionId = Literal["current", "2018", "2008"]
Confirmation = Literal["confirmed", "seed"]

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


class Citation(Strict):
    """Where an entry's content comes from: a source id and the part of it."""

    source: Id
    section: str = ""


class Quotation(Strict):
    """A short verbatim quotation. Only text we hold (seeds) or guidance.md marks [C]."""

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


class Myth(Reviewed):
    id: Id
    edition: EditionId
    myth: str
    answer: str  # our own words
    quote: Quotation | None = None


class Principle(Reviewed):
    """A Caldicott principle (the eight of December 2020)."""

    id: Id
    number: int = Field(ge=1, le=8)
    title: str
    summary: str
    quote: Quotation | None = None


class Answer(Reviewed):
    """A free-text answer: what the matcher can return."""

    id: Id
    category: str
    title: str
    answer: str  # our own words
    questions: list[str] = Field(min_length=3)  # phrasings people use
    keywords: list[str] = []
    cites: list[Id] = []  # rule / myth / principle ids quoted with the answer
    related: list[Id] = []  # other answer ids
    urgent: bool = False  # matching this entry means "child in danger now"


class Node(Reviewed):
    """One question of a flowchart. ``yes``/``no`` name a node or an outcome."""

    id: Id
    question: str
    explain: str
    not_sure: str
    yes: Id
    no: Id
    cites: list[Id] = []


class Outcome(Reviewed):
    id: Id
    kind: OutcomeKind
    title: str
    text: str
    basis: str
    cites: list[Id] = []
    checklist: bool = False  # show the sharing checklist


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


class QuizItem(Reviewed):
    """A true/false or multiple-choice quiz item."""

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
}
# Each file matching this glob is one whole Flowchart.
FLOWCHART_FILES = "flowcharts/*.yaml"
