"""The Teams edge: Bot Framework activity -> Turn -> engine -> Adaptive Cards. No advice logic here.

- Personal chat carries the whole flow: typed text, typed answers and card buttons.
- In a team channel or group chat the bot only hears @mentions. It answers there with a short
  note and carries on in a personal chat it opens proactively, so a case is never discussed
  where others can read it.
- A button is ``Action.Submit`` with data ``{"a": choice id, "r": question ref}``; the engine
  answers stale refs itself. After an answered click the clicked card is replaced by its
  answered form (no buttons), using the click's ``replyToId``.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from typing import Protocol

from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    AdaptiveCardInvokeResponse,
    AdaptiveCardInvokeValue,
    Attachment,
    ChannelAccount,
    ConversationParameters,
)

from bot.channels.teams import cards
from bot.channels.teams import escalation_actions as teams_actions
from bot.channels.teams.references import References, minimal_reference, tenant_of
from bot.core import metrics
from bot.core.engine import Engine
from bot.core.escalation.service import EscalationService
from dialogs.messages import Notice, Progress, Reply, Text
from dialogs.turn import Turn

log = logging.getLogger("canishare.teams")

CHANNEL = "teams"
SCOPE = "personal"
HELP_ACTION = "help"  # the router's Help choice id
MAX_VALUE_FIELD = 200

MOVED_NOTE = ("I've sent you a private chat, so let's carry on there. Please don't discuss a case in this "
              "channel, even without names.")
CANNOT_MOVE_NOTE = ("I only discuss cases in a private chat, never in a channel. Please open a chat with me "
                    "(find me under Apps, then Chat) and ask me there.")
TEAM_INTRO = ("Hello! I help you decide whether you can share information to safeguard a child. I only discuss "
              "cases in a private chat: mention me here and I'll message you privately.")
BAD_BUTTON = Notice(text="Sorry, I couldn't read that button. Please type your answer (for example \"yes\", "
                         "\"no\" or \"not sure\"), or type \"help\".")
OLD_CARD = Notice(text="That card is out of date. Please use the buttons on my latest message, or type your answer.")

_MENTION = re.compile(r"<at\b[^>]*>.*?</at>", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Parsed:
    """What the person did, read from a message activity."""

    text: str | None = None
    action: str | None = None
    ref: str | None = None
    malformed: bool = False


def parse_message(activity: Activity) -> Parsed:
    """Typed text (mentions removed) or an ``Action.Submit`` value ``{"a": id, "r": ref}``."""
    value = activity.value
    if value is not None:
        if not isinstance(value, dict):
            return Parsed(malformed=True)
        action, ref = value.get("a"), value.get("r")
        if not isinstance(action, str) or not action.strip() or len(action) > MAX_VALUE_FIELD:
            return Parsed(malformed=True)
        if ref is not None and (not isinstance(ref, str) or len(ref) > MAX_VALUE_FIELD):
            return Parsed(malformed=True)
        return Parsed(action=action.strip(), ref=ref or None)
    text = activity.text if isinstance(activity.text, str) else ""
    # Mentions carry people's display names: drop them (ours and anyone else's) before the engine.
    text = _MENTION.sub(" ", text).strip()
    return Parsed(text=text or None)


def user_id_of(activity: Activity) -> str | None:
    """The stable id of the sender: the Entra object id when Teams gives one, else the channel id."""
    sender = activity.from_property
    if sender is None:
        return None
    user = sender.aad_object_id or sender.id
    return user if isinstance(user, str) and user else None


def user_ids_of(activity: Activity) -> list[str]:
    """Every id the sender has here: the rota and ``canishare forget`` may use either."""
    sender = activity.from_property
    if sender is None:
        return []
    return [i for i in dict.fromkeys((sender.aad_object_id, sender.id)) if isinstance(i, str) and i]


def event_id_of(activity: Activity) -> str | None:
    """Teams message ids are unique only within a conversation, so the conversation is hashed in."""
    if not activity.id:
        return None
    conv = activity.conversation.id if activity.conversation else ""
    return hashlib.sha256(f"{conv}\x00{activity.id}".encode()).hexdigest()[:32]


def is_personal(activity: Activity) -> bool:
    conv = activity.conversation
    if conv is None:
        return False
    if conv.conversation_type:
        return conv.conversation_type == "personal"
    return not conv.is_group  # the Bot Framework Emulator sends no conversation type


def message_for(reply: Reply) -> Activity:
    return Activity(type=ActivityTypes.message, summary=cards.summary_of(reply),
                    attachments=[Attachment(content_type=cards.CONTENT_TYPE, content=cards.render(reply))])


def outgoing(replies: list[Reply]) -> list[Activity]:
    return [message_for(r) for r in replies if not isinstance(r, Progress)]


class QuizHook(Protocol):
    """The team quiz's part of a Teams message (:class:`bot.channels.teams.quiz.TeamsQuiz`)."""

    async def handle(self, turn_context: TurnContext, user_id: str, parsed: Parsed) -> bool:
        """True when the message was a team quiz command or answer, and has been dealt with."""


