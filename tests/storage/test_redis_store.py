"""RedisStore against a real Redis: versions, TTLs, events, forget, prefixes, outages."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import redis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.redis_memory import memory_per_conversation, typical_state
from bot.app.cli.forget import forget, run_forget
from bot.app.stores import build_store
from bot.core.identity import user_hash
from bot.core.settings import Settings, get_settings
from bot.core.store import Snapshot, StoreUnavailable, conversation_key, record_key
from bot.storage.memory import MemoryStore
from bot.storage.redis_store import RedisStore, decode_payload, encode_payload, parse_sentinel_url

if TYPE_CHECKING:
    from collections.abc import Callable

    from conftest import PrivateRedis

    NewPrefix = Callable[[], str]
    MakeRedis = Callable[..., PrivateRedis]

ALICE = user_hash("test-key", "slack", "U0ALICE")
BOB = user_hash("test-key", "slack", "U0BOB")
HOUR = 3600
LOGGER = "bot.storage.redis_store"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def outage_lines(caplog: pytest.LogCaptureFixture, level: int) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == LOGGER and r.levelno == level]


# -- round trip and versions ------------------------------------------------------------------


async def test_round_trip(redis_store: RedisStore) -> None:
    key = conversation_key(ALICE, "slack:C01:1731000000.000100")
    assert await redis_store.load(key) == Snapshot({}, 0)

    assert await redis_store.save(key, {"node": "q1", "answers": []}, 0, HOUR) == 1
    assert await redis_store.load(key) == Snapshot({"node": "q1", "answers": []}, 1)

    state = typical_state() | {"note": "café ✓ — “quotes”", "n": 1.5, "none": None, "t": True}
    assert await redis_store.save(key, state, 1, HOUR) == 2
    assert await redis_store.load(key) == Snapshot(state, 2)

    await redis_store.delete(key)
    assert await redis_store.load(key) == Snapshot({}, 0)
    assert await redis_store.save(key, {"node": "q1"}, 0, HOUR) == 1  # a fresh start after delete


async def test_save_refuses_stale_version(redis_store: RedisStore) -> None:
    key = conversation_key(ALICE, "dm")
    assert await redis_store.save(key, {"node": "q1"}, 0, HOUR) == 1
    assert await redis_store.save(key, {"node": "q2"}, 1, HOUR) == 2
    assert await redis_store.save(key, {"node": "stale"}, 1, HOUR) is None
    assert await redis_store.save(key, {"node": "stale"}, 0, HOUR) is None
    assert await redis_store.save(key, {"node": "future"}, 7, HOUR) is None
    assert await redis_store.load(key) == Snapshot({"node": "q2"}, 2)


async def test_put_is_unconditional_and_bumps_version(redis_store: RedisStore) -> None:
    key = record_key(ALICE, "r1")
    await redis_store.put(key, {"outcome": "share"}, HOUR)
    await redis_store.put(key, {"outcome": "do-not-share"}, HOUR)
    assert await redis_store.load(key) == Snapshot({"outcome": "do-not-share"}, 2)


async def test_large_and_odd_text_round_trips(redis_store: RedisStore) -> None:
    key = conversation_key(ALICE, "dm")
    state = {"text": "x" * 5000, "emoji": "🙂" * 50, "lone": "\ud83d broken", "nested": {"a": [1, [2, {"b": ""}]]}}
    assert await redis_store.save(key, state, 0, HOUR) == 1
    assert (await redis_store.load(key)).data == state


@pytest.mark.parametrize("raw", [b"garbage", b"3:not json", b"4:z\x00\x01", b"5:[1,2]"])
async def test_unreadable_state_starts_afresh(redis_store: RedisStore, raw: bytes) -> None:
    key = conversation_key(ALICE, "dm")
    await redis_store.client.set(redis_store.key(key), raw, ex=HOUR)
    snap = await redis_store.load(key)
    assert snap.data == {}
    assert await redis_store.save(key, {"node": "q1"}, snap.version, HOUR) == snap.version + 1
    assert (await redis_store.load(key)).data == {"node": "q1"}


def test_payload_encoding_is_compact_and_reversible() -> None:
    short = {"node": "q1"}
    assert encode_payload(short) == b'{"node":"q1"}'  # small states stay readable in redis-cli
    long = typical_state()
    packed = encode_payload(long)
    assert packed.startswith(b"z") and len(packed) < len(json.dumps(long, separators=(",", ":")))
    assert decode_payload(packed) == long


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
states = st.dictionaries(st.text(max_size=10), json_values, max_size=6)
keys = st.sampled_from([conversation_key(ALICE, "dm"), conversation_key(BOB, "dm"), record_key(ALICE, "r1")])
operations = st.lists(
    st.one_of(
        st.tuples(st.just("load"), keys),
        st.tuples(st.just("save"), keys, states, st.integers(0, 3)),
        st.tuples(st.just("put"), keys, states),
        st.tuples(st.just("delete"), keys),
        st.tuples(st.just("claim"), st.sampled_from(["Ev1", "Ev2"])),
        st.tuples(st.just("forget"), st.sampled_from([ALICE, BOB])),
    ),
    max_size=25,
)


async def _apply(store: MemoryStore | RedisStore, ops: list[tuple]) -> list[object]:  # type: ignore[type-arg]
    results: list[object] = []
    for op, *args in ops:
        if op == "load":
            results.append(await store.load(args[0]))
        elif op == "save":
            results.append(await store.save(args[0], args[1], args[2], HOUR))
        elif op == "put":
            results.append(await store.put(args[0], args[1], HOUR))
        elif op == "delete":
            results.append(await store.delete(args[0]))
        elif op == "claim":
            results.append(await store.claim_event(args[0], HOUR))
        else:
            results.append(await store.forget_user(args[0]))
    return results


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_behaves_like_the_memory_store(redis_url: str, new_redis_prefix: NewPrefix, ops: list[tuple]) -> None:  # type: ignore[type-arg]
    """Any sequence of operations gives the same answers from Redis as from the memory store."""

    async def run() -> tuple[list[object], list[object]]:
        store = RedisStore.from_url(redis_url, new_redis_prefix())
        try:
            return await _apply(MemoryStore(), ops), await _apply(store, ops)
        finally:
            await store.close()

    expected, actual = asyncio.run(run())
    assert actual == expected


# -- concurrency ------------------------------------------------------------------------------


async def test_concurrent_saves_on_one_client_exactly_one_wins(redis_store: RedisStore) -> None:
    key = conversation_key(ALICE, "dm")
    await redis_store.save(key, {"node": "q1"}, 0, HOUR)
    results = await asyncio.gather(*(redis_store.save(key, {"clicked": i}, 1, HOUR) for i in range(10)))
    winners = [i for i, version in enumerate(results) if version is not None]
    assert len(winners) == 1 and results[winners[0]] == 2
    assert await redis_store.load(key) == Snapshot({"clicked": winners[0]}, 2)


async def test_two_processes_same_turn_exactly_one_applies(redis_store: RedisStore, redis_url: str) -> None:
    """Two separate clients (as two web processes would be) race on the same conversation."""
    other = RedisStore.from_url(redis_url, redis_store.prefix)
    try:
        key = conversation_key(ALICE, "dm")
        for round_ in range(20):
            mine, theirs = await asyncio.gather(redis_store.load(key), other.load(key))
            assert mine.version == theirs.version == round_
            results = await asyncio.gather(
                redis_store.save(key, {"by": "a", "round": round_}, mine.version, HOUR),
                other.save(key, {"by": "b", "round": round_}, theirs.version, HOUR),
            )
            assert sorted(results, key=lambda v: v is None) == [round_ + 1, None]
            assert (await redis_store.load(key)).data["round"] == round_
    finally:
        await other.close()


async def test_claim_event_once(redis_store: RedisStore, redis_url: str) -> None:
    other = RedisStore.from_url(redis_url, redis_store.prefix)
    try:
        claims = await asyncio.gather(
            *(store.claim_event("Ev0ABC123", HOUR) for store in (redis_store, other) for _ in range(5))
        )
        assert claims.count(True) == 1
        assert await redis_store.claim_event("Ev0ABC123", HOUR) is False
        assert await other.claim_event("Ev0ABC124", HOUR) is True
        # Odd ids (Teams activity ids, braces) are fine too.
        assert await redis_store.claim_event("f:1234|{weird id}*", HOUR) is True
        assert await redis_store.claim_event("f:1234|{weird id}*", HOUR) is False
    finally:
        await other.close()


async def test_claim_event_expires(redis_store: RedisStore) -> None:
    assert await redis_store.claim_event("Ev-short", 1)
    await asyncio.sleep(1.2)
    assert await redis_store.claim_event("Ev-short", 1)  # the retry window is over


# -- retention --------------------------------------------------------------------------------


async def test_every_key_written_has_a_ttl(redis_store: RedisStore) -> None:
    conv = conversation_key(ALICE, "dm")
    await redis_store.save(conv, typical_state(), 0, HOUR)
    await redis_store.save(conv, typical_state(8), 1, HOUR)
    await redis_store.put(record_key(ALICE, "r1"), {"outcome": "share"}, 30 * 86400)
    await redis_store.save(conversation_key(BOB, "slack:C1:1.2"), {"node": "q1"}, 0, 2 * HOUR)
    await redis_store.claim_event("Ev1", 600)

    client = redis_store.client
    found = [raw async for raw in client.scan_iter(match=f"{redis_store.prefix}:*")]
    assert len(found) == 4
    for raw in found:
        ttl = await client.ttl(raw)
        assert 0 < ttl <= 30 * 86400, (raw, ttl)


async def test_ttl_refreshed_on_every_save_and_required(redis_store: RedisStore) -> None:
    key = conversation_key(ALICE, "dm")
    await redis_store.save(key, {"node": "q1"}, 0, 100)
    await redis_store.save(key, {"node": "q2"}, 1, HOUR)
    assert 100 < await redis_store.client.ttl(redis_store.key(key)) <= HOUR
    with pytest.raises(ValueError):
        await redis_store.save(key, {"node": "q3"}, 2, 0)
    with pytest.raises(ValueError):
        await redis_store.claim_event("Ev", 0)


async def test_expired_conversation_starts_again_at_version_zero(redis_store: RedisStore) -> None:
    key = conversation_key(ALICE, "dm")
    await redis_store.save(key, {"node": "q5"}, 0, 1)
    await asyncio.sleep(1.2)
    assert await redis_store.load(key) == Snapshot({}, 0)
    assert await redis_store.save(key, {"node": "q1"}, 0, HOUR) == 1


# -- forget -----------------------------------------------------------------------------------


async def test_forget_removes_all_and_only_that_users_keys(redis_store: RedisStore) -> None:
    alice_keys = [conversation_key(ALICE, "dm"), conversation_key(ALICE, "slack:C1:1.2"), record_key(ALICE, "r1")]
    bob_keys = [conversation_key(BOB, "dm"), record_key(BOB, "r1")]
    for key in alice_keys + bob_keys:
        await redis_store.put(key, {"node": "q1"}, HOUR)
    await redis_store.claim_event("Ev1", HOUR)

    assert await redis_store.forget_user(ALICE) == sorted(alice_keys)
    for key in alice_keys:
        assert await redis_store.load(key) == Snapshot({}, 0)
    for key in bob_keys:
        assert (await redis_store.load(key)).version == 1
    assert await redis_store.claim_event("Ev1", HOUR) is False  # event ids hold nothing about a user
    assert await redis_store.forget_user(ALICE) == []


async def test_forget_rejects_something_that_is_not_a_hash(redis_store: RedisStore) -> None:
    with pytest.raises(ValueError):
        await redis_store.forget_user("*")


async def test_forget_cli_function_hashes_each_channel(redis_store: RedisStore) -> None:
    secret = "deployment-secret"
    on_slack = user_hash(secret, "slack", "U0CAROL")
    on_teams = user_hash(secret, "teams", "U0CAROL")
    someone_else = user_hash(secret, "slack", "U0DAVE")
    await redis_store.put(conversation_key(on_slack, "dm"), {"node": "q1"}, HOUR)
    await redis_store.put(record_key(on_teams, "r9"), {"outcome": "share"}, HOUR)
    await redis_store.put(conversation_key(someone_else, "dm"), {"node": "q1"}, HOUR)

    removed = await forget(redis_store, secret, "U0CAROL", ["slack", "teams", "web", "terminal"])
    assert removed == sorted([conversation_key(on_slack, "dm"), record_key(on_teams, "r9")])
    assert "U0CAROL" not in "".join(removed)
    assert (await redis_store.load(conversation_key(someone_else, "dm"))).version == 1


def test_forget_command(
    redis_url: str, new_redis_prefix: NewPrefix, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    prefix = new_redis_prefix()
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("CANISHARE_KEY_PREFIX", prefix)
    monkeypatch.setenv("CANISHARE_HASH_KEY", "cli-secret")
    get_settings.cache_clear()
    # Slack conversations are stored under the workspace-qualified id.
    key = conversation_key(user_hash("cli-secret", "slack", "T0ORG:U0ERIN"), "dm")

    async def seed() -> None:
        store = RedisStore.from_url(redis_url, prefix)
        await store.put(key, {"node": "q1"}, HOUR)
        await store.close()

    try:
        asyncio.run(seed())
        assert run_forget(["--user", "T0ORG:U0ERIN", "--channel", "teams"]) == 0
        assert capsys.readouterr().out.strip().endswith("Nothing held about that user.")
        assert run_forget(["--user", "T0ORG:U0ERIN"]) == 0
        out = capsys.readouterr().out
        assert key in out and "Deleted 1 key:" in out and "U0ERIN" not in out
        assert run_forget(["--user", "T0ORG:U0ERIN"]) == 0
        assert "Nothing held" in capsys.readouterr().out

        monkeypatch.delenv("REDIS_URL")
        get_settings.cache_clear()
        assert run_forget(["--user", "U0ERIN"]) == 0
        assert "memory store" in capsys.readouterr().out

        monkeypatch.setenv("REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")  # nothing listening
        get_settings.cache_clear()
        assert run_forget(["--user", "T0ORG:U0ERIN"]) == 1
        assert "Cannot reach Redis" in capsys.readouterr().err
    finally:
        get_settings.cache_clear()


# -- prefixes ---------------------------------------------------------------------------------


async def test_two_deployments_share_one_redis(
    redis_store: RedisStore, redis_url: str, new_redis_prefix: NewPrefix
) -> None:
    other = RedisStore.from_url(redis_url, new_redis_prefix())
    try:
        key = conversation_key(ALICE, "dm")
        assert await redis_store.save(key, {"org": "a"}, 0, HOUR) == 1
        assert await other.load(key) == Snapshot({}, 0)
        assert await other.save(key, {"org": "b"}, 0, HOUR) == 1
        assert await redis_store.claim_event("Ev1", HOUR) and await other.claim_event("Ev1", HOUR)
        assert await other.forget_user(ALICE) == [key]
        assert await redis_store.load(key) == Snapshot({"org": "a"}, 1)
    finally:
        await other.close()


async def test_keys_of_one_user_share_a_cluster_slot(redis_store: RedisStore) -> None:
    from redis.crc import key_slot

    keys = [conversation_key(ALICE, "dm"), conversation_key(ALICE, "slack:C1:1.2"), record_key(ALICE, "r1")]
    assert len({key_slot(redis_store.key(key).encode()) for key in keys}) == 1


@pytest.mark.parametrize("prefix", ["", "{acme}", "acme corp", "acme*", "a:{b}", "::"])
def test_prefix_that_would_break_keys_is_refused(prefix: str) -> None:
    with pytest.raises(ValueError):
        RedisStore.from_url("redis://127.0.0.1:6379/0", prefix)


def test_build_store_picks_by_redis_url(redis_url: str) -> None:
    assert isinstance(build_store(Settings(redis_url=None)), MemoryStore)
    store = build_store(Settings(redis_url=redis_url, key_prefix="acme-prod"))
    assert isinstance(store, RedisStore) and store.prefix == "acme-prod"
    asyncio.run(store.close())


# -- memory -----------------------------------------------------------------------------------


async def test_a_live_conversation_costs_well_under_a_kibibyte(redis_store: RedisStore) -> None:
    key = conversation_key(ALICE, "slack:C0123456789:1731000000.123456")
    await redis_store.save(key, typical_state(7), 0, 24 * HOUR)
    used = await redis_store.client.memory_usage(redis_store.key(key), samples=0)
    assert used < 1024, used
    assert await memory_per_conversation(redis_store, n=20) < 1024
    assert [k async for k in redis_store.client.scan_iter(match=f"{redis_store.prefix}:*")] == [
        redis_store.key(key).encode()
    ]  # the helper cleans up after itself


# -- URLs -------------------------------------------------------------------------------------


def test_sentinel_url_forms() -> None:
    hosts, service, master, sentinel = parse_sentinel_url(
        "redis+sentinel://:s%40cret@10.0.0.1,10.0.0.2:26380,[::1]:26381/mymaster/2?sentinel_password=spw"
    )
    assert hosts == [("10.0.0.1", 26379), ("10.0.0.2", 26380), ("::1", 26381)]
    assert service == "mymaster"
    assert master == {"password": "s@cret", "db": 2}
    assert sentinel == {"password": "spw"}

    _, _, master, sentinel = parse_sentinel_url("rediss+sentinel://h/svc?ssl_ca_certs=/ca.pem")
    assert master["ssl"] and sentinel["ssl"] and sentinel["ssl_ca_certs"] == "/ca.pem"

    for bad in ("redis+sentinel://h", "redis+sentinel:///svc", "redis+sentinel://h/svc/0/extra"):
        with pytest.raises(ValueError):
            parse_sentinel_url(bad)
    with pytest.raises(ValueError):
        RedisStore.from_url("memcached://h", "p")


async def test_sentinel_url_finds_the_master(private_redis: PrivateRedis, tmp_path: Path) -> None:
    port = free_port()
    conf = tmp_path / "sentinel.conf"
    conf.write_text(
        f"port {port}\nbind 127.0.0.1\ndir {tmp_path}\nsentinel monitor mymaster 127.0.0.1 {private_redis.port} 1\n"
    )
    sentinel = subprocess.Popen(
        [private_redis.binary, str(conf), "--sentinel"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    store = RedisStore.from_url(f"redis+sentinel://127.0.0.1:{port}/mymaster/0", "private")
    try:
        await _wait_for(lambda: _answers(port))
        key = conversation_key(ALICE, "dm")
        assert await store.save(key, {"via": "sentinel"}, 0, HOUR) == 1
        direct = redis.Redis(port=private_redis.port)
        assert direct.exists(store.key(key)) == 1
        direct.close()
    finally:
        await store.close()
        sentinel.send_signal(signal.SIGKILL)
        sentinel.wait()


async def test_rediss_url_speaks_tls(make_private_redis: MakeRedis, tmp_path: Path) -> None:
    cert, keyfile = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", str(keyfile), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    server = make_private_redis(tls=(cert, keyfile))
    assert server.url.startswith("rediss://")
    store = RedisStore.from_url(server.url, "tls")
    plain = RedisStore.from_url(f"redis://127.0.0.1:{server.port}/0", "plain")
    try:
        key = conversation_key(ALICE, "dm")
        assert await store.save(key, {"via": "tls"}, 0, HOUR) == 1
        assert await store.load(key) == Snapshot({"via": "tls"}, 1)
        assert await plain.ping() is False  # the port really requires TLS
    finally:
        await store.close()
        await plain.close()


async def _answers(port: int) -> bool:
    client = redis.asyncio.Redis(port=port, socket_connect_timeout=0.2)
    try:
        return bool(await client.ping())
    except (redis.ConnectionError, OSError):
        return False
    finally:
        await client.aclose()


async def _wait_for(check, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, "server did not come up"
        await asyncio.sleep(0.05)


# -- outages ----------------------------------------------------------------------------------


async def test_redis_down_raises_store_unavailable_and_logs_once(
    private_redis: PrivateRedis, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    store = RedisStore.from_url(private_redis.url, "private")
    key = conversation_key(ALICE, "dm")
    try:
        assert await store.save(key, {"secret-ish": "value-never-logged"}, 0, HOUR) == 1
        private_redis.stop()

        calls = [
            lambda: store.load(key),
            lambda: store.save(key, {"node": "q2"}, 1, HOUR),
            lambda: store.put(key, {"node": "q2"}, HOUR),
            lambda: store.delete(key),
            lambda: store.claim_event("Ev1", HOUR),
            lambda: store.forget_user(ALICE),
        ]
        for _ in range(5):
            for call in calls:
                with pytest.raises(StoreUnavailable):
                    await call()
        assert await store.ping() is False
        assert not store.available
        assert len(outage_lines(caplog, logging.WARNING)) == 1
        assert "unavailable" in outage_lines(caplog, logging.WARNING)[0]

        private_redis.start()  # no persistence: the conversation is gone, the store is not
        assert await store.load(key) == Snapshot({}, 0)
        assert await store.save(key, {"node": "q1"}, 0, HOUR) == 1
        assert store.available and await store.ping()
        recovered = outage_lines(caplog, logging.INFO)
        assert len(recovered) == 1 and "available again" in recovered[0]

        private_redis.stop()  # a second outage is a second warning
        with pytest.raises(StoreUnavailable):
            await store.load(key)
        assert len(outage_lines(caplog, logging.WARNING)) == 2
        assert "value-never-logged" not in caplog.text and ALICE not in caplog.text
    finally:
        await store.close()


async def test_conversation_survives_a_restart_with_persistence(make_private_redis: MakeRedis) -> None:
    server = make_private_redis(appendonly=True)
    store = RedisStore.from_url(server.url, "aof")
    key = conversation_key(ALICE, "dm")
    try:
        assert await store.save(key, {"node": "q3"}, 0, HOUR) == 1
        server.restart()
        assert await store.load(key) == Snapshot({"node": "q3"}, 1)  # the place is kept
        assert await store.save(key, {"node": "q4"}, 1, HOUR) == 2
    finally:
        await store.close()


async def test_a_hung_redis_times_out_instead_of_hanging(private_redis: PrivateRedis) -> None:
    store = RedisStore.from_url(private_redis.url, "private")
    key = conversation_key(ALICE, "dm")
    assert private_redis.process is not None
    pid = private_redis.process.pid
    try:
        assert await store.save(key, {"node": "q1"}, 0, HOUR) == 1
        os.kill(pid, signal.SIGSTOP)  # accepts nothing, answers nothing, refuses nothing
        try:
            with pytest.raises(StoreUnavailable):
                await asyncio.wait_for(store.load(key), timeout=30)  # the guard is only so a bug cannot hang CI
        finally:
            os.kill(pid, signal.SIGCONT)
        assert await store.load(key) == Snapshot({"node": "q1"}, 1)
    finally:
        await store.close()


async def test_nothing_listening_at_all(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    store = RedisStore.from_url(f"redis://127.0.0.1:{free_port()}/0", "private")
    try:
        for _ in range(10):
            with pytest.raises(StoreUnavailable):
                await store.claim_event("Ev1", HOUR)
        assert len(outage_lines(caplog, logging.WARNING)) == 1
    finally:
        await store.close()


async def test_claim_and_load_is_one_round_trip_with_both_answers(redis_store: RedisStore) -> None:
    key = conversation_key(ALICE, "dm")
    assert await redis_store.save(key, {"node": "q1"}, 0, HOUR) == 1
    first, snap = await redis_store.claim_and_load("EvBoth", HOUR, key)
    assert first is True and snap == Snapshot({"node": "q1"}, 1)
    again, snap = await redis_store.claim_and_load("EvBoth", HOUR, key)
    assert again is False and snap.version == 1
    fresh, empty = await redis_store.claim_and_load("EvOther", HOUR, conversation_key(ALICE, "other"))
    assert fresh is True and empty == Snapshot({}, 0)
