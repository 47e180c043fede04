"""Every Slack surface, registered in one place (the bolt starter template's ``listeners/__init__.py``).

Handlers live in their own modules and get the channel as ``context["canishare"]``. bolt acks
events itself; commands, actions and views call ``ack()`` first, and the work runs after it.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from slack_bolt.async_app import AsyncApp

from bot.channels.slack import actions, commands, home, messages, quiz
from bot.channels.slack import escalation_actions as slack_actions
from bot.channels.slack.app import SlackChannel, tracked
from bot.channels.slack.buttons import ACTION_PREFIX

# What slack/manifest.yml must subscribe to (a test keeps the two in step).
BOT_EVENTS = ("app_home_opened", "app_mention", "message.im")
Listener = Callable[..., Awaitable[None]]
BUTTON = re.compile("^" + re.escape(ACTION_PREFIX) + r"\d+$")


def register(app: AsyncApp, channel: SlackChannel) -> None:
    def on(fn: Listener) -> Listener:
        return tracked(channel.inflight, fn)

    app.command(commands.COMMAND)(on(commands.slash_command))
    app.event("message")(on(messages.direct_message))
    app.event("app_mention")(on(messages.app_mention))
    app.event("app_home_opened")(on(home.home_opened))
    app.action(BUTTON)(on(actions.button))
    app.action(re.compile(quiz.TEAM_ACTION_PATTERN))(on(quiz.team_button))  # issue 8: team quiz answers
    app.action(home.ASK_ACTION)(on(home.open_ask))
    app.view(home.ASK_CALLBACK)(on(home.ask_submitted))
    app.action(slack_actions.ACTION)(on(slack_actions.on_action))  # issue 7: escalation card buttons
    app.view(slack_actions.VIEW)(on(slack_actions.on_view))  # issue 7: Reply / Resolve / Hand over forms
