"""The escalation service: raise (the engine's :class:`bot.core.engine.Escalator`) and the lead's actions.

Raising writes the record, its first chronology events, its due time and the first page messages
in one Lua script (records.py) *before* the practitioner is told anything; the reply then names
who it went to. Acknowledge / Still on it / Reply / Resolve / Hand over, the practitioner's
replies and covers all go through :meth:`Core.retrying`: one compare-and-set per action, so two
leads pressing Acknowledge together produce one acknowledgement and one "Already acknowledged by
… at 14:05".

Text typed by a lead or a practitioner (replies, the resolve reason) is redacted by the privacy
guard before it is stored or relayed, and sealed (handle.py) while it waits in Redis.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Sequence
from typing import Any

from bot.core import metrics
from bot.core.escalation.config import SLOT_LABELS, Person
from bot.core.escalation.core import OUTCOMES, ActionResult, Core, new_id, reference
from bot.core.escalation.policy import chain_json, plan_from
from bot.core.escalation.readiness import Readiness, assess
from bot.core.escalation.readiness import latest as latest_heartbeat
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
from bot.core.escalation.rota import CoverError, parse_cover_end
from bot.core.identity import user_hash as hash_user
from dialogs.messages import Contacts, Notice, Reply, Text
from dialogs.turn import Turn, clean_text

log = logging.getLogger("canishare.escalation")

REASONS = ("talk", "not_sure", "seek_advice", "urgent")
MAX_ANSWERS = 40
MAX_RELAY = 1500
COVERS_TTL_SECONDS = 8 * 86400
PUSH_CHANNELS = ("slack", "teams")
NOT_ON_ROTA = ActionResult(False, "Only people on the safeguarding rota can act on escalations.")


class EscalationService(Core):
    """Implements :class:`bot.core.engine.Escalator` and everything a lead can do."""

    guard: Any = None  # a bot.core.privacy PrivacyGuard; loaded lazily (the terminal may never need it)

    # --- helpers ---------------------------------------------------------------------------------
    def redact(self, text: str, limit: int = MAX_RELAY) -> str:
        text = clean_text(text)[:limit]
        if not text:
            return ""
        if self.guard is None:
            from bot.core.privacy import get_guard

            self.guard = get_guard()
        return self.guard.redact(text).redacted

    def person_for(self, channel: str, platform_user_id: str) -> Person | None:
        if channel == "slack":  # the Slack channel qualifies ids with the team: "T123:U456"
            platform_user_id = platform_user_id.rsplit(":", 1)[-1]
        return self.rota.by_platform(channel, platform_user_id)

    def _name(self, person_id: str) -> str:
        person = self.rota.person(person_id)
        return person.name if person else "a lead no longer on the rota"

    def _contacts(self) -> Contacts:
        pairs = tuple((c.label, c.number) for c in self.config.urgent_contacts)
        return Contacts(text="Who to contact:\n" + "\n".join(f"• {label}: {number}" for label, number in pairs),
                        contacts=pairs)

    def status_line(self, rec: Escalation) -> str:
        """Where an escalation is, in the practitioner's terms."""
        if rec.state == PAGING:
            names = ", ".join(self.name_of(r) for r in self._current_recipients(rec)) or "the safeguarding team"
            return f"It's waiting for {names} to pick it up."
        if rec.state in (ACKNOWLEDGED, REMINDED):
            return f"{self._name(rec.acked_by)} picked it up at {self.local_time(rec.acked_ms)}."
        if rec.state == UNANSWERED:
            return "Nobody has picked it up yet; the safeguarding team is reminded every day until someone does."
        return f"It was resolved at {self.local_time(rec.resolved_ms)}."

    def _current_recipients(self, rec: Escalation) -> list[str]:
        if rec.handed_to and rec.step < 0:
            return [f"person:{rec.handed_to}"]
        return rec.recipients[-3:]

    async def _within_rate(self, user_hash: str) -> bool:
        key = self.keys.rate(user_hash)
        pipe = self.client.pipeline(transaction=True)
        pipe.incr(key)
        pipe.pexpire(key, int(self.policy.rate_limit_minutes * 60 * 1000), nx=True)
        count, _ = await pipe.execute()
        return int(count) <= self.policy.rate_limit_count

    # --- raising (the engine's Escalator) --------------------------------------------------------
    async def raise_escalation(self, turn: Turn, user_hash: str, request: Any) -> list[Reply]:
        existing = await self.records.open_for(user_hash)
        if existing:
            rec = await self.records.load(existing)
            if rec is not None and rec.open:
                return await self._already_open(rec, request)
            # A pointer to a record that no longer exists (removed by hand): don't let it block them.
            await self.client.delete(self.keys.who(user_hash))
        if not await self._within_rate(user_hash):
            return [Notice(text=(
                "You've asked for a person several times in a short while, so I haven't sent another request just "
                "now. That's OK: if you need advice now, please contact your safeguarding lead directly, or:"),
                level="info"), self._contacts()]
        urgent = bool(request.urgent)
        chain = self.policy.chain(urgent)
        duty = await self.on_duty()
        plan = plan_from(chain, self.rota, duty, 0, 0)
        reason = request.reason if request.reason in REASONS else "talk"
        ready = await self.readiness(plan.next.recipients if plan.next else plan_fallback(self))
        summary = {
            "edition": str(request.edition or "")[:20],
            "answers": [[str(q)[:300], str(a)[:40]] for q, a in tuple(request.answers)[:MAX_ANSWERS]],
            "stuck_at": [str(q)[:300] for q in tuple(request.stuck_at)[:MAX_ANSWERS]],
        }
        for _ in range(3):
            esc_id = new_id()
            change = Change(open="+", who="+")
            change.fields = {
                "id": esc_id, "urgent": int(urgent), "reason": reason, "created": self.now_ms(),
                "policy": json.dumps(chain_json(self.policy, urgent)), "summary": json.dumps(summary),
                "pch": turn.channel, "phash": user_hash, "pid": self.sealer.seal(turn.user_id, esc_id),
            }
            change.events.append(self.ev("created", actor="practitioner", src=turn.channel,
                                         urgency="urgent" if urgent else "normal", reason=reason,
                                         edition=summary["edition"] or "-", answers=len(summary["answers"]),
                                         stuck=len(summary["stuck_at"])))
            self.page_change(None, plan, 1, change)
            # Written with the record: the reply below is what tells them, and it names who it went to.
            # "sent" only when a worker is alive and can reach someone paged (readiness.py).
            change.events.append(self.ev("practitioner_told", status="sent" if ready.ok else f"kept_{ready.reason}",
                                         channel=turn.channel))
            change.messages.append({"k": "update"})
            for msg in change.messages:
                msg["id"] = esc_id
            result = await self.records.apply(esc_id, None, (), change, user_hash)
            if result.ok:
                break
            if result.status == -4:  # another turn of theirs raised one a moment ago
                await self.client.decr(self.keys.rate(user_hash))  # not a new request: don't count it
                rec = await self.records.load(result.previous_state)
                if rec is not None:
                    return await self._already_open(rec, request)
        else:
            raise RuntimeError("could not allocate an escalation id")
        metrics.ESCALATIONS.labels(state=str(change.fields["state"])).inc()
        await self.stat("raised", urgent)
        if change.fields["state"] == UNANSWERED:
            await self.stat("unanswered")
        if not ready.ok:
            log.warning("escalation kept but not deliverable now: %s", ready.reason)
            return self._kept_replies(esc_id, urgent, ready)
        return self._sent_replies(esc_id, urgent, plan, duty, turn.channel)

    async def readiness(self, recipients: Sequence[str]) -> Readiness:
        """Whether a worker is alive and can reach any of ``recipients`` (see readiness.py)."""
        return assess(await latest_heartbeat(self.client, self.keys.prefix), recipients, self.clock())

    async def delivery_readiness(self) -> Readiness:
        """For /healthz: can a normal escalation raised now reach its first people or the fallback?"""
        plan = plan_from(self.policy.chain(False), self.rota, await self.on_duty(), 0, 0)
        first = plan.next.recipients if plan.next else ()
        return await self.readiness((*first, *plan_fallback(self)))

    def _kept_replies(self, esc_id: str, urgent: bool, ready: Readiness) -> list[Reply]:
        """Not deliverable now: say so at once, with people to call; the request is kept and sent later."""
        ref = reference(esc_id)
        text = (f"I couldn't send your request{' (urgent)' if urgent else ''} to the safeguarding team just now: "
                f"{ready.plain}. It has been kept (reference {ref}) and will reach them as soon as that's working "
                "again, but please don't wait for it: contact someone now.")
        pairs: list[tuple[str, str]] = []
        for r in plan_fallback(self):
            person = self.rota.person(r.removeprefix("person:")) if r.startswith("person:") else None
            if person is not None and person.phone:
                pairs.append((f"{person.name} ({person.role_label})", person.phone))
        pairs += [(c.label, c.number) for c in self.config.urgent_contacts]
        lines = "\n".join(f"• {label}: {number}" for label, number in pairs)
        return [Notice(text=text, level="warning"),
                Contacts(text="If a child may be in danger now, call 999. Who to contact:\n" + lines,
                         contacts=tuple(pairs))]

    def _sent_replies(self, esc_id: str, urgent: bool, plan: Any, duty: Any, channel: str) -> list[Reply]:
        ref = reference(esc_id)
        fallback = set(plan_fallback(self))
        if plan.next is None or (plan.skipped and set(plan.next.recipients) <= fallback):
            # Nobody is on duty in the earlier steps: it has already gone to the fallback.
            names = ", ".join(self.name_of(r) for r in (plan.next.recipients if plan.next else plan_fallback(self)))
            text = (f"Nobody is on duty on the safeguarding rota just now, so I've sent your request"
                    f"{' (urgent)' if urgent else ''} straight to {names}. Reference: {ref}.")
            if plan.next is not None:
                text += (f"\nIf nobody picks it up within {wait_words(plan.next.wait_seconds)}, I'll remind them and "
                         "keep trying.")
        else:
            who = ", ".join(self.describe_recipient(r, duty) for r in plan.next.recipients)
            text = (f"I've sent your request{' (urgent)' if urgent else ''} to {who}. Reference: {ref}.\n"
                    f"If nobody picks it up within {wait_words(plan.next.wait_seconds)}, I'll contact the "
                    "next person on the rota.")
        text += ("\nThey see your answers to the flowchart questions and where you got stuck, with no names or other "
                 "details, and how to reach you.")
        replies: list[Reply] = []
        if channel in PUSH_CHANNELS:
            text += " I'll tell you here when someone picks it up."
            replies.append(Text(text=text))
        else:
            text += " Their reply can't reach this window, so they may call you, or you can call them:"
            replies.append(Text(text=text))
            phones = tuple((p.name, p.phone) for r in (plan.next.recipients if plan.next else plan_fallback(self))
                           if (p := self.rota.person(r.removeprefix("person:"))) and p.phone)
            if phones:
                replies.append(Contacts(text="\n".join(f"• {n}: {ph}" for n, ph in phones), contacts=phones))
        return replies

    async def _already_open(self, rec: Escalation, request: Any) -> list[Reply]:
        ref = reference(rec.id)
        if request.urgent and not rec.urgent:
            rec2, result, _ = await self.retrying(rec.id, self._upgrade)
            if result is not None and rec2 is not None:
                fresh = await self.records.load(rec.id)
                status = self.status_line(fresh) if fresh else ""
                return [Text(text=f"You already have a request open ({ref}). I've marked it urgent. {status}"),
                        *await self._still_undeliverable(fresh or rec)]
        status = self.status_line(rec)
        return [Text(text=f"You already have a request open ({ref}, raised at {self.local_time(rec.created_ms)}). "
                          f"{status} I haven't sent another one."), *await self._still_undeliverable(rec)]

    async def _still_undeliverable(self, rec: Escalation) -> list[Reply]:
        """An open request nobody can be reached for yet: say so again, with the numbers."""
        if rec.state not in (PAGING, UNANSWERED):
            return []
        ready = await self.readiness((*self._current_recipients(rec), *plan_fallback(self)))
        if ready.ok:
            return []
        _, contacts = self._kept_replies(rec.id, rec.urgent, ready)
        return [Notice(text=f"It hasn't reached the safeguarding team yet: {ready.plain}. Please contact someone "
                            "now rather than wait.", level="warning"), contacts]

    async def _upgrade(self, rec: Escalation) -> tuple[Sequence[str], Change] | ActionResult:
        if rec.urgent or not rec.open:
            return ActionResult(True, "")
        change = Change(fields={"urgent": 1, "reason": "urgent", "policy": json.dumps(chain_json(self.policy, True))},
                        events=[self.ev("upgraded", actor="practitioner", urgency="urgent")],
                        messages=[{"k": "update"}])
        if rec.state in (PAGING, UNANSWERED):
            rec_policy = dict(rec.policy, **chain_json(self.policy, True))
            rec.policy = rec_policy
            plan = await self.plan(self.policy.chain(True), 0, 0)
            self.page_change(rec, plan, rec.v + 1, change, why="upgrade")
        elif rec.acked_by:
            change.messages.append({"k": "page", "to": f"person:{rec.acked_by}", "n": rec.v + 1, "why": "upgrade"})
        return OPEN_STATES, change

    # --- the lead's actions ----------------------------------------------------------------------
    async def act(self, channel: str, platform_user_id: str, action: str, esc_id: str, *, text: str = "",
                  outcome: str = "", to: str = "") -> ActionResult:
        """One entry point for the platforms' buttons and forms: ack, still, reply, resolve, handover, history."""
        person = self.person_for(channel, platform_user_id)
        if person is None:
            return NOT_ON_ROTA
        if action == "ack":
            return await self.acknowledge(person, esc_id, channel)
        if action == "still":
            return await self.still_on_it(person, esc_id, channel)
        if action == "reply":
            return await self.reply(person, esc_id, text, channel)
        if action == "resolve":
            return await self.resolve(person, esc_id, outcome, text, channel)
        if action == "handover":
            return await self.hand_over(person, esc_id, to, channel)
        if action == "history":
            from bot.core.escalation.inspect import MAX_CARD_LINES, show_text

            text = await show_text(self, esc_id, limit=MAX_CARD_LINES)
            return ActionResult(text is not None, text or "I can't find that escalation: it may have been closed "
                                                          "and removed after the retention period.")
        return ActionResult(False, "I don't recognise that action.")

    def _closed(self, rec: Escalation) -> ActionResult | None:
        if rec.state == RESOLVED:
            return ActionResult(False, f"Already resolved by {self._name(rec.resolved_by)} at "
                                       f"{self.local_time(rec.resolved_ms)}.")
        return None

    async def acknowledge(self, person: Person, esc_id: str, src: str = "system") -> ActionResult:
        async def build(rec: Escalation) -> tuple[Sequence[str], Change] | ActionResult:
            if closed := self._closed(rec):
                return closed
            if rec.state in (ACKNOWLEDGED, REMINDED):
                return ActionResult(False, f"Already acknowledged by {self._name(rec.acked_by)} at "
                                           f"{self.local_time(rec.acked_ms)}.")
            now = self.now_ms()
            idle = float(rec.policy["ack_idle_minutes"]) * 60_000
            return (PAGING, UNANSWERED), Change(
                fields={"state": ACKNOWLEDGED, "acked_by": person.id, "acked_at": now, "handed_to": ""},
                due_ms=now + int(idle),
                events=[self.ev("acknowledged", actor="lead", by=person.id, src=src)],
                messages=[{"k": "update"}, {"k": "tell", "what": "picked_up", "n": rec.v + 1}])

        rec, _, stop = await self.retrying(esc_id, build)
        if stop is not None:
            return stop
        assert rec is not None
        seconds = max(0.0, (self.now_ms() - rec.created_ms) / 1000)
        if self.store is not None:
            await self.stat("acknowledged", seconds)  # observes metrics.ESCALATION_ACK_SECONDS too
        else:
            metrics.ESCALATION_ACK_SECONDS.observe(seconds)
        return ActionResult(True, f"You've acknowledged {reference(esc_id)}. The practitioner has been told you've "
                                  "picked it up. Use Reply to message them, and Resolve when you're done.")

    async def still_on_it(self, person: Person, esc_id: str, src: str = "system") -> ActionResult:
        async def build(rec: Escalation) -> tuple[Sequence[str], Change] | ActionResult:
            if closed := self._closed(rec):
                return closed
            if rec.state not in (ACKNOWLEDGED, REMINDED):
                return ActionResult(False, "Nobody has acknowledged this yet: use Acknowledge to pick it up.")
            if rec.acked_by != person.id:
                return ActionResult(False, f"It's acknowledged by {self._name(rec.acked_by)}; only they can confirm "
                                           "they're still on it.")
            now = self.now_ms()
            return (ACKNOWLEDGED, REMINDED), Change(
                fields={"state": ACKNOWLEDGED, "reminded_at": ""},
                due_ms=now + int(float(rec.policy["ack_idle_minutes"]) * 60_000),
                events=[self.ev("still_on_it", actor="lead", by=person.id, src=src)], messages=[{"k": "update"}])

        _, _, stop = await self.retrying(esc_id, build)
        return stop or ActionResult(True, "Thanks: I'll leave it with you.")

    async def reply(self, person: Person, esc_id: str, text: str, src: str = "system") -> ActionResult:
        clean = self.redact(text)
        if not clean:
            return ActionResult(False, "Please type a message to send.")

        async def build(rec: Escalation) -> tuple[Sequence[str], Change] | ActionResult:
            if closed := self._closed(rec):
                return closed
            now = self.now_ms()
            change = Change(events=[], messages=[])
            if rec.state in (PAGING, UNANSWERED):  # replying picks it up
                change.fields.update({"state": ACKNOWLEDGED, "acked_by": person.id, "acked_at": now, "handed_to": ""})
                change.events.append(self.ev("acknowledged", actor="lead", by=person.id, src=src))
                change.messages.append({"k": "tell", "what": "picked_up", "n": rec.v + 1})
            elif rec.state == REMINDED:
                change.fields.update({"state": ACKNOWLEDGED, "reminded_at": ""})
            change.due_ms = now + int(float(rec.policy["ack_idle_minutes"]) * 60_000)
            change.events.append(self.ev("replied", actor="lead", by=person.id, src=src, direction="to_practitioner"))
            change.messages += [{"k": "relay", "dir": "to_practitioner", "by": person.id, "n": secrets.token_hex(6),
                                 "text": self.sealer.seal(clean, esc_id)}, {"k": "update"}]
            return OPEN_STATES, change

        _, _, stop = await self.retrying(esc_id, build)
        return stop or ActionResult(True, "Sent to the practitioner.")

    async def practitioner_reply(self, channel: str, platform_user_id: str, esc_id: str, text: str) -> ActionResult:
        """The practitioner answers the lead (from the relayed message's Reply button or form)."""
        uh = hash_user(self.hash_key, channel, platform_user_id)
        clean = self.redact(text)
        if not clean:
            return ActionResult(False, "Please type a message to send.")

        async def build(rec: Escalation) -> tuple[Sequence[str], Change] | ActionResult:
            if rec.practitioner_hash != uh:
                return ActionResult(False, "That isn't one of your requests.")
            if rec.state == RESOLVED:
                return ActionResult(False, "That request has been resolved. If you need more advice, ask to talk to "
                                           "someone again.")
            if rec.state not in (ACKNOWLEDGED, REMINDED) or not rec.acked_by:
                return ActionResult(False, "Nobody has picked up your request yet. I'll tell you when someone does.")
            return (ACKNOWLEDGED, REMINDED), Change(
                events=[self.ev("replied", actor="practitioner", src=channel, direction="to_lead")],
                messages=[{"k": "relay", "dir": "to_lead", "to": f"person:{rec.acked_by}", "n": secrets.token_hex(6),
                           "text": self.sealer.seal(clean, esc_id)}])

        rec, _, stop = await self.retrying(esc_id, build)
        if stop is not None:
            return stop
        return ActionResult(True, f"Sent to {self._name(rec.acked_by) if rec else 'the lead'}.")

    async def resolve(self, person: Person, esc_id: str, outcome: str, reason: str,
                      src: str = "system") -> ActionResult:
        if outcome not in OUTCOMES:
            return ActionResult(False, "Please choose an outcome.")
        clean = self.redact(reason, 1000)
        if not clean:
            return ActionResult(False, "Please give a reason: it goes into the practitioner's decision record "
                                       "(golden rule 7: record the decision and the reasons).")

        async def build(rec: Escalation) -> tuple[Sequence[str], Change] | ActionResult:
            if closed := self._closed(rec):
                return closed
            return OPEN_STATES, Change(
                fields={"state": RESOLVED, "resolved_by": person.id, "resolved_at": self.now_ms(), "outcome": outcome,
                        "outcome_reason": self.sealer.seal(clean, esc_id)},
                clear_due=True, open="-", who="-", expire_seconds=self.config.retention.records_seconds,
                events=[self.ev("resolved", actor="lead", by=person.id, src=src, outcome=outcome)],
                messages=[{"k": "update"}, {"k": "tell", "what": "resolved", "n": rec.v + 1}])

        _, _, stop = await self.retrying(esc_id, build)
        if stop is None:
            await self.stat("resolved")
        return stop or ActionResult(True, f"Resolved ({OUTCOMES[outcome]}). The outcome and your reason have been "
                                          "added to the practitioner's decision record.")

    async def hand_over(self, person: Person, esc_id: str, to: str, src: str = "system") -> ActionResult:
        target = self.rota.person(to)
        if target is None:
            return ActionResult(False, "Choose someone on the rota to hand over to.")
        if target.id == person.id:
            return ActionResult(False, "Choose someone other than yourself.")

        async def build(rec: Escalation) -> tuple[Sequence[str], Change] | ActionResult:
            if closed := self._closed(rec):
                return closed
            version = rec.v + 1
            chain = self.chain_of(rec)
            recipients = list(rec.recipients)
            if f"person:{to}" not in recipients:
                recipients.append(f"person:{to}")
            return OPEN_STATES, Change(
                fields={"state": PAGING, "step": -1, "loop": 0, "page": version, "acked_by": "", "acked_at": "",
                        "reminded_at": "", "handed_by": person.id, "handed_to": to,
                        "recipients": json.dumps(recipients)},
                due_ms=self.now_ms() + int(chain.steps[0].wait_minutes * 60_000),
                events=[self.ev("handed_over", actor="lead", by=person.id, src=src, to=to)],
                messages=[{"k": "page", "to": f"person:{to}", "n": version, "why": "handover"}, {"k": "update"},
                          {"k": "tell", "what": "handed_over", "n": version}])

        _, _, stop = await self.retrying(esc_id, build)
        return stop or ActionResult(True, f"Handed over to {target.name}. If they don't acknowledge it, the usual "
                                          "rota takes over again.")

    # --- rota commands ---------------------------------------------------------------------------
    async def duty_text(self) -> str:
        return self.view.describe(self.now(), await self.covers())

    async def cover(self, channel: str, platform_user_id: str, text: str) -> ActionResult:
        """``cover until 17:00`` / ``cover deputy for 2 hours``: take a slot from now until then."""
        person = self.person_for(channel, platform_user_id)
        if person is None:
            return ActionResult(False, "Only people on the safeguarding rota can cover.")
        words = " ".join(text.split()).lower()
        slot = "lead"
        for candidate in ("deputy", "caldicott_guardian", "caldicott", "lead"):
            if words.startswith(candidate + " "):
                slot = "caldicott_guardian" if candidate.startswith("caldicott") else candidate
                words = words[len(candidate) + 1:]
                break
        try:
            end = parse_cover_end(words, self.now(), self.rota.tz)
        except CoverError as exc:
            return ActionResult(False, str(exc))
        now = self.now_ms()
        entry = json.dumps({"person": person.id, "slot": slot, "start": now, "end": int(end.timestamp() * 1000),
                            "n": secrets.token_hex(4)})
        pipe = self.client.pipeline(transaction=True)
        pipe.zadd(self.keys.covers, {entry: int(end.timestamp() * 1000)})
        # Covers last at most 7 days: the set can expire a day after the newest one would have ended.
        pipe.expire(self.keys.covers, COVERS_TTL_SECONDS)
        await pipe.execute()
        label = SLOT_LABELS[slot]
        return ActionResult(True, f"You're the {label} until {end.astimezone(self.rota.tz):%a %d %b, %H:%M}. "
                                  "New pages for that slot come to you until then.")


def plan_fallback(core: Core) -> tuple[str, ...]:
    from bot.core.escalation.policy import fallback_recipients

    return fallback_recipients(core.rota)


def wait_words(seconds: float) -> str:
    """``90`` -> "2 minutes"; under a minute -> "a minute" (never "0 minutes")."""
    if seconds < 60:
        return "a minute"
    minutes = round(seconds / 60)
    if minutes >= 120 and minutes % 60 == 0:
        return f"{minutes // 60} hours"
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
