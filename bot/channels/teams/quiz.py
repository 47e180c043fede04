"""Quizzes in Teams. Translation only: the quiz logic is in dialogs.quiz and bot.core.quiz.

* "quiz" in the personal chat (or @canishare quiz in a channel, which moves to the personal chat)
  is the engine's personal quiz, like any other conversation;
* "@canishare quiz team" in a channel posts one question card there; each member's click is
  recorded and acknowledged privately, in their personal chat with the bot, never in the channel;
  "quiz team close" closes it now, otherwise the worker closes it at its time and posts the results;
* "@canishare quiz leaderboard [on|off]": the channel's opt-in weekly leaderboard (pseudonyms).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    Attachment,
    ChannelAccount,
    ConversationAccount,
    ConversationParameters,
    ConversationReference,
)

from bot.channels.common.commands import team_quiz_command
from bot.channels.teams import cards
from bot.channels.teams.adapter import create_adapter
from bot.channels.teams.bot import Parsed, TeamsBot, is_personal
from bot.channels.teams.references import minimal_reference, tenant_of
from bot.core import metrics
from bot.core.identity import user_hash
from bot.core.quiz.config import QuizSlot
from bot.core.quiz.team import PREFIX as TEAM_PREFIX
from bot.core.quiz.team import Results, TeamQuiz
from bot.core.services import Services
from dialogs.messages import Reply, Text

log = logging.getLogger("canishare.teams")

USAGE = ("Team quiz commands (mention me in a channel): \"quiz team\" posts a question for everyone here, "
         "\"quiz team close\" closes it now, \"quiz leaderboard\" shows this week's leaderboard and \"quiz "
         "leaderboard on\" or \"off\" turns it on or off. For a quiz of your own, say \"quiz\" in our chat.")


def message_for(reply: Reply) -> Activity:
    return Activity(type=ActivityTypes.message, summary=cards.summary_of(reply),
                    attachments=[Attachment(content_type=cards.CONTENT_TYPE, content=cards.render(reply))])


def channel_of(activity: Activity) -> str:
    """The channel's conversation id, without the ``;messageid=`` of the thread a message is in."""
    conv = activity.conversation.id if activity.conversation else ""
    return (conv or "").split(";", 1)[0]


def top_level(reference: ConversationReference) -> ConversationReference:
    conv = reference.conversation or ConversationAccount()
    reference.conversation = ConversationAccount(id=(conv.id or "").split(";", 1)[0], is_group=conv.is_group,
                                                 conversation_type=conv.conversation_type, tenant_id=conv.tenant_id)
    return reference


@dataclass
class TeamsQuiz:
    """The Teams side of team quizzes, hooked into :class:`bot.channels.teams.bot.TeamsBot`."""

    bot: TeamsBot
    team: TeamQuiz
    hash_key: str

    async def handle(self, turn_context: TurnContext, user_id: str, parsed: Parsed) -> bool:
        """True when this message was a team quiz command or answer (and has been dealt with)."""

        activity = turn_context.activity
        if parsed.action is not None and parsed.action.startswith(TEAM_PREFIX):
            await self.answer(turn_context, user_id, parsed.action)
            return True
        if is_personal(activity) or not parsed.text:
            return False
        words = parsed.text.lower().split()
        command = team_quiz_command(words[1:]) if words[:1] == ["quiz"] else None
        if command is None:
            return False
        channel = channel_of(activity)
        await self.team.remember_channel("teams", channel, top_level(minimal_reference(activity)).serialize())
        if command == "help":
            await turn_context.send_activity(message_for(Text(text=USAGE)))
        elif command.startswith("leaderboard"):
            if command != "leaderboard":
                reply = await self.team.set_leaderboard("teams", channel, command == "leaderboard_on")
            else:
                reply = await self.team.leaderboard("teams", channel)
            await turn_context.send_activity(message_for(reply))
        elif command == "close":
            results = await self.team.close_in("teams", channel)
            if results is None:
                await turn_context.send_activity(message_for(Text(text="There's no team quiz question open here.")))
            else:
                await self.post_results(turn_context, results)
        else:
            posted = await self.team.open("teams", channel)
            sent = await turn_context.send_activity(message_for(posted.replies[0]))
            if posted.opened:
                await self.team.set_message(posted.qid, getattr(sent, "id", None))
        return True

    async def answer(self, turn_context: TurnContext, user_id: str, choice: str) -> None:
        member = user_hash(self.hash_key, "teams", user_id)
        result = await self.team.answer("teams", member, choice)
        await self.send_private(turn_context, result.reply)
        if result.results is not None:
            await self.post_results(turn_context, result.results)

    async def post_results(self, turn_context: TurnContext, results: Results) -> None:
        if results.message:
            closed = Activity(type=ActivityTypes.message, id=results.message,
                              attachments=[Attachment(content_type=cards.CONTENT_TYPE,
                                                      content=cards.render(results.closed_question))])
            try:
                await turn_context.update_activity(closed)
            except Exception as exc:  # the results still go out; only the buttons stay
                metrics.ERRORS.labels(where="teams_update").inc()
                log.warning("teams quiz card not updated: %s", type(exc).__name__)
        await turn_context.send_activities([message_for(r) for r in results.replies])

    async def send_private(self, turn_context: TurnContext, reply: Reply) -> None:
        """Say something to one member only: in their personal chat with the bot, never the channel."""
        activity = turn_context.activity
        if activity.conversation is not None and activity.conversation.conversation_type == "personal":
            await turn_context.send_activity(message_for(reply))
            return
        tenant = tenant_of(activity)
        recipient = activity.recipient or ChannelAccount()
        params = ConversationParameters(
            is_group=False, bot=ChannelAccount(id=recipient.id, name=recipient.name),
            members=[ChannelAccount(id=activity.from_property.id)], tenant_id=tenant,
            channel_data={"tenant": {"id": tenant}} if tenant else None)

        async def say(personal: TurnContext) -> None:
            await personal.send_activity(message_for(reply))

        try:
            await self.bot.adapter.create_conversation(self.bot.app_id, say, params, channel_id=activity.channel_id,
                                                       service_url=activity.service_url)
        except Exception as exc:  # e.g. the app is not installed for this user
            metrics.ERRORS.labels(where="teams_personal").inc()
            log.warning("teams quiz acknowledgement not sent: %s", type(exc).__name__)


