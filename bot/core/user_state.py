"""User state (about the person, across conversations) behind a port, apart from conversation state.

The engine asks the router which slots a turn needs, loads only those through a
:class:`UserStateStore`, and saves the slots the turn changed once the conversation itself was
saved (so an answer refused as stale or as a double click never counts). Each slot says where it
lives, how long it is kept, and what a change means for the leads' report figures.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any, Protocol

from bot.core.store import JSON, Store, StoreUnavailable
from dialogs.state import UserState

log = logging.getLogger("canishare.engine")


class UserStateSlot(Protocol):
    name: str  # the slot's name while a dialog runs, e.g. "qp"

    def key(self, user_hash: str) -> str:
        """The store key, with the user hash in braces so ``canishare forget`` removes it."""

    def ttl_seconds(self) -> int: ...

    def decode(self, data: JSON) -> Any: ...

    def encode(self, value: Any) -> JSON: ...

    async def changed(self, store: Store, user_hash: str, before: Any, after: Any, now: dt.datetime | None) -> None:
        """Called after a changed value was written (best effort; for report counters)."""


class UserStateStore(Protocol):
    async def load(self, user_hash: str, slots: Sequence[str]) -> UserState:
        """The named slots that are held (a slot that cannot be read now is left out)."""

    async def save(self, user_hash: str, before: UserState, after: UserState, now: dt.datetime | None) -> None:
        """Write the slots whose value changed (best effort: a failure is logged, never raised)."""


class StoreUserState:
    """User state slots kept in the conversation store, one key per slot."""

    def __init__(self, store: Store, slots: Sequence[UserStateSlot]) -> None:
        self.store = store
        self.slots = {slot.name: slot for slot in slots}

    async def load(self, user_hash: str, slots: Sequence[str]) -> UserState:
        out: UserState = {}
        for name in slots:
            slot = self.slots.get(name)
            if slot is None:
                continue
            try:
                snap = await self.store.load(slot.key(user_hash))
            except StoreUnavailable:
                continue  # the dialog still runs; it just can't use (or keep) what was learnt before
            out[name] = slot.decode(snap.data)
        return out

    async def save(self, user_hash: str, before: UserState, after: UserState, now: dt.datetime | None) -> None:
        for name, value in after.items():
            slot = self.slots.get(name)
            if slot is None or value == before.get(name):
                continue
            try:
                await self.store.put(slot.key(user_hash), slot.encode(value), slot.ttl_seconds())
            except StoreUnavailable:
                log.warning("user state not kept: store unavailable")
            await slot.changed(self.store, user_hash, before.get(name), value, now)
