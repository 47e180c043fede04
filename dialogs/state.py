"""Conversation state and user state, kept apart (as botbuilder's ConversationState and UserState).

* **Conversation state** is one conversation's place (the flowchart walk, a quiz in progress, a
  pending privacy choice): small JSON the engine loads and saves with compare-and-set.
* **User state** is about the person across conversations (the personal quiz's spaced-repetition
  progress): named slots, each kept under its own key with its own retention, loaded only for the
  turns that need it. Dialogs see a slot under its name while they run; the router hands the slots
  back separately, so conversation state never carries them.

A :class:`SideDialog` is a dialog that may take a turn before the flowchart (the quiz). The router
knows only this protocol, not the dialogs behind it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Protocol

from dialogs.messages import Reply

State = dict[str, Any]  # conversation state: compact JSON saved by the store
UserState = dict[str, Any]  # slot name -> value, e.g. {"qp": {...quiz progress...}}


class SideDialog(Protocol):
    state_key: str  # the conversation state key this dialog owns (cleared by Start again)
    user_slots: tuple[str, ...]  # the user state slots it reads and writes

    def needs_user_state(self, action: str | None, text: str, state: Mapping[str, Any]) -> bool:
        """True when this turn may read or write the dialog's user state slots."""

    def wants(self, action: str | None, text: str, state: Mapping[str, Any]) -> bool:
        """True when this input is for this dialog (asked before anything else)."""

    def handle(self, action: str | None, text: str, ref: str | None, state: State,
               now: dt.datetime) -> tuple[list[Reply], State]:
        """Replies and the new state; the user state slots are in ``state`` under their names."""

    def waiting(self, state: Mapping[str, Any]) -> Reply | None:
        """The question this dialog is waiting on, if any (shown again after Help, a stale click…)."""
