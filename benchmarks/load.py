"""Simulated practitioners walking the flowchart through the HTTP edges, for benchmarks and soak tests.

Each :class:`SlackUser` / :class:`TeamsUser` is one person in a personal chat with the bot: start,
answer every question until an outcome, start again. Requests go over real HTTP to a canishare
server (``canishare serve`` in a subprocess, or the app factory on an aiohttp TestServer), signed
as Slack signs them or shaped as Teams sends them; the bot's answers land in the repository's own
fakes (``bot/testing/fake_slack.py``, ``bot/testing/teams.py``), extended for load in
:mod:`bot.testing.load`.

A :class:`Tally` keeps what happened: HTTP status and ack latency per request kind, the time from a
request to the bot's answer, outcomes reached, polite "storage unavailable" answers, errors and
lost turns (a request acknowledged but never answered). Nothing here reads user text from logs.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import re
import secrets
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import aiohttp

from bot.testing.fake_slack import FakeSlack, Message, dm_of, visible
from bot.testing.load import LoadConnector, LoadSlack
from bot.testing.slack import FORM, SlackHarness
from bot.testing.teams import TENANT, personal_message, submit_data
from bot.testing.teams import Call as TeamsCall

SLACK_PATH = "/slack/events"
TEAMS_PATH = "/api/messages"
DEGRADED_MARK = "storage is unavailable"  # the engine's polite answer while the store is down
RECORD_LABEL = "Full record"  # every walk ends in an outcome whose decision record is this button away
REFERENCE = re.compile(r"\b(ESC-[A-Za-z0-9_-]+)")


# --- what happened -------------------------------------------------------------------------------
@dataclass
class Tally:
    acks: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))  # kind -> seconds
    timeline: list[tuple[float, float]] = field(default_factory=list)  # (monotonic time answered, seconds)
    answers: list[float] = field(default_factory=list)  # request sent -> bot's answer seen
    statuses: Counter[str] = field(default_factory=Counter)  # "slack.click 200"
    errors: list[str] = field(default_factory=list)
    lost: int = 0  # acknowledged, never answered
    outcomes: int = 0  # walks that reached an outcome (and its decision record)
    degraded: int = 0  # answered politely while the store was down
    restarts: int = 0  # walks started again (after an outage lost the place, or a stale click)
    escalations: int = 0  # "Talk to someone" pressed and answered by the bot
    references: set[str] = field(default_factory=set)  # escalation references the bot gave ("ESC-...")

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.acks.values())

    def ack(self, kind: str, seconds: float, status: int, ok: Iterable[int]) -> bool:
        self.acks[kind].append(seconds)
        self.timeline.append((time.monotonic(), seconds))
        self.statuses[f"{kind} {status}"] += 1
        if status not in ok:
            self.errors.append(f"{kind}: HTTP {status}")
            return False
        return True

    def all_acks(self) -> list[float]:
        return [s for values in self.acks.values() for s in values]


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


# --- the people ----------------------------------------------------------------------------------
@dataclass
class Turned:
    """What the bot answered to one request."""

    kind: str  # "question" | "outcome" | "degraded" | "other" | "lost" | "refused"
    question: Any = None  # the message/card to click next
    words: str = ""  # what the bot said, as plain text


def ref_node(ref: str) -> str:
    parts = ref.split(".")
    return parts[1] if len(parts) > 2 else ""


class Person:
    """One practitioner: walks the flowchart again and again until ``deadline``."""

    edge = "?"

    def __init__(self, n: int, session: aiohttp.ClientSession, base_url: str, tally: Tally, *,
                 rng: random.Random, answer_timeout: float = 20.0, recover_for: float = 60.0,
                 talk_share: float = 0.0, think: float = 0.0, ramp: float = 0.0, walks: int = 0) -> None:
        self.n = n
        self.session = session
        # "http://a,http://b": each request goes to the next server in turn, so every conversation
        # is served by several processes (state lives only in Redis).
        self.urls = [u.rstrip("/") for u in base_url.split(",")]
        shift = n % len(self.urls)
        self._next_url = itertools.cycle(self.urls[shift:] + self.urls[:shift]) if len(self.urls) > 1 else None
        self.tally = tally
        self.rng = rng
        self.answer_timeout = answer_timeout  # after this, an acknowledged request counts as lost
        self.recover_for = recover_for  # how long to keep retrying while the store is down
        self.talk_share = talk_share  # share of walks that end with "Not sure" -> "Talk to someone"
        self.talking = False
        self.think = think  # mean seconds spent reading each answer before the next click (0: none)
        self.ramp = ramp  # each person starts at a random moment within this many seconds
        self.walks = walks  # stop after this many walks (0: walk until the deadline)
        self.walked = 0

    @property
    def base_url(self) -> str:
        return next(self._next_url) if self._next_url is not None else self.urls[0]

    async def run(self, deadline: float) -> None:
        if self.ramp:
            await asyncio.sleep(self.rng.uniform(0, self.ramp))
        while time.monotonic() < deadline and not (self.walks and self.walked >= self.walks):
            self.walked += 1
            try:
                await self.walk()
            except (aiohttp.ClientError, OSError, TimeoutError) as exc:
                self.tally.errors.append(f"{self.edge}: {type(exc).__name__}")
                await asyncio.sleep(0.2)

    def choose(self, node: str, options: Iterable[str]) -> str:
        options = set(options)
        if node == "urgent":
            return "no"  # the triage question: the rest of the walk is what we measure
        if "talk" in options and self.talking:
            return "talk"
        if "not_sure" in options and self.talking:
            return "not_sure"
        return self.rng.choice(("yes", "no", "no"))

    async def walk(self) -> None:
        self.talking = self.rng.random() < self.talk_share
        turned = await self.retry_while_degraded(self.start)
        while turned.kind == "question":
            if self.think:
                await asyncio.sleep(self.rng.expovariate(1 / self.think))
            choice = self.choose(*self.describe(turned.question))
            if choice == "talk":
                turned = await self.retry_while_degraded(lambda q=turned.question: self.click(q, "talk"))
                if turned.kind in ("other", "outcome"):
                    self.tally.escalations += 1
                    self.tally.outcomes += 1
                    self.tally.references.update(REFERENCE.findall(turned.words))
                    return
            else:
                turned = await self.retry_while_degraded(lambda q=turned.question, c=choice: self.click(q, c))
        references = REFERENCE.findall(turned.words) if turned.kind == "other" and self.talking else []
        if turned.kind == "outcome":
            self.tally.outcomes += 1
        elif references:
            # "Not sure" led to the flowchart's own "talk to someone" outcome, which raised the
            # request (or named the one already open): an escalation, not a lost place.
            self.tally.escalations += 1
            self.tally.outcomes += 1
            self.tally.references.update(references)
        elif turned.kind == "other":
            self.tally.restarts += 1  # a stale question (the store lost our place): start again

    async def retry_while_degraded(self, send: Callable[[], Awaitable[Turned]]) -> Turned:
        until = time.monotonic() + self.recover_for
        pause = 0.2
        while True:
            turned = await send()
            if turned.kind != "degraded":
                return turned
            self.tally.degraded += 1
            if time.monotonic() > until:
                self.tally.errors.append(f"{self.edge}: store still unavailable after {self.recover_for:.0f} s")
                return Turned("refused")
            await asyncio.sleep(pause)
            pause = min(pause * 2, 2.0)

    # per edge
    async def start(self) -> Turned:
        raise NotImplementedError

    async def click(self, question: Any, choice: str) -> Turned:
        raise NotImplementedError

    def describe(self, question: Any) -> tuple[str, list[str]]:
        raise NotImplementedError


class SlackRequests:
    """Request bodies and signatures, built by the Slack test harness's own methods."""

    command_body = SlackHarness.command_body
    click_payload = SlackHarness.click_payload
    signed = staticmethod(SlackHarness.signed)

    def __init__(self, fake: FakeSlack) -> None:
        self.fake = fake
        # A run-unique start, so trigger ids (the engine's idempotency keys) never repeat across runs.
        self._ids = itertools.count(secrets.randbelow(10**9) * 1000)


