"""The chronology of an escalation in words, in the rota's local time: one pure formatter.

Used by ``canishare escalation show`` (text and ``--json``) and by the History button on the
lead's Slack and Teams cards, so everyone sees the same story. Events carry rota handles and
roles only (records.py); people are named from the rota here. The practitioner is only ever
"the practitioner": no platform id, hash or name reaches this view.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

CHANNELS = {"slack": "Slack", "teams": "Teams", "web": "the web chat", "terminal": "a terminal",
            "system": "the service", "-": "no channel"}
DUTY_CHANNELS = {"channel:slack": "the private duty channel (Slack)", "channel:teams": "the duty channel (Teams)",
                 "slack": "the private duty channel (Slack)", "teams": "the duty channel (Teams)"}
OUTCOME_LABELS = {
    "share": "advised to share", "do_not_share": "advised not to share",
    "referred": "referred to children's social care or the police", "advice_given": "advice given, no further action",
    "other": "other (see the reason in the decision record)",
}
WHY = {"page": "", "repage": " (paging again)", "handover": " (handed over)", "unanswered": " (unanswered: fallback)",
       "unanswered_reminder": " (daily reminder)", "upgrade": " (now urgent)"}


TOLD = {"picked_up": "picked up", "resolved": "resolved, with the outcome for their decision record",
        "relay": "a message from the lead", "unanswered": "nobody has picked it up yet",
        "handed_over": "handed over", "requeued": "being paged again"}


@dataclass(frozen=True)
class Line:
    t_ms: int
    type: str
    text: str

    def as_json(self, tz: ZoneInfo) -> dict[str, Any]:
        return {"time": local(self.t_ms, tz).isoformat(timespec="seconds"), "type": self.type, "text": self.text}


def local(t_ms: int, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime.fromtimestamp(t_ms / 1000, dt.UTC).astimezone(tz)


class Namer:
    """Rota handle -> "Amy Patel (designated safeguarding lead)"; unknown handles are said to be so."""

    def __init__(self, people: Mapping[str, tuple[str, str]]) -> None:
        self.people = people  # id -> (name, role label)

    @classmethod
    def from_rota(cls, rota: Any) -> Namer:
        return cls({p.id: (p.name, p.role_label) for p in rota.people})

    def __call__(self, handle: str, with_role: bool = True) -> str:
        if not handle:
            return "the service"
        if handle in DUTY_CHANNELS:
            return DUTY_CHANNELS[handle]
        handle = handle.removeprefix("person:")
        found = self.people.get(handle)
        if found is None:
            return "someone no longer on the rota"
        return f"{found[0]} ({found[1]})" if with_role else found[0]

    def many(self, handles: str) -> str:
        names = [self(h) for h in handles.split("|") if h]
        return ", ".join(names) or "nobody"


def describe(event: Mapping[str, Any], name: Namer) -> str:
    """One event in words. Unknown types are shown by type (the chronology only grows)."""
    kind = str(event.get("type", "?"))
    by = str(event.get("by", ""))
    via = CHANNELS.get(str(event.get("src", "")), str(event.get("src", "")))
    step = int(event.get("step", 0) or 0) + 1
    loop = int(event.get("loop", 0) or 0) + 1
    if kind == "created":
        return (f"Raised by the practitioner in {via}: {event.get('urgency', 'normal')}, "
                f"{event.get('answers', 0)} flowchart answer(s), stuck at {event.get('stuck', 0)} question(s).")
    if kind == "step_started":
        return f"Paging step {step}, round {loop}: {name.many(str(event.get('targets', '')))}."
    if kind == "step_skipped_empty":
        return f"Step {step}, round {loop} skipped: nobody on duty in that slot."
    if kind == "notified":
        channel = CHANNELS.get(str(event.get("channel", "")), str(event.get("channel", "")))
        return f"Paged {name(str(event.get('target', '')))} on {channel}{WHY.get(str(event.get('why', '')), '')}."
    if kind == "delivery_failed":
        channel = CHANNELS.get(str(event.get("channel", "")), str(event.get("channel", "")))
        return (f"Could not reach {name(str(event.get('target', '')))} on {channel} "
                f"({str(event.get('error', '')).replace('_', ' ')}).")
    if kind == "delivery_uncertain":
        return (f"A page to {name(str(event.get('target', '')))} on {CHANNELS.get(str(event.get('channel')), '?')} "
                "may or may not have arrived (the worker stopped mid-post); not sent twice.")
    if kind == "dead_lettered":
        target = str(event.get("target", ""))
        whom = f" to {name(target)}" if target else ""
        return (f"Gave up delivering a {event.get('message', 'message')!s} message{whom} after repeated failures "
                f"({str(event.get('reason', '')).replace('_', ' ')}); operators have been told.")
    if kind == "acknowledged":
        return f"Acknowledged by {name(by)} in {via}."
    if kind == "ack_reminder_sent":
        return f"Asked {name(by)} \"Still on it?\"."
    if kind == "still_on_it":
        return f"{name(by)} confirmed they are still on it."
    if kind == "auto_unacknowledged":
        return f"{name(by)} did not confirm: un-acknowledged and paged again."
    if kind == "replied":
        if event.get("direction") == "to_lead":
            return "The practitioner replied (relayed to the lead)."
        return f"{name(by)} sent a message to the practitioner."
    if kind == "practitioner_told":
        status = str(event.get("status", ""))
        if status == "sent":
            return "The practitioner was told it was sent and who to."
        if status.startswith("kept_"):
            return ("The practitioner was told it could not be delivered yet "
                    f"({status[5:].replace('_', ' ')}) and given the fallback and emergency numbers.")
        for label, what in TOLD.items():
            if status.startswith(label + "_"):
                result = status[len(label) + 1:]
                how = {"sent": "sent", "inbox": "left for them to read when they come back"}.get(
                    result, f"not delivered: {result.replace('_', ' ')}")
                return f"The practitioner was told: {what} ({how})."
        return f"The practitioner was sent an update ({status.replace('_', ' ')})."
    if kind == "handed_over":
        return f"{name(by)} handed it over to {name(str(event.get('to', '')))}."
    if kind == "resolved":
        outcome = OUTCOME_LABELS.get(str(event.get("outcome", "")), str(event.get("outcome", "")))
        return f"Resolved by {name(by)}: {outcome}."
    if kind == "unanswered":
        return f"Unanswered after {event.get('loops', '?')} round(s) of paging: the fallback was paged."
    if kind == "unanswered_reminder":
        return "Daily reminder to the fallback: still unanswered."
    if kind == "timer_rearmed":
        late = int(event.get("late_ms", 0) or 0) // 1000
        return f"The auditor re-armed a lost timer ({late} s late)."
    if kind == "upgraded":
        return "Marked urgent by the practitioner."
    return kind.replace("_", " ").capitalize() + "."


def lines(events: Sequence[Mapping[str, Any]], name: Namer) -> list[Line]:
    return [Line(int(e.get("t", 0) or 0), str(e.get("type", "?")), describe(e, name)) for e in events]


def render_text(ref: str, header: Sequence[str], items: Sequence[Line], tz: ZoneInfo) -> str:
    out = [f"{ref}", *header, ""]
    day = None
    for item in items:
        when = local(item.t_ms, tz)
        if when.date() != day:
            day = when.date()
            out.append(f"{when:%a %d %b %Y} ({tz.key})")
        out.append(f"  {when:%H:%M:%S}  {item.text}")
    return "\n".join(out)
