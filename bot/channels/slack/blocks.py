"""Block Kit rendering: channel-neutral Replies in, Slack messages (blocks + plain ``text``) out.

Every piece of text goes through :func:`mrkdwn.escape` (or :func:`mrkdwn.neutralise` for
plain_text), long text is split at line or word breaks into sections Slack accepts, and a message
never carries more than Block Kit's 50 blocks. Replies with buttons end a message, so a click can
update exactly the message it came from.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.channels.slack.buttons import ACTION_PREFIX, ButtonCodec
from bot.channels.slack.mrkdwn import escape, link, neutralise
from dialogs.messages import (
    Answer,
    Choice,
    Contacts,
    Menu,
    Notice,
    Outcome,
    PrivacyNotice,
    Progress,
    Question,
    Quote,
    Record,
    Reply,
    Text,
    Urgent,
)

Block = dict[str, Any]

MAX_BLOCKS = 50
SECTION_MAX = 3000
HEADER_MAX = 150
BUTTON_TEXT_MAX = 75
ACTIONS_MAX = 25
CONTEXT_MAX = 2000
FALLBACK_MAX = 3000  # Slack truncates at 40,000; a notification needs far less
CODE_FENCE = "```"

OUTCOME_HEADINGS = {
    "share": ":white_check_mark: You can share",
    "do_not_share": ":no_entry: Do not share",
    "seek_advice": ":speech_balloon: Seek advice",
    "urgent": ":rotating_light: Act now",
}


@dataclass(frozen=True)
class SlackMessage:
    blocks: list[Block]
    text: str  # the plain fallback: notifications, screen readers, old clients


# --- text helpers ---------------------------------------------------------------------------------
def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _fit(line: str, limit: int) -> list[str]:
    """One escaped line as pieces of at most ``limit`` characters, cut at spaces, never inside ``&amp;``."""
    pieces: list[str] = []
    while len(line) > limit:
        cut = line.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit
            amp = line.rfind("&", max(0, cut - 5), cut)
            if amp > 0 and ";" not in line[amp:cut]:
                cut = amp
        pieces.append(line[:cut])
        line = line[cut:].lstrip(" ")
    pieces.append(line)
    return pieces


def chunks(escaped: str, limit: int, line_prefix: str = "") -> list[str]:
    """Escaped text split at line breaks (then word breaks) into pieces of at most ``limit`` characters."""
    out: list[str] = []
    current = ""
    for line in escaped.split("\n"):
        for piece in _fit(line, limit - len(line_prefix)):
            piece = line_prefix + piece
            candidate = f"{current}\n{piece}" if current else piece
            if len(candidate) <= limit:
                current = candidate
            else:
                out.append(current)
                current = piece
    if current.strip():
        out.append(current)
    return out


# --- blocks -----------------------------------------------------------------------------------------
def section(mrkdwn: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn}}


def sections(text: str, prefix: str = "") -> list[Block]:
    """``text`` (raw, escaped here) as sections; ``prefix`` is our own mrkdwn, put before the first."""
    parts = chunks(escape(text), SECTION_MAX - len(prefix))
    if not parts:
        return [section(prefix.strip())] if prefix.strip() else []
    return [section(prefix + parts[0]), *(section(p) for p in parts[1:])]


def context(mrkdwn: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(mrkdwn, CONTEXT_MAX)}]}


def header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": clip(neutralise(text), HEADER_MAX), "emoji": True}}


def buttons(choices: Sequence[Choice], ref: str, codec: ButtonCodec) -> list[Block]:
    elements = [
        {
            "type": "button",
            "action_id": f"{ACTION_PREFIX}{index}",
            "text": {"type": "plain_text", "text": clip(neutralise(choice.label or choice.id), BUTTON_TEXT_MAX),
                     "emoji": True},
            "value": codec.encode(choice.id, ref),
        }
        for index, choice in enumerate(choices)
    ]
    return [{"type": "actions", "elements": elements[i : i + ACTIONS_MAX]}
            for i in range(0, len(elements), ACTIONS_MAX)]


def source_context(reply: Reply) -> list[Block]:
    source = getattr(reply, "source", None)
    if source is None:
        return []
    return [context("Source: " + link(source.url, clip(source.cite(), 1000)))]


# --- one renderer per Reply type ----------------------------------------------------------------
def _question(reply: Question) -> list[Block]:
    where = f" · {escape(reply.edition_label)}" if reply.edition_label else ""
    return [context(f"*Question {reply.step}*{where}"), *sections(reply.text)]


def _quote(reply: Quote) -> list[Block]:
    title = f"*{escape(reply.title)}*" if reply.title else ""
    if not reply.verbatim:
        title = f"{title} _(in our words)_".strip()
        body = [section(p) for p in chunks(escape(reply.text), SECTION_MAX)]
    else:
        # Slack's blockquote marker is a raw ">" at the start of each line, added after escaping.
        body = [section(p) for p in chunks(escape(reply.text), SECTION_MAX, line_prefix="> ")]
    return [*([section(title)] if title else []), *body, *source_context(reply)]


def _answer(reply: Answer) -> list[Block]:
    prefix = f"*{escape(reply.title)}*\n" if reply.title else ""
    return [*sections(reply.text, prefix), *source_context(reply)]


def _outcome(reply: Outcome) -> list[Block]:
    # The default view: what to do, in plain words. The law, checklist and record are buttons away.
    heading = OUTCOME_HEADINGS.get(reply.outcome, reply.outcome.replace("_", " ").capitalize())
    # Its source is the legal citation, shown with the law.
    return [header(f"{heading}: {reply.title}" if reply.title else heading), *sections(reply.text)]


def layer_choices(reply: Reply) -> tuple[Choice, ...]:
    """Buttons that show a reply's layers (the law, the checklist, the full record) in place."""
    return tuple(Choice(layer.action, layer.label) for layer in getattr(reply, "layers", ()))


