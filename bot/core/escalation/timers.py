"""What happens when an escalation's due time arrives, and the auditor that keeps timers alive.

The worker claims due ids (queue.py) and calls :func:`tick` for each. ``tick`` reads the record
and decides from *its* state and due time, never from the claim: a poke that arrives early (a
re-armed or duplicated timer) only puts the record's own due time back; a poke for a record
that moved on loses its compare-and-set and does nothing.

By state, when due:

* ``paging``: no acknowledgement in time -> the next non-empty step (empty ones skipped at once,
  logged); after the last step of the last loop -> ``unanswered``: the fallback is paged, the
  practitioner told, a daily reminder armed. Never auto-closed.
* ``acknowledged``: idle past the chain's ``ack_idle_minutes`` -> "Still on it?" to the acker
  (state ``reminded``, due in ``still_on_it_minutes``).
* ``reminded``: no answer -> un-acknowledge and page again from the first step.
* ``unanswered``: remind the fallback again (daily).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence

from bot.core import metrics
from bot.core.escalation.core import ActionResult, Core
from bot.core.escalation.policy import fallback_recipients
from bot.core.escalation.records import (
    ACKNOWLEDGED,
    OPEN_STATES,
    PAGING,
    REMINDED,
    RESOLVED,
    UNANSWERED,
    Change,
    Escalation,
)

log = logging.getLogger("canishare.escalation")

EARLY_MS = 1000  # a poke this much before the record's due time is early: re-arm, don't act
STALE_MS = 2 * 60 * 1000  # the auditor re-arms a timer this far overdue (nobody is claiming it)


async def tick(core: Core, esc_id: str) -> str:
    """Run one due escalation. Returns what happened (for tests and logs): a short token."""
    rec = await core.records.load(esc_id)
    if rec is None or rec.state == RESOLVED:
        await core.due.remove(esc_id)
        return "gone"
    now = core.now_ms()
    if rec.due_ms is None:
        return "no_due"
    if rec.due_ms > now + EARLY_MS:
        await core.records.rearm(esc_id, rec.v)
        return "early"
    change = await _due_change(core, rec)
    change.messages.append({"k": "update"})
    for msg in change.messages:
        msg["id"] = esc_id
    result = await core.records.apply(esc_id, rec.v, (rec.state,), change, rec.practitioner_hash)
    if not result.ok:
        return "lost"  # someone else moved it first; their transition set the next due time
    state = str(change.fields.get("state", rec.state))
    metrics.ESCALATIONS.labels(state=state).inc()
    if state == UNANSWERED and rec.state != UNANSWERED:
        await core.stat("unanswered")
    fallback = set(fallback_recipients(core.rota))
    if fallback & {m.get("to") for m in change.messages} and not fallback & set(rec.recipients):
        await core.stat("reached_fallback")
    return state


async def _due_change(core: Core, rec: Escalation) -> Change:
    version = rec.v + 1
    now = core.now_ms()
    change = Change()
    if rec.state == PAGING:
        chain = core.chain_of(rec)
        step, loop = (0, 0) if rec.step < 0 else (rec.step + 1, rec.loop)
        plan = await core.plan(chain, step, loop)
        core.page_change(rec, plan, version, change)
        return change
    if rec.state == ACKNOWLEDGED:
        change.fields.update({"state": REMINDED, "reminded_at": now})
        change.due_ms = now + int(float(rec.policy["still_on_it_minutes"]) * 60_000)
        change.events.append(core.ev("ack_reminder_sent", by=rec.acked_by))
        change.messages.append({"k": "remind", "to": f"person:{rec.acked_by}", "n": version})
        return change
    if rec.state == REMINDED:
        plan = await core.plan(core.chain_of(rec), 0, 0)
        change.fields.update({"acked_by": "", "acked_at": "", "reminded_at": ""})
        change.events.append(core.ev("auto_unacknowledged", by=rec.acked_by))
        core.page_change(rec, plan, version, change, why="repage")
        change.messages.append({"k": "tell", "what": "requeued", "n": version})
        return change
    if rec.state == UNANSWERED:
        change.due_ms = now + int(float(rec.policy["unanswered_reminder_hours"]) * 3_600_000)
        change.events.append(core.ev("unanswered_reminder"))
        for recipient in fallback_recipients(core.rota):
            change.messages.append({"k": "page", "to": recipient, "n": version, "why": "unanswered_reminder"})
        return change
    raise ValueError(f"no timer for state {rec.state!r}")


async def audit(core: Core) -> dict[str, int]:
    """Every open escalation must have a live timer: re-arm any without one (or long overdue).

    Also drops resolved ids from the open set, updates the open-by-state gauge and records the
    run time at ``<p>:worker:auditor_last_run`` (read by ``/healthz``).
    """
    now = core.now_ms()
    counts = {state: 0 for state in OPEN_STATES}
    rearmed = 0
    for esc_id in await core.records.open_ids():
        rec = await core.records.load(esc_id)
        if rec is None or rec.state == RESOLVED:
            await core.client.srem(core.keys.open, esc_id)
            continue
        counts[rec.state] = counts.get(rec.state, 0) + 1
        await core.records.touch(esc_id, rec.practitioner_hash, core.records.open_ttl)  # bounded, never lapsing
        score = await core.due.score(esc_id)
        if score is not None and score >= now - STALE_MS:
            continue
        if rec.due_ms is None:
            # An open case with no due time at all: give it one now, through the CAS like anything else.
            result = await core.records.apply(esc_id, rec.v, (rec.state,), Change(
                due_ms=now, events=[core.ev("timer_rearmed", late_ms=0)]), rec.practitioner_hash)
            ok = result.ok
        else:
            ok = await core.records.rearm(esc_id, rec.v)
            if ok:
                await core.records.append(esc_id, [core.ev("timer_rearmed", late_ms=max(0, now - rec.due_ms))])
        if ok:
            rearmed += 1
            metrics.ESCALATION_AUDIT_REARMED.inc()
            log.warning("escalation timer re-armed by the auditor")
    await core.outbox.trim_dead()
    await core.client.zremrangebyscore(core.keys.covers, "-inf", now)  # covers that have ended
    for state, n in counts.items():
        metrics.ESCALATIONS_OPEN.labels(state=state).set(n)
    await core.client.set(core.keys.auditor_last_run, json.dumps({"t": now / 1000}), ex=600)
    return {"open": sum(counts.values()), "rearmed": rearmed}


def summarise(results: Sequence[ActionResult]) -> str:  # pragma: no cover - log helper
    return ", ".join(r.message for r in results)
