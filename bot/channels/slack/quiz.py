"""Quizzes in Slack. Translation only: the quiz logic is in dialogs.quiz and bot.core.quiz.

* ``/canishare quiz``: a personal quiz in the DM (the engine's quiz dialog, like any conversation);
* ``/canishare quiz team``: one question posted in this channel with buttons; each click is
  acknowledged with ``chat.postEphemeral`` (only the person who clicked sees it); ``quiz team
  close`` closes it now, otherwise the worker does at the close time;
* ``/canishare quiz leaderboard [on|off]``: the channel's opt-in weekly leaderboard (pseudonyms).

Team buttons have action ids ``qt.<n>`` (conversation buttons are ``cs.<n>``) and the same signed
values, so a team click never reaches the engine and a forged value is refused.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.common.commands import team_quiz_command
from bot.channels.slack.app import CONTEXT_KEY, SlackChannel, slack_client
from bot.channels.slack.blocks import BUTTON_TEXT_MAX, Block, clip, render_messages, render_reply
from bot.channels.slack.buttons import BadButton, ButtonCodec
from bot.channels.slack.commands import SlashCommand, answer_in_dm
from bot.channels.slack.mrkdwn import neutralise
from bot.core import metrics
from bot.core.identity import user_hash
from bot.core.quiz.config import QuizSlot
from bot.core.quiz.team import Results, TeamQuiz
from bot.core.settings import Settings
from dialogs import quiz as personal
from dialogs.messages import Menu, Notice, Reply

log = logging.getLogger("canishare.slack")

TEAM_ACTION = "qt."  # action ids of team quiz buttons: qt.0, qt.1, ...
TEAM_ACTION_PATTERN = r"^qt\.\d+$"
IN_A_CHANNEL = ("A team quiz runs in a channel, for everyone there. Type `/canishare quiz team` in the channel "
                "(after inviting me with `/invite @canishare`). Here I can give you a quiz of your own: "
                "`/canishare quiz`.")
NOT_POSTED = ("I couldn't post in this channel. If I'm not a member yet, add me with `/invite @canishare` and "
              "try again.")
USAGE = ("Quizzes: `/canishare quiz` (your own, in our DM), `/canishare quiz team` (one question for this "
         "channel), `/canishare quiz team close` (close it now), `/canishare quiz leaderboard [on|off]`.")


def team_blocks(reply: Reply, codec: ButtonCodec) -> list[Block]:
    """A team question: its text, then buttons whose action ids route to :func:`team_button`."""
    body = render_reply(Menu(text=reply.text), codec)
    ref = getattr(reply, "ref", "") or ""
    elements = [{"type": "button", "action_id": f"{TEAM_ACTION}{i}",
                 "text": {"type": "plain_text", "text": clip(neutralise(c.label), BUTTON_TEXT_MAX), "emoji": True},
                 "value": codec.encode(c.id, ref)} for i, c in enumerate(reply.choices)]
    return [*body, {"type": "actions", "elements": elements}] if elements else body


@dataclass
class SlackQuizPoster:
    """Posts team questions and results into Slack channels through the Web API."""

    client: AsyncWebClient
    codec: ButtonCodec
    team: TeamQuiz

    @classmethod
    def from_settings(cls, settings: Settings, team: TeamQuiz) -> SlackQuizPoster:
        return cls(client=slack_client(settings), codec=ButtonCodec(settings.hash_key), team=team)

    @classmethod
    def from_channel(cls, channel: SlackChannel, team: TeamQuiz) -> SlackQuizPoster:
        return cls(client=channel.client, codec=channel.codec, team=team)

    async def call(self, method: str, **kwargs: Any) -> dict[str, Any] | None:
        try:
            response = await self.client.api_call(method, json=kwargs)
        except Exception as exc:  # SlackApiError, network errors: logged by code, absorbed
            code = getattr(getattr(exc, "response", None), "get", lambda *_: None)("error") or type(exc).__name__
            log.warning("slack api call failed: %s %s", method, code)
            metrics.ERRORS.labels(where="slack_api").inc()
            return None
        return response.data if isinstance(response.data, dict) else None

    async def post_question(self, channel: str, question: Reply, slot: QuizSlot | None = None) -> str | None:
        data = await self.call("chat.postMessage", channel=channel, text=clip(question.text, 3000),
                               blocks=team_blocks(question, self.codec), unfurl_links=False, unfurl_media=False)
        ts = (data or {}).get("ts")
        return ts if isinstance(ts, str) else None

    async def post_replies(self, channel: str, replies: Sequence[Reply]) -> bool:
        ok = True
        for message in render_messages(replies, self.codec):
            ok = await self.call("chat.postMessage", channel=channel, text=message.text, blocks=message.blocks,
                                 unfurl_links=False, unfurl_media=False) is not None and ok
        return ok

    async def post_results(self, results: Results) -> bool:
        if results.message:
            closed = render_reply(results.closed_question, self.codec)
            await self.call("chat.update", channel=results.channel, ts=results.message,
                            text=clip(results.closed_question.text, 3000), blocks=closed)
        return await self.post_replies(results.channel, results.replies)


def poster_of(channel: SlackChannel) -> SlackQuizPoster:
    return SlackQuizPoster.from_channel(channel, channel.services.team_quiz())


async def ephemeral(channel: SlackChannel, where: str, user: str, reply: Reply) -> None:
    blocks = render_reply(reply, channel.codec)
    await channel.call("chat.postEphemeral", channel=where, user=user, text=clip(reply.text, 3000), blocks=blocks)


# --- /canishare quiz ... ----------------------------------------------------------------------------
async def quiz_command(channel: SlackChannel, cmd: SlashCommand, respond: AsyncRespond) -> None:
    words = cmd.rest.lower().split()
    if not words:
        await answer_in_dm(channel, cmd, respond, cmd.turn(action=personal.START))
        return
    if words[0] in ("stop", "end"):
        await answer_in_dm(channel, cmd, respond, cmd.turn(action=personal.STOP))
        return
    in_dm = cmd.channel_id.startswith("D") or not cmd.channel_id
    command = team_quiz_command(words)
    if command in ("open", "close") and in_dm:
        await respond(text=IN_A_CHANNEL, response_type="ephemeral")
        return
    if command in ("open", "close"):
        await team_command(channel, cmd, respond, close=command == "close")
    elif command is not None and command.startswith("leaderboard") and not in_dm:
        turn_on = None if command == "leaderboard" else command == "leaderboard_on"
        await leaderboard_command(channel, cmd, respond, turn_on)
    else:
        await respond(text=USAGE, response_type="ephemeral")


async def team_command(channel: SlackChannel, cmd: SlashCommand, respond: AsyncRespond, close: bool) -> None:
    team = channel.services.team_quiz()
    poster = poster_of(channel)
    if close:
        results = await team.close_in("slack", cmd.channel_id)
        if results is None:
            await respond(text="There's no team quiz question open in this channel.", response_type="ephemeral")
            return
        await poster.post_results(results)
        return
    posted = await team.open("slack", cmd.channel_id)
    if not posted.opened:
        await respond(text=posted.replies[0].text, response_type="ephemeral")
        return
    message = await poster.post_question(cmd.channel_id, posted.replies[0])
    if message is None:
        await team.cancel(posted.qid)
        await respond(text=NOT_POSTED, response_type="ephemeral")
        return
    await team.set_message(posted.qid, message)


async def leaderboard_command(channel: SlackChannel, cmd: SlashCommand, respond: AsyncRespond,
                              turn_on: bool | None) -> None:
    team = channel.services.team_quiz()
    if turn_on is not None:
        reply = await team.set_leaderboard("slack", cmd.channel_id, turn_on)
    else:
        reply = await team.leaderboard("slack", cmd.channel_id)
    if not await poster_of(channel).post_replies(cmd.channel_id, [reply]):
        await respond(text=NOT_POSTED, response_type="ephemeral")


# --- a click on a team question's button ----------------------------------------------------------
async def team_button(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], context: dict[str, Any]) -> None:
    await ack()
    channel: SlackChannel = context[CONTEXT_KEY]
    user = body.get("user") or {}
    user_id, team_id = user.get("id"), user.get("team_id") or (body.get("team") or {}).get("id")
    where = (body.get("container") or {}).get("channel_id") or (body.get("channel") or {}).get("id")
    if not (isinstance(user_id, str) and isinstance(team_id, str) and isinstance(where, str)):
        return
    try:
        choice, _ref = channel.codec.decode(action.get("value"))
    except BadButton as exc:
        log.warning("slack quiz button refused: %s", exc)
        metrics.ERRORS.labels(where="slack_button").inc()
        await ephemeral(channel, where, user_id, Notice(text="I couldn't check that button, so I haven't "
                                                             "recorded an answer.", level="warning"))
        return
    team = channel.services.team_quiz()
    member = user_hash(channel.services.settings.hash_key, "slack", f"{team_id}:{user_id}")
    result = await team.answer("slack", member, choice)
    await ephemeral(channel, where, user_id, result.reply)
    if result.results is not None:
        await poster_of(channel).post_results(result.results)


__all__ = ["TEAM_ACTION_PATTERN", "SlackQuizPoster", "quiz_command", "team_blocks", "team_button"]
