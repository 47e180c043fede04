"""What the lead and the practitioner see: the escalation card and the short notes around it.

Built in two steps so both platforms say the same thing: the delivery turns a record into
channel-neutral :class:`CardView` / :class:`Note` values here, then each channel renders them
(``bot.channels.slack.escalation_cards``: Block Kit; ``bot.channels.teams.escalation_cards``:
Adaptive Card 1.5), escaping with that channel's one escaper.

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

from dataclasses import dataclass, field
from typing import Any

REASON_LABELS = {
    "talk": "asked to talk to someone",
    "not_sure": "not sure how to answer",
    "seek_advice": "the flowchart says seek advice",
    "urgent": "a child may be at risk (urgent)",
}
ACTION_LABELS = {"ack": "Acknowledge", "reply": "Reply", "resolve": "Resolve", "handover": "Hand over",
                 "still": "Still on it", "preply": "Reply", "history": "History"}


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
