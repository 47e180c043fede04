"""What every surface is handed: the services built once per application by the composition root."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.core.config import OrgConfig
from bot.core.engine import Engine, Parts
from bot.core.settings import Settings
from bot.core.store import Store


@dataclass
class Services:
    """Everything a surface needs, built once per application."""

    settings: Settings
    config: OrgConfig
    parts: Parts
    store: Store
    engine: Engine
    dev: bool = False  # ``--dev``: allow the unauthenticated Bot Framework Emulator
    extras: dict[str, object] = field(default_factory=dict)
