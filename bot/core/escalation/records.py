"""One Redis record per escalation; every transition one compare-and-set Lua script.

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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis

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


_TRANSITION = """
local exists = redis.call('EXISTS', KEYS[1]) == 1
local v = 0
local state = ''
if ARGV[2] == 'new' then
  if exists then return {-3, 0, ''} end
  -- One open escalation per practitioner, even when two of their turns race to raise one.
  if ARGV[6] == '+' then
    local open = redis.call('GET', KEYS[6])
    if open then return {-4, 0, open} end
  end
else
  if not exists then return {-2, 0, ''} end
  v = tonumber(redis.call('HGET', KEYS[1], 'v')) or 0
  state = redis.call('HGET', KEYS[1], 'state') or ''
  if v ~= tonumber(ARGV[2]) then return {-1, v, state} end
  if ARGV[3] ~= '' then
    local ok = false
    for s in string.gmatch(ARGV[3], '[^|]+') do
      if s == state then ok = true end
    end
    if not ok then return {0, v, state} end
  end
end
local nv = v + 1
local i = 9
local n = tonumber(ARGV[i]); i = i + 1
local fields = {'v', tostring(nv)}
for j = 1, n do
  fields[#fields + 1] = ARGV[i]; fields[#fields + 1] = ARGV[i + 1]; i = i + 2
end
if ARGV[4] == '-' then
  redis.call('ZREM', KEYS[3], ARGV[1])
  fields[#fields + 1] = 'due'; fields[#fields + 1] = ''
elseif ARGV[4] ~= '' then
  redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1])
  fields[#fields + 1] = 'due'; fields[#fields + 1] = ARGV[4]
end
redis.call('HSET', KEYS[1], unpack(fields))
if ARGV[5] == '+' then
  redis.call('SADD', KEYS[4], ARGV[1])
elseif ARGV[5] == '-' then
  redis.call('SREM', KEYS[4], ARGV[1])
end
if ARGV[6] == '+' then
  redis.call('SET', KEYS[6], ARGV[1])
elseif ARGV[6] == '-' and redis.call('GET', KEYS[6]) == ARGV[1] then
  redis.call('DEL', KEYS[6])
end
n = tonumber(ARGV[i]); i = i + 1
for j = 1, n do
  redis.call('XADD', KEYS[2], '*', 'v', tostring(nv), 'e', ARGV[i]); i = i + 1
end
n = tonumber(ARGV[i]); i = i + 1
for j = 1, n do
  redis.call('XADD', KEYS[5], '*', 'm', ARGV[i]); i = i + 1
end
if ARGV[7] ~= '' then
  redis.call('EXPIRE', KEYS[1], ARGV[7]); redis.call('EXPIRE', KEYS[2], ARGV[7]); redis.call('EXPIRE', KEYS[7], ARGV[7])
elseif ARGV[8] ~= '0' then
  -- Open: bounded too, renewed by every transition and every auditor run (timers.audit).
  redis.call('EXPIRE', KEYS[1], ARGV[8]); redis.call('EXPIRE', KEYS[2], ARGV[8]); redis.call('EXPIRE', KEYS[7], ARGV[8])
  if redis.call('GET', KEYS[6]) == ARGV[1] then redis.call('EXPIRE', KEYS[6], ARGV[8]) end
end
return {1, nv, state}
"""

# Re-arm a timer only if the record is still at the version it was read at (auditor, early pokes):
# a plain ZADD could overwrite the due time a concurrent transition has just set.
_REARM = """
if redis.call('HGET', KEYS[1], 'v') ~= ARGV[1] then return 0 end
local due = redis.call('HGET', KEYS[1], 'due')
if not due or due == '' then return 0 end
redis.call('ZADD', KEYS[2], due, ARGV[2])
return 1
"""

# Delivery facts and card refs follow their record: never written for a record that is gone,
# and given the record's remaining time to live.
_APPEND = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
for i = 1, #ARGV do redis.call('XADD', KEYS[2], '*', 'v', '-', 'e', ARGV[i]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) end
return 1
"""
_SAVE_CARD = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) end
return 1
"""
_TOUCH = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('HGET', KEYS[1], 'state') == 'resolved' then return 0 end
redis.call('EXPIRE', KEYS[1], ARGV[2]); redis.call('EXPIRE', KEYS[2], ARGV[2]); redis.call('EXPIRE', KEYS[3], ARGV[2])
if redis.call('GET', KEYS[4]) == ARGV[1] then redis.call('EXPIRE', KEYS[4], ARGV[2]) end
return 1
"""


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


