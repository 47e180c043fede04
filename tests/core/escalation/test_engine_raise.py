"""Raising from the real engine: Not sure -> Talk to someone, the urgent answer, and what is stored."""

from __future__ import annotations

import datetime as dt

import pytest
import redis.asyncio as aioredis

from bot.core.engine import Engine, build_parts
from bot.core.escalation.handle import Sealer
from bot.core.escalation.records import PAGING
from bot.core.escalation.rota import RotaView
from bot.core.escalation.service import EscalationService
from bot.testing.escalation import text_of
from dialogs.messages import Contacts, Notice, Question, Urgent
from dialogs.turn import Turn
from tests.core.escalation.conftest import HASH_KEY, PRACTITIONER, Harness, make_config

IDENTIFYING = "I'm worried about Jayden Smith, NHS number 943 476 5919, who lives at 12 Acacia Avenue, SW1A 1AA"
IDENTIFIERS = ("Jayden", "Smith", "943 476 5919", "9434765919", "Acacia", "SW1A")


def engine_for(esc: Harness) -> Engine:
    parts = build_parts(esc.service.config)
    clock = lambda: dt.datetime.fromtimestamp(esc.clock(), dt.UTC)  # noqa: E731
    return Engine(parts, esc.store, HASH_KEY, clock=clock, escalator=esc.service)


async def _talk(engine: Engine, user: str = PRACTITIONER) -> list:
    replies = await engine.handle(Turn("slack", user, text="start"))
    question = next(r for r in replies if isinstance(r, Question))
    replies = await engine.handle(Turn("slack", user, action="not_sure", ref=question.ref))
    question = next(r for r in replies if isinstance(r, Question))
    assert "talk" in [c.id for c in question.choices]  # "Not sure" offers "Talk to someone"
    return await engine.handle(Turn("slack", user, action="talk", ref=question.ref))


async def test_not_sure_then_talk_to_someone_raises_and_says_who(esc: Harness) -> None:
    replies = await _talk(engine_for(esc))
    sent = [r.text for r in replies if "I've sent your request" in r.text]
    assert len(sent) == 1 and "Amy Lead (designated safeguarding lead, on duty now)" in sent[0]
    assert any(r.kind == "outcome" and r.outcome == "seek_advice" for r in replies)
    esc_id = await esc.open_id()
    rec = await esc.service.records.load(esc_id)
    assert rec is not None and rec.state == PAGING and rec.reason == "talk"
    assert rec.summary["stuck_at"] and rec.summary["edition"] == "current"
    await esc.drain()
    (card,) = esc.slack.cards(esc.dm("amy"))
    assert rec.summary["stuck_at"][0].split(",")[0] in text_of(card)


async def test_urgent_answer_raises_an_urgent_escalation(esc: Harness) -> None:
    engine = engine_for(esc)
    replies = await engine.handle(Turn("slack", PRACTITIONER, text="a child is in immediate danger at home"))
    assert isinstance(replies[0], Urgent)  # act now comes first, before anything about the escalation
    sent = [r.text for r in replies if "I've sent your request (urgent)" in r.text]
    assert len(sent) == 1
    rec = await esc.service.records.load(await esc.open_id())
    assert rec is not None and rec.urgent and rec.reason == "urgent"


async def test_nothing_is_said_to_be_sent_unless_it_was_written(esc: Harness) -> None:
    # A Redis that is not there: the escalation cannot be made durable, so the practitioner must not be
    # told it was sent; they get the couldn't-send notice and the contact numbers instead.
    dead = aioredis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    config = esc.service.config
    assert config.rota is not None
    broken = EscalationService(dead, "nowhere", config, RotaView(config.rota), sealer=Sealer("k"), hash_key=HASH_KEY,
                               clock=esc.clock)
    engine = Engine(build_parts(config), esc.store, HASH_KEY, escalator=broken)
    replies = await _talk(engine)
    assert not any("I've sent" in r.text for r in replies)
    assert any(isinstance(r, Notice) and "couldn't send" in r.text for r in replies)
    assert any("database (Redis) can't be reached" in r.text for r in replies)  # the real cause
    assert any(isinstance(r, Contacts) for r in replies)
    await dead.aclose()


