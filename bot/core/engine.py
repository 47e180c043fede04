"""The engine: Turn in, Replies out.

Order on every turn (DESIGN.md, and the Standards' "urgent path first"):
1. clean the text and run the privacy guard: from here on only the redacted text exists;
2. check the redacted text for danger signals (no I/O, so nothing can slow the act-now answer);
3. drop platform retries (idempotency record in the store);
4. load the conversation, route the input (pure), save it with compare-and-set;
5. if the store is down, still answer: act-now replies, free-text answers and contacts.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import traceback
from collections.abc import Callable
from typing import Protocol

from bot.core import metrics, stats
from bot.core.config import OrgConfig
from bot.core.escalation.causes import REDIS_DOWN, is_redis_down
from bot.core.identity import user_hash
from bot.core.parts import Parts, build_parts
from bot.core.privacy import describe
from bot.core.store import Store, StoreUnavailable, conversation_key
from bot.core.user_state import StoreUserState, UserStateStore
from dialogs.intents import intent_of
from dialogs.messages import EscalationRequest, Notice, Outcome, Reply, Text
from dialogs.router import Input
from dialogs.turn import Turn, clean_text
from dialogs.urgent import is_urgent
from knowledge.loader import Knowledge

log = logging.getLogger("canishare.engine")

SORRY = Notice(
    text="Sorry, something went wrong on my side and I couldn't handle that. Nothing you sent was kept. "
         "Please try again; if a child may be in danger, call 999.",
    level="warning",
)


class Escalator(Protocol):
    """Hands a practitioner to a person. Must make the escalation durable before returning."""

    async def raise_escalation(self, turn: Turn, user_hash: str, request: EscalationRequest) -> list[Reply]:
        """Replies telling the practitioner who it went to. Raises if it could not be made durable."""


NOT_CONFIGURED = Text(
    text="I can't put you in touch with a person from here: no safeguarding lead rota is configured for this "
         "service. Please contact your designated safeguarding lead or Caldicott Guardian directly, or:"
)
NOT_SENT = Notice(
    text="I couldn't send that to the on-duty safeguarding lead just now. Please contact them directly, or:",
    level="warning",
)


class Engine:
    def __init__(self, parts: Parts, store: Store, hash_key: str,
                 clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
                 escalator: Escalator | None = None, unavailable: Reply | None = None,
                 users: UserStateStore | None = None) -> None:
        self.escalator = escalator
        # Said instead of paging when there is no escalator: the real cause (no rota, no Redis, no delivery path).
        self.unavailable = unavailable or NOT_CONFIGURED
        # The leads' report counters; the terminal keeps its conversation in memory but counts in Redis.
        self.stats_store: Store = store
        self.users = users or StoreUserState(store, parts.user_slots)
        self.parts = parts
        self.store = store
        self.hash_key = hash_key
        self.clock = clock
        self.retention = parts.config.retention
        self._cannot_answer = parts.qa.cannot_answer()[0].text  # how stats spot an unanswered question

    def user_hash(self, turn: Turn) -> str:
        return user_hash(self.hash_key, turn.channel, turn.user_id)

    def key(self, turn: Turn, who: str | None = None) -> str:
        """The conversation's key; ``who`` is the user hash when the caller has it already."""
        return conversation_key(who or self.user_hash(turn), f"{turn.channel}:{turn.scope}")

    def prepare(self, turn: Turn) -> Input:
        text = clean_text(turn.text)
        redaction = self.parts.guard.redact(text) if text else None
        found = redaction.kinds if redaction else ()
        redacted = redaction.redacted if redaction else text
        for kind in found:
            metrics.GUARD_HITS.labels(kind=kind).inc()
        urgent = bool(redacted) and (is_urgent(redacted) or self.parts.qa.best_urgent(redacted))
        if urgent:
            metrics.URGENT.inc()
        action = turn.action[:200] if turn.action else None
        return Input(text=redacted, action=action, ref=(turn.ref or None) and turn.ref[:200], found=found,
                     found_phrase=describe(found) if found else "", urgent=urgent, once=turn.once, now=self.clock(),
                     unredacted=text)

    async def handle(self, turn: Turn) -> list[Reply]:
        started = time.perf_counter()
        metrics.TURNS.labels(channel=turn.channel).inc()
        try:
            return await self._handle(turn)
        except Exception as exc:
            metrics.ERRORS.labels(where="engine").inc()
            # The exception's message may hold user input; log only its type and where it happened.
            frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
            log.error("turn failed: %s at %s:%s", type(exc).__name__,
                      frame.filename if frame else "?", frame.lineno if frame else "?")
            return [SORRY]
        finally:
            metrics.TURN_SECONDS.observe(time.perf_counter() - started)

    async def _handle(self, turn: Turn) -> list[Reply]:
        inp = self.prepare(turn)
        who = self.user_hash(turn)
        key = self.key(turn, who)
        try:
            if turn.event_id:
                # The idempotency claim and the load travel together: one round trip, not two.
                event = f"{turn.channel}:{turn.event_id}"
                first, snap = await self.store.claim_and_load(event, self.retention.event_ids_seconds, key)
                if first is False:
                    metrics.DUPLICATES.inc()
                    return []
                # first is None: the claim failed; better to risk answering twice than not at all.
            else:
                snap = await self.store.load(key)
        except StoreUnavailable:
            return await self.escalate(turn, self.degraded(inp))
        # User state (apart from the conversation): loaded only for the slots this turn may touch.
        wanted = self.parts.router.user_state_wanted(inp.action, inp.text, snap.data)
        user = await self.users.load(who, wanted) if wanted else {}
        replies, new_state, new_user = self.parts.router.route(inp, snap.data, user)
        if new_state != snap.data:
            try:
                saved = await self.store.save(key, new_state, snap.version, self.retention.conversation_seconds)
            except StoreUnavailable:
                return await self.escalate(turn, self.degraded(inp))
            if saved is None:
                metrics.STALE.inc()
                return await self.conflict(key, inp)
        await self.users.save(who, user, new_user, inp.now)
        if inp.found and inp.text and snap.data.get("pb"):
            metrics.GUARD_BYPASSES.inc()  # counted, never logged
        for reply in replies:
            if isinstance(reply, Outcome):
                metrics.OUTCOMES.labels(outcome=reply.outcome).inc()
        await self.count(inp, replies, turn.channel)
        return await self.escalate(turn, replies)

    async def count(self, inp: Input, replies: list[Reply], channel: str = "") -> None:
        """Leads' report counters (bot.core.stats): questions asked and outcomes. Best-effort, never raises."""
        intent = intent_of(inp.text) if inp.text and not inp.action else None
        counts = stats.turn_counts(inp.action, inp.text, intent, replies, self._cannot_answer)
        if counts.get("questions") and channel in stats.CHANNELS:
            counts[f"questions:via:{channel}"] = 1  # which channel, never who
        if counts:
            await stats.add(self.stats_store, counts, now=inp.now)

    async def escalate(self, turn: Turn, replies: list[Reply]) -> list[Reply]:
        """Replace each EscalationRequest with what the practitioner is told, after it is durable."""
        out: list[Reply] = []
        for reply in replies:
            if not isinstance(reply, EscalationRequest):
                out.append(reply)
                continue
            if self.escalator is None:
                out += [self.unavailable, self.parts.router.contacts()]
                continue
            try:
                out += await self.escalator.raise_escalation(turn, self.user_hash(turn), reply)
            except Exception as exc:
                metrics.ERRORS.labels(where="escalation").inc()
                log.error("escalation not raised: %s", type(exc).__name__)
                out += [REDIS_DOWN if is_redis_down(exc) else NOT_SENT, self.parts.router.contacts()]
        return out

    async def conflict(self, key: str, inp: Input) -> list[Reply]:
        """Another click or process changed this conversation first: say so, show where it is now."""
        lead = self.parts.router.urgent_replies() if inp.urgent else []
        try:
            snap = await self.store.load(key)
        except StoreUnavailable:
            return self.degraded(inp)
        return [*lead, Notice(text="That question has already been answered, so I haven't applied that answer again."),
                *self.parts.router.current_question(snap.data)]

    def degraded(self, inp: Input) -> list[Reply]:
        """The store is down: answer what needs no memory, and say plainly what can't be done."""
        metrics.DEGRADED.inc()
        router = self.parts.router
        replies: list[Reply] = router.urgent_replies() if inp.urgent else []
        if inp.urgent:
            replies.append(EscalationRequest(text="", urgent=True, reason="urgent"))
        if inp.text and not inp.action and not inp.urgent and not inp.found:
            text = inp.text[4:] if inp.text.lower().startswith("ask ") else inp.text
            if intent_of(text) is None:
                replies.extend(self.parts.qa.ask(text))
        replies.append(Notice(
            text="I can't keep your place in the flowchart right now, because my storage is unavailable. "
                 "I can still answer questions. If you need advice now, please contact:",
            level="warning",
        ))
        replies.append(router.contacts())
        return replies


def build_engine(config: OrgConfig, store: Store, hash_key: str, kb: Knowledge | None = None) -> Engine:
    return Engine(build_parts(config, kb), store, hash_key)
