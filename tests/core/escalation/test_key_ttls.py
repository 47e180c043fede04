"""Every Redis key is bounded: a full run (escalations in every state, quiz, reports), then a scan.

Any key without a TTL must be one of the documented indexes (bot/keyspace.py), and README.md and
docs/operations.md must list exactly those.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from bot.core import report
from bot.core.engine import Engine, build_parts
from bot.core.escalation.delivery import Deliverer
from bot.core.escalation.queue import MAX_DELIVERIES
from bot.core.quiz.team import TeamQuiz, team_choice
from bot.storage import keyspace
from bot.storage.quiz_backend import RedisTeamBackend
from dialogs.turn import Turn
from tests.core.escalation.conftest import HASH_KEY, Harness, make_config

ROOT = Path(__file__).resolve().parents[3]


class Broken:
    name = "slack"

    async def post_card(self, *a: Any) -> Any:
        raise ConnectionResetError("no Slack today")

    post_note = post_card

    async def update_card(self, *a: Any) -> None:
        raise ConnectionResetError("no Slack today")

    async def find(self, *a: Any) -> None:
        return None


async def full_run(esc: Harness, unanswered: Harness) -> None:
    service = esc.service
    # Open (paging) and acknowledged-with-relays, from Slack; resolved from the web page (inbox).
    await esc.raise_(user="U0OPEN")
    await esc.raise_(user="U0ACK")
    ack_id = await esc.open_id(user="U0ACK")
    await esc.raise_(user="web-session-1", channel="web")
    web_id = await esc.open_id(user="web-session-1", channel="web")
    await esc.drain()
    amy = esc.person("amy")
    await service.acknowledge(amy, ack_id, "slack")
    await service.reply(amy, ack_id, "Can you call me?", "slack")
    await service.practitioner_reply("slack", "U0ACK", ack_id, "Yes, after lunch.")
    await service.acknowledge(amy, web_id, "slack")
    await service.reply(amy, web_id, "Please ring the duty line.", "slack")
    await service.resolve(amy, web_id, "share", "Shared with consent.", "slack")
    await service.cover("slack", "U0BEN0001", "for 2 hours")
    await esc.drain()
    await esc.service.inbox(esc.hash("web-session-1", "web"), limit=1)  # read one; others wait
    # Dead-lettered: Slack fails every time for this one.
    broken = Deliverer(service, {"slack": Broken()})  # type: ignore[dict-item]
    esc.worker.deliverer = broken
    await esc.raise_(user="U0DEAD")
    await esc.worker.deliver_once(block_ms=0)
    for _ in range(MAX_DELIVERIES + 1):
        await esc.worker.reclaim_once(min_idle_ms=0)
    esc.worker.deliverer = esc.deliverer
    await esc.advance(12)  # timers fire: the deputy is paged
    await esc.worker.audit_once()
    # Unanswered: a one-step chain, nobody answers.
    await unanswered.raise_(user="U0NOBODY", urgent=True)
    await unanswered.drain()
    await unanswered.advance(10)
    await unanswered.advance(60 * 25)  # the daily reminder
    await unanswered.worker.audit_once()
    # Conversations, a personal quiz and the statistics the report reads.
    parts = build_parts(service.config)
    engine = Engine(parts, esc.store, HASH_KEY, escalator=service)
    for text in ("hello", "quiz", "1", "2", "can I share with the police?"):
        await engine.handle(Turn(channel="slack", user_id="U0QUIZ", text=text))
    # A team quiz: open, answers, closed.
    team = TeamQuiz(kb=parts.kb, config=service.config, backend=RedisTeamBackend(esc.store), store=esc.store,
                    hash_key=HASH_KEY, clock=lambda: dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC))
    posted = await team.open("slack", "C0TEAM", item_id="seed1-preventative-work")
    await team.answer("slack", "a" * 32, team_choice(posted.qid, 1))
    await team.close(posted.qid)
    await team.open("slack", "C0TEAM2")  # one left open
    report_text = report.render_text(await report.build_report(esc.store, 7))
    assert "scalation" in report_text


def _documented(pattern: str, key: str, prefix: str) -> bool:
    return key == f"{prefix}:{pattern}"


async def test_no_key_without_a_ttl_except_the_documented_indexes(make_harness) -> None:  # type: ignore[no-untyped-def]
    esc: Harness = await make_harness()
    config = make_config(escalation={"urgent": {"steps": [{"notify": ["lead"], "wait_minutes": 5}], "loops": 1,
                                                "ack_idle_minutes": 30}})
    unanswered: Harness = await make_harness(config=config, prefix=esc.store.prefix, consumer="w2")
    await full_run(esc, unanswered)
    client = esc.store.client
    prefix = esc.store.prefix
    seen: dict[str, int] = {}
    async for raw in client.scan_iter(match=f"{prefix}:*", count=1000):
        key = raw.decode()
        seen[key] = await client.ttl(key)
    assert len(seen) > 30, sorted(seen)  # the run really wrote things
    unbounded = sorted(k for k, ttl in seen.items() if ttl == -1
                       and not any(_documented(p, k, prefix) for p in keyspace.patterns()))
    assert unbounded == [], unbounded
    kinds = {re.sub(r"\b([0-9A-Z]{8}|[0-9a-f]{16,})\b", "*", k.removeprefix(prefix + ":")) for k in seen}
    for expected in ("{esc}:rec:*", "{esc}:log:*", "{esc}:cards:*", "{esc}:who:*", "{esc}:dead", "{esc}:inbox:*",
                     "quizteam:open"):  # has its own TTL
        assert expected in kinds, sorted(kinds)


def test_docs_list_exactly_the_unbounded_indexes() -> None:
    for doc in ("README.md", "docs/operations.md"):
        text = (ROOT / doc).read_text()
        listed = set(re.findall(r"`<p>:([^`]+)`\s*\((?:no TTL|index)", text))
        assert listed == set(keyspace.patterns()), (doc, listed)
