"""Scheduled team quizzes and the closing of due questions, run by ``canishare worker``.

Every ``interval`` seconds each worker looks at the organisation's ``quiz.schedule``: for each
entry it works out the latest slot (weekday and local time, in the organisation's timezone, so
09:30 stays 09:30 across the clock change) and, if that slot began less than ``MISSED_AFTER``
ago, claims it with SET NX on ``quizslot:<entry>:<slot>``. Only the worker whose claim succeeds
posts, so two (or twenty) workers fire each slot once, and a worker started late does not post a
quiz hours after its time. The same loop closes team questions whose time is up and posts their
results.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Mapping
from zoneinfo import ZoneInfo

from bot.app.quiz_posting import ChannelPoster, build_posters
from bot.core import metrics
from bot.core.quiz.config import QuizSlot
from bot.core.quiz.team import TeamQuiz
from bot.core.services import Services

log = logging.getLogger("canishare.quiz")

INTERVAL = 20.0
MISSED_AFTER = dt.timedelta(minutes=15)  # a slot is not fired once it is this far in the past
SLOT_TTL = 8 * 86400  # longer than the week between two slots of one entry

Clock = Callable[[], dt.datetime]


def latest_slot(slot: QuizSlot, now: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """The most recent occurrence of ``slot`` at or before ``now`` (an aware UTC datetime)."""
    local = now.astimezone(tz)
    hour, minute = slot.hour_minute
    for back in range(8):
        day = local.date() - dt.timedelta(days=back)
        if day.weekday() != slot.weekday_index:
            continue
        # zoneinfo resolves a wall time inside the spring-forward gap (fold=0) to the later offset,
        # so a 01:30 slot on that Sunday still fires once, at 02:30.
        at = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz).astimezone(dt.UTC)
        if at <= now:
            return at
    raise AssertionError("unreachable: every weekday occurs within eight days")


async def fire_due_slots(team: TeamQuiz, posters: Mapping[str, ChannelPoster], now: dt.datetime) -> int:
    """Post the quiz of every slot that is due now and not yet claimed. Returns how many this call posted."""
    tz = ZoneInfo(team.config.timezone)
    fired = 0
    for slot in team.config.quiz.schedule:
        at = latest_slot(slot, now, tz)
        if now - at > MISSED_AFTER:
            continue
        if not await team.backend.claim(f"quizslot:{slot.id}:{at.strftime('%Y%m%dT%H%M')}", "1", SLOT_TTL):
            continue  # another worker (or an earlier tick of this one) fired it
        poster = posters.get(slot.platform)
        if poster is None:
            log.warning("scheduled quiz not posted: %s is not configured in this process", slot.platform)
            continue
        posted = await team.open(slot.platform, slot.channel)
        if not posted.opened:
            log.info("scheduled quiz skipped: a question is still open in that channel")
            continue
        message = await poster.post_question(slot.channel, posted.replies[0], slot)
        await team.set_message(posted.qid, message)
        fired += 1
    return fired


async def close_due(team: TeamQuiz, posters: Mapping[str, ChannelPoster]) -> int:
    closed = 0
    for results in await team.close_due():
        poster = posters.get(results.platform)
        if poster is None:
            log.warning("quiz results not posted: %s is not configured in this process", results.platform)
            continue
        await poster.post_results(results)
        closed += 1
    return closed


async def tick(team: TeamQuiz, posters: Mapping[str, ChannelPoster], now: dt.datetime) -> None:
    try:
        await fire_due_slots(team, posters, now)
        await close_due(team, posters)
    except Exception as exc:  # a bad tick (store down, platform error) must not stop the loop
        metrics.ERRORS.labels(where="quiz_scheduler").inc()
        log.warning("quiz scheduler tick failed: %s", type(exc).__name__)


async def run(services: Services, stop: asyncio.Event, *, interval: float = INTERVAL, clock: Clock | None = None,
              posters: Mapping[str, ChannelPoster] | None = None) -> None:
    """Run until ``stop`` is set. ``canishare worker`` runs this next to the escalation timers."""
    team = services.team_quiz()
    if clock is not None:
        team.clock = clock
    posters = posters if posters is not None else build_posters(services, team)
    now_of = clock or (lambda: dt.datetime.now(dt.UTC))
    log.info("quiz scheduler running: %d scheduled quiz(zes)", len(services.config.quiz.schedule))
    while not stop.is_set():
        await tick(team, posters, now_of())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
