"""Build the escalation service and the worker's platforms from settings and config.

No rota, or no Redis: no service (``None``), and the engine tells practitioners that nobody can
be paged from here and gives the contact numbers instead. Escalations need Redis: the memory
store cannot outlive the process, and a pager that forgets on restart is not a pager.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from bot.channels.slack.escalation_delivery import SlackDelivery
from bot.channels.teams.adapter import create_adapter
from bot.channels.teams.escalation_delivery import TeamsDelivery
from bot.channels.teams.references import References
from bot.core.config import ConfigError, OrgConfig
from bot.core.escalation.core import Clock
from bot.core.escalation.delivery import Deliverer
from bot.core.escalation.handle import Sealer
from bot.core.escalation.rota import RotaView
from bot.core.escalation.service import EscalationService
from bot.core.services import Services
from bot.core.settings import Settings
from bot.core.store import Store
from bot.storage.escalation import RedisEscalationBackend
from bot.storage.redis_store import RedisStore

log = logging.getLogger("canishare.escalation")


def rota_view(settings: Settings, config: OrgConfig) -> RotaView:
    assert config.rota is not None
    problems = config.escalation.problems(config.rota)
    if problems:
        raise ConfigError("; ".join(problems))
    base = settings.config_path.parent if getattr(settings, "config_path", None) else None
    try:
        return RotaView(config.rota, base_dir=base)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def build_service(settings: Settings, config: OrgConfig, store: Store,
                  clock: Clock = time.time) -> EscalationService | None:
    """The escalation service over the store's Redis client, or None without a rota or Redis."""
    if config.rota is None:
        return None
    client = getattr(store, "client", None)
    prefix = getattr(store, "prefix", None)
    if client is None or prefix is None:
        log.warning("a rota is configured but REDIS_URL is not set: escalations are disabled")
        return None
    return EscalationService(RedisEscalationBackend(client, prefix), config, rota_view(settings, config),
                             sealer=Sealer.from_env(settings.hash_key), hash_key=settings.hash_key, clock=clock,
                             store=store)


async def build_deliverer(services: Services, service: EscalationService) -> Deliverer:
    """The worker's Slack and Teams delivery, for whichever platforms are configured."""

    settings = services.settings
    platforms: dict[str, Any] = {}
    if settings.slack_bot_token:
        platforms["slack"] = SlackDelivery(settings.slack_bot_token, settings.slack_api_url)
    if settings.microsoft_app_id.strip() or services.dev:
        refs = References(services.store, settings.hash_key, services.config.retention.records_seconds)
        platforms["teams"] = TeamsDelivery(create_adapter(settings), refs, settings.microsoft_app_id.strip())
    if not platforms:
        log.warning("escalation worker: neither Slack nor Teams is configured; pages cannot be delivered")
    return Deliverer(service, platforms)


def terminal_escalator(settings: Settings, config: OrgConfig) -> tuple[EscalationService | None, Any]:
    """For ``canishare chat``: escalations over Redis when a rota and ``REDIS_URL`` are set.

    The chat itself keeps its place in memory; only the escalation goes to Redis, where the web
    processes' workers deliver it. Returns the service (or None) and an async ``close()``.
    """

    async def nothing() -> None:
        return None

    if config.rota is None or not settings.redis_url:
        return None, nothing

    store = RedisStore.from_url(settings.redis_url, settings.key_prefix)
    return build_service(settings, config, store), store.close
