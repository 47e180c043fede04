"""The terminal channel: plain text for people, JSON lines for scripts."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence

from dialogs.messages import (
    Answer,
    Choice,
    Contacts,
    Layer,
    Menu,
    Notice,
    Outcome,
    PrivacyNotice,
    Progress,
    Question,
    Quote,
    Record,
    Reply,
    Urgent,
)

WIDTH = 80
OUTCOME_HEADINGS = {"share": "YOU CAN SHARE", "do_not_share": "DO NOT SHARE", "seek_advice": "SEEK ADVICE",
                    "urgent": "ACT NOW"}


def _wrap(text: str, indent: str = "") -> str:
    lines = []
    for para in text.split("\n"):
        if not para.strip():
            lines.append("")
            continue
        bullet = para.startswith(("• ", "- ", "  "))
        sub = indent + ("  " if bullet else "")
        lines.append(textwrap.fill(para, WIDTH, initial_indent=indent, subsequent_indent=sub,
                                   break_long_words=True, break_on_hyphens=False))
    return "\n".join(lines)


def _source_line(reply: Reply) -> str:
    source = getattr(reply, "source", None)
    return _wrap(f"Source: {source.cite()}", "  ") if source else ""


def render(reply: Reply) -> str:
    """One reply as text for an 80-column terminal."""
    if isinstance(reply, Progress):
        return ""
    parts: list[str] = []
    if isinstance(reply, Question):
        parts.append(_wrap(f"Question {reply.step} · {reply.edition_label}"))
        parts.append(_wrap(reply.text))
    elif isinstance(reply, Urgent):
        parts.append("!" * 30 + " ACT NOW " + "!" * 30)
        parts.append(_wrap(reply.text))
    elif isinstance(reply, Outcome):
        parts.append("=" * WIDTH)
        parts.append(_wrap(f"{OUTCOME_HEADINGS.get(reply.outcome, reply.outcome.upper())}: {reply.title}"))
        parts.append(_wrap(reply.text))
        parts.append(more_line(reply.layers))
    elif isinstance(reply, Quote):
        mark = "" if reply.verbatim else " (in our words)"
        body = f"\u201c{reply.text}\u201d" if reply.verbatim else reply.text
        parts.append(_wrap(f"{reply.title}{mark}:"))
        parts.append(_wrap(body, "  "))
        parts.append(_source_line(reply))
    elif isinstance(reply, Answer):
        parts.append(_wrap(reply.title.upper()))
        parts.append(_wrap(reply.text))
        parts.append(_source_line(reply))
        parts.append(more_line(reply.layers))
    elif isinstance(reply, Record):
        parts.append(f"--- {reply.title} ".ljust(WIDTH, "-"))
        parts.append("\n".join(_wrap_record_line(line) for line in reply.text.split("\n")))
        parts.append("-" * WIDTH)
    elif isinstance(reply, (PrivacyNotice, Notice, Menu, Contacts)):
        parts.append(_wrap(reply.text))
    else:
        parts.append(_wrap(reply.text))
    if reply.choices:
        parts.append(render_choices(reply.choices))
    return "\n".join(p for p in parts if p)


def more_line(layers: Sequence[Layer]) -> str:
    """The layers one word away, e.g. ``More: type law (Show the law) or record (Full record)``."""
    if not layers:
        return ""
    words = [f"{layer.id} ({layer.label})" for layer in layers]
    listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
    return _wrap(f"More: type {listed}.")


def render_layer(layer: Layer) -> str:
    """A layer shown in full: the law and quotations, the checklist, or the complete record."""
    return "\n\n".join(text for text in (render(reply) for reply in layer.replies) if text)


def layers_of(replies: Sequence[Reply]) -> tuple[tuple[Layer, ...], str | None]:
    """The layers of the last reply that has any, and its ref (an outcome's layers are tied to its walk)."""
    for reply in reversed(replies):
        layers = getattr(reply, "layers", ())
        if layers:
            return tuple(layers), getattr(reply, "ref", "") or None
    return (), None


def pick_layer(line: str, layers: Sequence[Layer]) -> Layer | None:
    """The layer a typed word asks for: its id ("law", "record", "checklist") or its label."""
    low = " ".join(line.strip().lower().split())
    return next((layer for layer in layers if low in (layer.id, layer.label.lower(), layer.action)), None)


def _wrap_record_line(line: str) -> str:
    if len(line) <= WIDTH:
        return line
    indent = " " * (len(line) - len(line.lstrip()) + 3)
    return textwrap.fill(line, WIDTH, subsequent_indent=indent, break_on_hyphens=False)


def render_choices(choices: Sequence[Choice]) -> str:
    return _wrap("   ".join(f"[{i}] {c.label}" for i, c in enumerate(choices, start=1)))


def to_json_line(reply: Reply) -> str:
    return json.dumps(reply.to_dict(), ensure_ascii=False)


def pick_choice(line: str, choices: Sequence[Choice]) -> str | None:
    """A choice id when the line is a shown choice's number, id or label; None for free text."""
    text = line.strip()
    if text.isdigit() and 1 <= int(text) <= len(choices):
        return choices[int(text) - 1].id
    low = text.lower()
    for choice in choices:
        if low == choice.id.lower() or low == choice.label.lower():
            return choice.id
    return None
