"""The Redis store: conversation state shared by every process of one deployment.

Layout (``<p>`` is the deployment's key prefix, ``<h>`` a keyed user hash from :mod:`bot.core.identity`)::

    <p>:conv:{<h>}:<scope>      "<version>:<payload>"   conversation state   TTL: retention.conversation
    <p>:record:{<h>}:<id>       "<version>:<payload>"   kept decision record TTL: retention.records
    <p>:event:<digest>          "<token>"               platform event seen  TTL: retention.event_ids

Every value is one Redis string: the version in decimal, a colon, then the payload, which is
compact JSON or, when that is shorter, ``z`` + zlib-deflated JSON. One string per conversation is
the cheapest Redis layout (a hash would add a listpack and a second allocation), and the version
prefix lets a Lua script do compare-and-set by reading only the first bytes.

The user hash sits in ``{...}`` so all of one user's keys share a Redis Cluster slot, and the
prefix may not contain braces (that would move the hash tag). ``forget_user`` finds a user's keys
with ``SCAN MATCH <p>:*:{<h>}*``.

URLs accepted by :meth:`RedisStore.from_url`:

* ``redis://[[user]:password@]host[:port][/db]``: plain TCP;
* ``rediss://...``: TLS (redis-py query options such as ``?ssl_ca_certs=/path/ca.pem`` apply);
* ``redis+sentinel://[[user]:password@]host[:port][,host2[:port2]...]/service[/db]``: ask the
  Sentinels (port 26379 by default) for the master of ``service``. The password is the master's;
  ``?sentinel_password=...`` (and ``sentinel_username``) authenticate to the Sentinels themselves.
  ``rediss+sentinel://`` uses TLS to the Sentinels and to the master. Other query options are
  passed to the connections as with ``redis://``.
* ``redis+cluster://[[user]:password@]host[:port][,host2[:port2]...][/]``: a Redis Cluster, found
  from any of the listed nodes (port 6379 by default); ``rediss+cluster://`` uses TLS. Query options
  are passed to every node's connections as with ``redis://``.

Cluster safety: every Lua script and every MULTI/EXEC touches keys of one hash slot only. One
user's conversation keys share ``{<h>}``; the escalation keys share ``{esc}``; the statistics keys
``{s}``; a team quiz question's keys ``{<question id>}``. Keys used alone (event claims, worker
leases) need no tag. tests/storage/test_cluster_slots.py checks this against a real cluster.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import secrets
import time
import zlib
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import parse_qs, unquote

from redis import exceptions as rexc
from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.cluster import ClusterNode, RedisCluster
from redis.asyncio.connection import URL_QUERY_ARGUMENT_PARSERS
from redis.asyncio.retry import Retry
from redis.asyncio.sentinel import Sentinel
from redis.backoff import ExponentialBackoff

from bot.core.quiz.backend import TeamBackend
from bot.core.store import JSON, Snapshot, StoreUnavailable
from bot.storage.quiz_backend import RedisTeamBackend
from bot.storage.redis_errors import is_unavailable
from bot.storage.redis_stats import RedisStatsMixin
from bot.storage.redis_stats import check_ttl as _check_ttl

log = logging.getLogger(__name__)

T = TypeVar("T")

# Short timeouts: a down Redis must cost a user well under a second or two, not the default
# ten retries. Only connection errors are retried, once, to replace a pooled connection that
# died with a restarted server; a timed-out command may have run, so it is never re-sent.
CONNECT_TIMEOUT = 0.5
READ_TIMEOUT = 1.0
HEALTH_CHECK_INTERVAL = 10
# redis-py's default pool fails a command outright (MaxConnectionsError) once 100 are in flight,
# which a busy server reaches with Redis perfectly healthy (tests/system/test_load.py): every
# such turn would get the "storage unavailable" answer. A blocking pool waits briefly instead.
POOL_SIZE = 100
POOL_WAIT = 2.0
WARN_EVERY = 30.0  # seconds: at most one "writes refused" line per this long
SENTINEL_PORT = 26379
REDIS_PORT = 6379

_PREFIX_RE = re.compile(r"[A-Za-z0-9_.\-]+(?::[A-Za-z0-9_.\-]+)*")
_GLOB_SPECIAL = re.compile(r"([*?\[\]\\])")

# Compress only when it can pay: short JSON does not shrink under deflate.
_COMPRESS_FROM = 160

# KEYS[1] state key; ARGV: expected version ("" = unconditional), payload, ttl seconds.
# Returns the new version, or -1 when the stored version is not the expected one.
_CAS_SCRIPT = """
local head = redis.call('GETRANGE', KEYS[1], 0, 20)
local current = tonumber(string.match(head, '^(%d+):')) or 0
if ARGV[1] ~= '' and current ~= tonumber(ARGV[1]) then
  return -1
