"""``/canishare report [7d]`` in Slack: the leads' report, for the people named in the rota only.

Shown only to the person who asked (an ephemeral reply), wherever they typed it. Everyone else is
told politely that the report is for the safeguarding leads.
"""

from __future__ import annotations

import logging

from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.channels.slack.app import SlackChannel
from bot.channels.slack.commands import SlashCommand
from bot.channels.slack.mrkdwn import escape
from bot.core.report import PeriodError, build_report, is_lead, parse_since, render_text
from bot.core.store import StoreUnavailable

log = logging.getLogger("canishare.report")

NOT_A_LEAD = ("Sorry, the service report is only for the safeguarding leads named in canishare's rota. "
              "If you need the figures, please ask your designated safeguarding lead.")
NO_STORE = "I can't read the statistics just now because my storage is unavailable. Please try again later."
DEFAULT_SINCE = "7d"


async def slack_report(channel: SlackChannel, cmd: SlashCommand, respond: AsyncRespond) -> None:
    services = channel.services
    if not is_lead(services.config, "slack", cmd.user_id):
        log.info("report refused: not a lead")
        await respond(text=NOT_A_LEAD, response_type="ephemeral")
        return
    try:
        days = parse_since(cmd.rest.split()[0] if cmd.rest else DEFAULT_SINCE)
    except PeriodError:
        await respond(text="Say how far back, for example `/canishare report 7d` or `/canishare report 4w`.",
                      response_type="ephemeral")
        return
    try:
        report = await build_report(services.store, days, org=services.config.name)
    except StoreUnavailable:
        await respond(text=NO_STORE, response_type="ephemeral")
        return
    # A code block keeps the columns. The organisation's name is the only text: escape it for mrkdwn.
    text = escape(render_text(report))
    await respond(text=f"```{text}```\nFor a chart, run `canishare report --since {days}d --png report.png`.",
                  response_type="ephemeral")
