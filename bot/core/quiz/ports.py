"""How the team quiz reaches a channel when no one has just spoken there (the scheduler, the sweep).

Each platform edge implements :class:`ChannelPoster` (``bot.channels.slack.quiz``,
``bot.channels.teams.quiz``); the composition root picks the ones the settings allow.
"""

from __future__ import annotations

from typing import Protocol

from bot.core.quiz.config import QuizSlot
from bot.core.quiz.team import Results
from dialogs.messages import Reply


class ChannelPoster(Protocol):
    async def post_question(self, channel: str, question: Reply, slot: QuizSlot | None = None) -> str | None:
        """Post a team question with its buttons. Returns the platform's id of the message, if any."""

    async def post_results(self, results: Results) -> bool:
        """Post the results and take the buttons off the question message. False if it failed."""
