"""Team quizzes in a channel: one question with buttons, answers kept private, results without names.

Platform-neutral: the Slack and Teams edges (and the scheduler) call :class:`TeamQuiz` and render
what it returns. A member's answer is stored against their keyed user hash with HSETNX, so a
second click never counts twice; the question closes exactly once (SET NX), and an answer that
arrives after the close time is refused politely. Results give the share of right answers, the
explanation and its source: never who answered or what anyone chose.

The weekly leaderboard is off unless a channel opts in. It lists pseudonyms derived from a keyed
hash of the person and channel ("Amber Heron 3f"), never names, and each person is told privately
which pseudonym is theirs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from bot.core import stats
from bot.core.config import OrgConfig
from bot.core.store import Store
from bot.storage.quiz_backend import TeamBackend, answers_key, closed_key, meta_key
from dialogs.messages import Answer, Choice, Menu, Notice, Reply, Text
from dialogs.quiz import LETTERS, QuizDialog, option_label, option_order, right_label
from knowledge.loader import Knowledge

log = logging.getLogger("canishare.quiz")

PREFIX = "quizteam:"
CHANNEL_TTL = 400 * 86400  # per-channel state: leaderboard opt-in, recent items, Teams reference
RECENT = 30  # a channel does not get the same item again within this many questions
GRACE = 3600  # a closed question's keys outlive its close time by this much (late clicks, sweeps)
ADJECTIVES = ("Amber", "Bright", "Calm", "Clever", "Coral", "Golden", "Green", "Indigo", "Jade", "Keen",
              "Lucky", "Misty", "Quiet", "Silver", "Swift", "Violet")
ANIMALS = ("Badger", "Bee", "Fox", "Hare", "Heron", "Kestrel", "Lynx", "Newt", "Otter", "Owl", "Puffin",
           "Robin", "Seal", "Stoat", "Swan", "Wren")

Clock = Callable[[], dt.datetime]


def team_choice(qid: str, index: int) -> str:
    return f"{PREFIX}{qid}:{index}"


def parse_team_choice(choice: object) -> tuple[str, int] | None:
    if not isinstance(choice, str) or not choice.startswith(PREFIX) or len(choice) > 100:
        return None
    qid, sep, index = choice[len(PREFIX):].rpartition(":")
    if not sep or not qid.isalnum() or not index.isdigit() or int(index) > 9:
        return None
    return qid, int(index)


@dataclass(frozen=True)
class Posted:
    """What to post in the channel after ``open``: the question, or a notice that one is open already."""

    qid: str
    replies: list[Reply]
    opened: bool


@dataclass(frozen=True)
class Results:
    qid: str
    platform: str
    channel: str
    message: str | None  # the platform's id of the question message, to take its buttons away
    replies: list[Reply]  # what to post: the share right, the explanation and its source
    closed_question: Reply  # the question as it should now read, without buttons


@dataclass(frozen=True)
class Ack:
    reply: Reply  # shown only to the person who answered
    results: Results | None = None  # to post, when this late answer is what closed the question
    counted: bool = False


@dataclass
class TeamQuiz:
    kb: Knowledge
    config: OrgConfig
    backend: TeamBackend
    store: Store
    hash_key: str
    clock: Clock = field(default=lambda: dt.datetime.now(dt.UTC))

    def __post_init__(self) -> None:
        self.dialog = QuizDialog(self.kb)
        self.tz = ZoneInfo(self.config.timezone)

    # --- names and keys ------------------------------------------------------------------------
    def channel_key(self, platform: str, channel: str) -> str:
        raw = f"quiz-channel\x1f{platform}\x1f{channel}".encode()
        return hmac.new(self.hash_key.encode(), raw, hashlib.sha256).hexdigest()[:24]

    def pseudonym(self, ck: str, member: str) -> str:
        digest = hmac.new(self.hash_key.encode(), f"quiz-pseudonym\x1f{ck}\x1f{member}".encode(),
                          hashlib.sha256).digest()
        return f"{ADJECTIVES[digest[0] % 16]} {ANIMALS[digest[1] % 16]} {digest[2]:02x}"

    def week(self, now: dt.datetime) -> str:
        year, week, _ = now.astimezone(self.tz).isocalendar()
        return f"{year}-W{week:02d}"

    def board_key(self, ck: str, now: dt.datetime) -> str:
        return f"quizlb:{ck}:{self.week(now)}"

    def local_time(self, timestamp: float) -> str:
        return dt.datetime.fromtimestamp(timestamp, self.tz).strftime("%H:%M")

    # One key per field, so setting the leaderboard, opening a question and remembering a Teams
    # reference never overwrite each other when they happen at the same moment.
    async def channel_get(self, ck: str, field_name: str) -> Any:
        return (await self.backend.get_json(f"quizchan:{ck}:{field_name}") or {}).get("v")

    async def channel_put(self, ck: str, field_name: str, value: Any) -> None:
        await self.backend.put_json(f"quizchan:{ck}:{field_name}", {"v": value}, CHANNEL_TTL)

    async def leaderboard_on(self, ck: str) -> bool:
        return bool(await self.channel_get(ck, "lb"))

    # --- open -----------------------------------------------------------------------------------
    async def open(self, platform: str, channel: str, item_id: str | None = None) -> Posted:
        now = self.clock()
        ck = self.channel_key(platform, channel)
        qid = secrets.token_hex(8)
        closes = now.timestamp() + self.config.quiz.close_seconds
        if not await self.backend.claim(f"quizteam:chan:{ck}", qid, self.config.quiz.close_seconds):
            current = await self.backend.get(f"quizteam:chan:{ck}")
            meta = await self.backend.get_json(meta_key(current)) if current else None
            when = f" It closes at {self.local_time(meta['closes'])}." if meta else ""
            return Posted(qid=current or "", opened=False,
                          replies=[Notice(text=f"A team quiz question is already open in this channel.{when}")])
        recent = [i for i in await self.channel_get(ck, "recent") or [] if i in self.kb.quiz]
        if item_id is None or item_id not in self.kb.quiz:
            fresh = [i for i in sorted(self.kb.quiz) if i not in recent] or sorted(self.kb.quiz)
            item_id = random.Random(qid).choice(fresh)
        meta = {"item": item_id, "platform": platform, "channel": channel, "ck": ck,
                "opened": now.timestamp(), "closes": closes, "msg": None}
        ttl = self.config.quiz.close_seconds + GRACE
        await self.backend.put_json(meta_key(qid), meta, ttl)
        await self.backend.schedule_close(qid, closes, ttl)
        await self.channel_put(ck, "recent", [*recent, item_id][-RECENT:])
        await stats.quiz_posted(self.store, now=now)
        return Posted(qid=qid, opened=True, replies=[self.question(qid, meta)])

    @staticmethod
    def seed(meta: dict[str, Any]) -> int:
        """One option order per team question (everyone in the channel sees the same message)."""
        raw = f"{meta.get('item')}\x1f{meta.get('closes')}".encode()
        return int.from_bytes(hashlib.sha256(raw).digest()[:4], "big")

    def question(self, qid: str, meta: dict[str, Any]) -> Menu:
        item = self.kb.quiz[meta["item"]]
        text = (f"Team quiz: everyone here can answer. Your answer stays private, and the results (no names) "
                f"come when the question closes at {self.local_time(meta['closes'])}.\n\n"
                f"{self.dialog.prompt_text(item, self.seed(meta))}")
        if item.kind == "true_false":
            options = (Choice(team_choice(qid, 0), "True"), Choice(team_choice(qid, 1), "False"))
        else:
            options = tuple(Choice(team_choice(qid, i), option_label(pos, item.options[i]))
                            for pos, i in enumerate(option_order(item, self.seed(meta))))
        return Menu(text=text, options=options, ref=qid)

    def closed_question(self, meta: dict[str, Any]) -> Text:
        item = self.kb.quiz[meta["item"]]
        return Text(text=f"Team quiz (closed; results below).\n\n{self.dialog.prompt_text(item, self.seed(meta))}")

    async def set_message(self, qid: str, message: str | None) -> None:
        """Remember the platform's id of the posted question, so closing can take its buttons away."""
        if not message:
            return
        meta = await self.backend.get_json(meta_key(qid))
        if meta is None:
            return
        meta["msg"] = message
        left = int(meta["closes"] - self.clock().timestamp()) + GRACE
        await self.backend.put_json(meta_key(qid), meta, max(left, 60))

    # --- answer ---------------------------------------------------------------------------------
    def label(self, meta: dict[str, Any], index: int) -> str | None:
        item = self.kb.quiz[meta["item"]]
        if item.kind == "true_false":
            return {0: "True", 1: "False"}.get(index)
        if index >= len(item.options):
            return None
        return f"{LETTERS[option_order(item, self.seed(meta)).index(index)]}. {item.options[index]}"

    def is_right(self, meta: dict[str, Any], index: int) -> bool:
        item = self.kb.quiz[meta["item"]]
        if item.kind == "true_false":
            return index in (0, 1) and (index == 0) == (item.answer == "true")
        return index < len(item.options) and item.options[index] == item.answer

    async def answer(self, platform: str, member: str, choice: str) -> Ack:
        """Record one member's answer (``member`` is the keyed user hash, never a platform id)."""
        parsed = parse_team_choice(choice)
        meta = await self.backend.get_json(meta_key(parsed[0])) if parsed else None
        if parsed is None or meta is None or meta.get("platform") != platform or meta.get("item") not in self.kb.quiz:
            return Ack(Notice(text="Sorry, I can't find that quiz question any more, so I couldn't record your "
                                   "answer."))
        qid, index = parsed
        label = self.label(meta, index)
        if label is None:
            return Ack(Notice(text="Sorry, I don't recognise that answer."))
        now = self.clock()
        if now.timestamp() >= meta["closes"]:
            return Ack(self.closed_ack(), results=await self.close(qid))
        ttl = int(meta["closes"] - now.timestamp()) + GRACE
        result = await self.backend.answer(qid, member, str(index), ttl)
        if result == "again":
            return Ack(Notice(text="You've already answered this question. Only your first answer counts."))
        if result in ("closed", "missing"):
            return Ack(self.closed_ack())
        text = (f"Thanks, your answer ({label}) is recorded. Only you can see this. I'll post the results in the "
                f"channel when the question closes at {self.local_time(meta['closes'])}.")
        if await self.leaderboard_on(meta["ck"]):
            text += f" On this channel's leaderboard you appear as {self.pseudonym(meta['ck'], member)}."
        return Ack(Text(text=text), counted=True)

    @staticmethod
    def closed_ack() -> Notice:
        return Notice(text="Sorry, this question has closed, so I can't count that answer. The results are in the "
                           "channel. Look out for the next one!")

    # --- close ----------------------------------------------------------------------------------
    async def close(self, qid: str) -> Results | None:
        """Close a question and build its results. Only the first caller gets them (the rest: None)."""
        meta = await self.backend.get_json(meta_key(qid))
        if meta is None or meta.get("item") not in self.kb.quiz:
            await self.backend.unschedule(qid)
            return None
        if not await self.backend.claim(closed_key(qid), "1", GRACE):
            return None
        await self.backend.unschedule(qid)
        ck = meta["ck"]
        if await self.backend.get(f"quizteam:chan:{ck}") == qid:
            await self.backend.delete(f"quizteam:chan:{ck}")  # the channel may open its next question
        answers = await self.backend.answers(qid)
        right = [member for member, option in answers.items()
                 if option.isdigit() and self.is_right(meta, int(option))]
        now = self.clock()
        if await self.leaderboard_on(ck):
            ttl = self.config.quiz.leaderboard_weeks * 7 * 86400
            for member in right:
                await self.backend.add_points(self.board_key(ck, now), self.pseudonym(ck, member), 1, ttl)
        for member in answers:
            await stats.quiz_answered(self.store, member, correct=member in right, now=now)
        return Results(qid=qid, platform=meta["platform"], channel=meta["channel"], message=meta.get("msg"),
                       replies=self.results(meta, len(answers), len(right)), closed_question=self.closed_question(meta))

    def results(self, meta: dict[str, Any], answered: int, right: int) -> list[Reply]:
        item = self.kb.quiz[meta["item"]]
        if answered:
            share = round(100 * right / answered)
            people = "person" if answered == 1 else "people"
            line = (f"Team quiz results: {right} of the {answered} {people} who answered got it right ({share}%). "
                    "Thanks for taking part.")
        else:
            line = "Team quiz closed: nobody answered this time."
        feedback = self.dialog.feedback(item, True)
        seed = self.seed(meta)
        explained = Answer(text=feedback.text, title=f"The answer: {right_label(item, seed)}.", source=feedback.source)
        return [Text(text=f"{line}\n\n{self.dialog.prompt_text(item, seed)}"), explained]

    async def cancel(self, qid: str) -> None:
        """Withdraw a question that could not be posted: no results, and the channel is free again."""
        meta = await self.backend.get_json(meta_key(qid))
        await self.backend.claim(closed_key(qid), "1", GRACE)
        await self.backend.unschedule(qid)
        if meta and await self.backend.get(f"quizteam:chan:{meta['ck']}") == qid:
            await self.backend.delete(f"quizteam:chan:{meta['ck']}")

    async def close_in(self, platform: str, channel: str) -> Results | None:
        """Close the question open in this channel now (``quiz team close``)."""
        qid = await self.backend.get(f"quizteam:chan:{self.channel_key(platform, channel)}")
        return await self.close(qid) if qid else None

    async def close_due(self, limit: int = 100) -> list[Results]:
        out = []
        for qid in await self.backend.due(self.clock().timestamp(), limit):
            results = await self.close(qid)
            if results is not None:
                out.append(results)
        return out

    # --- leaderboard ------------------------------------------------------------------------------
    async def set_leaderboard(self, platform: str, channel: str, on: bool) -> Reply:
        await self.channel_put(self.channel_key(platform, channel), "lb", on)
        if on:
            return Text(text="The weekly quiz leaderboard is on for this channel. It shows pseudonyms, never names: "
                             "each person is told privately which one is theirs when they answer.")
        return Text(text="The weekly quiz leaderboard is off for this channel.")

    async def leaderboard(self, platform: str, channel: str) -> Reply:
        ck = self.channel_key(platform, channel)
        if not await self.leaderboard_on(ck):
            return Text(text="The weekly leaderboard is off in this channel. To turn it on: \"quiz leaderboard on\" "
                             "(it shows pseudonyms, never names).")
        top = await self.backend.top(self.board_key(ck, self.clock()), 10)
        if not top:
            return Text(text="This week's quiz leaderboard is empty so far.")
        lines = [f"{n}. {name}: {points} point{'s' if points != 1 else ''}" for n, (name, points) in enumerate(top, 1)]
        return Text(text="This week's quiz leaderboard (pseudonyms, one point per right answer):\n" + "\n".join(lines))

    # --- Teams channels: where to post when nobody has just spoken there ------------------------
    async def remember_channel(self, platform: str, channel: str, reference: dict[str, Any]) -> None:
        await self.channel_put(self.channel_key(platform, channel), "ref", reference)

    async def channel_reference(self, platform: str, channel: str) -> dict[str, Any] | None:
        ref = await self.channel_get(self.channel_key(platform, channel), "ref")
        return ref if isinstance(ref, dict) else None


def team_quiz_for(services: Any) -> TeamQuiz:
    """The one TeamQuiz of a process (kept in ``services.extras`` so the memory backend is shared)."""
    existing = services.extras.get("quiz.team")
    if isinstance(existing, TeamQuiz):
        return existing
    from bot.storage.quiz_backend import backend_for

    team = TeamQuiz(kb=services.parts.kb, config=services.config, backend=backend_for(services.store),
                    store=services.store, hash_key=services.settings.hash_key)
    services.extras["quiz.team"] = team
    return team


__all__ = ["PREFIX", "Ack", "Posted", "Results", "TeamQuiz", "answers_key", "parse_team_choice", "team_choice",
           "team_quiz_for"]
