"""What every surface is handed: the services built once per application by the composition root.

A typed container: each service is a named, typed field (no lookups by string). Surfaces read what
they need; the composition root (:mod:`bot.app.server`) fills it in, and tests build it directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.core.config import OrgConfig
from bot.core.engine import Engine
from bot.core.escalation.service import EscalationService
from bot.core.parts import Parts
from bot.core.quiz.ports import ChannelPoster
from bot.core.quiz.team import TeamQuiz
from bot.core.settings import Settings
from bot.core.store import Store


class ProactiveAdapter(Protocol):
    async def continue_conversation(self, reference: Any, callback: Any, bot_id: Any = None) -> Any:
        """Send into a conversation the bot is not answering right now (Bot Framework's proactive message)."""


class ProactiveBot(Protocol):
    """What a Teams bot lends other services in the same process (quiz posts, escalation messages)."""

    adapter: ProactiveAdapter
    app_id: str


@dataclass
class Services:
    """Everything a surface needs, built once per application."""

    settings: Settings
    config: OrgConfig
    parts: Parts
    store: Store
    engine: Engine
    dev: bool = False  # ``--dev``: allow the unauthenticated Bot Framework Emulator
    socket_mode: bool = False  # ``canishare serve --socket-mode``: reach Slack over a websocket
    escalations: EscalationService | None = None  # None without a rota or without Redis
    quiz_posters: dict[str, ChannelPoster] = field(default_factory=dict)  # platform -> poster (tests, edges)
    teams_bot: ProactiveBot | None = None  # set when the Teams edge is mounted in this process
    _team_quiz: TeamQuiz | None = field(default=None, repr=False)

    def team_quiz(self) -> TeamQuiz:
        """The one TeamQuiz of this application (one per process, so a memory backend is shared)."""
        if self._team_quiz is None:
            self._team_quiz = TeamQuiz(kb=self.parts.kb, config=self.config, backend=self.store.team_backend(),
                                       store=self.store, hash_key=self.settings.hash_key)
        return self._team_quiz
