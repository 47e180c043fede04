"""Why a practitioner cannot be put in touch with a person, in words that name the real cause.

"Nobody can be paged" has four different causes, and each needs a different fix from the
administrator: no rota in the organisation file, no Redis to hold escalations, nobody on the rota
reachable by any channel this deployment runs, or (at the moment of asking) Redis unreachable.
Telling a practitioner "no rota is configured" when the rota is there but Redis is not sends the
administrator looking in the wrong place. Pure: settings and config in, a reply out.
"""

from __future__ import annotations

from typing import Any

from bot.core.config import OrgConfig
from dialogs.messages import Notice, Text

_LEAD = "Please contact your designated safeguarding lead or Caldicott Guardian directly, or:"

NO_ROTA = Text(
    text="I can't put you in touch with a person from here: no safeguarding lead rota is configured for this "
         f"service. {_LEAD}"
)
NO_REDIS = Text(
    text="I can't put you in touch with a person from here: a safeguarding rota is set up, but this service has "
         "no database (Redis) to keep requests safe until someone picks them up, so I don't send any. "
         f"{_LEAD}"
)
NO_DELIVERY = Text(
    text="I can't put you in touch with a person from here: nobody on the safeguarding rota can be reached through "
         f"the channels this service runs (Slack or Teams is not connected for them). {_LEAD}"
)
REDIS_DOWN = Notice(
    text="I couldn't send that to the on-duty safeguarding lead just now: the service's database (Redis) can't be "
         f"reached. {_LEAD}",
    level="warning",
)


def platforms_on(settings: Any, dev: bool = False) -> set[str]:
    """The platforms this deployment can page people on."""
    on = set()
    if getattr(settings, "slack_bot_token", None):
        on.add("slack")
    if str(getattr(settings, "microsoft_app_id", "") or "").strip() or dev:
        on.add("teams")
    return on


def reachable(config: OrgConfig, platforms: set[str]) -> bool:
    """Can at least one person (or the fallback channel) on the rota be reached on these platforms?"""
    rota = config.rota
    if rota is None:
        return False
    if ("slack" in platforms and rota.fallback.slack_channel) or ("teams" in platforms and rota.fallback.teams_channel):
        return True
    for person in rota.people:
        if ("slack" in platforms and person.slack_user_id) or ("teams" in platforms and person.teams_user_id):
            return True
    return False


def unavailable(settings: Any, config: OrgConfig, store: Any, dev: bool = False) -> Text | None:
    """The reply for a deployment that cannot page anyone, or None when it can."""
    if config.rota is None:
        return NO_ROTA
    if getattr(store, "client", None) is None:
        return NO_REDIS
    if not reachable(config, platforms_on(settings, dev)):
        return NO_DELIVERY
    return None


def is_redis_down(exc: BaseException) -> bool:
    """An error that means the database could not be reached (redis-py's and the store's own)."""
    names = {cls.__name__ for cls in type(exc).__mro__}
    return bool(names & {"ConnectionError", "TimeoutError", "StoreUnavailable", "BusyLoadingError"})
