"""Which channels ``canishare serve`` runs, decided from the settings alone.

A channel is served when it is fully configured, stays off when none of its settings are set, and
stops the start when it is half-configured (a half-configured channel is a mistake that would show
up later as forged requests accepted or replies that never arrive). With no channel at all there
is nothing to serve, unless the web page is on. The same plan prints one line per channel at start
and feeds ``canishare doctor``, so both say the same thing.

Pure: no I/O, no aiohttp, no SDK imports (``canishare --help`` imports this module's callers).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core.config import ConfigError

if TYPE_CHECKING:
    from bot.core.settings import Settings


class NoChannelError(ConfigError):
    """Nothing would be served: no channel is configured and the web page is off."""


@dataclass(frozen=True)
class ChannelState:
    name: str  # "Slack", "Teams", "Web page"
    on: bool
    detail: str  # where it is served, or why it is off

    def line(self) -> str:
        return f"{self.name}: {'on' if self.on else 'off'}, {self.detail}"


@dataclass(frozen=True)
class ServePlan:
    slack: ChannelState
    teams: ChannelState
    web: ChannelState

    @property
    def channels(self) -> tuple[ChannelState, ChannelState, ChannelState]:
        return (self.slack, self.teams, self.web)

    @property
    def teams_off(self) -> bool:
        return not self.teams.on

    def lines(self) -> list[str]:
        return [c.line() for c in self.channels]


def _base(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    return f"http://{shown}:{port}"


def slack_state(settings: Settings, socket_mode: bool, base: str) -> ChannelState:
    # The messages are the ones serve has always given: administrators and docs quote them.
    from bot.channels.slack import check_slack_settings

    if not check_slack_settings(settings, socket_mode):
        return ChannelState("Slack", False, "SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are not set")
    if socket_mode:
        return ChannelState("Slack", True, "Socket Mode (SLACK_APP_TOKEN)")
    return ChannelState("Slack", True, f"events at POST {base}/slack/events")


def teams_state(settings: Settings, dev: bool, no_teams: bool, base: str) -> ChannelState:
    from bot.channels.teams import check_teams_settings

    if no_teams:
        return ChannelState("Teams", False, "switched off by --no-teams")
    app_id = settings.microsoft_app_id.strip()
    password = settings.microsoft_app_password
    if not app_id and not dev:
        if password or settings.microsoft_app_tenant_id.strip():
            # Half-configured: the same refusal serve gives for a missing app id.
            check_teams_settings(settings, dev=False, no_teams=False)
        return ChannelState("Teams", False, "MicrosoftAppId and MicrosoftAppPassword are not set")
    check_teams_settings(settings, dev=dev, no_teams=False)
    if not app_id:
        return ChannelState("Teams", True, f"UNAUTHENTICATED (--dev, Emulator) at POST {base}/api/messages")
    return ChannelState("Teams", True, f"Bot Framework messages at POST {base}/api/messages")


def web_state(host: str, token: str | None, base: str) -> ChannelState:
    from bot.channels.web.access import Mode, mode_for

    mode = mode_for(host, token)
    if mode is Mode.OPEN:
        return ChannelState("Web page", True, f"open at {base}/ (loopback address: this machine only)")
    if mode is Mode.TOKEN:
        return ChannelState("Web page", True, f"at {base}/ with the access link (CANISHARE_WEB_TOKEN)")
    return ChannelState("Web page", False, f"{host} is not a loopback address and CANISHARE_WEB_TOKEN is not set")


NO_CHANNEL = (
    "no channel is configured, so there is nothing to serve. Set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET "
    "(Slack, see docs/slack.md), or MicrosoftAppId and MicrosoftAppPassword (Teams, see docs/teams.md), or "
    "CANISHARE_WEB_TOKEN (the web page), or bind a loopback address with --host 127.0.0.1 for the web page "
    "on this machine. docs/deployment.md walks through all of it; `canishare doctor` checks it."
)


def plan(settings: Settings, *, host: str, port: int, socket_mode: bool = False, dev: bool = False,
         no_teams: bool = False) -> ServePlan:
    """The channels to serve; raises ConfigError for a half-configured channel or for nothing to serve."""
    base = _base(host, port)
    result = ServePlan(
        slack=slack_state(settings, socket_mode, base),
        teams=teams_state(settings, dev, no_teams, base),
        web=web_state(host, settings.web_token, base),
    )
    if not any(c.on for c in result.channels):
        raise NoChannelError(NO_CHANNEL)
    return result
