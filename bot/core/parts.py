"""What an Engine is built from, once per process: knowledge, dialogs, router, guard, user state slots.

This is where the conversation's pieces are chosen (the flowchart editions, free-text answers, the
personal quiz as a side dialog and its progress slot); the engine itself only runs them.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.config import OrgConfig
from bot.core.packs import knowledge_for, with_pack_contacts
from bot.core.privacy import PrivacyGuard, get_guard
from bot.core.quiz.progress import QuizProgress
from bot.core.user_state import UserStateSlot
from dialogs.flowchart import FlowchartDialog
from dialogs.qa import QADialog
from dialogs.quiz import QuizDialog
from dialogs.router import Router
from knowledge.loader import Knowledge
from knowledge.search import Matcher


@dataclass(frozen=True)
class Parts:
    """What an Engine is built from; built once per process (see :func:`build_parts`)."""

    kb: Knowledge
    config: OrgConfig
    router: Router
    qa: QADialog
    guard: PrivacyGuard
    user_slots: tuple[UserStateSlot, ...] = ()


def build_parts(config: OrgConfig, kb: Knowledge | None = None, guard: PrivacyGuard | None = None) -> Parts:
    kb = kb or knowledge_for(config)
    config = with_pack_contacts(config, kb)
    flowcharts = {ed: FlowchartDialog(kb, chart, tz=config.timezone) for ed, chart in kb.flowcharts.items()}
    qa = QADialog(kb, Matcher(kb))
    router = Router(config, flowcharts, qa, side=(QuizDialog(kb, config.quiz.questions),))
    return Parts(kb=kb, config=config, router=router, qa=qa, guard=guard or get_guard(),
                 user_slots=(QuizProgress(config),))