class SlackUser(Person):
    edge = "slack"

    def __init__(self, n: int, session: aiohttp.ClientSession, base_url: str, tally: Tally, *,
                 fake: LoadSlack, requests: SlackRequests, run: str, **kwargs: Any) -> None:
        super().__init__(n, session, base_url, tally, **kwargs)
        self.fake = fake
        self.requests = requests
        self.user = f"U{run}{n:06d}".upper()
        self.dm = dm_of(self.user)

    async def post(self, kind: str, body: str) -> bool:
        headers = self.requests.signed(body, FORM)
        started = time.perf_counter()
        async with self.session.post(self.base_url + SLACK_PATH, data=body.encode(), headers=headers) as response:
            await response.read()
        return self.tally.ack(kind, time.perf_counter() - started, response.status, (200,))

    async def start(self) -> Turned:
        seen = len(self.fake.in_channel(self.dm))
        sent = time.perf_counter()
        if not await self.post("slack.command", self.requests.command_body("", self.user, self.dm)):
            return Turned("refused")
        return await self.answered(seen, sent)

    async def click(self, question: Message, choice: str) -> Turned:
        label = {"yes": "Yes", "no": "No", "not_sure": "Not sure", "talk": "Talk to someone"}[choice]
        payload = self.requests.click_payload(question, label, self.user)
        seen = len(self.fake.in_channel(self.dm))
        sent = time.perf_counter()
        if not await self.post("slack.click", "payload=" + quote(json.dumps(payload))):
            return Turned("refused")
        return await self.answered(seen, sent, escalating=choice in ("talk", "not_sure"))

    def describe(self, question: Message) -> tuple[str, list[str]]:
        buttons = [e for b in question.blocks if b["type"] == "actions" for e in b["elements"]]
        values = [json.loads(e["value"]) for e in buttons]
        return ref_node(values[0].get("r", "")), [v["a"] for v in values]

    async def answered(self, seen: int, sent: float, escalating: bool = False) -> Turned:
        """Wait for the bot's answer in the DM: new messages, ending in a question, an outcome or a notice."""
        deadline = time.monotonic() + self.answer_timeout
        while True:
            new = self.fake.in_channel(self.dm)[seen:]
            turned = classify_slack(new, escalating)
            if turned is not None:
                self.tally.answers.append(time.perf_counter() - sent)
                return turned
            if time.monotonic() > deadline:
                self.tally.lost += 1
                self.tally.errors.append("slack: acknowledged but never answered")
                return Turned("lost")
            await self.fake.waiters.wait(self.dm, deadline - time.monotonic())


