"""Escalation cards and notes as Adaptive Cards 1.5, from the views in :mod:`bot.core.escalation.cards`.

Person-typed text is escaped with the Teams channel's one escaper (:func:`bot.channels.teams.cards.escape`).
"""

from __future__ import annotations

from typing import Any

from bot.channels.common.text import clip
from bot.channels.teams.cards import escape
from bot.core.escalation.cards import ACTION_LABELS, CardView, Note
from bot.core.escalation.core import OUTCOMES, reference


def _tb(text: str, **props: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": clip(text, 6000), "wrap": True, **props}


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
                     "choices": [{"title": clip(name, 80), "value": pid} for pid, name in people][:100]}],
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
             {"title": "Why", "value": escape(view.reason)}]
    if view.edition:
        facts.append({"title": "Guidance", "value": escape(view.edition)})
    body: list[dict[str, Any]] = [
        _tb(view.title, size="Medium", weight="Bolder", color="Attention" if view.urgent else "Default"),
        {"type": "FactSet", "facts": facts},
    ]
    if view.practitioner:
        body.append(_tb(f"**Practitioner:** {view.practitioner}"))
    if view.answers:
        body.append(_tb("**Answers so far:**\n\n" + "\n\n".join(
            f"{i}\\. {escape(q)} — **{escape(a)}**" for i, (q, a) in enumerate(view.answers, 1))))
    else:
        body.append(_tb("**Answers so far:** none (they asked before starting the flowchart)"))
    if view.stuck_at:
        body.append(_tb("**Stuck at:**\n\n" + "\n\n".join(escape(q) for q in view.stuck_at)))
    body.append(_tb(escape(view.status), isSubtle=True, separator=True))
    return _adaptive(body, _teams_actions(view.actions, view.esc_id, view.people))


def teams_note(note: Note) -> dict[str, Any]:
    body = [_tb(escape(note.text), color="Attention" if note.warning else "Default")]
    if note.quote:
        body.append({"type": "Container", "style": "emphasis", "items": [_tb(escape(note.quote))]})
    if note.record:
        body.append(_tb(escape(note.record), fontType="Monospace"))
    return _adaptive(body, _teams_actions(note.actions, note.esc_id, note.people))
