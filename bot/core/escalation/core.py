"""What the service, the timers and the delivery worker share: clients, clock, rota, messages.

Time comes from an injected clock (epoch seconds), and is passed into every Lua script as an
argument, never read with Redis ``TIME``: tests drive the whole state machine with a fake clock.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from bot.core import metrics, stats
from bot.core.config import OrgConfig
from bot.core.escalation.config import Chain, Rota
from bot.core.escalation.handle import Sealer
from bot.core.escalation.policy import SLACK_CHANNEL, TEAMS_CHANNEL, Plan, chain_from_json, plan_from
from bot.core.escalation.queue import DueQueue, Outbox
from bot.core.escalation.records import Change, Escalation, Records, Result, event
from bot.core.escalation.rota import OnDuty, RotaView, Shift

log = logging.getLogger("canishare.escalation")

Clock = Callable[[], float]
_ID_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud over the phone
MAX_RETRIES = 8
# An open escalation's keys expire this long (or the records retention, if longer) after the last
# transition or auditor run: never while a worker runs, yet bounded if the service is retired.
OPEN_TTL_MIN_SECONDS = 30 * 86400

OUTCOMES: dict[str, str] = {
    "share": "Advised to share",
    "do_not_share": "Advised not to share",
    "referred": "Referred to children's social care or the police",
    "advice_given": "Advice given, no further action",
    "other": "Other (see reason)",
}


def new_id() -> str:
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(8))


def reference(esc_id: str) -> str:
    return f"ESC-{esc_id}"


@dataclass(frozen=True)
class ActionResult:
    """The answer to whoever pressed a button or typed a command (shown to them only)."""

    ok: bool
    message: str


class Core:
    def __init__(self, client: Redis, prefix: str, config: OrgConfig, rota: RotaView, *, sealer: Sealer,
                 hash_key: str, clock: Clock = time.time, lease_seconds: float = 60, store: Any = None) -> None:
        if config.rota is None:
            raise ValueError("escalation needs a rota in the organisation config")
        self.client = client
        self.config = config
        self.view = rota
        self.rota: Rota = rota.rota
        self.policy = config.escalation
        self.sealer = sealer
        self.hash_key = hash_key
        self.clock = clock
        self.lease_ms = int(lease_seconds * 1000)
        self.records = Records(client, prefix)
        self.keys = self.records.keys
        self.due = DueQueue(client, self.keys)
        self.outbox = Outbox(client, self.keys, clock=clock, retention_seconds=config.retention.records_seconds)
        self.records.open_ttl = max(config.retention.records_seconds, OPEN_TTL_MIN_SECONDS)
        self.store = store  # the conversation store: decision records and the daily report figures

    async def stat(self, name: str, *args: Any) -> None:
        """Count an escalation event for the daily report (bot.core.stats); never fails the caller."""
        if self.store is None:
            return
        await getattr(stats, f"escalation_{name}")(self.store, *args, now=self.now())

    # --- time and rota ---------------------------------------------------------------------------
    def now_ms(self) -> int:
        return int(self.clock() * 1000)

    def now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.clock(), dt.UTC)

    def local_time(self, ms: int | None) -> str:
        if not ms:
            return "?"
        return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).astimezone(self.rota.tz).strftime("%H:%M")

    async def covers(self) -> list[Shift]:
        now = self.now_ms()
        pipe = self.client.pipeline(transaction=True)
        pipe.zremrangebyscore(self.keys.covers, "-inf", now)
        pipe.zrange(self.keys.covers, 0, -1)
        _, current = await pipe.execute()
        out = []
        for raw in current:
            try:
                d = json.loads(raw)
                out.append(Shift(d["person"], d["slot"], dt.datetime.fromtimestamp(d["start"] / 1000, dt.UTC),
                                 dt.datetime.fromtimestamp(d["end"] / 1000, dt.UTC), "cover"))
            except (KeyError, TypeError, ValueError):
                continue
        return out

    async def on_duty(self) -> OnDuty:
        return self.view.on_duty(self.now(), await self.covers())

    def name_of(self, recipient: str) -> str:
        if recipient in (SLACK_CHANNEL, TEAMS_CHANNEL):
            return "the safeguarding team's private duty channel"
        person = self.rota.person(recipient.removeprefix("person:"))
        return person.name if person else "someone no longer on the rota"

    def describe_recipient(self, recipient: str, duty: OnDuty | None = None) -> str:
        person = self.rota.person(recipient.removeprefix("person:")) if recipient.startswith("person:") else None
        if person is None:
            return self.name_of(recipient)
        on_now = duty is not None and person.id in duty.slots.values()
        return f"{person.name} ({person.role_label}{', on duty now' if on_now else ''})"

    def chain_of(self, rec: Escalation) -> Chain:
        return chain_from_json(rec.policy)

    # --- transitions -----------------------------------------------------------------------------
    def ev(self, kind: str, actor: str = "system", by: str = "", src: str = "system", **payload: Any) -> dict:
        return event(kind, self.now_ms(), actor=actor, by=by, src=src, **payload)

    def page_change(self, rec: Escalation | None, plan: Plan, version: int, change: Change, why: str = "page") -> None:
        """Add the fields, events and messages of running ``plan`` (or of giving up) to ``change``."""
        now = self.now_ms()
        for step, loop in plan.skipped:
            change.events.append(self.ev("step_skipped_empty", step=step, loop=loop))
        seen = list(rec.recipients) if rec else []
        if plan.next is not None:
            nxt = plan.next
            change.fields.update({"state": "paging", "step": nxt.step, "loop": nxt.loop, "page": version})
            change.due_ms = now + int(nxt.wait_seconds * 1000)
            change.events.append(self.ev("step_started", step=nxt.step, loop=nxt.loop,
                                         targets="|".join(r.replace("person:", "") for r in nxt.recipients)))
            for recipient in nxt.recipients:
                change.messages.append({"k": "page", "to": recipient, "n": version, "why": why,
                                        "step": nxt.step, "loop": nxt.loop})
                if recipient not in seen:
                    seen.append(recipient)
        else:
            hours = float(rec.policy["unanswered_reminder_hours"]) if rec else self.policy.unanswered_reminder_hours
            loops = int(rec.policy["loops"]) if rec else 0
            change.fields.update({"state": "unanswered", "page": version})
            change.due_ms = now + int(hours * 3600 * 1000)
            change.events.append(self.ev("unanswered", loops=loops))
            from bot.core.escalation.policy import fallback_recipients

            for recipient in fallback_recipients(self.rota):
                change.messages.append({"k": "page", "to": recipient, "n": version, "why": "unanswered"})
                if recipient not in seen:
                    seen.append(recipient)
            change.messages.append({"k": "tell", "what": "unanswered", "n": version})
        change.fields["recipients"] = json.dumps(seen)

    async def plan(self, chain: Chain, step: int, loop: int) -> Plan:
        return plan_from(chain, self.rota, await self.on_duty(), step, loop)

    async def retrying(self, esc_id: str,
                       build: Callable[[Escalation], Awaitable[tuple[Sequence[str], Change] | ActionResult]],
                       practitioner_hash: str = "") -> tuple[Escalation | None, Result | None, ActionResult | None]:
        """Load, build a change, compare-and-set; on a version race, reload and build again.

        ``build`` returns an :class:`ActionResult` to stop (the state no longer allows the action).
        """
        for _ in range(MAX_RETRIES):
            rec = await self.records.load(esc_id)
            if rec is None:
                return None, None, ActionResult(False, "I can't find that escalation: it may have been closed "
                                                       "and removed after the retention period.")
            built = await build(rec)
            if isinstance(built, ActionResult):
                return rec, None, built
            allowed, change = built
            for msg in change.messages:
                msg["id"] = esc_id
            result = await self.records.apply(esc_id, rec.v, allowed, change,
                                              practitioner_hash or rec.practitioner_hash)
            if result.ok:
                state = change.fields.get("state")
                if state:
                    metrics.ESCALATIONS.labels(state=str(state)).inc()
                return rec, result, None
            if result.status == -2:
                return None, result, ActionResult(False, "That escalation no longer exists.")
        return None, None, ActionResult(False, "That escalation is changing very quickly; please try again.")

    async def inbox(self, user_hash: str, limit: int = 20) -> list[str]:
        """Messages for a practitioner on a channel the worker cannot push to (terminal, web)."""
        key = self.keys.inbox(user_hash)
        pipe = self.client.pipeline(transaction=True)
        pipe.lrange(key, 0, limit - 1)
        pipe.ltrim(key, limit, -1)
        raw, _ = await pipe.execute()
        return [self.sealer.open(r.decode(), user_hash) for r in raw]