def has_button(message: Message, label: str) -> bool:
    return any(e.get("text", {}).get("text") == label
               for b in message.blocks if b["type"] == "actions" for e in b["elements"])


def classify_slack(new: list[Message], escalating: bool = False) -> Turned | None:
    """``escalating``: this turn may raise a request. Otherwise a message naming a request (ESC-...)
    is the worker's later news about an earlier one, which can land in the DM at any moment, and
    is not this turn's answer."""
    if not escalating:
        new = [m for m in new if not REFERENCE.search(visible(m.blocks) or m.text or "")]
    if not new:
        return None
    last = new[-1]
    if has_button(last, "Yes") and has_button(last, "No"):
        return Turned("question", last)
    words = "\n".join(visible(m.blocks) for m in new)
    if has_button(last, RECORD_LABEL):
        return Turned("outcome", words=words)
    if DEGRADED_MARK in words:
        return Turned("degraded", words=words)
    return Turned("other", words=words)  # a menu or a notice: the walk is not where we left it


class TeamsUser(Person):
    edge = "teams"

    def __init__(self, n: int, session: aiohttp.ClientSession, base_url: str, tally: Tally, *,
                 connector: LoadConnector, run: str, **kwargs: Any) -> None:
        super().__init__(n, session, base_url, tally, **kwargs)
        self.connector = connector
        self.conv = f"a:bench-{run}-{n}"
        self.sender = {"id": f"29:bench-{run}-{n}", "name": "Bench Practitioner",
                       "aadObjectId": f"00000000-0000-4000-8000-{run[:4]}{n:08d}"}

    def activity(self, **kwargs: Any) -> dict[str, Any]:
        conversation = {"conversationType": "personal", "tenantId": TENANT, "id": self.conv}
        return personal_message(self.connector.url, conversation=conversation, **{"from": dict(self.sender)},
                                **kwargs)

    async def post(self, kind: str, activity: dict[str, Any]) -> Turned:
        seen = len(self.connector.by_conv[self.conv])
        started = time.perf_counter()
        async with self.session.post(self.base_url + TEAMS_PATH, json=activity) as response:
            await response.read()
        elapsed = time.perf_counter() - started
        if not self.tally.ack(kind, elapsed, response.status, (200, 201)):
            return Turned("refused")
        # The adapter answers only after the bot has sent its replies: they are all here now.
        self.tally.answers.append(elapsed)
        turned = classify_teams(self.connector.by_conv[self.conv][seen:])
        if turned is None:
            self.tally.lost += 1
            self.tally.errors.append("teams: acknowledged but never answered")
            return Turned("lost")
        return turned

    async def start(self) -> Turned:
        return await self.post("teams.message", self.activity(text="start"))

    async def click(self, question: TeamsCall, choice: str) -> Turned:
        return await self.post("teams.click", self.activity(value=submit_data(question.card, choice),
                                                            reply_to=question.new_id))

    def describe(self, question: TeamsCall) -> tuple[str, list[str]]:
        from bot.testing.teams import all_actions

        data = [a["data"] for a in all_actions(question.card) if a["type"] == "Action.Submit"]
        return ref_node(data[0].get("r", "")), [d["a"] for d in data]