@dataclass
class TeamsQuizPoster:
    """Posts scheduled team questions and results into Teams channels (proactive messages)."""

    adapter: CloudAdapter
    app_id: str
    team: TeamQuiz

    @classmethod
    def from_services(cls, services: Services, team: TeamQuiz) -> TeamsQuizPoster:
        bot = services.teams_bot
        if bot is not None:
            return cls(adapter=bot.adapter, app_id=bot.app_id, team=team)

        settings = services.settings
        return cls(adapter=create_adapter(settings), app_id=settings.microsoft_app_id.strip(), team=team)

    async def reference(self, channel: str, slot: QuizSlot | None) -> ConversationReference | None:
        saved = await self.team.channel_reference("teams", channel)
        if saved is not None:
            return top_level(ConversationReference().deserialize(saved))
        if slot is not None and slot.service_url:
            return ConversationReference(channel_id="msteams", service_url=slot.service_url,
                                         bot=ChannelAccount(id=f"28:{self.app_id}"),
                                         conversation=ConversationAccount(id=channel, is_group=True,
                                                                          conversation_type="channel",
                                                                          tenant_id=slot.tenant_id or None))
        return None

    async def send(self, channel: str, slot: QuizSlot | None, activities: list[Activity],
                   update: Activity | None = None) -> str | None:
        reference = await self.reference(channel, slot)
        if reference is None:
            log.warning("teams quiz not posted: the bot has not seen that channel and no service_url is configured")
            return None
        first: list[str] = []

        async def send(context: TurnContext) -> None:
            if update is not None:
                try:
                    await context.update_activity(update)
                except Exception as exc:  # the results still go out
                    log.warning("teams quiz card not updated: %s", type(exc).__name__)
            responses = await context.send_activities(activities)
            first.extend(r.id for r in responses or [] if r is not None and r.id)

        try:
            await self.adapter.continue_conversation(reference, send, self.app_id)
        except Exception as exc:  # connector down or refused: logged, the loop goes on
            metrics.ERRORS.labels(where="teams_quiz").inc()
            log.warning("teams quiz post failed: %s", type(exc).__name__)
            return None
        return first[0] if first else None

    async def post_question(self, channel: str, question: Reply, slot: QuizSlot | None = None) -> str | None:
        return await self.send(channel, slot, [message_for(question)])

    async def post_results(self, results: Results) -> bool:
        update = None
        if results.message:
            update = Activity(type=ActivityTypes.message, id=results.message,
                              attachments=[Attachment(content_type=cards.CONTENT_TYPE,
                                                      content=cards.render(results.closed_question))])
        sent = await self.send(results.channel, None, [message_for(r) for r in results.replies], update)
        return sent is not None


def teams_quiz_for(services: Services, bot: TeamsBot) -> TeamsQuiz:
    return TeamsQuiz(bot=bot, team=services.team_quiz(), hash_key=services.settings.hash_key)


__all__ = ["TeamsQuiz", "TeamsQuizPoster", "teams_quiz_for"]