async def test_no_rota_means_not_configured(parts) -> None:  # type: ignore[no-untyped-def]
    from bot.core.store import MemoryStore

    engine = Engine(parts, MemoryStore(), HASH_KEY)
    replies = await engine.handle(Turn("terminal", "me", text="talk to someone"))
    assert any("no safeguarding lead rota is configured" in r.text for r in replies)


async def _all_values(esc: Harness) -> str:
    """Every byte stored under this test's prefix, decoded loosely, for searching."""
    client = esc.store.client
    out = []
    async for key in client.scan_iter(match=f"{esc.store.prefix}:*"):
        kind = (await client.type(key)).decode()
        if kind == "string":
            out.append(await client.get(key))
        elif kind == "hash":
            out.extend(v for kv in (await client.hgetall(key)).items() for v in kv)
        elif kind == "stream":
            out.extend(v for _, fields in await client.xrange(key) for kv in fields.items() for v in kv)
        elif kind == "zset":
            out.extend(await client.zrange(key, 0, -1))
        elif kind == "set":
            out.extend(await client.smembers(key))
        elif kind == "list":
            out.extend(await client.lrange(key, 0, -1))
        out.append(key)
    return "\n".join(v.decode(errors="replace") if isinstance(v, bytes) else str(v) for v in out)


async def test_no_clear_platform_id_or_identifier_in_redis_or_any_card(esc: Harness) -> None:
    engine = engine_for(esc)
    await engine.handle(Turn("slack", PRACTITIONER, text=IDENTIFYING))
    await _talk(engine)
    esc_id = await esc.open_id()
    await esc.drain()
    amy = esc.person("amy")
    await esc.service.acknowledge(amy, esc_id, "slack")
    await esc.service.reply(amy, esc_id, "Is this about Jayden Smith? Call me on 07700 900123.", "slack")
    await esc.service.practitioner_reply("slack", PRACTITIONER, esc_id, "Yes, NHS 943 476 5919, SW1A 1AA.")
    for _ in range(3):
        await esc.advance(10)
    await esc.service.resolve(amy, esc_id, "share", "Share with the school nurse; Jayden Smith's GP agrees.")
    await esc.drain()
    stored = await _all_values(esc)
    assert PRACTITIONER not in stored  # sealed, never in the clear
    for ident in IDENTIFIERS:
        assert ident not in stored, ident
    delivered = [text_of(p.args) for p in esc.slack.posts]
    assert len(delivered) >= 8
    lead_side = [d for p, d in zip(esc.slack.posts, delivered, strict=True)
                 if p.args.get("channel") in (amy.slack_user_id, esc.dm("amy"))]
    assert any(f"<@{PRACTITIONER}>" in d for d in lead_side)  # the lead can reach the practitioner...
    for d in delivered:
        for ident in IDENTIFIERS:  # ...but no card or message carries anything identifying the child
            assert ident not in d, (ident, d[:200])
    assert "07700 900123" not in "".join(delivered)
    # The relays did happen, labelled, with the identifying parts redacted.
    to_lead = [n for n in esc.slack.notes(esc.dm("amy")) if n["text"].startswith("Message from the practitioner")]
    to_practitioner = [n for n in esc.slack.notes(esc.slack.dm(PRACTITIONER))
                       if n["text"].startswith("Message from Amy Lead (designated safeguarding lead)")]
    assert len(to_lead) == 1 and len(to_practitioner) == 1


@pytest.mark.parametrize("channel", ["terminal", "web"])
async def test_channels_without_push_get_phone_numbers(make_harness, channel: str) -> None:  # type: ignore[no-untyped-def]
    esc = await make_harness(config=make_config())
    replies = await esc.raise_(user="local-user", channel=channel)
    assert "can't reach this window" in replies[0].text
    assert any(isinstance(r, Contacts) and ("Amy Lead", "01632 960101") in r.contacts for r in replies)
    esc_id = await esc.open_id(user="local-user", channel=channel)
    await esc.drain()
    await esc.service.acknowledge(esc.person("amy"), esc_id)
    await esc.drain()
    inbox = await esc.service.inbox(esc.hash("local-user", channel))
    assert any("picked up your request" in m for m in inbox)
