"""The auditor (lost timers, /healthz freshness), the worker's job list, and `canishare duty`."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

import yaml

from bot.app import ops
from bot.app.cli.main import build_parser
from bot.core.escalation.records import PAGING
from tests.core.escalation.conftest import Harness, rota_dict


async def test_auditor_rearms_an_open_escalation_without_a_timer(esc: Harness) -> None:
    await esc.raise_()
    esc_id = await esc.open_id()
    rec = await esc.service.records.load(esc_id)
    assert rec is not None
    await esc.store.client.zrem(esc.service.keys.due, esc_id)  # the timer is lost
    result = await esc.worker.audit_once()
    assert result == {"open": 1, "rearmed": 1}
    assert await esc.service.due.score(esc_id) == rec.due_ms
    assert (await esc.kinds(esc_id))[-1] == "timer_rearmed"
    assert await esc.advance(10) == [PAGING]  # and it fires as it should have
    # A healthy timer is left alone.
    assert (await esc.worker.audit_once())["rearmed"] == 0


async def test_auditor_rearms_a_timer_nobody_is_claiming(esc: Harness) -> None:
    await esc.raise_()
    esc_id = await esc.open_id()
    esc.clock.advance(20 * 60)  # 10 minutes overdue: no worker has been claiming
    result = await esc.worker.audit_once()
    assert result["rearmed"] == 1
    event = (await esc.service.records.chronology(esc_id))[-1]
    assert event["type"] == "timer_rearmed" and event["late_ms"] == 10 * 60_000


async def test_auditor_publishes_its_last_run(esc: Harness) -> None:
    await esc.worker.audit_once()
    raw = await esc.store.client.get(esc.service.keys.auditor_last_run)
    assert raw is not None and json.loads(raw)["t"] == esc.clock()
    assert 0 < await esc.store.client.ttl(esc.service.keys.auditor_last_run) <= 600
    health, ok = await ops.health(esc.store, redis_configured=True)
    assert ok and health["worker"] == "fresh"


async def test_auditor_drops_resolved_ids(esc: Harness) -> None:
    await esc.raise_()
    esc_id = await esc.open_id()
    await esc.store.client.hset(esc.service.keys.rec(esc_id), "state", "resolved")  # as if resolved elsewhere
    assert (await esc.worker.audit_once())["open"] == 0
    assert await esc.service.records.open_ids() == []


async def test_worker_runs_every_job_module() -> None:
    from bot.app import worker

    found = worker.jobs()
    assert [name for name, _ in found] == ["bot.app.escalation_worker", "bot.app.quiz_scheduler"]
    ran: list[str] = []

    async def job(services: object, stop: asyncio.Event) -> None:
        ran.append("ran")

    await asyncio.wait_for(worker.run_jobs(object(), asyncio.Event(), [("x", job)]), 5)
    assert ran == ["ran"]


def test_cli_has_worker_and_duty() -> None:
    parser = build_parser()
    assert parser.parse_args(["worker"]).handler.__name__ == "cmd_worker"
    assert parser.parse_args(["duty"]).handler.__name__ == "cmd_duty"


async def test_duty_command_prints_now_and_next(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from bot.app.cli.duty import run_duty
    from bot.core.settings import get_settings

    rota = rota_dict(layers=[{"slot": "lead", "people": ["amy", "ben"], "start": "2026-01-05", "handover": "09:00",
                              "shift_days": 1}])
    path = tmp_path / "org.yaml"
    path.write_text(yaml.safe_dump({"rota": rota}))
    monkeypatch.setenv("CANISHARE_CONFIG", str(path))
    monkeypatch.delenv("REDIS_URL", raising=False)
    get_settings.cache_clear()
    out = io.StringIO()
    try:
        assert await run_duty("2026-03-29T08:30", show_gaps=True, out=out) == 0
    finally:
        get_settings.cache_clear()
    text = out.getvalue()
    assert "On duty now (Sun 29 Mar 2026, 08:30 Europe/London):" in text
    assert "Next, from Sun 29 Mar, 09:00:" in text  # the first BST morning: still 09:00 local
    assert "Fallback (always paged if nobody answers): Fay Fallback, the private duty channel" in text
    assert "No gaps in the lead rota" in text


async def test_terminal_chat_escalates_when_a_rota_and_redis_are_set(monkeypatch, redis_url: str,
                                                                     new_redis_prefix) -> None:  # type: ignore[no-untyped-def]
    import time

    import redis.asyncio as aioredis

    from bot.app.cli.chat import run_chat
    from bot.core.escalation.readiness import Heartbeat, publish
    from bot.core.settings import get_settings
    from tests.core.escalation.conftest import make_config

    prefix = new_redis_prefix()
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("CANISHARE_KEY_PREFIX", prefix)
    client = aioredis.Redis.from_url(redis_url)
    # A live worker that can reach everyone on the rota.
    await publish(client, prefix, Heartbeat(time.time(), frozenset({"person:amy", "person:dee", "person:fay"})))
    await client.aclose()
    get_settings.cache_clear()
    out = io.StringIO()
    try:
        await run_chat(make_config(), None, False, io.StringIO("talk to someone\nquit\n"), out)
    finally:
        get_settings.cache_clear()
    text = out.getvalue()
    assert "I've sent your request to Amy Lead (designated safeguarding lead, on duty now)" in text
    assert "01632 960101" in text  # the terminal cannot receive replies: the lead's number is given
    # The goodbye is truthful: the escalation is kept.
    assert "Nothing from this chat has been kept" not in text
    assert "your request to the safeguarding team (ESC-" in text and "has been: an anonymised summary" in text
