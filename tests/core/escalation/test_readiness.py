"""Never "sent" unless it can be delivered: worker heartbeat, routes, /healthz, refusing to start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import ClassVar

import pytest
import yaml

from bot.app import ops
from bot.app.escalation_worker import DeliveryUnavailable
from bot.core.escalation.readiness import NO_ROUTE, NO_WORKER, STALE_WORKER, Heartbeat, assess, heartbeat_key, publish
from bot.core.escalation.service import wait_words
from dialogs.messages import Contacts, Notice, Text
from tests.core.escalation.conftest import Harness, make_config, rota_dict

ROOT = Path(__file__).resolve().parents[3]


def test_assess_is_pure_and_names_the_reason() -> None:
    beat = Heartbeat(1000.0, frozenset({"person:amy"}))
    assert assess(None, ["person:amy"], 1000).reason == NO_WORKER
    assert assess(beat, ["person:amy"], 1000 + 181).reason == STALE_WORKER
    assert assess(beat, ["person:ben"], 1010).reason == NO_ROUTE
    ok = assess(beat, ["person:ben", "person:amy"], 1010)
    assert ok.ok and ok.reachable == ("person:amy",)


def test_waits_are_never_zero_minutes() -> None:
    assert wait_words(1.2) == "a minute"
    assert wait_words(30) == "a minute"
    assert wait_words(60) == "1 minute"
    assert wait_words(89) == "1 minute"
    assert wait_words(600) == "10 minutes"
    assert wait_words(4 * 3600) == "4 hours"


async def test_no_worker_means_not_sent_numbers_at_once_and_kept_for_later(esc: Harness) -> None:
    await esc.store.client.delete(heartbeat_key(esc.service.keys.prefix))
    replies = await esc.raise_(urgent=True)
    text = " ".join(r.text for r in replies)
    assert "I've sent" not in text
    assert "couldn't send your request (urgent)" in text and "not running" in text
    notice = next(r for r in replies if isinstance(r, Notice))
    assert notice.level == "warning"
    contacts = next(r for r in replies if isinstance(r, Contacts))
    numbers = dict(contacts.contacts)
    assert "999" in contacts.text and any("999" in n for n in numbers.values())
    assert "01632 960101" not in numbers.values()  # amy is the lead, not the fallback
    assert any(label.startswith("Fay Fallback") for label in numbers) or esc.person("fay").phone is None
    # Kept: the escalation is open and its chronology says what the practitioner was told.
    esc_id = await esc.open_id()
    told = [e for e in await esc.service.records.chronology(esc_id) if e["type"] == "practitioner_told"]
    assert told[0]["status"] == f"kept_{NO_WORKER}"
    # When a worker comes, it is delivered.
    await esc.worker.heartbeat()
    await esc.drain()
    assert len(esc.slack.cards(esc.dm("amy"))) == 1


async def test_a_stale_worker_is_not_trusted(esc: Harness) -> None:
    esc.clock.advance(10 * 60)  # the harness's worker beat 10 minutes ago and has not since
    replies = await esc.raise_()
    assert "stopped responding" in replies[0].text


async def test_a_lead_the_worker_cannot_reach_is_not_told_sent(esc: Harness) -> None:
    await publish(esc.store.client, esc.service.keys.prefix,
                  Heartbeat(esc.clock(), frozenset({"person:fay", "channel:slack"}), ("slack",)))
    replies = await esc.raise_()
    assert "can be reached through Slack or Teams" in replies[0].text
    assert "I've sent" not in " ".join(r.text for r in replies)


async def test_nobody_on_duty_says_it_went_straight_to_the_fallback(make_harness) -> None:  # type: ignore[no-untyped-def]
    config = make_config(rota=rota_dict(layers=[]), escalation={"normal": {
        "steps": [{"notify": ["lead"], "wait_minutes": 0.5}, {"notify": ["deputy"], "wait_minutes": 0.5},
                  {"notify": ["fallback"], "wait_minutes": 0.5}], "loops": 1, "ack_idle_minutes": 60}})
    esc: Harness = await make_harness(config=config)
    replies = await esc.raise_()
    text = replies[0].text
    assert isinstance(replies[0], Text)
    assert "Nobody is on duty on the safeguarding rota just now" in text
    assert "straight to Fay Fallback" in text
    assert "next person on the rota" not in text
    assert "within a minute" in text and "0 minutes" not in text


async def test_fractional_wait_is_told_in_words(make_harness) -> None:  # type: ignore[no-untyped-def]
    config = make_config(escalation={"normal": {
        "steps": [{"notify": ["lead"], "wait_minutes": 0.25}, {"notify": ["fallback"], "wait_minutes": 1}],
        "loops": 1, "ack_idle_minutes": 60}})
    esc: Harness = await make_harness(config=config)
    text = (await esc.raise_())[0].text
    assert "within a minute, I'll contact the next person on the rota" in text


async def test_healthz_is_degraded_when_escalations_cannot_be_delivered(esc: Harness) -> None:
    body, ok = await ops.health(esc.store, True, now=esc.clock(), escalations=esc.service)
    assert ok and body["escalations"] == "ok"
    await esc.store.client.delete(heartbeat_key(esc.service.keys.prefix))
    body, ok = await ops.health(esc.store, True, now=esc.clock(), escalations=esc.service)
    assert not ok and body["escalations"] == "degraded" and body["escalations_reason"] == NO_WORKER
    # Without a rota there is nothing to deliver: not degraded.
    body, ok = await ops.health(esc.store, True, now=esc.clock())
    assert ok and "escalations" not in body


async def test_healthz_over_http_answers_503_when_degraded(esc: Harness) -> None:
    from aiohttp import web
    from aiohttp.test_utils import TestClient, TestServer

    from bot.app.ops import mount

    class S:  # the two things ops.mount reads
        store = esc.store
        settings = type("Settings", (), {"redis_url": "redis://x"})()
        extras: ClassVar[dict] = {"escalations": esc.service}

    app = web.Application()
    mount(app, S())  # type: ignore[arg-type]
    async with TestClient(TestServer(app)) as client:
        await esc.store.client.delete(heartbeat_key(esc.service.keys.prefix))
        resp = await client.get("/healthz")
        assert resp.status == 503
        assert (await resp.json())["escalations"] == "degraded"


async def test_worker_refuses_when_the_rota_names_people_no_channel_reaches(esc: Harness) -> None:
    esc.deliverer.platforms.clear()
    with pytest.raises(DeliveryUnavailable, match="amy, ben, dee, cal, fay"):
        esc.worker.check_reach()


def test_canishare_worker_exits_non_zero_without_delivery_credentials(tmp_path: Path, redis_url: str,
                                                                     new_redis_prefix) -> None:  # type: ignore[no-untyped-def]
    org = tmp_path / "org.yaml"
    org.write_text(yaml.safe_dump({"rota": rota_dict()}))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "Microsoft", "MICROSOFT_"))}
    env.update(PYTHONPATH=str(ROOT), REDIS_URL=redis_url, CANISHARE_KEY_PREFIX=new_redis_prefix(),
               CANISHARE_CONFIG=str(org))
    proc = subprocess.run([sys.executable, "-m", "bot.app.cli.main", "worker"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 3
    assert "not started" in proc.stderr and "cannot reach (amy, ben, dee, cal, fay)" in proc.stderr


async def test_asking_again_while_undeliverable_repeats_the_numbers(esc: Harness) -> None:
    await esc.store.client.delete(heartbeat_key(esc.service.keys.prefix))
    await esc.raise_()
    again = await esc.raise_()
    assert "You already have a request open" in again[0].text and "I haven't sent another one" in again[0].text
    assert any(isinstance(r, Notice) and "hasn't reached the safeguarding team yet" in r.text for r in again)
    assert any(isinstance(r, Contacts) and "999" in r.text for r in again)
    await esc.worker.heartbeat()  # a worker is back: no warning any more
    assert len(await esc.raise_()) == 1


async def test_worker_says_when_redis_may_lose_escalations(esc: Harness, caplog) -> None:  # type: ignore[no-untyped-def]
    import logging

    conf = await esc.store.client.config_get("append*")
    durable = conf.get("appendonly") == "yes" and conf.get("appendfsync") == "always"
    with caplog.at_level(logging.WARNING, logger="canishare.escalation"):
        assert await esc.worker.warn_durability() == durable
    assert any("appendfsync always" in r.getMessage() for r in caplog.records) != durable
