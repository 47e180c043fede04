"""What the lead and the practitioner see: the escalation card and the short notes around it.

Built in two steps so both platforms say the same thing: :func:`card_view` / the ``note_*``
functions turn a record into channel-neutral :class:`CardView` / :class:`Note` values, then
:func:`slack_card` / :func:`slack_note` (Block Kit) and :func:`teams_card` / :func:`teams_note`
(Adaptive Card 1.5) render them.

The card carries only the anonymised summary: urgency, edition, our own flowchart questions
with the answers given, where the practitioner got stuck, times and state. Text typed by a
person (relayed messages, the resolve reason) has been through the privacy guard, and is
escaped here so it cannot ping ``@channel``, mention anyone or inject markup.

Slack action ids: ``esc_ack``, ``esc_reply``, ``esc_resolve``, ``esc_handover``, ``esc_still``
(lead) and ``esc_preply`` (practitioner); the button value is the escalation id. Teams buttons
are ``Action.Submit`` with data ``{"esc": <action>, "id": <escalation id>}`` plus the inputs of
their show-card (``text``, ``outcome``, ``to``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bot.core.escalation.core import OUTCOMES, reference

REASON_LABELS = {
    "talk": "asked to talk to someone",
    "not_sure": "not sure how to answer",
    "seek_advice": "the flowchart says seek advice",
    "urgent": "a child may be at risk (urgent)",
}
ACTION_LABELS = {"ack": "Acknowledge", "reply": "Reply", "resolve": "Resolve", "handover": "Hand over",
                 "still": "Still on it", "preply": "Reply", "history": "History"}
SLACK_SECTION_MAX = 2900
SLACK_HEADER_MAX = 150


@dataclass(frozen=True)
class CardView:
    """The lead's card, channel-neutral."""

    esc_id: str
    urgent: bool
    state: str
    status: str
    raised: str
    reason: str
    edition: str
    answers: tuple[tuple[str, str], ...]
    stuck_at: tuple[str, ...]
    practitioner: str  # how to reach them, already platform-formatted (may be empty)
    actions: tuple[str, ...]
    people: tuple[tuple[str, str], ...] = ()  # (rota id, name) for the hand-over picker

    @property
    def title(self) -> str:
        lead = "URGENT: a" if self.urgent else "A"
        return f"{lead} practitioner needs safeguarding advice"


@dataclass(frozen=True)
class Note:
    """A short message: a line of text, an optional quoted message, optional buttons."""

    esc_id: str
    text: str
    quote: str = ""  # user-typed (already redacted) text, shown as a quotation
    actions: tuple[str, ...] = ()
    record: str = ""  # decision-record addendum, shown as a copyable block
    people: tuple[tuple[str, str], ...] = ()
    warning: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def actions_for(state: str) -> tuple[str, ...]:
    # History stays on a resolved card: the lead can always see what happened.
    if state in ("paging", "unanswered"):
        return ("ack", "reply", "resolve", "handover", "history")
    if state in ("acknowledged", "reminded"):
        return ("reply", "resolve", "handover", "history")
    return ("history",)


# --- Slack ----------------------------------------------------------------------------------------

_SLACK_ESC = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def slack_escape(text: str) -> str:
    """Plain text for mrkdwn: no links, mentions or ``<!channel>`` pings can survive."""
    text = text.translate(_SLACK_ESC)
    # Formatting characters would restyle the text; a zero-width space keeps them literal.
    return re.sub(r"([*_~`])", "\u200b\\1\u200b", text)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _slack_button(action: str, esc_id: str) -> dict[str, Any]:
    button: dict[str, Any] = {"type": "button", "action_id": f"esc_{action}", "value": esc_id,
                              "text": {"type": "plain_text", "text": ACTION_LABELS[action]}}
    if action in ("ack", "still"):
        button["style"] = "primary"
    return button


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _cut(text, SLACK_SECTION_MAX)}}


def slack_card(view: CardView) -> tuple[str, list[dict[str, Any]]]:
    """(fallback text, blocks). The fallback text is what notifications show: no case detail."""
    ref = reference(view.esc_id)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _cut(view.title, SLACK_HEADER_MAX)}},
        _section(f"*Reference:* {ref}   *Raised:* {slack_escape(view.raised)}\n"
                 f"*Why:* {slack_escape(view.reason)}"
                 + (f"\n*Guidance:* {slack_escape(view.edition)}" if view.edition else "")),
    ]
    if view.practitioner:
        blocks.append(_section(f"*Practitioner:* {view.practitioner}"))
    if view.answers:
        lines = [f"{i}. {slack_escape(q)} — *{slack_escape(a)}*" for i, (q, a) in enumerate(view.answers, 1)]
        blocks.append(_section("*Answers so far:*\n" + "\n".join(lines)))
    else:
        blocks.append(_section("*Answers so far:* none (they asked before starting the flowchart)"))
    if view.stuck_at:
        blocks.append(_section("*Stuck at:*\n" + "\n".join(f"• {slack_escape(q)}" for q in view.stuck_at)))
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": _cut(slack_escape(view.status), 2900)}]})
    if view.actions:
        blocks.append({"type": "actions", "block_id": f"esc:{view.esc_id}",
                       "elements": [_slack_button(a, view.esc_id) for a in view.actions]})
    text = f"{view.title} ({ref}): {view.status}"
    return _cut(text, 3000), blocks


