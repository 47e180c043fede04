"""Service statistics for the leads' report: daily counters, kept in the store, no personal data.

What is counted (names are the store's counter fields):

* ``questions`` turns that start a flowchart walk or ask a free-text question, with
  ``questions:flowchart`` and ``questions:free_text`` (and ``questions:not_answered`` for free text
  the knowledge base could not answer);
* ``outcome:<kind>`` flowchart outcomes reached (share, do_not_share, seek_advice, urgent);
* ``answered_by:<pack>`` free-text answers by where they came from: ``national`` or a local pack's name
  (a pack's local paragraph under a national answer counts for the pack too);
* ``esc:raised`` (``esc:raised_urgent``), ``esc:acknowledged``, ``esc:fallback``,
  ``esc:unanswered``, ``esc:resolved``: escalation events, reported by the escalation service;
* ``quiz:posted``, ``quiz:answers``, ``quiz:correct``: quiz activity, reported by the quiz;
* sample list ``ack_seconds``: seconds from raising an escalation to its acknowledgement;
* distinct-count set ``quiz:participants``: people who answered a quiz question, counted with a
  HyperLogLog in Redis, fed a one-way digest of the (already keyed) user hash, so no id is kept.

Every function here is best-effort: statistics must never cost a practitioner an answer, so a
store failure is logged (once per outage, by the store) and swallowed. Days are UTC dates.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterable, Mapping

from bot.core import metrics
from bot.core.store import Store
from dialogs.messages import Answer, Menu, Notice, Outcome, PrivacyNotice, Question, Quote, Reply, Text

log = logging.getLogger("canishare.stats")

# Counts hold nothing personal; 400 days lets a lead compare a month with the same month last year.
STATS_TTL_SECONDS = 400 * 86400
ACK_SECONDS = "ack_seconds"
QUIZ_PARTICIPANTS = "quiz:participants"
SAMPLE_NAMES = (ACK_SECONDS,)
# Escalation events counted for the report (``esc:<event>``).
ESCALATION_EVENTS = ("raised", "acknowledged", "fallback", "unanswered", "resolved")

START_INTENTS = ("start", "restart")
ANSWERED_BY = "answered_by:"
NATIONAL = "national"
ASK_PREFIX = "ask:"


def day_of(when: dt.datetime | None = None) -> str:
    when = when or dt.datetime.now(dt.UTC)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC).date().isoformat()


def days_back(until: dt.datetime, days: int) -> list[str]:
    """The UTC dates of the last ``days`` days, oldest first, ending with ``until``'s date."""
    last = dt.date.fromisoformat(day_of(until))
    return [(last - dt.timedelta(days=n)).isoformat() for n in range(days - 1, -1, -1)]


async def add(store: Store, counts: Mapping[str, int], *, samples: Mapping[str, float] | None = None,
              uniques: Mapping[str, str] | None = None, now: dt.datetime | None = None) -> bool:
    """Record counts for ``now``'s day. False (and nothing raised) when the store failed."""
    try:
        await store.stats_add(day_of(now), dict(counts), dict(samples or {}), dict(uniques or {}),
                              STATS_TTL_SECONDS)
        return True
    except Exception as exc:  # statistics are never worth a failed turn
        metrics.ERRORS.labels(where="stats").inc()
        log.warning("statistics not recorded: %s", type(exc).__name__)
        return False


# --- turns (called by the engine) ----------------------------------------------------------------

CHANNELS = ("slack", "teams", "web", "terminal")


