"""The bolt ``AsyncApp`` factory and the small object every Slack handler works through.

Handlers are plain functions (bolt starter-template style, registered in :mod:`.listeners`); they
reach the engine and the Web API through :class:`SlackChannel`, which bolt passes to them as
``context["canishare"]``. Nothing here holds conversation state: that lives in the store.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.slack.blocks import SlackMessage, render_messages
from bot.channels.slack.buttons import ButtonCodec
from bot.core import metrics
from bot.core.config import ConfigError
from bot.core.logs import quiet_payload_loggers
from bot.core.services import Services
from bot.core.settings import Settings
from dialogs.messages import Reply
from dialogs.turn import Turn

log = logging.getLogger("canishare.slack")
CONTEXT_KEY = "canishare"


def obj(value: object) -> dict[str, Any]:
    """A payload field that should be an object, or {} (a malformed payload must not crash a handler)."""
    return value if isinstance(value, dict) else {}


class InFlight:
    """Counts listener runs that are under way, so shutdown (and tests) can wait for them to finish.

    bolt acknowledges first and runs the listener afterwards in its own task; this is how we know
    when that work is done without reaching into bolt.
    """

    def __init__(self) -> None:
        self.running = 0
        self.finished = 0
        self._changed = asyncio.Condition()

    @contextlib.asynccontextmanager
    async def track(self) -> AsyncIterator[None]:
        async with self._changed:
            self.running += 1
        try:
            yield
        finally:
            async with self._changed:
                self.running -= 1
                self.finished += 1
                self._changed.notify_all()

    async def wait_finished(self, count: int, timeout: float = 10.0) -> None:
        """Wait until ``count`` listener runs have finished in total and none is running."""
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: self.finished >= count and self.running == 0), timeout)

    async def drain(self, timeout: float) -> None:
        async with self._changed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait_for(lambda: self.running == 0), timeout)


@dataclass
class SlackChannel:
    services: Services
    client: AsyncWebClient
    codec: ButtonCodec
    inflight: InFlight = field(default_factory=InFlight)

    async def handle(self, turn: Turn) -> list[Reply]:
        return await self.services.engine.handle(turn)

    async def call(self, method: str, **kwargs: Any) -> dict[str, Any] | None:
        """One Web API call. A Slack error is logged by method and code (never the payload) and absorbed."""
        try:
            response = await self.client.api_call(method, json=kwargs)
        except SlackApiError as exc:
            code = exc.response.get("error", "unknown") if exc.response is not None else "unknown"
            log.warning("slack api call failed: %s %s", method, code)
            metrics.ERRORS.labels(where="slack_api").inc()
            return None
        except Exception as exc:
            log.warning("slack api unreachable: %s %s", method, type(exc).__name__)
            metrics.ERRORS.labels(where="slack_api").inc()
            return None
        return response.data if isinstance(response.data, dict) else None

    async def open_dm(self, user_id: str) -> str | None:
        """The DM channel between the bot and this user (conversations.open is idempotent)."""
        data = await self.call("conversations.open", users=user_id)
        channel = (data or {}).get("channel") or {}
        return channel.get("id") if isinstance(channel, dict) else None

    async def post(self, channel: str, replies: Sequence[Reply]) -> None:
        for message in render_messages(replies, self.codec):
            await self.post_message(channel, message)

    async def post_message(self, channel: str, message: SlackMessage, **extra: Any) -> dict[str, Any] | None:
        return await self.call("chat.postMessage", channel=channel, text=message.text, blocks=message.blocks,
                               unfurl_links=False, unfurl_media=False, **extra)


def tracked(inflight: InFlight, fn: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
    """Wrap a listener so its run is counted in :class:`InFlight`. bolt still sees ``fn``'s arguments."""

    @functools.wraps(fn)  # bolt reads the argument names through __wrapped__
    async def run(**kwargs: Any) -> None:
        async with inflight.track():
            await fn(**kwargs)

    return run


# What a body of the wrong shape makes bolt's routing raise (e.g. ``"view": {}`` without a type).
SHAPE_ERRORS = (KeyError, TypeError, IndexError, AttributeError, ValueError)


