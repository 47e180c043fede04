"""Statistics and the leads' report: counted by the real engine, read back from the real Redis."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
import redis
from aiohttp.test_utils import TestClient, TestServer

from bot.app.cli.main import main
from bot.app.server import create_app
from bot.channels.slack import mount as slack_mount
from bot.channels.slack.report import NOT_A_LEAD
from bot.core import stats
from bot.core.config import OrgConfig
from bot.core.engine import Engine, Parts
from bot.core.report import percentile, render_png
from bot.core.services import Services
from bot.core.settings import get_settings
from bot.core.store import MemoryStore
from bot.storage.redis_store import RedisStore
from bot.testing.fake_slack import FakeSlack
from dialogs.turn import Turn
from tests.channels.slack.conftest import USER, SlackHarness, settings_for
from tests.conftest import FIXED_NOW, TEST_HASH_KEY

LEAD = "U0LEAD0001"
ROTA = {"people": [{"id": "amy", "name": "Amy Lead", "role": "safeguarding_lead", "slack_user_id": LEAD}],
        "fallback": {"people": ["amy"]}}


# --- what the engine counts --------------------------------------------------------------------------

async def test_the_engine_counts_questions_and_outcomes_and_nothing_else(parts: Parts) -> None:
    store = MemoryStore()
    engine = Engine(parts, store, TEST_HASH_KEY, clock=lambda: FIXED_NOW)

    async def turn(**kwargs: str) -> list:  # type: ignore[type-arg]
        return await engine.handle(Turn(channel="web", user_id="someone", **kwargs))

    first = (await turn(action="start"))[-1]
    await turn(text="help")  # a button word: not a question
    second = (await turn(action="no", ref=first.ref))[-1]
    await turn(action="no", ref=first.ref)  # stale: answered, not applied, not counted
    await turn(action="no", ref=second.ref)  # no purpose -> do not share
    await turn(text="do I need consent to tell the police?")  # free text, answered
    await turn(text="what time does the swimming pool open on sundays")  # free text, not in the guidance
    await turn(text="restart")  # typed, and it starts a walk

    day = stats.day_of(FIXED_NOW)
    counts = (await store.stats_read([day]))[day].counts
    assert counts == {"questions": 4, "questions:flowchart": 2, "questions:free_text": 2,
                      "questions:not_answered": 1, "outcome:do_not_share": 1,
                      "questions:via:web": 4,  # the channel is counted, never the person
                      "answered_by:national": 1}  # which knowledge (national or a local pack) answered


async def test_statistics_never_cost_an_answer(parts: Parts) -> None:
    class BrokenStats(MemoryStore):
        async def stats_add(self, *args: object, **kwargs: object) -> None:
            raise RuntimeError("disk full")

    engine = Engine(parts, BrokenStats(), TEST_HASH_KEY, clock=lambda: FIXED_NOW)
    replies = await engine.handle(Turn(channel="web", user_id="someone", action="start"))
    assert replies[-1].kind == "question"


# --- the figures ---------------------------------------------------------------------------------------

def test_percentiles_are_nearest_rank() -> None:
    assert percentile([], 50) is None
    assert percentile([600, 60, 240, 120, 180], 50) == 180
    assert percentile([600, 60, 240, 120, 180], 90) == 600
    assert percentile([30.0], 90) == 30.0


async def seed(store: RedisStore, now: dt.datetime) -> None:
    """Ten days of activity; the last seven are in a 7-day report, days 7-9 ago are not."""
    for back in range(10):
        when = now - dt.timedelta(days=back)
        await stats.add(store, {"questions": 3, "questions:flowchart": 2, "questions:free_text": 1,
                                "outcome:share": 1, "outcome:do_not_share": 1}, now=when)
    for back, seconds in ((0, 60), (1, 120), (2, 180), (3, 240), (4, 600), (8, 5)):
        when = now - dt.timedelta(days=back)
        await stats.escalation_raised(store, urgent=back == 0, now=when)
        await stats.escalation_acknowledged(store, seconds, now=when)
    await stats.escalation_raised(store, now=now)
    await stats.escalation_reached_fallback(store, now=now)
    await stats.escalation_unanswered(store, now=now)
    await stats.add(store, {"outcome:seek_advice": 1, "questions:not_answered": 1}, now=now)
    for user, correct in (("aa11", True), ("bb22", False), ("aa11", True), ("cc33", True)):
        await stats.quiz_answered(store, user, correct, now=now - dt.timedelta(days=1))
    await stats.quiz_answered(store, "dd44", True, now=now - dt.timedelta(days=9))  # outside the period
    await stats.quiz_posted(store, now=now)


@pytest.fixture
def service_env(monkeypatch: pytest.MonkeyPatch, redis_url: str,
                new_redis_prefix: Callable[[], str]) -> Iterator[str]:
    """The environment of a running service whose statistics live under a fresh prefix."""
    prefix = new_redis_prefix()
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("CANISHARE_KEY_PREFIX", prefix)
    monkeypatch.delenv("CANISHARE_CONFIG", raising=False)
    get_settings.cache_clear()
    yield prefix
    get_settings.cache_clear()


def test_report_figures_and_chart_from_seeded_data(service_env: str, tmp_path: Path, redis_url: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    prefix = service_env

    async def seed_service() -> None:
        store = RedisStore.from_url(redis_url, prefix)
        try:
            await seed(store, dt.datetime.now(dt.UTC))
        finally:
            await store.close()

    asyncio.run(seed_service())
    png = tmp_path / "charts" / "report.png"
    assert main(["report", "--since", "7d", "--png", str(png), "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["days"] == 7
    assert figures["questions"] == 21 and figures["flowchart_walks"] == 14 and figures["free_text_questions"] == 7
    assert figures["free_text_not_answered"] == 1
    assert figures["outcomes"] == {"share": 7, "do_not_share": 7, "seek_advice": 1, "urgent": 0}
    assert figures["escalations"] == {"raised": 6, "urgent": 1, "acknowledged": 5, "reached_fallback": 1,
                                      "unanswered": 1, "resolved": 0, "ack_seconds_p50": 180.0,
                                      "ack_seconds_p90": 600.0}
    assert figures["quiz"] == {"posted": 1, "answers": 4, "correct": 3, "participants": 3}

    data = png.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 20_000

    assert main(["report", "--since", "1w"]) == 0
    text = capsys.readouterr().out
    assert "questions asked" in text and "21" in text and "3 min" in text and "10 min" in text
    assert "Counts only" in text

    # What statistics leave in Redis: counters, samples and an estimator. No user hash, no id.
    client = redis.Redis.from_url(redis_url)
    try:
        keys = [k.decode() for k in client.scan_iter(match=f"{prefix}:*")]
        assert keys and all(k.startswith(f"{prefix}:stats:{{s}}:") for k in keys)
        blob = b"".join(client.dump(k) or b"" for k in keys)
        assert b"aa11" not in blob and stats.participant_digest("aa11").encode() not in blob
        assert all(0 < client.ttl(k) <= stats.STATS_TTL_SECONDS for k in keys)
    finally:
        client.close()


async def test_report_refuses_a_bad_period_and_a_missing_redis(monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--since", "yesterday"]) == 2
    assert "7d" in capsys.readouterr().err
    assert main(["report", "--since", "999d"]) == 2
    monkeypatch.delenv("REDIS_URL", raising=False)
    get_settings.cache_clear()
    try:
        assert main(["report"]) == 2
        assert "REDIS_URL is not set" in capsys.readouterr().err
    finally:
        get_settings.cache_clear()


def test_an_empty_period_still_draws(tmp_path: Path) -> None:
    from bot.core.report import Report

    path = render_png(Report(days=stats.days_back(FIXED_NOW, 30)), tmp_path / "empty.png")
    assert path.read_bytes().startswith(b"\x89PNG")


# --- /canishare report in Slack --------------------------------------------------------------------------

@pytest_asyncio.fixture
async def slack_with_rota(parts: Parts, redis_store: RedisStore) -> AsyncIterator[SlackHarness]:
    fake = FakeSlack()
    await fake.start()
    config = OrgConfig.model_validate({"name": "Riverside <Schools>", "rota": ROTA})
    services = Services(settings=settings_for(fake), config=config, parts=parts, store=redis_store,
                        engine=Engine(parts, redis_store, TEST_HASH_KEY))
    client = TestClient(TestServer(create_app(services, mounts=[slack_mount]), host="127.0.0.1"))
    await client.start_server()
    try:
        yield SlackHarness(client, fake, services)
    finally:
        await client.close()
        await fake.close()


async def test_slack_report_for_leads_only(slack_with_rota: SlackHarness) -> None:
    h = slack_with_rota
    await seed(h.services.store, dt.datetime.now(dt.UTC))  # type: ignore[arg-type]

    assert (await h.command("report", user=USER)).status == 200
    await h.settled()
    _, refused = h.fake.hooks[-1]
    assert refused["text"] == NOT_A_LEAD and refused["response_type"] == "ephemeral"

    assert (await h.command("report 7d", user=LEAD)).status == 200
    await h.settled()
    _, shown = h.fake.hooks[-1]
    assert shown["response_type"] == "ephemeral"
    text = shown["text"]
    assert "questions asked" in text and " 21" in text and "raised" in text
    assert "Riverside &lt;Schools&gt;" in text and "<Schools>" not in text
    # Nothing about the report was posted anywhere else.
    assert not [c for c in h.fake.calls_to("chat.postMessage") if "questions asked" in json.dumps(c.args)]


async def test_both_stores_keep_the_same_figures(redis_store: RedisStore) -> None:
    now = [0.0]
    memory = MemoryStore(clock=lambda: now[0])
    days = ["2026-11-19", "2026-11-20", "2026-11-21"]
    for store in (memory, redis_store):
        await store.stats_add("2026-11-20", {"a": 2}, {"ack_seconds": 5.0}, {"u": "x"}, 100)
        await store.stats_add("2026-11-20", {"a": 1}, {"ack_seconds": 7.5}, {"u": "x"}, 100)
        await store.stats_add("2026-11-21", {"b": 1}, {}, {"u": "y"}, 100)
        read = await store.stats_read(days, ["ack_seconds"])
        assert sorted(read) == ["2026-11-20", "2026-11-21"]
        assert read["2026-11-20"].counts == {"a": 3} and read["2026-11-20"].samples == {"ack_seconds": [5.0, 7.5]}
        assert read["2026-11-21"].counts == {"b": 1} and read["2026-11-21"].samples == {}
        assert await store.stats_unique(days, "u") == 2
        assert await store.stats_unique(["2026-11-20"], "u") == 1
    now[0] = 101.0  # past the TTL: the memory store forgets, as Redis would
    assert await memory.stats_read(days, ["ack_seconds"]) == {}
    assert await memory.stats_unique(days, "u") == 0
