"""The Slack surface: a slack-bolt (async) app on ``POST /slack/events``, or over Socket Mode.

``mount(app, services)`` is all the server needs. Settings come from the environment
(SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_APP_TOKEN, SLACK_API_URL); without a bot token the
surface stays off. See docs/slack.md.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import aiohttp
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.channels.slack.app import SlackChannel
from bot.channels.slack.listeners import create_bolt_app
from bot.channels.slack.socket_mode import attach
from bot.core import metrics
from bot.core.config import ConfigError
from bot.core.services import Services
from bot.core.settings import Settings

log = logging.getLogger("canishare.slack")

EVENTS_PATH = "/slack/events"
DRAIN_SECONDS = 10.0
SLACK = web.AppKey("slack", SlackChannel)
BOLT = web.AppKey("slack_bolt", AsyncApp)
SLACK_SESSION = web.AppKey("slack_session", aiohttp.ClientSession)


def check_slack_settings(settings: Settings, socket_mode: bool) -> bool:
    """True when Slack should be served; raises ConfigError for a half-configured Slack."""
    if socket_mode:
        missing = [name for name, value in (("SLACK_BOT_TOKEN", settings.slack_bot_token),
                                            ("SLACK_APP_TOKEN", settings.slack_app_token)) if not value]
        if missing:
            raise ConfigError(f"--socket-mode needs {' and '.join(missing)} (see docs/slack.md)")
        return True
    if not settings.slack_bot_token:
        if settings.slack_signing_secret:
            raise ConfigError("SLACK_SIGNING_SECRET is set but SLACK_BOT_TOKEN is not (see docs/slack.md)")
        return False
    if not settings.slack_signing_secret:
        raise ConfigError("SLACK_BOT_TOKEN is set but SLACK_SIGNING_SECRET is not: it is needed to check that "
                          "requests come from Slack (or use --socket-mode)")
    return True


def invalid_request() -> web.Response:
    return web.json_response({"error": "invalid request"}, status=400)


def events_endpoint(bolt: AsyncApp) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def slack_events(request: web.Request) -> web.Response:
        raw = await request.read()
        try:
            # bolt parses the body while building the request, before it checks the signature;
            # anything it cannot parse is a client's mistake, answered 400 without a traceback.
            bolt_request = AsyncBoltRequest(body=raw.decode("utf-8"), query=request.query_string,
                                            headers=request.headers)  # type: ignore[arg-type]
        except Exception:
            return invalid_request()
        if not isinstance(bolt_request.body, dict):
            return invalid_request()
        try:
            response = await bolt.async_dispatch(bolt_request)
        except Exception as exc:
            log.warning("slack request could not be dispatched: %s", type(exc).__name__)
            metrics.ERRORS.labels(where="slack_dispatch").inc()
            return invalid_request()
        if response.status == 401:
            metrics.ERRORS.labels(where="slack_signature").inc()
        content_type = response.headers.pop("content-type", ["application/json" if response.body.startswith("{")
                                                             else "text/plain"])[0]
        return web.Response(status=response.status, body=response.body,
                            content_type=content_type.split(";")[0].strip(),
                            headers=response.first_headers_without_set_cookie())

    return slack_events


def mount(app: web.Application, services: Services) -> None:
    socket_mode = services.socket_mode
    if not check_slack_settings(services.settings, socket_mode):
        log.info("slack is off: SLACK_BOT_TOKEN is not set")
        return
    bolt, channel = create_bolt_app(services, socket_mode=socket_mode)
    app[SLACK] = channel
    app[BOLT] = bolt
    if socket_mode:
        attach(app, bolt, services.settings.slack_app_token or "")
    else:
        app.router.add_post(EVENTS_PATH, events_endpoint(bolt))

    async def drain(_: web.Application) -> None:
        # bolt answered Slack already; let the work after each ack finish before the process goes.
        await channel.inflight.drain(DRAIN_SECONDS)

    app.on_shutdown.append(drain)
    share_session(app, channel)


def share_session(app: web.Application, channel: SlackChannel) -> None:
    """One pooled HTTP session for every Web API call. Without it slack_sdk opens a new session, and so
    a new (TLS) connection, for each call: three per button click (benchmarks/http_paths.py)."""

    async def open_session(_: web.Application) -> None:
        if channel.client.session is None:
            # slack_sdk applies its timeout only to sessions it makes itself: give ours the same one.
            timeout = aiohttp.ClientTimeout(total=channel.client.timeout)
            channel.client.session = aiohttp.ClientSession(timeout=timeout)
            app[SLACK_SESSION] = channel.client.session

    async def close_session(_: web.Application) -> None:
        session = app.get(SLACK_SESSION)
        if session is not None:
            channel.client.session = None
            await session.close()

    app.on_startup.append(open_session)
    app.on_cleanup.append(close_session)


__all__ = ["BOLT", "EVENTS_PATH", "SLACK", "check_slack_settings", "mount"]
