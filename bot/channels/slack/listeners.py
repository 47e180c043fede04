"""Every Slack surface, registered in one place (the bolt starter template's ``listeners/__init__.py``).

Handlers live in their own modules and get the channel as ``context["canishare"]``. bolt acks
events itself; commands, actions and views call ``ack()`` first, and the work runs after it.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.common.commands import rota_command
from bot.channels.slack import actions, commands, home, messages, quiz
from bot.channels.slack import escalation_actions as slack_actions
from bot.channels.slack.app import CONTEXT_KEY, SlackChannel, on_error, quiet_sdk_loggers, slack_client, tracked
from bot.channels.slack.buttons import ACTION_PREFIX, ButtonCodec
from bot.channels.slack.commands import Subcommand
from bot.channels.slack.report import slack_report
from bot.core.config import ConfigError
from bot.core.services import Services
from dialogs import intents

# What bot/channels/slack/manifest/manifest.yml must subscribe to (a test keeps the two in step).
BOT_EVENTS = ("app_home_opened", "app_mention", "message.im")
Listener = Callable[..., Awaitable[None]]
BUTTON = re.compile("^" + re.escape(ACTION_PREFIX) + r"\d+$")


def register(app: AsyncApp, channel: SlackChannel) -> None:
    def on(fn: Listener) -> Listener:
        return tracked(channel.inflight, fn)

    app.command(commands.COMMAND)(on(slash_command))
    app.event("message")(on(messages.direct_message))
    app.event("app_mention")(on(messages.app_mention))
    app.event("app_home_opened")(on(home.home_opened))
    app.action(BUTTON)(on(actions.button))
    app.action(re.compile(quiz.TEAM_ACTION_PATTERN))(on(quiz.team_button))  # team quiz answers
    app.action(home.ASK_ACTION)(on(home.open_ask))
    app.view(home.ASK_CALLBACK)(on(home.ask_submitted))
    app.action(slack_actions.ACTION)(on(slack_actions.on_action))  # escalation card buttons
    app.view(slack_actions.VIEW)(on(slack_actions.on_view))  # Reply / Resolve / Hand over forms


SUBCOMMANDS: dict[str, Subcommand] = {
    "": commands.engine_action(intents.START),
    "start": commands.engine_action(intents.START),
    "ask": commands.ask,
    "help": commands.engine_action(intents.HELP),
    "edition": commands.edition,
    "quiz": quiz.quiz_command,
    "report": slack_report,  # the leads' report, for people in the rota only
    "duty": slack_actions.duty_command,  # who is on duty now and next
    "cover": slack_actions.cover_command,  # "/canishare cover until 17:00"
}


async def slash_command(ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond,
                        context: dict[str, Any]) -> None:
    # An empty ack within Slack's 3 s shows nothing in the channel, so the typed text is never displayed there.
    await ack()
    cmd = commands.parse(command)
    if cmd is None:
        return
    rota = rota_command(f"{cmd.sub} {cmd.rest}")  # the grammar Teams uses too ("who is on duty?")
    if rota is not None:
        handler = slack_actions.duty_command if rota.action == "duty" else slack_actions.cover_command
    else:
        handler = SUBCOMMANDS.get(cmd.sub, commands.unknown)
    await handler(context[CONTEXT_KEY], cmd, respond)


def create_bolt_app(services: Services, client: AsyncWebClient | None = None,
                    socket_mode: bool = False) -> tuple[AsyncApp, SlackChannel]:
    """The bolt app with every listener registered, and the SlackChannel its handlers use."""
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
