"""How quiz messages reach a channel when no one has just spoken there (the scheduler, the sweep).

Each platform edge provides a :class:`bot.core.quiz.ports.ChannelPoster` (``bot.channels.slack.quiz``,
``bot.channels.teams.quiz``); this module picks the ones the settings allow.
"""

from __future__ import annotations

import logging

from bot.channels.slack.quiz import SlackQuizPoster
from bot.channels.teams.quiz import TeamsQuizPoster
from bot.core.quiz.ports import ChannelPoster
from bot.core.quiz.team import TeamQuiz
from bot.core.services import Services

log = logging.getLogger("canishare.quiz")


def build_posters(services: Services, team: TeamQuiz) -> dict[str, ChannelPoster]:
    """The posters this process can use: those registered in ``services.quiz_posters``, else from settings."""
    posters: dict[str, ChannelPoster] = dict(services.quiz_posters)
    settings = services.settings
    if "slack" not in posters and settings.slack_bot_token:
        posters["slack"] = SlackQuizPoster.from_settings(settings, team)
    if "teams" not in posters and settings.microsoft_app_id.strip():
        posters["teams"] = TeamsQuizPoster.from_services(services, team)
    return posters
