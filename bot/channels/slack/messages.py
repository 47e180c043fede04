"""Messages: the DM conversation, and ``@canishare`` in a channel (which moves to the DM)."""

from __future__ import annotations

import logging
from typing import Any

from bot.channels.slack.app import CONTEXT_KEY, SlackChannel
from bot.channels.slack.mrkdwn import plain_from_slack, strip_mention
from dialogs import intents
from dialogs.messages import Notice, Text
from dialogs.turn import Turn

log = logging.getLogger("canishare.slack")

THREAD_REPLY = ("I've sent you a direct message so we can talk there. Cases are never discussed in a channel, "
                "so please don't add details here.")
THREAD_REPLY_NO_DM = ("Let's talk in a direct message: open canishare from the Apps section and write to me "
                      "there. Please don't add details about a case here.")
MOVED_HERE = "You mentioned me in a channel, so I've moved us here: cases are never discussed in a channel."
FILES = "I can't open files, and please don't upload documents about a child or family here."
# Message events we answer; edits, deletions, joins and bot messages are not someone talking to us.
TALKING_SUBTYPES = (None, "file_share")


def _team(body: dict[str, Any], event: dict[str, Any]) -> str | None:
    team = body.get("team_id") or event.get("team")
    return team if isinstance(team, str) else None


def _ids(*values: object) -> bool:
    return all(isinstance(v, str) and v for v in values)


async def direct_message(event: dict[str, Any], body: dict[str, Any], context: dict[str, Any]) -> None:
    channel: SlackChannel = context[CONTEXT_KEY]
    subtype = event.get("subtype")
    if event.get("channel_type") != "im" or subtype not in TALKING_SUBTYPES or event.get("bot_id"):
        return
    user, team, where = event.get("user"), _team(body, event), event.get("channel")
    if not _ids(user, team, where):
        return
    turn = Turn(channel="slack", user_id=f"{team}:{user}", text=plain_from_slack(str(event.get("text") or "")),
                scope="dm", event_id=body.get("event_id"))
    replies = await channel.handle(turn)
    if replies and subtype == "file_share":
        replies = [Notice(text=FILES), *replies]
    await channel.post(where, replies)


async def app_mention(event: dict[str, Any], body: dict[str, Any], context: dict[str, Any]) -> None:
    channel: SlackChannel = context[CONTEXT_KEY]
    user, team, where = event.get("user"), _team(body, event), event.get("channel")
    if not _ids(user, team, where) or str(where).startswith("D"):
        return  # in a DM, the message.im event carries the same words
    text = plain_from_slack(strip_mention(str(event.get("text") or ""), context.get("bot_user_id")))
    turn = Turn(channel="slack", user_id=f"{team}:{user}", text=text or None,
                action=None if text else intents.HELP, scope="dm", event_id=body.get("event_id"))
    # The engine first: it drops a retried delivery, and the guard runs before anything is posted anywhere.
    replies = await channel.handle(turn)
    if not replies:
        return
    dm = await channel.open_dm(user)
    if dm is not None:
        await channel.post(dm, [Text(text=MOVED_HERE), *replies])
    # The thread gets only this fixed text: nothing from the message, nothing from the answer.
    reply = THREAD_REPLY if dm is not None else THREAD_REPLY_NO_DM
    await channel.call("chat.postMessage", channel=where, thread_ts=event.get("thread_ts") or event.get("ts"),
                       text=reply)