end
local version = current + 1
redis.call('SET', KEYS[1], string.format('%d', version) .. ':' .. ARGV[2], 'EX', ARGV[3])
return version
"""


def encode_payload(data: JSON) -> bytes:
    try:
        # UTF-8 is shorter than \u escapes for the non-ASCII text people type.
        raw = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
    except UnicodeEncodeError:
        # A lone surrogate (broken emoji from a platform) has no UTF-8 form; escape it instead.
        raw = json.dumps(data, separators=(",", ":")).encode()
    if len(raw) >= _COMPRESS_FROM:
        # Raw deflate (wbits -15): a zlib header and checksum would cost 6 bytes for nothing.
        deflater = zlib.compressobj(6, zlib.DEFLATED, -15)
        packed = b"z" + deflater.compress(raw) + deflater.flush()
        if len(packed) < len(raw):
            return packed
    return raw


def decode_payload(payload: bytes) -> JSON:
    if payload[:1] == b"z":
        payload = zlib.decompress(payload[1:], -15)
    data = json.loads(payload)
    if not isinstance(data, dict):
        raise ValueError("stored state is not a JSON object")
    return data


def _split(value: bytes) -> Snapshot:
    head, sep, payload = value.partition(b":")
    version = int(head) if sep and head.isdigit() else 0  # the same reading as the CAS script
    try:
        return Snapshot(decode_payload(payload), version)
    except (ValueError, zlib.error):  # json's errors are ValueErrors
        # Unreadable state (written by hand, or an old layout): start afresh rather than fail
        # every turn until the TTL; the next save replaces it through the usual compare-and-set.
        log.warning("unreadable conversation state replaced by a fresh start")
        return Snapshot({}, version)


def _check_prefix(prefix: str) -> str:
    prefix = prefix.rstrip(":")
    if not _PREFIX_RE.fullmatch(prefix):
        # Braces would move the cluster hash tag; glob characters would widen forget's SCAN.
        raise ValueError(f"key prefix {prefix!r}: use letters, digits, '_', '.', '-' (and ':' between parts)")
    return prefix


class RedisStore(RedisStatsMixin):
    """:class:`bot.core.store.Store` over redis-py's asyncio client.

    ``client`` must return bytes (``decode_responses=False``): payloads may be compressed.
    Any "Redis is not there" error surfaces as :class:`StoreUnavailable`; the first one of an
    outage logs one warning, the first success afterwards logs one info line.
    """

    def __init__(self, client: Redis, prefix: str, *, owns_client: bool = True) -> None:
        prefix = _check_prefix(prefix)
        if client.get_encoder().decode_responses:
            raise ValueError("RedisStore needs a client with decode_responses=False")
        self._client = client
        self._owns_client = owns_client
        self.prefix = prefix
        self._p = prefix + ":"
        self._cas = client.register_script(_CAS_SCRIPT)
        self._down_since: float | None = None
        self._failures = 0
        self._warned_at = -WARN_EVERY

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def from_url(cls, url: str, prefix: str, **overrides: Any) -> RedisStore:
        """A store for ``redis://``, ``rediss://``, ``redis+sentinel://`` or ``redis+cluster://`` (see module doc)."""
        _check_prefix(prefix)  # before a client (and its pool) exists
        options: dict[str, Any] = {
            "socket_connect_timeout": CONNECT_TIMEOUT,
            "socket_timeout": READ_TIMEOUT,
            "health_check_interval": HEALTH_CHECK_INTERVAL,
            "retry": _retry(),
            "decode_responses": False,
        }
        options.update(overrides)
        scheme = url.partition("://")[0].lower()
        if scheme in ("redis", "rediss"):
            pool_options = {"max_connections": POOL_SIZE, "timeout": POOL_WAIT, **options}
            return cls(Redis.from_pool(BlockingConnectionPool.from_url(url, **pool_options)), prefix)
        if scheme in ("redis+sentinel", "rediss+sentinel"):
            return cls(_sentinel_client(url, options), prefix)
        if scheme in ("redis+cluster", "rediss+cluster"):
            return cls(_cluster_client(url, options), prefix)  # type: ignore[arg-type]
        raise ValueError("REDIS_URL must start with redis://, rediss://, redis+sentinel://, rediss+sentinel://, "
                         "redis+cluster:// or rediss+cluster://")

    @property
    def client(self) -> Redis:
        return self._client

    @property
    def available(self) -> bool:
        """False from the first failed call of an outage until the next successful one."""
        return self._down_since is None

    def key(self, key: str) -> str:
        return self._p + key

    def event_key(self, event_id: str) -> str:
        # Platform event ids are opaque and may be long or contain braces: hash them.
        return self._p + "event:" + hashlib.blake2b(event_id.encode(), digest_size=12).hexdigest()

    # -- the Store interface --------------------------------------------------------------------

    async def load(self, key: str) -> Snapshot:
        value = await self._call(self._client.get, self.key(key))
        if value is None:
            return Snapshot({}, 0)
        return _split(value)

    async def save(self, key: str, data: JSON, expected_version: int, ttl_seconds: int) -> int | None:
        args = [str(int(expected_version)), encode_payload(data), _check_ttl(ttl_seconds)]
        version = await self._call(self._cas, keys=[self.key(key)], args=args)
        return None if int(version) < 0 else int(version)

    async def put(self, key: str, data: JSON, ttl_seconds: int) -> None:
        args = ["", encode_payload(data), _check_ttl(ttl_seconds)]
        await self._call(self._cas, keys=[self.key(key)], args=args)

    async def delete(self, key: str) -> None:
        await self._call(self._client.delete, self.key(key))

    async def claim_event(self, event_id: str, ttl_seconds: int) -> bool:
        # SET NX GET with a fresh token: if the reply is lost and the command is retried, seeing
        # our own token tells us the claim was ours, so a retry cannot drop the event.
        token = secrets.token_hex(4).encode()
        ttl = _check_ttl(ttl_seconds)
        previous = await self._call(
            self._client.execute_command, "SET", self.event_key(event_id), token, "NX", "GET", "EX", ttl
        )
        return previous is None or previous == token

    async def claim_and_load(self, event_id: str, ttl_seconds: int, key: str) -> tuple[bool | None, Snapshot]:
        # One pipelined round trip instead of two: the claim and the conversation's state. (On a
        # cluster the two keys may sit on different nodes; the pipeline then sends one batch to each.)
        token = secrets.token_hex(4).encode()
        ttl = _check_ttl(ttl_seconds)
        pipe = self._client.pipeline(transaction=False)
        pipe.execute_command("SET", self.event_key(event_id), token, "NX", "GET", "EX", ttl)
        pipe.get(self.key(key))
        previous, value = await self._call(pipe.execute, raise_on_error=False)
        if isinstance(value, Exception):
            await self._call(_raise, value)  # the load failed: the store is unavailable (or a bug)
        claimed = None if isinstance(previous, Exception) else previous is None or previous == token
        return claimed, Snapshot({}, 0) if value is None else _split(value)

    async def forget_user(self, user_hash: str) -> list[str]:
        if not re.fullmatch(r"[0-9a-f]+", user_hash):
            # A hash is hex; anything else could widen the SCAN pattern to other users.
            raise ValueError("forget_user expects a user hash from bot.core.identity.user_hash")
        # The closing brace right after the hash makes the match exact: no other user's key fits.
        pattern = _GLOB_SPECIAL.sub(r"\\\1", self._p) + f"*:{{{user_hash}}}*"

        async def scan_and_delete() -> list[str]:
            found = [raw async for raw in self._client.scan_iter(match=pattern, count=1000)]
            removed: list[bytes] = []
            for start in range(0, len(found), 500):
                batch = found[start : start + 500]
                # One DEL per key (pipelined) tells us which keys were still there to remove.
                pipe = self._client.pipeline(transaction=False)
                for raw in batch:
                    pipe.delete(raw)
                results = await pipe.execute()
                removed.extend(raw for raw, n in zip(batch, results, strict=True) if n)
            return sorted(raw.decode()[len(self._p) :] for raw in removed)

        return await self._call(scan_and_delete)

    async def ping(self) -> bool:
        try:
            return bool(await self._call(self._client.ping))
        except StoreUnavailable:
            return False

    def team_backend(self) -> TeamBackend:
        """Team quizzes in this Redis, under this store's prefix (every process shares them)."""
        return RedisTeamBackend(self)

    async def close(self) -> None:
        if self._owns_client:
            await self._client.aclose()

    # -- outage handling ------------------------------------------------------------------------

    async def _call(self, fn: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        try:
            result = await fn(*args, **kwargs)
        except Exception as exc:
            if not is_unavailable(exc):
                raise
            self._mark_down(exc)
            raise StoreUnavailable(f"Redis unavailable: {type(exc).__name__}") from exc
        if self._down_since is not None:
            self._mark_up()
        return result

    def _mark_down(self, exc: BaseException) -> None:
        self._failures += 1
        if self._down_since is None:
            self._down_since = time.monotonic()
            if isinstance(exc, rexc.ResponseError) and self._down_since - self._warned_at < WARN_EVERY:
                # Writes refused mid-failover while reads still pass: the outage flaps with every
                # request; one line per WARN_EVERY, not one per flap.
                return
            self._warned_at = self._down_since
            # One line per outage, not per request. Exception text names host and port only.
            log.warning(
                "Redis unavailable (%s: %s); conversations cannot keep their place until it returns",
                type(exc).__name__,
                exc,
            )

    def _mark_up(self) -> None:
        assert self._down_since is not None
        seconds = time.monotonic() - self._down_since
        if self._warned_at == self._down_since:
            log.info("Redis available again after %.1f s (%d calls failed meanwhile)", seconds, self._failures)
        self._down_since = None
        self._failures = 0


async def _raise(exc: Exception) -> None:
    raise exc


def _retry() -> Retry:
    return Retry(ExponentialBackoff(cap=0.05, base=0.01), retries=1, supported_errors=(rexc.ConnectionError,))


def parse_sentinel_url(url: str) -> tuple[list[tuple[str, int]], str, dict[str, Any], dict[str, Any]]:
    """``redis+sentinel://...`` → (sentinel addresses, service name, master kwargs, sentinel kwargs)."""
    scheme, _, rest = url.partition("://")
    rest, _, query = rest.partition("?")
    netloc, _, path = rest.partition("/")
    userinfo, at, hosts = netloc.rpartition("@")
    if not at:
        userinfo, hosts = "", netloc
    master: dict[str, Any] = {}
    sentinel: dict[str, Any] = {}
    if userinfo:
        user, colon, password = userinfo.partition(":")
        if colon:
            master["password"] = unquote(password)
        if user:
            master["username"] = unquote(user)

    addresses: list[tuple[str, int]] = []
    for item in filter(None, hosts.split(",")):
        if item.startswith("["):  # [ipv6]:port
            host, _, port = item[1:].partition("]")
            port = port.lstrip(":")
        else:
            host, _, port = item.rpartition(":") if ":" in item else (item, "", "")
        addresses.append((unquote(host), int(port) if port else SENTINEL_PORT))
    parts = [unquote(p) for p in path.split("/") if p]
    if not addresses or not parts or len(parts) > 2:
        raise ValueError("Sentinel URL form: redis+sentinel://[:password@]host[:port][,host2[:port2]]/service[/db]")
    service = parts[0]
    if len(parts) == 2:
        master["db"] = int(parts[1])

    for name, values in parse_qs(query).items():
        value: Any = values[0]
        if name in ("sentinel_password", "sentinel_username"):
            sentinel[name.removeprefix("sentinel_")] = value
            continue
        parser = URL_QUERY_ARGUMENT_PARSERS.get(name)
        master[name] = parser(value) if parser else value
    if scheme.lower() == "rediss+sentinel":
        master["ssl"] = True
        sentinel["ssl"] = True
        for name in ("ssl_ca_certs", "ssl_cert_reqs", "ssl_certfile", "ssl_keyfile", "ssl_check_hostname"):
            if name in master:
                sentinel[name] = master[name]
    return addresses, service, master, sentinel


def _sentinel_client(url: str, options: dict[str, Any]) -> Redis:
    addresses, service, master_kwargs, sentinel_kwargs = parse_sentinel_url(url)
    kwargs = {**options, **master_kwargs}
    sentinel_kwargs = {
        "socket_connect_timeout": kwargs["socket_connect_timeout"],
        "socket_timeout": kwargs["socket_timeout"],
        "retry": _retry(),
        **sentinel_kwargs,
    }
    manager = Sentinel(addresses, sentinel_kwargs=sentinel_kwargs)
    return manager.master_for(service, redis_class=Redis, **kwargs)


def parse_cluster_url(url: str) -> tuple[list[tuple[str, int]], dict[str, Any]]:
    """``redis+cluster://...`` → (startup node addresses, connection kwargs)."""
    scheme, _, rest = url.partition("://")
    rest, _, query = rest.partition("?")
    netloc, _, path = rest.partition("/")
    if path.strip("/") not in ("", "0"):
        raise ValueError("a Redis Cluster has only database 0: redis+cluster://host:port[,host2:port2]")
    userinfo, at, hosts = netloc.rpartition("@")
    if not at:
        userinfo, hosts = "", netloc
    kwargs: dict[str, Any] = {}
    if userinfo:
        user, colon, password = userinfo.partition(":")
        if colon:
            kwargs["password"] = unquote(password)
        if user:
            kwargs["username"] = unquote(user)
    addresses: list[tuple[str, int]] = []
    for item in filter(None, hosts.split(",")):
        if item.startswith("["):
            host, _, port = item[1:].partition("]")
            port = port.lstrip(":")
        else:
            host, _, port = item.rpartition(":") if ":" in item else (item, "", "")
        addresses.append((unquote(host), int(port) if port else REDIS_PORT))
    if not addresses:
        raise ValueError("Cluster URL form: redis+cluster://[:password@]host[:port][,host2[:port2]]")
    for name, values in parse_qs(query).items():
        parser = URL_QUERY_ARGUMENT_PARSERS.get(name)
        kwargs[name] = parser(values[0]) if parser else values[0]
    if scheme.lower() == "rediss+cluster":
        kwargs["ssl"] = True
    return addresses, kwargs


def _cluster_client(url: str, options: dict[str, Any]) -> RedisCluster:
    addresses, kwargs = parse_cluster_url(url)
    kwargs = {**options, **kwargs}
    # redis-py's cluster client follows MOVED/ASK itself and, on a connection error or CLUSTERDOWN,
    # refreshes the slot map and retries: that is what carries a request across a failover.
    kwargs["retry"] = Retry(ExponentialBackoff(cap=0.5, base=0.05), retries=6)
    kwargs.pop("health_check_interval", None)
    # No max_connections: the cluster client's pool cannot wait for a free connection (it raises at
    # the limit, which a busy process reaches with Redis healthy), so it opens what the load needs.
    return RedisCluster(startup_nodes=[ClusterNode(h, p) for h, p in addresses], **kwargs)
