"""How quiz messages reach a channel when no one has just spoken there (the scheduler, the sweep).

Each platform edge provides a poster (``bot.channels.slack.quiz``, ``bot.channels.teams.quiz``);
this module only knows the interface and which posters the settings allow.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Protocol

from bot.core.quiz.config import QuizSlot
from dialogs.messages import Reply

if TYPE_CHECKING:
    from bot.core.quiz.team import Results, TeamQuiz

log = logging.getLogger("canishare.quiz")

POSTERS = "quiz.posters"  # Services.extras key: a dict platform -> ChannelPoster, set by tests or edges


class ChannelPoster(Protocol):
    async def post_question(self, channel: str, question: Reply, slot: QuizSlot | None = None) -> str | None:
        """Post a team question with its buttons. Returns the platform's id of the message, if any."""

    async def post_results(self, results: Results) -> bool:
        """Post the results and take the buttons off the question message. False if it failed."""


def build_posters(services: Any, team: TeamQuiz) -> dict[str, ChannelPoster]:
    """The posters this process can use: those registered in ``services.extras``, else from settings."""
    posters: dict[str, ChannelPoster] = dict(services.extras.get(POSTERS) or {})
    settings = services.settings
    if "slack" not in posters and settings.slack_bot_token:
        from bot.channels.slack.quiz import SlackQuizPoster

        posters["slack"] = SlackQuizPoster.from_settings(settings, team)
    if "teams" not in posters and settings.microsoft_app_id.strip():
        from bot.channels.teams.quiz import TeamsQuizPoster

        posters["teams"] = TeamsQuizPoster.from_services(services, team)
    return posters