class Keys:
    def __init__(self, prefix: str) -> None:
        self.p = f"{prefix.rstrip(':')}:{{esc}}:"
        self.prefix = prefix.rstrip(":")

    def rec(self, esc_id: str) -> str:
        return f"{self.p}rec:{esc_id}"

    def log(self, esc_id: str) -> str:
        return f"{self.p}log:{esc_id}"

    def cards(self, esc_id: str) -> str:
        return f"{self.p}cards:{esc_id}"

    def who(self, user_hash: str) -> str:
        return f"{self.p}who:{user_hash}"

    def rate(self, user_hash: str) -> str:
        return f"{self.p}rate:{user_hash}"

    def sent(self, esc_id: str, n: int | str, recipient: str) -> str:
        return f"{self.p}sent:{esc_id}:{n}:{recipient}"

    def inbox(self, user_hash: str) -> str:
        return f"{self.p}inbox:{user_hash}"

    @property
    def due(self) -> str:
        return f"{self.p}due"

    @property
    def open(self) -> str:
        return f"{self.p}open"

    @property
    def outbox(self) -> str:
        return f"{self.p}outbox"

    @property
    def dead(self) -> str:
        return f"{self.p}dead"

    def gap_report(self, week: str) -> str:
        return f"{self.p}gapreport:{week}"

    @property
    def covers(self) -> str:
        return f"{self.p}covers"

    @property
    def auditor_last_run(self) -> str:
        # Read by the /healthz helper; named by the brief, outside the {esc} slot on purpose.
        return f"{self.prefix}:worker:auditor_last_run"


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class Records:
    """The escalation records and their chronology."""

    def __init__(self, client: Redis, prefix: str) -> None:
        self.client = client
        self.keys = Keys(prefix)
        self._transition = client.register_script(_TRANSITION)
        self._rearm = client.register_script(_REARM)
        self._append = client.register_script(_APPEND)
        self._save_card = client.register_script(_SAVE_CARD)
        self._touch = client.register_script(_TOUCH)
        self.open_ttl = 0  # seconds; set by Core from the retention config (0: no expiry)

    async def load(self, esc_id: str) -> Escalation | None:
        raw = await self.client.hgetall(self.keys.rec(esc_id))
        if not raw or b"id" not in raw:
            return None
        return Escalation.from_hash(raw)

    async def apply(self, esc_id: str, expected: int | None, allowed: Sequence[str], change: Change,
                    practitioner_hash: str = "") -> Result:
        """Apply ``change`` if the record is at version ``expected`` (None: create it) in an ``allowed`` state."""
        k = self.keys
        due = "-" if change.clear_due else ("" if change.due_ms is None else str(int(change.due_ms)))
        args: list[str | int] = [
            esc_id, "new" if expected is None else str(expected), "|".join(allowed), due, change.open, change.who,
            "" if change.expire_seconds is None else str(int(change.expire_seconds)), str(int(self.open_ttl)),
            len(change.fields),
        ]
        for name, value in change.fields.items():
            args += [name, str(value)]
        args.append(len(change.events))
        args += [_dumps(e) for e in change.events]
        args.append(len(change.messages))
        args += [_dumps(m) for m in change.messages]
        keys = [k.rec(esc_id), k.log(esc_id), k.due, k.open, k.outbox,
                k.who(practitioner_hash or "-"), k.cards(esc_id)]
        status, version, previous = await self._transition(keys=keys, args=args)
        return Result(int(status), int(version), previous.decode() if isinstance(previous, bytes) else str(previous))

    async def rearm(self, esc_id: str, version: int) -> bool:
        """Put the record's own due time back in the due set, if the record is still at ``version``."""
        return bool(await self._rearm(keys=[self.keys.rec(esc_id), self.keys.due], args=[str(version), esc_id]))

    async def append(self, esc_id: str, events: Sequence[dict[str, Any]]) -> None:
        """Add delivery facts (``notified``, ``delivery_failed``…) that change no state.

        Only while the record exists, and with the record's own expiry: a late delivery fact
        must never recreate a chronology without a TTL.
        """
        if events:
            await self._append(keys=[self.keys.rec(esc_id), self.keys.log(esc_id)], args=[_dumps(e) for e in events])

    async def touch(self, esc_id: str, practitioner_hash: str, seconds: int) -> bool:
        """Renew an open escalation's keys (the auditor does this every run)."""
        if seconds <= 0:  # no expiry configured: nothing to renew (EXPIRE 0 would delete them)
            return False
        keys = [self.keys.rec(esc_id), self.keys.log(esc_id), self.keys.cards(esc_id),
                self.keys.who(practitioner_hash or "-")]
        return bool(await self._touch(keys=keys, args=[esc_id, int(seconds)]))

    async def chronology(self, esc_id: str) -> list[dict[str, Any]]:
        entries = await self.client.xrange(self.keys.log(esc_id))
        out = []
        for _, data in entries:
            e = json.loads(data[b"e"])
            v = data.get(b"v", b"-").decode()
            e["v"] = int(v) if v.isdigit() else None
            out.append(e)
        return out

    async def open_for(self, user_hash: str) -> str | None:
        raw = await self.client.get(self.keys.who(user_hash))
        return raw.decode() if raw else None

    async def open_ids(self) -> list[str]:
        return sorted(m.decode() for m in await self.client.smembers(self.keys.open))

    async def cards(self, esc_id: str) -> dict[str, dict[str, Any]]:
        raw = await self.client.hgetall(self.keys.cards(esc_id))
        return {k.decode(): json.loads(v) for k, v in raw.items()}

    async def save_card(self, esc_id: str, recipient: str, ref: dict[str, Any]) -> None:
        await self._save_card(keys=[self.keys.rec(esc_id), self.keys.cards(esc_id)], args=[recipient, _dumps(ref)])
