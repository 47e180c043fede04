"""Teams delivery: proactive Adaptive Cards through ``CloudAdapter.continue_conversation``.

A bot can only message a Teams user proactively through a saved conversation reference of their
personal chat; the Teams channel stores one per user, keyed by the user's hash
(bot/channels/teams/references.py), so a lead must have opened a chat with the bot once (the
rota's gap check should warn when one has not). The fallback's private channel is addressed by
the conversation id and service URL in the rota config.

The card's activity id is kept so every state change updates the same card (``update_activity``).
Connector 5xx, 429 and connection errors are retried here a few times with backoff; a 4xx
(bot removed, conversation gone) is :class:`Permanent`. The adapter's ``on_turn_error`` swallows
exceptions raised inside the callback, so the callback captures them and they are re-raised here.
Teams has no message history for bots, so :meth:`find` cannot look for an earlier post. Each post
calls :func:`about_to_send` right before its request: after a worker crash during a request the
page is not sent again (``can_find = False``; see delivery.py), so a lead is never paged twice for
one step; after a crash before the request left, it is sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ActivityTypes, Attachment, ChannelAccount, ConversationAccount
from botbuilder.schema import ConversationReference as Reference

from bot.core.escalation.cards import CardView, Note, teams_card, teams_note
from bot.core.escalation.config import TeamsChannel
from bot.core.escalation.delivery import Permanent, about_to_send

CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"


def status_of(exc: BaseException) -> int | None:
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None) or getattr(response, "status", None)
    return int(status) if isinstance(status, int) else None


def transient(exc: BaseException) -> bool:
    status = status_of(exc)
    if status is not None:
        return status >= 500 or status == 429
    return isinstance(exc, aiohttp.ClientError | asyncio.TimeoutError | ConnectionError)


class TeamsDelivery:
    name = "teams"
    can_find = False  # no message history for bots: see Deliverer._once

    def __init__(self, adapter: Any, references: Any, app_id: str, *, attempts: int = 4,
                 backoff_seconds: float = 0.2) -> None:
        self.adapter = adapter
        self.references = references
        self.app_id = app_id
        self.attempts = attempts
        self.backoff = backoff_seconds

    def channel_address(self, channel: TeamsChannel) -> Reference:
        return Reference(channel_id="msteams", service_url=channel.service_url, bot=ChannelAccount(id=self.app_id),
                         conversation=ConversationAccount(id=channel.conversation_id, is_group=True,
                                                          conversation_type="channel", tenant_id=channel.tenant_id))

    async def _reference(self, address: Any) -> Reference:
        if isinstance(address, Reference):
            return address
        reference = await self.references.get_by_hash(address)
        if reference is None:
            raise Permanent("no_teams_reference")
        return reference

    async def _run(self, reference: Reference, fn: Callable[[TurnContext], Awaitable[Any]]) -> Any:
        last: BaseException | None = None
        for attempt in range(self.attempts):
            outcome: dict[str, Any] = {}

            async def callback(context: TurnContext, outcome: dict[str, Any] = outcome) -> None:
                try:
                    outcome["result"] = await fn(context)
                except Exception as exc:  # re-raised below, outside the adapter's error handler
                    outcome["error"] = exc

            await self.adapter.continue_conversation(reference, callback, self.app_id)
            error = outcome.get("error")
            if error is None:
                return outcome.get("result")
            status = status_of(error)
            if status is not None and 400 <= status < 500 and status != 429:
                raise Permanent(f"teams_{status}")
            if not transient(error):
                raise error
            last = error
            if attempt + 1 < self.attempts:
                await asyncio.sleep(self.backoff * (2 ** attempt))
        assert last is not None
        raise last

    @staticmethod
    def _activity(card: dict[str, Any], summary: str, activity_id: str | None = None) -> Activity:
        return Activity(type=ActivityTypes.message, id=activity_id, summary=summary[:200],
                        attachments=[Attachment(content_type=CONTENT_TYPE, content=card)])

    async def post_card(self, address: Any, view: CardView, key: str) -> dict[str, Any]:
        reference = await self._reference(address)

        async def send(context: TurnContext) -> Any:
            await about_to_send()
            return await context.send_activity(self._activity(teams_card(view), view.title))

        resp = await self._run(reference, send)
        return {"ref": reference.serialize(), "aid": getattr(resp, "id", None)}

    async def update_card(self, ref: dict[str, Any], view: CardView) -> None:
        if not ref.get("aid"):
            return
        reference = Reference().deserialize(ref["ref"])

        async def update(context: TurnContext) -> Any:
            return await context.update_activity(self._activity(teams_card(view), view.title, ref["aid"]))

        await self._run(reference, update)

    async def post_note(self, address: Any, note: Note, key: str) -> dict[str, Any]:
        reference = await self._reference(address)

        async def send(context: TurnContext) -> Any:
            await about_to_send()
            return await context.send_activity(self._activity(teams_note(note), note.text))

        resp = await self._run(reference, send)
        return {"ref": reference.serialize(), "aid": getattr(resp, "id", None)}

    async def find(self, address: Any, key: str, since: float | None = None) -> dict[str, Any] | None:
        return None
