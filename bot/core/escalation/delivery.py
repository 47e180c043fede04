"""Turn outbox messages into platform calls: cards to leads, notes to practitioners.

Each outbox message (written by a transition, records.py) is one of:

* ``page``   (``to``, ``n``, ``why``): post the card to a recipient, or — if they already have
  this escalation's card — a short nudge and a refreshed card (chat.update does not notify);
* ``update``: re-render every posted card from the record as it is *now* (so duplicates and
  out-of-order updates are harmless: the last render always shows the latest state);
* ``tell``   (``what``, ``n``): tell the practitioner (picked up, resolved, unanswered…);
* ``relay``  (``dir``, ``text``): a labelled message between lead and practitioner;
* ``remind`` (``to``, ``n``): "Still on it?" to the acker.

**Exactly once per lead per page.** Before a post, ``SET NX`` claims
``<p>:{esc}:sent:<id>:<n>:<recipient>|<platform>`` as ``pending``; after the platform answered,
it becomes ``done``. A message whose claim is ``done`` is acknowledged without a post. A
``pending`` claim means an earlier attempt died between claiming and finishing (a SIGKILLed
worker): on Slack the DM's history is searched for the message's metadata key before posting
again, so the post happens once; Teams has no history API for bots and creating an activity is
not idempotent, so there a claim marked ``sending`` (the request had started: see
:func:`about_to_send`) is *not* posted again: the chronology records ``delivery_uncertain`` and
the chain's next step pages again if nobody acknowledges; a claim still ``pending`` (the worker
died before the request left) is posted. A platform error (not a crash) releases the claim, so
the retry posts.

**Errors.** :class:`Permanent` (unknown Slack user, no Teams conversation reference) is logged
in the chronology as ``delivery_failed`` and acknowledged: retrying cannot help, and the chain
goes on to the next step regardless. Anything else propagates: the entry stays pending and is
retried by XAUTOCLAIM, then dead-lettered (queue.py).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any, Protocol

from bot.core import metrics
from bot.core.escalation.cards import REASON_LABELS, CardView, Note, actions_for
from bot.core.escalation.config import SLOT_LABELS
from bot.core.escalation.core import OUTCOMES, Core, reference
from bot.core.escalation.handle import HandleError
from bot.core.escalation.policy import SLACK_CHANNEL, TEAMS_CHANNEL
from bot.core.escalation.records import ACKNOWLEDGED, PAGING, REMINDED, RESOLVED, UNANSWERED, Escalation
from bot.core.identity import user_hash
from bot.core.store import record_key

log = logging.getLogger("canishare.escalation")

SENT_TTL = 14 * 86400
_SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,30}$")


# Set by Deliverer._once around one post: platforms that cannot look a post up afterwards (Teams)
# call :func:`about_to_send` right before the network request, so a crash before it is told apart
# from a crash during it.
BEFORE_SEND: ContextVar[Callable[[], Awaitable[None]] | None] = ContextVar("canishare_before_send", default=None)


async def about_to_send() -> None:
    hook = BEFORE_SEND.get()
    if hook is not None:
        await hook()


class Permanent(Exception):
    """A delivery that can never succeed (no such user, no conversation reference)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class Platform(Protocol):
    """A chat platform the worker posts to (delivery_slack.SlackDelivery, delivery_teams.TeamsDelivery)."""

    name: str

    async def post_card(self, address: Any, view: CardView, key: str) -> dict[str, Any]: ...
    async def update_card(self, ref: dict[str, Any], view: CardView) -> None: ...
    async def post_note(self, address: Any, note: Note, key: str) -> dict[str, Any]: ...
    async def find(self, address: Any, key: str, since: float | None = None) -> dict[str, Any] | None: ...


