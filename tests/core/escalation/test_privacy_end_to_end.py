"""End to end: a conversation full of identifying details leaves none of them anywhere.

A practitioner types names, an NHS number, a postcode, a phone number, an email and a date of
birth; uses the redacted version; walks the flowchart; says "Not sure"; asks for a person. Then
every Redis key the deployment wrote, every log line at DEBUG, and every payload delivered to Slack
are scanned: none holds an identifier, and no key or log holds the practitioner's clear Slack id.
"""

from __future__ import annotations

import json
import logging

import pytest

from bot.core.engine import Engine
from bot.core.parts import Parts
from dialogs.messages import PrivacyNotice, Question, Reply
from dialogs.turn import Turn
from tests.core.escalation.conftest import HASH_KEY, PRACTITIONER, Harness

IDENTIFIERS = [
    "Kayden O'Neill-Baptiste", "Kayden", "O'Neill-Baptiste", "943 476 5919", "9434765919", "LS6 2QT",
    "07700 900461", "kayden.mum@example.com", "14/03/2015", "Amara Okonkwo", "Okonkwo", "QQ 12 34 56 C",
]
MESSAGES = [
    "Kayden O'Neill-Baptiste (DOB 14/03/2015) NHS 943 476 5919 lives at LS6 2QT - can I tell his GP?",
    "his mum Amara Okonkwo rang from 07700 900461, email kayden.mum@example.com, NI QQ 12 34 56 C",
]


def turn(**kw: str) -> Turn:
    return Turn(channel="slack", user_id=PRACTITIONER, **kw)


def question(replies: list[Reply]) -> Question:
    return [r for r in replies if isinstance(r, Question)][-1]


async def test_nothing_identifying_is_stored_logged_or_forwarded(
    esc: Harness, parts: Parts, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    engine = Engine(parts, esc.store, HASH_KEY, escalator=esc.service)
    seen: list[Reply] = []

    for text in MESSAGES:
        replies = await engine.handle(turn(text=text))
        notice = next(r for r in replies if isinstance(r, PrivacyNotice))
        assert {"name", "nhs_number"} <= set(notice.found) or {"name", "phone", "email"} <= set(notice.found)
        seen += replies
        seen += await engine.handle(turn(action="privacy:use"))

    q = question(await engine.handle(turn(action="start")))
    q = question(await engine.handle(turn(action="no", ref=q.ref)))
    replies = await engine.handle(turn(action="not_sure", ref=q.ref))
    q = question(replies)
    seen += replies
    seen += await engine.handle(turn(action="talk", ref=q.ref))
    assert await esc.service.records.open_for(esc.hash()), "the escalation was raised"
    await esc.drain()
    assert esc.slack.posts, "the lead's card was delivered"

    # What the practitioner was shown never echoes a detail back either.
    shown = json.dumps([r.to_dict() for r in seen], ensure_ascii=False)
    # Everything the deployment wrote to Redis, values and keys.
    stored: list[str] = []
    async for key in esc.store.client.scan_iter(match=f"{esc.store.prefix}:*", count=1000):
        kind = await esc.store.client.type(key)
        stored.append(key.decode("utf-8", "replace"))
        if kind == b"string":
            stored.append((await esc.store.client.get(key) or b"").decode("utf-8", "replace"))
        elif kind == b"hash":
            stored.append(repr(await esc.store.client.hgetall(key)))
        elif kind == b"list":
            stored.append(repr(await esc.store.client.lrange(key, 0, -1)))
        elif kind == b"zset":
            stored.append(repr(await esc.store.client.zrange(key, 0, -1)))
        elif kind == b"set":
            stored.append(repr(await esc.store.client.smembers(key)))
        elif kind == b"stream":
            stored.append(repr(await esc.store.client.xrange(key)))
    redis_text = "\n".join(stored)
    delivered = json.dumps([post.__dict__ for post in esc.slack.posts], default=str, ensure_ascii=False)
    logs = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)

    for needle in IDENTIFIERS:
        for where, text in (("replies", shown), ("Redis", redis_text), ("Slack payloads", delivered),
                            ("logs", logs)):
            assert needle.lower() not in text.lower(), f"{needle!r} found in {where}"
    # The practitioner's own platform id: never in Redis or logs in the clear (sealed for the lead).
    assert PRACTITIONER not in redis_text
    assert PRACTITIONER not in logs
    assert len(stored) > 4, "the scan saw the conversation, the escalation and its queues"