def turn_counts(action: str | None, text: str, intent: str | None, replies: Iterable[Reply],
                cannot_answer: str) -> dict[str, int]:
    """What one handled turn adds to the counters. Pure, so the engine's tests can check it.

    ``action`` is the button pressed (or None for typed text), ``text`` the redacted typed text,
    ``intent`` what the typed text means as a button (None for free text), ``cannot_answer`` the
    text the knowledge base answers with when it has nothing.
    """
    replies = list(replies)
    counts: dict[str, int] = {}
    for reply in replies:
        if isinstance(reply, Outcome):
            key = f"outcome:{reply.outcome}"
            counts[key] = counts.get(key, 0) + 1
    if any(isinstance(r, (Notice, PrivacyNotice)) for r in replies):
        # A stale button, an unknown option or a held-back message: nothing was started or asked.
        return counts
    pressed = action or intent
    started = (pressed in START_INTENTS or (pressed or "").startswith("edition:")) and any(
        isinstance(r, Question) and r.step == 1 for r in replies)
    typed = action is None and intent is None and bool(text)
    asked = (typed or action == "privacy:use") and not started
    answered = any(isinstance(r, Answer) for r in replies) or any(
        isinstance(r, Menu) and any(c.id.startswith(ASK_PREFIX) for c in r.options) for r in replies)
    not_answered = any(isinstance(r, Text) and r.text == cannot_answer for r in replies)
    if started:
        counts["questions"] = 1
        counts["questions:flowchart"] = 1
    elif asked and (answered or not_answered):
        counts["questions"] = 1
        counts["questions:free_text"] = 1
        counts.update(dict.fromkeys(answered_by(replies), 1))
        if not_answered:
            counts["questions:not_answered"] = 1
    return counts


def answered_by(replies: Iterable[Reply]) -> list[str]:
    """``answered_by:<pack>`` counter names for one turn's answers: ``national`` or the local pack, once each."""
    names: list[str] = []
    for reply in replies:
        source = getattr(reply, "source", None)
        if isinstance(reply, Answer) or (isinstance(reply, Quote) and source is not None and source.pack):
            name = ANSWERED_BY + ((source.pack if source is not None else "") or NATIONAL)
            if name not in names:
                names.append(name)
    return names


# --- escalations (called by the escalation service) ----------------------------------------------
# The service counts its state transitions in Prometheus itself (metrics.ESCALATIONS); these
# functions keep the daily figures for the report, and the time-to-acknowledge histogram.

async def escalation_raised(store: Store, urgent: bool = False, now: dt.datetime | None = None) -> None:
    counts = {"esc:raised": 1}
    if urgent:
        counts["esc:raised_urgent"] = 1
    await add(store, counts, now=now)


async def escalation_acknowledged(store: Store, seconds: float, now: dt.datetime | None = None) -> None:
    """``seconds``: from raising to the first acknowledgement."""
    seconds = max(0.0, float(seconds))
    metrics.ACK_SECONDS.observe(seconds)
    await add(store, {"esc:acknowledged": 1}, samples={ACK_SECONDS: seconds}, now=now)


async def escalation_reached_fallback(store: Store, now: dt.datetime | None = None) -> None:
    await add(store, {"esc:fallback": 1}, now=now)


async def escalation_unanswered(store: Store, now: dt.datetime | None = None) -> None:
    await add(store, {"esc:unanswered": 1}, now=now)


async def escalation_resolved(store: Store, now: dt.datetime | None = None) -> None:
    await add(store, {"esc:resolved": 1}, now=now)


# --- quiz (called by the quiz) ---------------------------------------------------------------------

def participant_digest(user_hash: str) -> str:
    """A one-way digest for distinct counting: cannot be turned back into the user hash."""
    return hashlib.blake2b(user_hash.encode(), digest_size=8, person=b"canishare-quiz").hexdigest()


async def quiz_answered(store: Store, user_hash: str, correct: bool | None = None,
                        now: dt.datetime | None = None) -> None:
    """``user_hash`` is the engine's keyed hash (never a platform id)."""
    counts = {"quiz:answers": 1}
    if correct:
        counts["quiz:correct"] = 1
    await add(store, counts, uniques={QUIZ_PARTICIPANTS: participant_digest(user_hash)}, now=now)


async def quiz_posted(store: Store, now: dt.datetime | None = None) -> None:
    await add(store, {"quiz:posted": 1}, now=now)