class Deliverer:
    def __init__(self, core: Core, platforms: dict[str, Platform]) -> None:
        self.core = core
        self.platforms = platforms

    # --- addresses -------------------------------------------------------------------------------
    async def routes(self, recipient: str) -> list[tuple[Platform, Any]]:
        """Where a recipient can be reached: (platform, address) pairs."""
        out: list[tuple[Platform, Any]] = []
        slack, teams = self.platforms.get("slack"), self.platforms.get("teams")
        rota = self.core.rota
        if recipient == SLACK_CHANNEL and slack and rota.fallback.slack_channel:
            out.append((slack, rota.fallback.slack_channel))
        elif recipient == TEAMS_CHANNEL and teams and rota.fallback.teams_channel:
            out.append((teams, teams.channel_address(rota.fallback.teams_channel)))  # type: ignore[attr-defined]
        elif recipient.startswith("person:"):
            person = rota.person(recipient[7:])
            if person is None:
                return []
            if slack and person.slack_user_id:
                out.append((slack, person.slack_user_id))
            if teams and person.teams_user_id:
                out.append((teams, user_hash(self.core.hash_key, "teams", person.teams_user_id)))
        return out

    async def reachable(self) -> set[str]:
        """Every rota recipient this worker can deliver to now (published in its heartbeat)."""
        out: set[str] = set()
        candidates = [f"person:{p.id}" for p in self.core.rota.people] + [SLACK_CHANNEL, TEAMS_CHANNEL]
        for recipient in candidates:
            for platform, address in await self.routes(recipient):
                if platform.name == "teams" and isinstance(address, str):
                    refs = getattr(platform, "references", None)  # a lead must have opened a chat once
                    if refs is not None and await refs.get_by_hash(address) is None:
                        continue
                out.add(recipient)
                break
        return out

    def practitioner_route(self, rec: Escalation) -> tuple[Platform | None, Any]:
        """The practitioner's platform and address; (None, None) for channels without push."""
        channel = rec.practitioner_channel
        if channel == "slack" and "slack" in self.platforms:
            return self.platforms["slack"], self.slack_user(rec)
        if channel == "teams" and "teams" in self.platforms:
            return self.platforms["teams"], rec.practitioner_hash
        return None, None

    def slack_user(self, rec: Escalation) -> str | None:
        """Decrypt the practitioner's Slack id, here and only here (never logged)."""
        try:
            raw = self.core.sealer.open(rec.practitioner_pid, rec.id)
        except HandleError:
            return None
        candidate = raw.rsplit(":", 1)[-1]  # "T123:U456" (team-qualified) or "U456"
        return candidate if _SLACK_USER.match(candidate) else None

    # --- views -----------------------------------------------------------------------------------
    def lead_status(self, rec: Escalation) -> str:
        c = self.core
        name = self._name
        if rec.state == PAGING:
            if rec.step < 0 and rec.handed_to:
                return (f"Handed over to {name(rec.handed_to)} by {name(rec.handed_by)} — waiting for them to "
                        "acknowledge.")
            steps = len(rec.policy.get("steps", [])) or 1
            return (f"Waiting for someone to acknowledge — paging step {rec.step + 1} of {steps}, round "
                    f"{rec.loop + 1} of {rec.policy.get('loops', 1)}.")
        if rec.state == ACKNOWLEDGED:
            return f"Acknowledged by {name(rec.acked_by)} at {c.local_time(rec.acked_ms)}."
        if rec.state == REMINDED:
            return (f"Acknowledged by {name(rec.acked_by)} at {c.local_time(rec.acked_ms)}; asked \"Still on it?\" "
                    f"at {c.local_time(rec.reminded_ms)}.")
        if rec.state == UNANSWERED:
            return (f"UNANSWERED: nobody acknowledged after {rec.policy.get('loops', 1)} rounds of paging. "
                    "The fallback is reminded daily. Acknowledge to pick it up.")
        return (f"Resolved by {name(rec.resolved_by)} at {c.local_time(rec.resolved_ms)} — outcome: "
                f"{OUTCOMES.get(rec.outcome, rec.outcome)}.")

    def _name(self, person_id: str) -> str:
        person = self.core.rota.person(person_id)
        return person.name if person else "someone no longer on the rota"

    def _who(self, person_id: str) -> str:
        person = self.core.rota.person(person_id)
        return f"{person.name} ({person.role_label})" if person else "the safeguarding lead"

    def card_view(self, rec: Escalation, platform: str) -> CardView:
        raised = dt.datetime.fromtimestamp(rec.created_ms / 1000, dt.UTC).astimezone(self.core.rota.tz)
        return CardView(
            esc_id=rec.id, urgent=rec.urgent, state=rec.state, status=self.lead_status(rec),
            raised=f"{raised:%a %d %b, %H:%M}", reason=REASON_LABELS.get(rec.reason, rec.reason),
            edition={"current": "current advice (2024)", "2008": "2008 course (historical)"}.get(
                rec.summary.get("edition", ""), rec.summary.get("edition", "")),
            answers=tuple((str(q), str(a)) for q, a in rec.summary.get("answers", [])),
            stuck_at=tuple(str(q) for q in rec.summary.get("stuck_at", [])),
            practitioner=self.practitioner_handle(rec, platform), actions=actions_for(rec.state),
            people=tuple((p.id, f"{p.name} ({p.role_label})") for p in self.core.rota.people),
        )

    def practitioner_handle(self, rec: Escalation, platform: str) -> str:
        if platform == "slack" and rec.practitioner_channel == "slack":
            uid = self.slack_user(rec)
            if uid:
                return f"<@{uid}> — message them directly, or use Reply to write through the bot."
        where = {"slack": "Slack", "teams": "Teams", "web": "the web chat", "terminal": "a terminal"}.get(
            rec.practitioner_channel, "chat")
        if rec.practitioner_channel in ("slack", "teams"):
            return f"asked in {where}: use Reply to message them through the bot."
        return f"asked in {where}, where replies cannot reach them: they have been given the duty phone numbers."

    # --- handling --------------------------------------------------------------------------------
    async def handle(self, message: dict[str, Any]) -> str:
        kind = message.get("k")
        if kind == "gaps":
            return await self.gaps(message)
        esc_id = str(message.get("id", ""))
        rec = await self.core.records.load(esc_id) if esc_id else None
        if rec is None:
            return "gone"
        if kind == "page":
            return await self.page(rec, message)
        if kind == "update":
            return await self.update(rec)
        if kind == "tell":
            return await self.tell(rec, message)
        if kind == "relay":
            return await self.relay(rec, message)
        if kind == "remind":
            return await self.remind(rec, message)
        return "unknown"

    async def _once(self, rec: Escalation, n: Any, recipient: str, platform: Platform, address: Any,
                    send: Any) -> dict[str, Any] | None:
        """Run ``send(key)`` once per (escalation, n, recipient, platform); None if done before."""
        key = f"{rec.id}:{n}:{recipient}|{platform.name}"
        sent_key = self.core.keys.sent(rec.id, n, f"{recipient}|{platform.name}")
        client = self.core.client
        # Wall-clock time (not the service clock): it bounds the platform-side search in find().
        claimed = await client.set(sent_key, f"pending:{time.time():.3f}", nx=True, ex=SENT_TTL)
        if not claimed:
            state = (await client.get(sent_key) or b"").decode()
            if state == "done":
                return None
            if not getattr(platform, "can_find", True) and state.startswith("sending:"):
                # An earlier attempt died mid-post and this platform keeps no history we can search
                # (Teams: creating an activity is not idempotent). Posting again would page twice;
                # not posting may miss one, which the chain's next step covers. Say so in the chronology.
                # ("pending:" means it died before the request left: then posting is safe, below.)
                await client.set(sent_key, "done", ex=SENT_TTL)
                await self.core.records.append(rec.id, [self.core.ev(
                    "delivery_uncertain", target=recipient.replace("person:", "")[:60], channel=platform.name)])
                return None
            since = float(state.partition(":")[2] or 0) or None
            if getattr(platform, "can_find", True):
                found = await platform.find(address, key, since)  # an earlier attempt died mid-way: did it post?
                if found is not None:
                    await client.set(sent_key, "done", ex=SENT_TTL)
                    return found

        async def sending() -> None:
            await client.set(sent_key, f"sending:{time.time():.3f}", xx=True, ex=SENT_TTL)

        hook = BEFORE_SEND.set(sending)
        try:
            ref = await send(key)
        except Exception:
            # The platform answered with an error (or never got the request): nothing was posted
            # that we know of, so a retry may post. Only a process dying mid-call leaves a claim.
            await client.delete(sent_key)
            raise
        finally:
            BEFORE_SEND.reset(hook)
        await client.set(sent_key, "done", ex=SENT_TTL)
        return ref

    async def page(self, rec: Escalation, message: dict[str, Any]) -> str:
        recipient = str(message.get("to", ""))
        why = str(message.get("why", "page"))
        if rec.state == RESOLVED or (rec.state in (ACKNOWLEDGED, REMINDED) and why != "upgrade"):
            return "moot"  # picked up or closed before this page went out; the card update says so
        routes = await self.routes(recipient)
        if not routes:
            await self._failed(rec, recipient, "-", "no_route")
            return "no_route"
        cards = await self.core.records.cards(rec.id)
        delivered = 0
        for platform, address in routes:
            slot = f"{recipient}|{platform.name}"
            view = self.card_view(rec, platform.name)
            try:
                if slot not in cards:
                    ref = await self._once(rec, message.get("n"), recipient, platform, address,
                                           lambda key, p=platform, a=address, v=view: p.post_card(a, v, key))
                    if ref is not None:
                        await self.core.records.save_card(rec.id, slot, ref)
                else:
                    note = self.nudge(rec, why, message)
                    ref = await self._once(rec, message.get("n"), recipient, platform, address,
                                           lambda key, p=platform, a=address, nt=note: p.post_note(a, nt, key))
                    await platform.update_card(cards[slot], view)
            except Permanent as exc:
                await self._failed(rec, recipient, platform.name, exc.code)
                continue
            delivered += 1
            if ref is not None:
                await self.core.records.append(rec.id, [self.core.ev(
                    "notified", target=recipient.replace("person:", ""), channel=platform.name, why=why)])
                metrics.ESCALATION_DELIVERIES.labels(kind="page", result="ok").inc()
        return "paged" if delivered else "failed"

    def nudge(self, rec: Escalation, why: str, message: dict[str, Any]) -> Note:
        ref = reference(rec.id)
        urgency = "URGENT " if rec.urgent else ""
        if why == "handover":
            text = f"{self._name(rec.handed_by)} has handed {urgency}escalation {ref} to you. Please acknowledge it."
        elif why == "unanswered":
            text = (f"UNANSWERED: {urgency}escalation {ref} has had no acknowledgement after all rounds of paging. "
                    "Please acknowledge it.")
        elif why == "unanswered_reminder":
            text = f"Daily reminder: {urgency}escalation {ref} is still unanswered. Please acknowledge it."
        elif why == "upgrade":
            text = f"Escalation {ref} is now marked URGENT: a child may be at risk."
        else:
            text = (f"Reminder: {urgency}escalation {ref} is still waiting for someone to acknowledge it "
                    f"(step {int(message.get('step', 0)) + 1}, round {int(message.get('loop', 0)) + 1}).")
        return Note(esc_id=rec.id, text=text, actions=("ack",) if rec.state in (PAGING, UNANSWERED) else (),
                    warning=rec.urgent)

    async def gaps(self, message: dict[str, Any]) -> str:
        """The weekly rota-gap message to one lead, once per week and platform."""
        recipient = str(message.get("to", ""))
        note = Note(esc_id="", text=str(message.get("text", ""))[:2900])
        sent = 0
        for platform, address in await self.routes(recipient):
            key = self.core.keys.sent("gaps", str(message.get("week", "")), f"{recipient}|{platform.name}")
            if not await self.core.client.set(key, "done", nx=True, ex=SENT_TTL):
                continue
            try:
                await platform.post_note(address, note, f"gaps:{message.get('week')}:{recipient}|{platform.name}")
            except Permanent as exc:
                log.warning("rota-gap message not delivered: %s", exc.code)
                continue
            except Exception:
                await self.core.client.delete(key)  # not posted: the retry may post
                raise
            sent += 1
        return "gaps_sent" if sent else "gaps_skipped"

    async def update(self, rec: Escalation) -> str:
        cards = await self.core.records.cards(rec.id)
        for slot, ref in cards.items():
            platform = self.platforms.get(slot.rsplit("|", 1)[-1])
            if platform is None:
                continue
            try:
                await platform.update_card(ref, self.card_view(rec, platform.name))
            except Permanent as exc:
                log.warning("escalation card not updated: %s", exc.code)
        return "updated"

    async def _failed(self, rec: Escalation, recipient: str, channel: str, code: str) -> None:
        metrics.ESCALATION_DELIVERIES.labels(kind="page", result=code).inc()
        await self.core.records.append(rec.id, [self.core.ev(
            "delivery_failed", target=recipient.replace("person:", ""), channel=channel, error=code)])

    # --- the practitioner --------------------------------------------------------------------------
    def tell_note(self, rec: Escalation, what: str) -> Note:
        ref = reference(rec.id)
        if what == "picked_up":
            return Note(rec.id, f"{self._who(rec.acked_by)} picked up your request {ref} at "
                                f"{self.core.local_time(rec.acked_ms)}. They may message you here or contact you "
                                "directly.")
        if what == "resolved":
            label = OUTCOMES.get(rec.outcome, rec.outcome)
            return Note(rec.id, f"Your request {ref} was resolved by {self._who(rec.resolved_by)} at "
                                f"{self.core.local_time(rec.resolved_ms)}. Outcome: {label}. Add this to your "
                                "decision record:", record=self.record_text(rec))
        if what == "unanswered":
            contacts = "; ".join(f"{c.label}: {c.number}" for c in self.core.config.urgent_contacts)
            return Note(rec.id, f"Nobody on the safeguarding rota has picked up your request {ref} yet. I've told "
                                "the safeguarding team and will keep reminding them every day until someone does. "
                                f"If you need advice now: {contacts}.", warning=True)
        if what == "handed_over":
            return Note(rec.id, f"Your request {ref} has been passed to {self._who(rec.handed_to)}.")
        if what == "requeued":
            return Note(rec.id, f"The person who picked up your request {ref} hasn't confirmed they're still on it, "
                                "so I'm contacting the on-duty safeguarding lead again.")
        return Note(rec.id, f"Update on your request {ref}: {self.lead_status(rec)}")

    def record_text(self, rec: Escalation) -> str:
        tz = self.core.rota.tz
        raised = dt.datetime.fromtimestamp(rec.created_ms / 1000, dt.UTC).astimezone(tz)
        done = dt.datetime.fromtimestamp((rec.resolved_ms or 0) / 1000, dt.UTC).astimezone(tz)
        try:
            reason = self.core.sealer.open(rec.outcome_reason, rec.id) if rec.outcome_reason else ""
        except HandleError:
            reason = "(not readable)"
        return "\n".join([
            "ADVICE FROM THE SAFEGUARDING LEAD",
            f"Reference: {reference(rec.id)}",
            f"Advice sought: {raised:%d %B %Y, %H:%M} ({tz.key})",
            f"Advice given by: {self._who(rec.resolved_by)}, {done:%d %B %Y, %H:%M}",
            f"Outcome: {OUTCOMES.get(rec.outcome, rec.outcome)}",
            f"Reason: {reason}",
            "No names or identifying details are included in this record.",
        ])

    async def keep_record(self, rec: Escalation) -> None:
        """Append the lead's outcome to the practitioner's kept decision records (golden rule 7)."""
        store = self.core.store
        if store is None:
            return
        await store.put(record_key(rec.practitioner_hash, f"esc-{rec.id}"), {
            "kind": "escalation_outcome", "reference": reference(rec.id), "outcome": rec.outcome,
            "outcome_label": OUTCOMES.get(rec.outcome, rec.outcome), "text": self.record_text(rec),
            "resolved_at": (rec.resolved_ms or 0) / 1000,
        }, self.core.config.retention.records_seconds)

    async def to_practitioner(self, rec: Escalation, note: Note, n: Any, label: str) -> str:
        platform, address = self.practitioner_route(rec)
        status = "sent"
        if platform is None or address is None:
            # Terminal or web: no push. Keep it (sealed) for the next time they look.
            key = self.core.keys.inbox(rec.practitioner_hash)
            await self.core.client.rpush(key, self.core.sealer.seal(
                note.text + (f"\n{note.quote}" if note.quote else "") + (f"\n{note.record}" if note.record else ""),
                rec.practitioner_hash))
            await self.core.client.expire(key, self.core.config.retention.records_seconds)
            status = "inbox"
        else:
            try:
                await self._once(rec, n, f"practitioner:{label}", platform, address,
                                 lambda key: platform.post_note(address, note, key))
            except Permanent as exc:
                status = exc.code
        await self.core.records.append(rec.id, [self.core.ev(
            "practitioner_told", status=f"{label}_{status}"[:60], channel=rec.practitioner_channel or "-")])
        return status

    async def tell(self, rec: Escalation, message: dict[str, Any]) -> str:
        what = str(message.get("what", ""))
        if what == "resolved":
            await self.keep_record(rec)
        return await self.to_practitioner(rec, self.tell_note(rec, what), message.get("n"), what)

    async def relay(self, rec: Escalation, message: dict[str, Any]) -> str:
        try:
            text = self.core.sealer.open(str(message.get("text", "")), rec.id)
        except HandleError:
            return "unreadable"
        ref = reference(rec.id)
        if message.get("dir") == "to_practitioner":
            note = Note(rec.id, f"Message from {self._who(str(message.get('by', '')))} about your request {ref}:",
                        quote=text, actions=("preply",) if rec.state != RESOLVED else ())
            return await self.to_practitioner(rec, note, message.get("n"), "relay")
        recipient = str(message.get("to", ""))
        note = Note(rec.id, f"Message from the practitioner about escalation {ref}:", quote=text,
                    actions=("reply",) if rec.state != RESOLVED else ())
        await self.note_to(rec, message, recipient, note)
        return "relayed"

    async def note_to(self, rec: Escalation, message: dict[str, Any], recipient: str, note: Note) -> None:
        """Send ``note`` on every platform that reaches ``recipient``, once per outbound message."""
        for platform, address in await self.routes(recipient):
            try:
                await self._once(rec, message.get("n"), recipient, platform, address,
                                 lambda key, p=platform, a=address: p.post_note(a, note, key))
            except Permanent as exc:
                await self._failed(rec, recipient, platform.name, exc.code)

    async def remind(self, rec: Escalation, message: dict[str, Any]) -> str:
        if rec.state != REMINDED:
            return "moot"
        minutes = round(float(rec.policy.get("still_on_it_minutes", 10)))
        note = Note(rec.id, f"Still on it? You acknowledged escalation {reference(rec.id)} at "
                            f"{self.core.local_time(rec.acked_ms)}. If you don't confirm within {minutes} minutes, it "
                            f"goes back to the {SLOT_LABELS['lead']} rota.", actions=("still", "resolve"))
        recipient = str(message.get("to", ""))
        await self.note_to(rec, message, recipient, note)
        return "reminded"
