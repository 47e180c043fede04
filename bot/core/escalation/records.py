"""Escalation records: states, typed chronology events, the decoded record and a transition (Change).

Stored by :mod:`bot.storage.escalation_records`: one Redis record per escalation, every transition one
compare-and-set Lua script.

The rule copied from Grafana OnCall (research note §4.3): *the timer only pokes; the record
decides*. A transition names the version it was computed from and the states it may start in.
The script checks both and then, atomically, writes the new fields, bumps the version, moves the
escalation's entry in the due-time sorted set, appends typed events to the chronology and queues
the outbound messages. So a double click, two workers and a late timer can never both act: the
loser sees the new version (or state) and reports it ("Already acknowledged by …"); and nothing
is ever sent for a transition that did not happen, because the messages are written by the same
script (an outbox, in the same Redis).

Keys (``<p>`` = deployment prefix; ``{esc}`` is a hash tag so that every key a script touches is
in one Redis Cluster slot)::

    <p>:{esc}:rec:<id>      HASH    the record: state, version ``v``, step, due, snapshot of the policy…
    <p>:{esc}:log:<id>      STREAM  append-only chronology: typed events, never free text
    <p>:{esc}:cards:<id>    HASH    recipient -> where its card was posted (for in-place updates)
    <p>:{esc}:due           ZSET    id -> next due time (ms); claimed with a lease (see queue.py)
    <p>:{esc}:open          SET     ids not yet resolved (the auditor walks it)
    <p>:{esc}:outbox        STREAM  outbound messages, consumer group "delivery" (see queue.py)
    <p>:{esc}:who:<h>       STRING  the practitioner's open escalation (one at a time)

Every key is bounded. An open escalation's record, chronology, card refs and ``who`` pointer
carry a TTL (the records retention, at least 30 days) renewed by every transition and by the
auditor every minute, so a case is never closed while a worker runs; on resolve they get the
records retention. ``due``, ``open`` and ``outbox`` are the only keys without a TTL: indexes
whose entries are removed as they are used (a resolved or vanished id leaves ``due`` when next
claimed and ``open`` at the next audit; an outbox entry is deleted once delivered or
dead-lettered). The dead-letter stream and the covers set have TTLs and are trimmed by the
auditor.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# States. "reminded" = acknowledged, and the acker has been asked "Still on it?".
PAGING, ACKNOWLEDGED, REMINDED, UNANSWERED, RESOLVED = "paging", "acknowledged", "reminded", "unanswered", "resolved"
STATES = (PAGING, ACKNOWLEDGED, REMINDED, UNANSWERED, RESOLVED)
OPEN_STATES = (PAGING, ACKNOWLEDGED, REMINDED, UNANSWERED)

# Chronology: event type -> the payload keys it may carry. Values are short tokens or numbers
# (ids, step numbers, outcome codes), checked by :func:`event`: no free text can get in.
EVENT_TYPES: dict[str, tuple[str, ...]] = {
    "created": ("urgency", "reason", "edition", "answers", "stuck"),
    "step_started": ("step", "loop", "targets"),
    "step_skipped_empty": ("step", "loop"),
    "notified": ("target", "channel", "why"),
    "delivery_failed": ("target", "channel", "error"),
    "delivery_uncertain": ("target", "channel"),
    "dead_lettered": ("message", "reason", "target"),
    "acknowledged": (),
    "ack_reminder_sent": (),
    "still_on_it": (),
    "auto_unacknowledged": (),
    "replied": ("direction",),
    "practitioner_told": ("status", "channel"),
    "handed_over": ("to",),
    "resolved": ("outcome",),
    "unanswered": ("loops",),
    "unanswered_reminder": (),
    "timer_rearmed": ("late_ms",),
    "upgraded": ("urgency",),
}
ACTOR_ROLES = ("practitioner", "lead", "system")
_TOKEN = re.compile(r"^[A-Za-z0-9_:.\-|]{0,80}$")


class EventError(ValueError):
    """An event that is not one of the typed events, or carries something that is not a token."""


def event(kind: str, t_ms: int, actor: str = "system", by: str = "", src: str = "system",
          **payload: str | int | float) -> dict[str, Any]:
    """A typed chronology event: who (role + rota handle, never a platform id), when, what."""
    allowed = EVENT_TYPES.get(kind)
    if allowed is None:
        raise EventError(f"unknown event type {kind!r}")
    if actor not in ACTOR_ROLES:
        raise EventError(f"unknown actor role {actor!r}")
    out: dict[str, Any] = {"type": kind, "t": int(t_ms), "actor": actor, "by": by, "src": src}
    for key, value in payload.items():
        if key not in allowed:
            raise EventError(f"{kind}: unexpected field {key!r}")
        if isinstance(value, str) and not _TOKEN.match(value):
            raise EventError(f"{kind}.{key}: only short tokens are allowed in the chronology")
        out[key] = value
    for value in (by, src):
        if not _TOKEN.match(value):
            raise EventError("actor handle and source must be short tokens")
    return out


@dataclass
class Escalation:
    """A decoded record. Platform ids never appear: the practitioner's is encrypted (``pid``)."""

    id: str
    v: int
    state: str
    urgent: bool
    reason: str
    created_ms: int
    step: int
    loop: int
    page: int  # version at which the current step paged (identifies the page instance)
    due_ms: int | None
    policy: dict[str, Any]
    summary: dict[str, Any]
    practitioner_channel: str
    practitioner_hash: str
    practitioner_pid: str  # AES-GCM ciphertext of the platform id (see bot.core.escalation.handle)
    acked_by: str = ""
    acked_ms: int | None = None
    reminded_ms: int | None = None
    resolved_by: str = ""
    resolved_ms: int | None = None
    outcome: str = ""
    outcome_reason: str = ""  # ciphertext of the lead's (redacted) reason
    handed_by: str = ""
    handed_to: str = ""
    recipients: list[str] = field(default_factory=list)  # everyone paged so far

    @property
    def open(self) -> bool:
        return self.state != RESOLVED

    @classmethod
    def from_hash(cls, raw: Mapping[bytes, bytes]) -> Escalation:
        d = {k.decode(): v.decode() for k, v in raw.items()}

        def num(key: str) -> int | None:
            value = d.get(key, "")
            return int(float(value)) if value else None

        return cls(
            id=d["id"], v=int(d["v"]), state=d["state"], urgent=d.get("urgent") == "1", reason=d.get("reason", ""),
            created_ms=num("created") or 0, step=num("step") or 0, loop=num("loop") or 0, page=num("page") or 0,
            due_ms=num("due"), policy=json.loads(d.get("policy") or "{}"), summary=json.loads(d.get("summary") or "{}"),
            practitioner_channel=d.get("pch", ""), practitioner_hash=d.get("phash", ""),
            practitioner_pid=d.get("pid", ""), acked_by=d.get("acked_by", ""), acked_ms=num("acked_at"),
            reminded_ms=num("reminded_at"), resolved_by=d.get("resolved_by", ""), resolved_ms=num("resolved_at"),
            outcome=d.get("outcome", ""), outcome_reason=d.get("outcome_reason", ""),
            handed_by=d.get("handed_by", ""), handed_to=d.get("handed_to", ""),
            recipients=json.loads(d.get("recipients") or "[]"),
        )


@dataclass(frozen=True)
class Result:
    """What a transition did: ``ok``; else why not (``stale`` version, wrong ``state``, ``missing``)."""

    status: int  # 1 ok, 0 wrong state, -1 version changed, -2 missing, -3 already exists,
    #              -4 the practitioner already has an open escalation (its id in previous_state)
    version: int
    previous_state: str

    @property
    def ok(self) -> bool:
        return self.status == 1


@dataclass
class Change:
    """A transition to apply (see :meth:`Records.apply`)."""

    fields: dict[str, str | int] = field(default_factory=dict)
    due_ms: int | None = None  # new due time; None keeps it
    clear_due: bool = False
    open: str = ""  # "+" add to the open set, "-" remove
    who: str = ""  # "+" mark as the practitioner's open escalation, "-" clear
    expire_seconds: int | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
