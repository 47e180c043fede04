"""Per-turn Bot Framework clients, made cheap (benchmarks/http_paths.py measured them).

botbuilder 4.17.1 builds two msrest clients for every incoming activity: a ``ConnectorClient``
for the replies (each with its own HTTP session, so a new connection per turn) and a
``TokenApiClient`` for user sign-in, which this bot never uses. Building them (msrest's model
serialisers) cost several times the whole engine turn. Here the connector client is reused per
(app id, service URL, audience), in a small bounded cache, and the token client is built only if
something asks for it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import ConnectorFactory, UserTokenClient

MAX_CONNECTORS = 32  # Teams uses a handful of service URLs; a bound keeps odd ones from piling up

ConnectorCache = OrderedDict[tuple[str, str, str], ConnectorClient]


class ReusedConnectors(ConnectorFactory):
    """Wraps botbuilder's per-request factory; the credentials are the same for the same key."""

    def __init__(self, inner: ConnectorFactory, cache: ConnectorCache, app_id: str) -> None:
        self._inner = inner
        self._cache = cache
        self._app_id = app_id

    async def create(self, service_url: str, audience: str | None = None) -> ConnectorClient:
        key = (self._app_id, service_url or "", audience or "")
        client = self._cache.get(key)
        if client is not None:
            self._cache.move_to_end(key)
            return client
        client = await self._inner.create(service_url, audience)
        self._cache[key] = client
        while len(self._cache) > MAX_CONNECTORS:
            self._cache.popitem(last=False)
        return client


class LazyUserTokenClient(UserTokenClient):
    """Builds botbuilder's user token client on first use (never, for this bot)."""

    def __init__(self, build: Callable[[], Awaitable[UserTokenClient]]) -> None:
        self._build = build
        self._client: UserTokenClient | None = None

    async def _real(self) -> UserTokenClient:
        if self._client is None:
            self._client = await self._build()
        return self._client

    async def get_user_token(self, *args: Any, **kwargs: Any) -> Any:
        return await (await self._real()).get_user_token(*args, **kwargs)

    async def get_sign_in_resource(self, *args: Any, **kwargs: Any) -> Any:
        return await (await self._real()).get_sign_in_resource(*args, **kwargs)

    async def sign_out_user(self, *args: Any, **kwargs: Any) -> Any:
        return await (await self._real()).sign_out_user(*args, **kwargs)

    async def get_token_status(self, *args: Any, **kwargs: Any) -> Any:
        return await (await self._real()).get_token_status(*args, **kwargs)

    async def get_aad_tokens(self, *args: Any, **kwargs: Any) -> Any:
        return await (await self._real()).get_aad_tokens(*args, **kwargs)

    async def exchange_token(self, *args: Any, **kwargs: Any) -> Any:
        return await (await self._real()).exchange_token(*args, **kwargs)
