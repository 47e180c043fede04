"""Replies as Adaptive Cards (schema 1.5: the newest version Teams renders).

One card per Reply. Buttons are ``Action.Submit`` with object data ``{"a": choice id, "r": ref}``:
Teams posts that back as a plain message activity whose ``value`` is the data, so no invoke
round trip (and none of botbuilder's invoke-serialisation trouble) is involved.

Every text shown goes through :func:`escape` first: Teams runs TextBlock text through a
markdown renderer and the Adaptive Card date functions, so a pasted ``**``, ``[link](…)``,
``<at>`` or ``{{DATE(…)}}`` must show as typed instead of being interpreted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from dialogs.messages import (
    Answer,
    Choice,
    Contacts,
    Layer,
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

CARD_VERSION = "1.5"
CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
SCHEMA_URL = "http://adaptivecards.io/schemas/adaptive-card.json"
# Teams' per-card budget (older guidance and adaptive-cards-py's Teams validator), measured as
# UTF-16 like Teams does. Current docs allow ~100 KB per message; 28 KB keeps every client safe.
MAX_CARD_BYTES = 28 * 1024
TOP_LEVEL_ACTIONS = 6  # Teams shows at most six top-level actions; more go in ActionSets
ACTIONS_PER_SET = 5
MAX_BLOCK_CHARS = 6000  # one TextBlock; long enough for any answer, short of the card budget
MAX_LABEL_CHARS = 80

OUTCOME_HEADINGS = {"share": "You can share", "do_not_share": "Do not share", "seek_advice": "Seek advice",
                    "urgent": "Act now"}
OUTCOME_STYLES = {"share": "good", "do_not_share": "attention", "seek_advice": "warning", "urgent": "attention"}

Card = dict[str, Any]

# Markdown punctuation Teams' renderer acts on. A backslash before ASCII punctuation is a
# literal in CommonMark, which the Adaptive Card renderers follow.
_MD_CHARS = re.compile(r"([\\`*_~\[\]<>#])")
_BRACES = re.compile(r"\{(?=\{)")
_LINE_START = re.compile(r"^(\s*)([-+]|\d+[.)])(?=\s)", re.MULTILINE)


def escape(text: str) -> str:
    """Text as plain text: no markdown, no mention tags, no card template functions, no pings."""
    text = _MD_CHARS.sub(r"\\\1", text)
    # "- item" / "1. item" at a line start would become a list: escape the marker's punctuation.
    text = _LINE_START.sub(lambda m: m.group(1) + re.sub(r"([-+.)])", r"\\\1", m.group(2)), text)
    # A zero-width space breaks "{{DATE(...)}}" templates and "@channel"-style pings.
    return _BRACES.sub("{\u200b", text).replace("@", "@\u200b")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def text_block(text: str, limit: int = MAX_BLOCK_CHARS, **props: Any) -> Card:
    return {"type": "TextBlock", "text": escape(_cut(text, limit)), "wrap": True, **props}


def heading(text: str, **props: Any) -> Card:
    return text_block(text, 300, weight="Bolder", size="Medium", **props)


def submit(choice: Choice, ref: str = "") -> Card:
    data: dict[str, str] = {"a": choice.id}
    if ref:
        data["r"] = ref
    # Button titles are not markdown in Teams, so they are cut but not escaped.
    return {"type": "Action.Submit", "title": _cut(choice.label, MAX_LABEL_CHARS), "data": data}


def _source_items(reply: Reply) -> list[Card]:
    source = getattr(reply, "source", None)
    if source is None:
        return []
    return [text_block(f"Source: {source.cite()}", 600, isSubtle=True, size="Small", spacing="Small")]


def _source_actions(reply: Reply) -> list[Card]:
    source = getattr(reply, "source", None)
    if source is None or not source.url.startswith("https://"):
        return []
    return [{"type": "Action.OpenUrl", "title": "Read the source", "url": source.url}]


def _facts(pairs: Iterable[tuple[str, str]]) -> Card:
    return {"type": "FactSet", "facts": [{"title": escape(_cut(label, 200)), "value": escape(_cut(value, 200))}
                                         for label, value in pairs]}


def _ref_of(reply: Reply) -> str:
    return getattr(reply, "ref", "") or ""


def body_of(reply: Reply, limit: int = MAX_BLOCK_CHARS) -> list[Card]:
    """The card body for one reply (no buttons)."""
    if isinstance(reply, Question):
        step = f"Question {reply.step}" + (f" · {reply.edition_label}" if reply.edition_label else "")
        return [text_block(step, 200, isSubtle=True, size="Small"),
                text_block(reply.text, limit, weight="Bolder", size="Medium")]
    if isinstance(reply, Urgent):
        items = [text_block("ACT NOW", 50, weight="Bolder", size="Large", color="Attention", style="heading"),
                 text_block(reply.text, limit)]
        return [{"type": "Container", "style": "attention", "items": items}]
    if isinstance(reply, Outcome):
        title = OUTCOME_HEADINGS.get(reply.outcome, reply.outcome.replace("_", " ").capitalize())
        head = [text_block(title, 100, weight="Bolder", size="Large", style="heading")]
        if reply.title:
            head.append(text_block(reply.title, 300, weight="Bolder"))
        items: list[Card] = [{"type": "Container", "style": OUTCOME_STYLES.get(reply.outcome, "emphasis"),
                              "items": head}, text_block(reply.text, limit)]
        return items + layers_of(reply.layers, limit)  # its source, a legal citation, is shown with the law
    if isinstance(reply, Quote):
        label = reply.title + ("" if reply.verbatim else " (in our words)")
        quoted = f"\u201c{reply.text}\u201d" if reply.verbatim else reply.text
        items = [text_block(label, 300, weight="Bolder")] if reply.title else []
        items.append({"type": "Container", "style": "emphasis",
                      "items": [text_block(quoted, limit)]})
        return items + _source_items(reply)
    if isinstance(reply, Answer):
        items = [heading(reply.title)] if reply.title else []
        return [*items, text_block(reply.text, limit), *_source_items(reply), *layers_of(reply.layers, limit)]
    if isinstance(reply, Record):
        # Monospace so the record pastes into case notes with its layout intact.
        return [heading(reply.title), text_block(reply.text, limit, fontType="Monospace")]
    if isinstance(reply, PrivacyNotice):
        return [{"type": "Container", "style": "warning",
                 "items": [text_block("Please keep identities out of this chat", 100, weight="Bolder"),
                           text_block(reply.text, limit)]}]
    if isinstance(reply, Contacts):
        first, _, _ = reply.text.partition("\n")
        items = [text_block(first or "Who to contact:", 300, weight="Bolder")]
        return items + ([_facts(reply.contacts)] if reply.contacts else [text_block(reply.text, limit)])
    if isinstance(reply, Notice):
        color = {"color": "Warning"} if reply.level == "warning" else {"isSubtle": True}
        return [text_block(reply.text, limit, **color)]
    if isinstance(reply, Progress):
        return answered_body(reply)
    # Text, Menu and anything added later: the plain text is always a faithful rendering.
    return [text_block(reply.text, limit)]


def layer_id(layer: Layer) -> str:
    return f"canishare-layer-{layer.id}"


def layers_of(layers: Sequence[Layer], limit: int = MAX_BLOCK_CHARS) -> list[Card]:
    """Each layer (the law, the checklist, the full record) folded in the same card: a row of
    ``Action.ToggleVisibility`` buttons, then one hidden Container per layer that a tap opens or closes.
    No round trip, so nothing can be stale."""
    if not layers:
        return []
    toggles = [{"type": "Action.ToggleVisibility", "title": _cut(layer.label, MAX_LABEL_CHARS),
                "targetElements": [layer_id(layer)]} for layer in layers]
    folded = [{"type": "Container", "id": layer_id(layer), "isVisible": False, "separator": True,
               "items": [text_block(layer.label, 100, weight="Bolder"),
                         *(item for reply in layer.replies for item in body_of(reply, limit))]}
              for layer in layers]
    return [{"type": "ActionSet", "actions": toggles}, *folded]


def answered_body(progress: Progress) -> list[Card]:
    """What a question card becomes once answered: the question and the answer, no buttons."""
    question = progress.question or progress.text
    return [text_block(question, MAX_BLOCK_CHARS, isSubtle=True),
            text_block(f"✓ Your answer: {progress.answer}" if progress.answer else "✓ Answered", 200,
                       weight="Bolder", color="Good")]


def actions_of(choices: Sequence[Choice], ref: str) -> list[Card]:
    return [submit(choice, ref) for choice in choices]


def assemble(reply: Reply, body: list[Card], buttons: list[Card]) -> Card:
    card: Card = {"type": "AdaptiveCard", "$schema": SCHEMA_URL, "version": CARD_VERSION,
                  "fallbackText": _cut(reply.text, 2000) or "canishare", "body": body}
    body[0]["id"] = f"canishare-{reply.kind}"  # lets tests and logs tell cards apart by kind
    if len(buttons) <= TOP_LEVEL_ACTIONS:
        if buttons:
            card["actions"] = buttons
    else:
        for start in range(0, len(buttons), ACTIONS_PER_SET):
            body.append({"type": "ActionSet", "actions": buttons[start:start + ACTIONS_PER_SET]})
    return card


def render(reply: Reply) -> Card:
    """One reply as an Adaptive Card that fits Teams' size budget."""
    buttons = actions_of(reply.choices, _ref_of(reply)) + _source_actions(reply)
    limit = MAX_BLOCK_CHARS
    while True:
        card = assemble(reply, body_of(reply, limit), list(buttons))
        if card_size(card) <= MAX_CARD_BYTES or limit < 200:
            break
        limit //= 2  # shorten every long block until the whole card fits
    if card_size(card) > MAX_CARD_BYTES:  # only with absurd numbers of buttons or facts
        card = assemble(reply, [text_block(reply.text, 4000)], buttons[:TOP_LEVEL_ACTIONS])
    return card


def render_answered(progress: Progress) -> Card:
    return assemble(progress, answered_body(progress), [])


def card_size(card: Card) -> int:
    """Bytes as Teams counts them: the JSON in UTF-16."""
    return len(json.dumps(card, ensure_ascii=False).encode("utf-16-le"))


def attachment(card: Card) -> dict[str, Any]:
    return {"contentType": CONTENT_TYPE, "content": card}


def summary_of(reply: Reply) -> str:
    """A one-line preview for notifications and the chat list."""
    first = reply.text.strip().split("\n", 1)[0]
    return _cut(first, 120)

