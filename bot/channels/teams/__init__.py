"""Microsoft Teams: ``POST /api/messages`` on the shared aiohttp application.

Mounted only when ``MicrosoftAppId`` is set (every request then needs a valid Bot Framework
token) or the server runs with ``--dev`` (unauthenticated, for the Bot Framework Emulator).
A client's mistake (wrong content type, broken JSON, not an activity, a bad token) gets a 4xx,
never a 500 or a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from botbuilder.schema import Activity
from botframework.connector.auth import ServiceClientCredentialsFactory

from bot.channels.teams.adapter import TeamsSettingsError, check_teams_settings, create_adapter
from bot.channels.teams.bot import TeamsBot
from bot.channels.teams.quiz import teams_quiz_for
from bot.channels.teams.references import References, get_reference
from bot.core.services import Services

log = logging.getLogger("canishare.teams")

ROUTE = "/api/messages"
TEAMS = web.AppKey("teams", TeamsBot)

__all__ = ["ROUTE", "TEAMS", "TeamsSettingsError", "build_bot", "check_teams_settings", "get_reference", "mount"]


def build_bot(services: Services, credentials_factory: ServiceClientCredentialsFactory | None = None) -> TeamsBot:
    settings = services.settings
    adapter = create_adapter(settings, credentials_factory)
    references = References(services.store, settings.hash_key, services.config.retention.records_seconds)
    bot = TeamsBot(services.engine, references, adapter, settings.microsoft_app_id.strip())

    bot.quiz = teams_quiz_for(services, bot)
    bot.escalations = services.escalations  # lead actions, "who is on duty"
    return bot


def _bad_request(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def make_handler(bot: TeamsBot) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def messages(request: web.Request) -> web.StreamResponse:
        if request.content_type != "application/json":
            return _bad_request(415, "expected a Bot Framework activity as application/json")
        try:
            body = await request.json()
        except ValueError:
            return _bad_request(400, "the body is not valid JSON")
        if not isinstance(body, dict) or not isinstance(body.get("type"), str) or not body["type"]:
            return _bad_request(400, "the body is not a Bot Framework activity")
        try:
            activity = Activity().deserialize(body)
        except Exception:  # msrest raises several types for fields of the wrong shape
            return _bad_request(400, "the body is not a Bot Framework activity")
        if not activity.service_url or activity.conversation is None or not activity.conversation.id:
            return _bad_request(400, "the activity has no serviceUrl or conversation")
        # CloudAdapter authenticates (401 via PermissionError), runs the bot and answers 201,
        # or 200 with a body for invokes. It re-reads the body aiohttp has already cached.
        response = await bot.adapter.process(request, bot)
        return response if response is not None else web.Response(status=201)

    return messages


def mount(app: web.Application, services: Services, *,
          credentials_factory: ServiceClientCredentialsFactory | None = None) -> None:
    if not services.settings.microsoft_app_id.strip() and not services.dev:
        log.info("Teams disabled: MicrosoftAppId is not set (use --dev to test with the Bot Framework Emulator)")
        return
    bot = build_bot(services, credentials_factory)
    app[TEAMS] = bot
    services.teams_bot = bot  # scheduled quiz posts in this process go out through it
    app.router.add_post(ROUTE, make_handler(bot))
    if not services.settings.microsoft_app_id.strip():
        log.warning("Teams endpoint %s is UNAUTHENTICATED (--dev): for the Bot Framework Emulator only", ROUTE)