def classify_teams(new: list[TeamsCall]) -> Turned | None:
    sent = [c for c in new if c.kind in ("send", "reply")]
    if not sent:
        return None
    kinds = [c.kind_of_card for c in sent if c.cards()]
    words = json.dumps([c.body for c in sent], ensure_ascii=False)
    if "outcome" in kinds:  # the decision record is folded in the outcome's card
        return Turned("outcome", words=words)
    questions = [c for c in sent if c.cards() and c.kind_of_card == "question"]
    if questions:
        return Turned("question", questions[-1], words=words)
    if DEGRADED_MARK in words:
        return Turned("degraded", words=words)
    return Turned("other", words=words)


# --- a run -----------------------------------------------------------------------------------------
@dataclass
class Crowd:
    """Everyone taking part in one run, and where they send their requests."""

    slack: list[SlackUser]
    teams: list[TeamsUser]
    slack_tally: Tally
    teams_tally: Tally

    async def run(self, seconds: float, concurrency: int = 0) -> None:
        """Everyone walks until ``seconds`` have passed; ``concurrency``: at most this many at once."""
        deadline = time.monotonic() + seconds
        gate = asyncio.Semaphore(concurrency) if concurrency else None

        async def one(person: Person) -> None:
            if gate is None:
                await person.run(deadline)
                return
            async with gate:
                await person.run(deadline)

        await asyncio.gather(*(one(p) for p in [*self.slack, *self.teams]))


def crowd(session: aiohttp.ClientSession, base_url: str, *, slack: int, teams: int,
          fake: LoadSlack | None = None, connector: LoadConnector | None = None, seed: int = 7,
          **kwargs: Any) -> Crowd:
    run = secrets.token_hex(3)
    rng = random.Random(seed)
    slack_tally, teams_tally = Tally(), Tally()
    slack_users: list[SlackUser] = []
    if slack:
        assert fake is not None
        requests = SlackRequests(fake)
        slack_users = [SlackUser(n, session, base_url, slack_tally, fake=fake, requests=requests, run=run,
                                 rng=random.Random(rng.random()), **kwargs) for n in range(slack)]
    teams_users: list[TeamsUser] = []
    if teams:
        assert connector is not None
        teams_users = [TeamsUser(n, session, base_url, teams_tally, connector=connector, run=run,
                                 rng=random.Random(rng.random()), **kwargs) for n in range(teams)]
    return Crowd(slack_users, teams_users, slack_tally, teams_tally)


def client_session(limit: int = 0) -> aiohttp.ClientSession:
    # One pooled session for every simulated person; no limit, so the server sees the concurrency.
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=limit, force_close=False),
                                 timeout=aiohttp.ClientTimeout(total=60))