async def on_error(error: Exception, response: BoltResponse | None) -> BoltResponse | None:
    """bolt's global error handler: log the error's type and place only, never its message or the body.

    While routing (``response`` is set) an error of :data:`SHAPE_ERRORS` means a body Slack would
    never send: a client's mistake, answered 400 rather than bolt's 500. A listener error happens
    after the ack and only needs logging.
    """
    frame = traceback.extract_tb(error.__traceback__)[-1] if error.__traceback__ else None
    where = f"{frame.filename}:{frame.lineno}" if frame else "?"
    if response is not None and isinstance(error, SHAPE_ERRORS):
        log.warning("slack request of the wrong shape: %s at %s", type(error).__name__, where)
        return BoltResponse(status=400, body='{"error": "invalid request"}',
                            headers={"content-type": "application/json"})
    log.error("slack handling failed: %s at %s", type(error).__name__, where)
    metrics.ERRORS.labels(where="slack").inc()
    return None


def slack_client(settings: Settings) -> AsyncWebClient:
    base_url = settings.slack_api_url if settings.slack_api_url.endswith("/") else settings.slack_api_url + "/"
    client = AsyncWebClient(token=settings.slack_bot_token, base_url=base_url, timeout=10)
    # The Web API is called after the ack, so retrying costs the person a moment, never the 3 s deadline:
    # 429s wait as long as Retry-After says; 5xx back off (tests/system/test_slack_faults.py).
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=2))
    client.retry_handlers.append(AsyncServerErrorRetryHandler(max_retry_count=2))
    return client


class WithholdBodies(logging.Filter):
    """bolt writes whole request bodies (what people typed, their user ids) into some log lines, e.g. on a
    bad signature. Keep the sentence, drop the body."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "body" in message or "({" in message:
            record.msg = message.split(" (", 1)[0] + " (request body withheld)"
            record.args = ()
        return True


class DropTokenSkipped(logging.Filter):
    """bolt reads SLACK_BOT_TOKEN from the environment even when it is handed a client, then warns that the
    token "will be unused". Our client is built from that very token, so the warning is always false here."""

    def filter(self, record: logging.LogRecord) -> bool:
        from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped

        return record.getMessage() != warning_client_prioritized_and_token_skipped()


BOLT_LOGGER = "canishare.slack.bolt"


def quiet_sdk_loggers() -> logging.Logger:
    """The logger bolt gets. bolt copies its level and filters to every logger it makes from it."""
    # At DEBUG, bolt and slack_sdk log whole request bodies, i.e. what people typed. Never below INFO.
    quiet_payload_loggers()
    logger = logging.getLogger(BOLT_LOGGER)
    if logger.level < logging.INFO:
        logger.setLevel(logging.INFO)
    bolt_logger = logging.getLogger(BOLT_LOGGER)
    if not any(isinstance(f, WithholdBodies) for f in bolt_logger.filters):
        bolt_logger.addFilter(WithholdBodies())
    if not any(isinstance(f, DropTokenSkipped) for f in bolt_logger.filters):
        bolt_logger.addFilter(DropTokenSkipped())
    return bolt_logger


def create_bolt_app(services: Services, client: AsyncWebClient | None = None,
                    socket_mode: bool = False) -> tuple[AsyncApp, SlackChannel]:
    """The bolt app with every listener registered, and the SlackChannel its handlers use."""
    from bot.channels.slack.listeners import register

    settings = services.settings
    if not settings.slack_bot_token:
        raise ConfigError("SLACK_BOT_TOKEN is not set")
    secret = settings.slack_signing_secret or ""
    if not socket_mode and not secret:
        # An empty secret would make every forged request "verify": refuse to start instead.
        raise ConfigError("SLACK_SIGNING_SECRET is required to serve /slack/events (or use --socket-mode)")
    bolt_logger = quiet_sdk_loggers()
    client = client or slack_client(settings)
    channel = SlackChannel(services=services, client=client, codec=ButtonCodec(settings.hash_key))
    bolt = AsyncApp(
        client=client,
        signing_secret=secret,
        # Socket Mode requests arrive over an authenticated websocket, not signed HTTP.
        request_verification_enabled=not socket_mode,
        logger=bolt_logger,
        name="canishare",
    )

    async def inject(context: dict[str, Any], next_: Callable[[], Awaitable[None]]) -> None:
        context[CONTEXT_KEY] = channel
        await next_()

    bolt.use(inject)
    bolt.error(on_error)
    register(bolt, channel)
    return bolt, channel