class TeamsBot(TeamsActivityHandler):
    def __init__(self, engine: Engine, references: References, adapter: CloudAdapter, app_id: str) -> None:
        super().__init__()
        self.engine = engine
        self.references = references
        self.adapter = adapter
        self.app_id = app_id
        self.quiz: QuizHook | None = None  # set by build_bot
        self.escalations: EscalationService | None = None  # set by build_bot (None without a rota or Redis)

    # botbuilder 4.17.1 serialises invoke bodies here and CloudAdapter serialises them again,
    # which fails (HTTP 500) for every invoke answered with a body. Keep the model as is.
    @staticmethod
    def _create_invoke_response(body: object = None) -> InvokeResponse:
        return InvokeResponse(status=200, body=body)

    # --- messages -------------------------------------------------------------------------------
    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        user_id = user_id_of(activity)
        if user_id is None:
            log.info("teams message without a sender ignored")
            return
        parsed = parse_message(activity)
        if self.quiz is not None and await self.quiz.handle(turn_context, user_id, parsed):
            return  # a team quiz command or answer (bot/channels/teams/quiz.py)
        if not is_personal(activity):
            await self.move_to_personal(turn_context, user_id, parsed)
            return
        await self.references.save(user_ids_of(activity), minimal_reference(activity))
        # Escalation card actions, "who is on duty", "cover until 17:00" (escalation_actions.py).

        answer = await teams_actions.handle(self.escalations, user_ids_of(activity), activity.value, activity.text)
        if answer is not None:
            await turn_context.send_activity(message_for(Text(text=answer)))
            return
        if parsed.malformed:
            metrics.ERRORS.labels(where="teams_value").inc()
            await turn_context.send_activity(message_for(BAD_BUTTON))
            return
        turn = self.turn(user_id, parsed, event_id_of(activity))
        replies = await self.engine.handle(turn)
        await self.update_clicked_card(turn_context, turn, replies)
        activities = outgoing(replies)
        if activities:
            await turn_context.send_activities(activities)

    def turn(self, user_id: str, parsed: Parsed, event_id: str | None) -> Turn:
        if parsed.action is None and parsed.text is None:
            # An empty message (a bare @mention, an attachment): show what can be done.
            return Turn(channel=CHANNEL, user_id=user_id, action=HELP_ACTION, scope=SCOPE, event_id=event_id)
        return Turn(channel=CHANNEL, user_id=user_id, text=parsed.text, action=parsed.action, ref=parsed.ref,
                    scope=SCOPE, event_id=event_id)

    async def update_clicked_card(self, turn_context: TurnContext, turn: Turn, replies: list[Reply]) -> None:
        """Replace the clicked question card by its answered form, when the engine applied the click."""
        clicked = turn_context.activity.reply_to_id
        if not clicked or not turn.ref:
            return
        for reply in replies:
            if isinstance(reply, Progress) and reply.ref == turn.ref:
                update = Activity(type=ActivityTypes.message, id=clicked,
                                  attachments=[Attachment(content_type=cards.CONTENT_TYPE,
                                                          content=cards.render_answered(reply))])
                try:
                    await turn_context.update_activity(update)
                except Exception as exc:  # the answer still goes out; only the old card keeps its buttons
                    metrics.ERRORS.labels(where="teams_update").inc()
                    log.warning("teams card update failed: %s", type(exc).__name__)
                return

    # --- channels and group chats ---------------------------------------------------------------
    async def move_to_personal(self, turn_context: TurnContext, user_id: str, parsed: Parsed) -> None:
        """Answer an @mention in a channel with a short note; the conversation moves to a 1:1 chat."""
        activity = turn_context.activity
        tenant = tenant_of(activity)
        recipient = activity.recipient or ChannelAccount()
        params = ConversationParameters(
            is_group=False,
            bot=ChannelAccount(id=recipient.id, name=recipient.name),
            members=[ChannelAccount(id=activity.from_property.id)],
            tenant_id=tenant,
            channel_data={"tenant": {"id": tenant}} if tenant else None,
        )
        personal = Parsed() if parsed.malformed else Parsed(text=parsed.text)  # buttons never live in channels
        event_id = event_id_of(activity)
        user_ids = user_ids_of(activity)

        async def in_personal_chat(personal_context: TurnContext) -> None:
            await self.references.save(user_ids, minimal_reference(personal_context.activity))
            replies = await self.engine.handle(self.turn(user_id, personal, event_id))
            activities = outgoing(replies)
            if activities:
                await personal_context.send_activities(activities)

        try:
            await self.adapter.create_conversation(self.app_id, in_personal_chat, params,
                                                   channel_id=activity.channel_id, service_url=activity.service_url)
            note = MOVED_NOTE
        except Exception as exc:  # e.g. the user has not installed the app: say how to reach us
            metrics.ERRORS.labels(where="teams_personal").inc()
            log.warning("teams personal chat not opened: %s", type(exc).__name__)
            note = CANNOT_MOVE_NOTE
        await turn_context.send_activity(message_for(Text(text=note)))

    # --- installation ---------------------------------------------------------------------------
    async def on_conversation_update_activity(self, turn_context: TurnContext) -> None:
        # Only the bot's own arrival matters. (The stock Teams handler fetches every other new
        # member's profile from the connector, which this bot has no use for.)
        activity = turn_context.activity
        bot_id = activity.recipient.id if activity.recipient else None
        if not bot_id or not any(m.id == bot_id for m in activity.members_added or []):
            return
        user_id = user_id_of(activity)
        if is_personal(activity) and user_id:
            await self.references.save(user_ids_of(activity), minimal_reference(activity))
            replies = await self.engine.handle(Turn(channel=CHANNEL, user_id=user_id, action=HELP_ACTION, scope=SCOPE,
                                                    event_id=event_id_of(activity)))
            activities = outgoing(replies)
        else:
            activities = [message_for(Text(text=TEAM_INTRO))]
        if activities:
            await turn_context.send_activities(activities)

    async def on_adaptive_card_invoke(self, turn_context: TurnContext,
                                      invoke_value: AdaptiveCardInvokeValue) -> AdaptiveCardInvokeResponse:
        # Our cards use Action.Submit; an Action.Execute can only come from a foreign or very old card.
        return AdaptiveCardInvokeResponse(status_code=200, type=cards.CONTENT_TYPE, value=cards.render(OLD_CARD))

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        if turn_context.activity.name == "adaptiveCard/action":
            # botbuilder 4.17.1 answers a malformed Action.Execute value with an error it cannot
            # serialise (HTTP 500) or crashes on it (501); every Action.Execute gets the same card
            # from us, so answer it without parsing the value (tests/system/test_fuzz.py).
            return self._create_invoke_response(await self.on_adaptive_card_invoke(turn_context,
                                                                                   AdaptiveCardInvokeValue()))
        return await super().on_invoke_activity(turn_context)

    # --- proactive ------------------------------------------------------------------------------
    async def send_to(self, hashed_user: str, replies: list[Reply]) -> bool:
        """Message a user in their personal chat (escalations). False if no reference is known or it failed."""
        reference = await self.references.get_by_hash(hashed_user)
        if reference is None:
            return False
        activities = outgoing(replies)
        sent = False

        async def send(context: TurnContext) -> None:
            nonlocal sent
            if activities:
                await context.send_activities(activities)
            sent = True  # a failed send is logged by the adapter's on_turn_error and leaves this False

        await self.adapter.continue_conversation(reference, send, self.app_id)
        return sent

