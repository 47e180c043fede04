"""``/canishare`` and its subcommands. The answer always goes to the DM with the bot.

Subcommands are listed in :data:`bot.channels.slack.listeners.SUBCOMMANDS`; each handler gets the
channel, the parsed command and bolt's ``respond``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.channels.slack.app import SlackChannel
from bot.channels.slack.mrkdwn import plain_from_slack
from dialogs import intents
from dialogs.messages import Notice, Reply
from dialogs.turn import Turn

COMMAND = "/canishare"
MOVED_TO_DM = "I've answered in our direct message, so nothing about a case is shown here."
NO_DM = "I couldn't open a direct message with you. Please open canishare from the Apps section and try again."
ASK_USAGE = "Add your question after *ask*, for example: `/canishare ask do I need consent to tell the police?`"


@dataclass(frozen=True)
class SlashCommand:
    team_id: str
    user_id: str
    channel_id: str
    sub: str  # first word, lower case ("" for a bare /canishare)
    rest: str  # everything after it, as plain text
    trigger_id: str | None

    @property
    def who(self) -> str:
        return f"{self.team_id}:{self.user_id}"

    def turn(self, **kwargs: Any) -> Turn:
        # trigger_id is unique per invocation and holds no user id, so it can key the idempotency record.
        event_id = f"cmd:{self.trigger_id}" if self.trigger_id else None
        return Turn(channel="slack", user_id=self.who, scope="dm", event_id=event_id, **kwargs)


Subcommand = Callable[[SlackChannel, SlashCommand, AsyncRespond], Awaitable[None]]


def parse(command: dict[str, Any]) -> SlashCommand | None:
    team, user = command.get("team_id"), command.get("user_id")
    if not team or not user:
        return None
    text = plain_from_slack(str(command.get("text") or "")).strip()
    sub, _, rest = text.partition(" ")
    return SlashCommand(team_id=team, user_id=user, channel_id=str(command.get("channel_id") or ""),
                        sub=sub.lower(), rest=rest.strip(), trigger_id=command.get("trigger_id"))


async def answer_in_dm(channel: SlackChannel, cmd: SlashCommand, respond: AsyncRespond, turn: Turn,
                       lead: Sequence[Reply] = ()) -> None:
    replies = await channel.handle(turn)
    if not replies:
        return  # already handled (a repeated delivery)
    dm = await channel.open_dm(cmd.user_id)
    if dm is None:
        await respond(text=NO_DM, response_type="ephemeral")
        return
    await channel.post(dm, [*lead, *replies])
    if dm != cmd.channel_id:
        await respond(text=MOVED_TO_DM, response_type="ephemeral")


def engine_action(action: str) -> Subcommand:
    async def run(channel: SlackChannel, cmd: SlashCommand, respond: AsyncRespond) -> None:
        await answer_in_dm(channel, cmd, respond, cmd.turn(action=action))

    return run


async def ask(channel: SlackChannel, cmd: SlashCommand, respond: AsyncRespond) -> None:
    if not cmd.rest:
        await respond(text=ASK_USAGE, response_type="ephemeral")
        return
    await answer_in_dm(channel, cmd, respond, cmd.turn(text=f"ask {cmd.rest}"))


async def edition(channel: SlackChannel, cmd: SlashCommand, respond: AsyncRespond) -> None:
    # "/canishare edition" shows the choice; "/canishare edition 2008" makes it (the engine checks the id).
    action = f"edition:{cmd.rest.split()[0].lower()}" if cmd.rest else intents.EDITION
    await answer_in_dm(channel, cmd, respond, cmd.turn(action=action))


async def unknown(channel: SlackChannel, cmd: SlashCommand, respond: AsyncRespond) -> None:
    # Never echo the text: it may be a case typed after the command.
    lead = [Notice(text="I don't know that command, so here is what I can do.")]
    await answer_in_dm(channel, cmd, respond, cmd.turn(action=intents.HELP), lead)
