"""Conversation references: where to reach a Teams user later (escalations to leads, follow-ups).

Bot Framework bots can only message a user proactively with a saved ``ConversationReference``
of their personal chat. One is kept per user id (Entra object id and ``29:…`` id), under the id's
keyed hash so
``canishare forget`` removes it with everything else, with the records retention as TTL and
refreshed on every message.

Only what a proactive send needs is stored: the service URL, the personal conversation id, the
tenant and the bot's account. The user's name and platform ids are dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.core.teams.teams_activity_extensions import teams_get_channel_data
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount, ConversationReference

from bot.core.identity import user_hash
from bot.core.store import Store, StoreUnavailable

log = logging.getLogger("canishare.teams")

CHANNEL = "teams"


def reference_key(hashed_user: str) -> str:
    return f"teams:ref:{{{hashed_user}}}"


def tenant_of(activity: Activity) -> str | None:
    """The Teams tenant id, read from the channel data.

    botbuilder 4.17.1 never fills ``activity.conversation.tenant_id`` for Teams: its schema maps
    ``tenantID`` while Teams sends ``tenantId``. ``channelData.tenant.id`` is the reliable copy.
    """
    try:
        data = teams_get_channel_data(activity)
    except Exception:  # malformed channelData: no tenant, not a crash
        data = None
    if data is not None and data.tenant is not None and isinstance(data.tenant.id, str) and data.tenant.id:
        return data.tenant.id
    props = getattr(activity.conversation, "additional_properties", None) or {}
    tenant = props.get("tenantId") or getattr(activity.conversation, "tenant_id", None)
    return tenant if isinstance(tenant, str) and tenant else None


def minimal_reference(activity: Activity) -> ConversationReference:
    """The reference of this activity's conversation, without the user's identity."""
    full = TurnContext.get_conversation_reference(activity)
    conv = full.conversation or ConversationAccount()
    bot = full.bot or ChannelAccount()
    return ConversationReference(
        bot=ChannelAccount(id=bot.id, name=bot.name),
        conversation=ConversationAccount(id=conv.id, conversation_type=conv.conversation_type,
                                         tenant_id=tenant_of(activity), is_group=conv.is_group),
        channel_id=full.channel_id,
        service_url=full.service_url,
    )


class References:
    """Saves and loads one personal-chat reference per (hashed) Teams user."""

    def __init__(self, store: Store, hash_key: str, ttl_seconds: int) -> None:
        self.store = store
        self.hash_key = hash_key
        self.ttl_seconds = ttl_seconds

    def hashed(self, platform_user_id: str) -> str:
        return user_hash(self.hash_key, CHANNEL, platform_user_id)

    async def save(self, platform_user_ids: Sequence[str], reference: ConversationReference) -> bool:
        """Store the reference under each of the user's ids; False when the store is down.

        Teams users have two ids (the Entra object id and the bot-scoped ``29:…`` id) and the
        rota may name either, so the reference is findable by both.
        """
        ids = list(dict.fromkeys(platform_user_ids))
        # The hashes of all the user's ids travel with each copy, so ``canishare forget`` given either id
        # finds the other (the conversation is kept under the Entra id, the administrator may have the 29: one).
        data: dict[str, Any] = {"ref": reference.serialize(), "ids": [self.hashed(i) for i in ids]}
        try:
            for user_id in ids:
                await self.store.put(reference_key(self.hashed(user_id)), data, self.ttl_seconds)
        except StoreUnavailable:
            log.warning("teams reference not saved: store unavailable")
            return False
        return True

    async def get_reference(self, platform_user_id: str) -> ConversationReference | None:
        return await self.get_by_hash(self.hashed(platform_user_id))

    async def get_by_hash(self, hashed_user: str) -> ConversationReference | None:
        """The reference for a user known only by hash (the escalation service's view)."""
        snap = await self.store.load(reference_key(hashed_user))
        raw = snap.data.get("ref") if snap.data else None
        if not isinstance(raw, dict):
            return None
        try:
            return ConversationReference().deserialize(raw)
        except Exception:  # an unreadable record is as good as none
            return None


async def get_reference(store: Store, hash_key: str, platform_user_id: str) -> ConversationReference | None:
    """Module-level helper for callers that have the store but no :class:`References`."""
    return await References(store, hash_key, 1).get_reference(platform_user_id)
