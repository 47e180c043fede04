"""Button clicks: check the button, hand the choice to the engine, update the clicked message in place."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck

from bot.channels.slack.app import CONTEXT_KEY, SlackChannel, obj
from bot.channels.slack.blocks import answered, expanded, layer_blocks
from bot.channels.slack.buttons import BadButton
from bot.core import metrics
from dialogs.messages import MORE_PREFIX, Notice, Progress, Reply
from dialogs.turn import Turn

log = logging.getLogger("canishare.slack")

REFUSED = Notice(text="I couldn't check that button, so I haven't applied it. Please use the buttons on my "
                      "latest message, or type your answer.", level="warning")


def click_id(body: dict[str, Any], action: dict[str, Any]) -> str | None:
    """Unique per click, so a double delivery is handled once. Hashed: the store never sees a user id."""
    ts = action.get("action_ts")
    if not ts:
        return None
    user = obj(body.get("user")).get("id", "")
    container = obj(body.get("container"))
    raw = f"{ts}:{user}:{container.get('message_ts') or container.get('view_id') or ''}"
    return "click:" + hashlib.sha256(raw.encode()).hexdigest()[:32]


def _blocks(message: dict[str, Any]) -> list[dict[str, Any]]:
    blocks = message.get("blocks")
    return [b for b in blocks if isinstance(b, dict)] if isinstance(blocks, list) else []


def applied(replies: list[Reply]) -> bool:
    # The engine leads with a Notice exactly when it did not apply a click: a stale or already
    # answered question, an unknown option, or the store being down.
    return bool(replies) and not isinstance(replies[0], Notice)


async def button(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], context: dict[str, Any]) -> None:
    await ack()
    channel: SlackChannel = context[CONTEXT_KEY]
    user = obj(body.get("user"))
    user_id, team = user.get("id"), user.get("team_id") or obj(body.get("team")).get("id")
    if not (isinstance(user_id, str) and user_id and isinstance(team, str) and team):
        return
    container = obj(body.get("container"))
    message = obj(body.get("message")) if container.get("type") == "message" else None
    where = container.get("channel_id") if message and isinstance(container.get("channel_id"), str) else None
    try:
        choice, ref = channel.codec.decode(action.get("value"))
    except BadButton as exc:
        log.warning("slack button refused: %s", exc)
        metrics.ERRORS.labels(where="slack_button").inc()
        dm = where or await channel.open_dm(user_id)
        if dm:
            await channel.post(dm, [REFUSED])
        return
    turn = Turn(channel="slack", user_id=f"{team}:{user_id}", action=choice, ref=ref or None, scope="dm",
                event_id=click_id(body, action))
    replies = await channel.handle(turn)
    if not replies:
        return  # a repeated delivery of a click already handled
    ts = container.get("message_ts")
    if choice.startswith(MORE_PREFIX) and message and where and isinstance(ts, str) and applied(replies):
        # "Show the law" / "Full record": the layer opens in place, in the message it was asked from.
        label = str(obj(action.get("text")).get("text") or "More")
        blocks = expanded(_blocks(message), layer_blocks(label, replies, channel.codec),
                          str(action.get("action_id") or ""))
        if blocks is not None:
            await channel.call("chat.update", channel=where, ts=ts, text=str(message.get("text") or label),
                               blocks=blocks)
            return
    if message and where and isinstance(ts, str) and applied(replies):
        progress = next((r for r in replies if isinstance(r, Progress) and r.ref == ref), None)
        label = progress.answer if progress else str(obj(action.get("text")).get("text") or choice)
        await channel.call("chat.update", channel=where, ts=ts,
                           text=str(message.get("text") or label),
                           blocks=answered(_blocks(message), label, answer=progress is not None))
    dm = where if where and where.startswith("D") else await channel.open_dm(user_id)
    if dm:
        await channel.post(dm, replies)
