"""Escalation cards and notes in Block Kit, from the channel-neutral views in :mod:`bot.core.escalation.cards`.

Text typed by a person (relayed messages, the resolve reason) has been through the privacy guard and
is escaped with the Slack channel's one escaper, so it cannot ping ``@channel``, mention anyone, link
anywhere or restyle the card.
"""

from __future__ import annotations

from typing import Any

from bot.channels.common.text import clip
from bot.channels.slack.mrkdwn import escape
from bot.core.escalation.cards import ACTION_LABELS, CardView, Note
from bot.core.escalation.core import OUTCOMES, reference

SLACK_SECTION_MAX = 2900
SLACK_HEADER_MAX = 150


def _slack_button(action: str, esc_id: str) -> dict[str, Any]:
    button: dict[str, Any] = {"type": "button", "action_id": f"esc_{action}", "value": esc_id,
                              "text": {"type": "plain_text", "text": ACTION_LABELS[action]}}
    if action in ("ack", "still"):
        button["style"] = "primary"
    return button


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, SLACK_SECTION_MAX)}}


def slack_card(view: CardView) -> tuple[str, list[dict[str, Any]]]:
    """(fallback text, blocks). The fallback text is what notifications show: no case detail."""
    ref = reference(view.esc_id)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": clip(view.title, SLACK_HEADER_MAX)}},
        _section(f"*Reference:* {ref}   *Raised:* {escape(view.raised)}\n"
                 f"*Why:* {escape(view.reason)}"
                 + (f"\n*Guidance:* {escape(view.edition)}" if view.edition else "")),
    ]
    if view.practitioner:
        blocks.append(_section(f"*Practitioner:* {view.practitioner}"))
    if view.answers:
        lines = [f"{i}. {escape(q)} — *{escape(a)}*" for i, (q, a) in enumerate(view.answers, 1)]
        blocks.append(_section("*Answers so far:*\n" + "\n".join(lines)))
    else:
        blocks.append(_section("*Answers so far:* none (they asked before starting the flowchart)"))
    if view.stuck_at:
        blocks.append(_section("*Stuck at:*\n" + "\n".join(f"• {escape(q)}" for q in view.stuck_at)))
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": clip(escape(view.status), 2900)}]})
    if view.actions:
        blocks.append({"type": "actions", "block_id": f"esc:{view.esc_id}",
                       "elements": [_slack_button(a, view.esc_id) for a in view.actions]})
    text = f"{view.title} ({ref}): {view.status}"
    return clip(text, 3000), blocks


def slack_note(note: Note) -> tuple[str, list[dict[str, Any]]]:
    blocks: list[dict[str, Any]] = [_section(escape(note.text))]
    if note.quote:
        quoted = "\n".join("> " + line for line in escape(note.quote).splitlines() or [""])
        blocks.append(_section(quoted))
    if note.record:
        blocks.append(_section("```" + escape(note.record).replace("```", "'''") + "```"))
    if note.actions:
        blocks.append({"type": "actions", "elements": [_slack_button(a, note.esc_id) for a in note.actions]})
    return clip(note.text, 3000), blocks


def slack_modal(kind: str, esc_id: str, people: tuple[tuple[str, str], ...] = ()) -> dict[str, Any]:
    """The form behind Reply, Resolve and Hand over (``callback_id`` ``esc_<kind>``)."""
    ref = reference(esc_id)
    blocks: list[dict[str, Any]]
    if kind in ("reply", "preply"):
        title = "Reply"
        blocks = [{"type": "input", "block_id": "text", "label": {"type": "plain_text", "text": "Message"},
                   "element": {"type": "plain_text_input", "action_id": "text", "multiline": True, "max_length": 1500},
                   "hint": {"type": "plain_text", "text": "Please don't include names or details that identify a "
                                                          "child or family."}}]
    elif kind == "resolve":
        title = "Resolve"
        blocks = [
            {"type": "input", "block_id": "outcome", "label": {"type": "plain_text", "text": "Outcome"},
             "element": {"type": "static_select", "action_id": "outcome", "options": [
                 {"text": {"type": "plain_text", "text": label}, "value": code} for code, label in OUTCOMES.items()]}},
            {"type": "input", "block_id": "reason", "label": {"type": "plain_text", "text": "Reason"},
             "element": {"type": "plain_text_input", "action_id": "reason", "multiline": True, "max_length": 1000},
             "hint": {"type": "plain_text", "text": "Goes into the practitioner's decision record (golden rule 7)."}},
        ]
    elif kind == "handover":
        title = "Hand over"
        options = [{"text": {"type": "plain_text", "text": clip(name, 75)}, "value": pid} for pid, name in people][:100]
        blocks = [{"type": "input", "block_id": "to", "label": {"type": "plain_text", "text": "Hand over to"},
                   "element": {"type": "static_select", "action_id": "to", "options": options}}]
    else:
        raise ValueError(kind)
    return {"type": "modal", "callback_id": f"esc_{kind}", "private_metadata": esc_id,
            "title": {"type": "plain_text", "text": title}, "submit": {"type": "plain_text", "text": "Send"
                                                                          if kind != "resolve" else "Resolve"},
            "close": {"type": "plain_text", "text": "Cancel"},
            "blocks": [{"type": "context", "elements": [{"type": "mrkdwn", "text": ref}]}, *blocks]}