def slack_note(note: Note) -> tuple[str, list[dict[str, Any]]]:
    blocks: list[dict[str, Any]] = [_section(slack_escape(note.text))]
    if note.quote:
        quoted = "\n".join("> " + line for line in slack_escape(note.quote).splitlines() or [""])
        blocks.append(_section(quoted))
    if note.record:
        blocks.append(_section("```" + slack_escape(note.record).replace("```", "'''") + "```"))
    if note.actions:
        blocks.append({"type": "actions", "elements": [_slack_button(a, note.esc_id) for a in note.actions]})
    return _cut(note.text, 3000), blocks


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
        options = [{"text": {"type": "plain_text", "text": _cut(name, 75)}, "value": pid} for pid, name in people][:100]
        blocks = [{"type": "input", "block_id": "to", "label": {"type": "plain_text", "text": "Hand over to"},
                   "element": {"type": "static_select", "action_id": "to", "options": options}}]
    else:
        raise ValueError(kind)
    return {"type": "modal", "callback_id": f"esc_{kind}", "private_metadata": esc_id,
            "title": {"type": "plain_text", "text": title}, "submit": {"type": "plain_text", "text": "Send"
                                                                          if kind != "resolve" else "Resolve"},
            "close": {"type": "plain_text", "text": "Cancel"},
            "blocks": [{"type": "context", "elements": [{"type": "mrkdwn", "text": ref}]}, *blocks]}


# --- Teams (Adaptive Card 1.5) -----------------------------------------------------------------------

_MD = re.compile(r"([\\`*_~\[\]<>#])")


def teams_escape(text: str) -> str:
    text = _MD.sub(r"\\\1", text)
    return text.replace("{{", "{\u200b{").replace("@", "@\u200b")


def _tb(text: str, **props: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": _cut(text, 6000), "wrap": True, **props}


def _teams_actions(actions: tuple[str, ...], esc_id: str, people: tuple[tuple[str, str], ...]) -> list[dict]:
    out: list[dict[str, Any]] = []
    for action in actions:
        data = {"esc": action, "id": esc_id}
        if action in ("reply", "preply"):
            out.append({"type": "Action.ShowCard", "title": ACTION_LABELS[action], "card": {
                "type": "AdaptiveCard", "body": [
                    {"type": "Input.Text", "id": "text", "isMultiline": True, "maxLength": 1500, "isRequired": True,
                     "label": "Message (no names or identifying details)", "errorMessage": "Type a message"}],
                "actions": [{"type": "Action.Submit", "title": "Send", "data": data}]}})
        elif action == "resolve":
            out.append({"type": "Action.ShowCard", "title": "Resolve", "card": {
                "type": "AdaptiveCard", "body": [
                    {"type": "Input.ChoiceSet", "id": "outcome", "label": "Outcome", "isRequired": True,
                     "errorMessage": "Choose an outcome",
                     "choices": [{"title": label, "value": code} for code, label in OUTCOMES.items()]},
                    {"type": "Input.Text", "id": "reason", "label": "Reason (goes into the decision record)",
                     "isMultiline": True, "maxLength": 1000, "isRequired": True, "errorMessage": "Give a reason"}],
                "actions": [{"type": "Action.Submit", "title": "Resolve", "data": data}]}})
        elif action == "handover":
            out.append({"type": "Action.ShowCard", "title": "Hand over", "card": {
                "type": "AdaptiveCard", "body": [
                    {"type": "Input.ChoiceSet", "id": "to", "label": "Hand over to", "isRequired": True,
                     "errorMessage": "Choose someone",
                     "choices": [{"title": _cut(name, 80), "value": pid} for pid, name in people][:100]}],
                "actions": [{"type": "Action.Submit", "title": "Hand over", "data": data}]}})
        else:
            out.append({"type": "Action.Submit", "title": ACTION_LABELS[action], "data": data,
                        **({"style": "positive"} if action in ("ack", "still") else {})})
    return out


def _adaptive(body: list[dict[str, Any]], actions: list[dict[str, Any]]) -> dict[str, Any]:
    card: dict[str, Any] = {"type": "AdaptiveCard", "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                            "version": "1.5", "body": body}
    if actions:
        card["actions"] = actions
    return card


def teams_card(view: CardView) -> dict[str, Any]:
    facts = [{"title": "Reference", "value": reference(view.esc_id)}, {"title": "Raised", "value": view.raised},
             {"title": "Why", "value": teams_escape(view.reason)}]
    if view.edition:
        facts.append({"title": "Guidance", "value": teams_escape(view.edition)})
    body: list[dict[str, Any]] = [
        _tb(view.title, size="Medium", weight="Bolder", color="Attention" if view.urgent else "Default"),
        {"type": "FactSet", "facts": facts},
    ]
    if view.practitioner:
        body.append(_tb(f"**Practitioner:** {view.practitioner}"))
    if view.answers:
        body.append(_tb("**Answers so far:**\n\n" + "\n\n".join(
            f"{i}\\. {teams_escape(q)} — **{teams_escape(a)}**" for i, (q, a) in enumerate(view.answers, 1))))
    else:
        body.append(_tb("**Answers so far:** none (they asked before starting the flowchart)"))
    if view.stuck_at:
        body.append(_tb("**Stuck at:**\n\n" + "\n\n".join(teams_escape(q) for q in view.stuck_at)))
    body.append(_tb(teams_escape(view.status), isSubtle=True, separator=True))
    return _adaptive(body, _teams_actions(view.actions, view.esc_id, view.people))


def teams_note(note: Note) -> dict[str, Any]:
    body = [_tb(teams_escape(note.text), color="Attention" if note.warning else "Default")]
    if note.quote:
        body.append({"type": "Container", "style": "emphasis", "items": [_tb(teams_escape(note.quote))]})
    if note.record:
        body.append(_tb(teams_escape(note.record), fontType="Monospace"))
    return _adaptive(body, _teams_actions(note.actions, note.esc_id, note.people))