def layer_blocks(label: str, replies: Sequence[Reply], codec: ButtonCodec) -> list[Block]:
    """A layer as it is added to the message it was asked from: a divider, its name, its content."""
    blocks: list[Block] = [{"type": "divider"}, context(f"*{escape(label)}*")]
    for reply in replies:
        blocks += render_reply(reply, codec)
    return blocks


def expanded(blocks: Sequence[Block], added: Sequence[Block], clicked: str) -> list[Block] | None:
    """The clicked message with a layer added above its buttons, and the clicked button gone; None when
    the result would break Block Kit's 50 blocks (the layer is then posted as a new message)."""
    content = [block for block in blocks if block.get("type") != "actions"]
    actions: list[Block] = []
    for block in blocks:
        if block.get("type") != "actions":
            continue
        elements = [e for e in block.get("elements", []) if isinstance(e, dict) and e.get("action_id") != clicked]
        if elements:
            actions.append({**block, "elements": elements})
    result = [*content, *added, *actions]
    return result if len(result) <= MAX_BLOCKS else None


def _record(reply: Record) -> list[Block]:
    # A code block: one click in Slack copies it whole, and mrkdwn inside it is not interpreted.
    inner = SECTION_MAX - 2 * len(CODE_FENCE) - 2
    code = [section(f"{CODE_FENCE}\n{p}\n{CODE_FENCE}") for p in chunks(escape(reply.text), inner)]
    return [section(f":memo: *{escape(reply.title)}*"), *code,
            context("Copy this into your case notes. It holds no names or identifying details.")]


def _urgent(reply: Urgent) -> list[Block]:
    return [header(":rotating_light: Act now"), *sections(reply.text)]


def _progress(reply: Progress) -> list[Block]:
    return [*sections(reply.question), context(f":heavy_check_mark: You answered: *{escape(reply.answer)}*")]


def _notice(reply: Notice) -> list[Block]:
    return sections(reply.text, ":warning: " if reply.level == "warning" else ":information_source: ")


RENDERERS: dict[type[Reply], Callable[[Any], list[Block]]] = {
    Question: _question,
    Quote: _quote,
    Answer: _answer,
    Outcome: _outcome,
    Record: _record,
    Urgent: _urgent,
    Progress: _progress,
    Notice: _notice,
    PrivacyNotice: lambda r: sections(r.text, ":lock: "),
    Contacts: lambda r: sections(r.text, ":telephone_receiver: "),
    Menu: lambda r: sections(r.text),
    Text: lambda r: sections(r.text),
}


def render_reply(reply: Reply, codec: ButtonCodec) -> list[Block]:
    render = next((fn for kind, fn in RENDERERS.items() if isinstance(reply, kind)), None)
    body = render(reply) if render else sections(reply.text)
    if not body:  # an empty reply still needs a visible block with non-empty text
        body = [section(" ".join(escape(reply.text).split()) or "…")]
    choices = (*layer_choices(reply), *reply.choices)
    actions = buttons(choices, getattr(reply, "ref", "") or "", codec) if choices else []
    room = MAX_BLOCKS - len(actions)
    if len(body) > room:  # only absurd input gets here; keep the buttons, say it was shortened
        body = [*body[: room - 1], context("_(shortened: too long to show in full)_")]
    return [*body, *actions]


def fallback(texts: Sequence[str]) -> str:
    text = clip(escape("\n\n".join(t for t in texts if t.strip())), FALLBACK_MAX)
    amp = text.rfind("&", len(text) - 6)
    if amp != -1 and ";" not in text[amp:]:
        text = text[:amp] + "…"  # never end on half an entity
    return text if text.strip() else "canishare"


def render_messages(replies: Sequence[Reply], codec: ButtonCodec) -> list[SlackMessage]:
    """Replies grouped into as few messages as Block Kit allows; a reply with buttons ends its message.

    Progress replies are not posted: they tell the channel to update the clicked message instead.
    """
    messages: list[SlackMessage] = []
    blocks: list[Block] = []
    texts: list[str] = []

    def flush() -> None:
        if blocks:
            messages.append(SlackMessage(blocks=list(blocks), text=fallback(texts)))
        blocks.clear()
        texts.clear()

    for reply in replies:
        if isinstance(reply, Progress):
            continue
        rendered = render_reply(reply, codec)
        if blocks and len(blocks) + len(rendered) > MAX_BLOCKS:
            flush()
        blocks.extend(rendered)
        texts.append(reply.text)
        if reply.choices or getattr(reply, "layers", ()):
            flush()
    flush()
    return messages


def answered(blocks: Sequence[Block], label: str, *, answer: bool) -> list[Block]:
    """A clicked message as it should stay: its content, no buttons, and what was chosen."""
    kept = [block for block in blocks if block.get("type") != "actions"]
    verb = "You answered" if answer else "You chose"
    return [*kept, context(f":heavy_check_mark: {verb}: *{escape(label)}*")][-MAX_BLOCKS:]
