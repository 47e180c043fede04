"""Socket Mode: the same bolt app, fed over Slack's websocket instead of ``POST /slack/events``.

For local development without a public URL (``canishare serve --socket-mode`` with
``SLACK_APP_TOKEN``). The websocket opens when the aiohttp app starts and closes when it shuts
down, before in-flight work is drained.
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp

from bot.core.config import ConfigError

log = logging.getLogger("canishare.slack")
CONNECT_TIMEOUT = 30.0


def attach(app: web.Application, bolt: AsyncApp, app_token: str, connect_timeout: float = CONNECT_TIMEOUT) -> None:
    if not app_token.startswith("xapp-"):
        raise ConfigError("SLACK_APP_TOKEN must be an app-level token (xapp-…) with the connections:write scope")
    handlers: list[AsyncSocketModeHandler] = []

    async def connect(_: web.Application) -> None:
        # Built here, inside the running loop; it opens the websocket with apps.connections.open
        # through bolt's own client, so SLACK_API_URL applies to it too.
        handler = AsyncSocketModeHandler(bolt, app_token)
        handlers.append(handler)
        try:
            await asyncio.wait_for(handler.connect_async(), connect_timeout)
        except TimeoutError:
            await handler.close_async()
            raise ConfigError(f"could not connect to Slack by Socket Mode within {connect_timeout:.0f} s: "
                              "check SLACK_APP_TOKEN and that Socket Mode is on for the app") from None
        log.info("slack socket mode connected")

    async def close(_: web.Application) -> None:
        while handlers:
            await handlers.pop().close_async()

    app.on_startup.append(connect)
    app.on_shutdown.append(close)
