"""The botbuilder ``CloudAdapter``, built from the Bot Framework's usual settings.

``MicrosoftAppId``, ``MicrosoftAppPassword``, ``MicrosoftAppType`` and ``MicrosoftAppTenantId``
(see :class:`bot.core.settings.Settings`). Without an app id botbuilder accepts every request
unauthenticated: :func:`check_teams_settings` makes ``canishare serve`` refuse that unless
``--dev`` is given for the Bot Framework Emulator.

botbuilder 4.17.1 lets PyJWT errors (a garbage, forged or expired token), an unknown key id
(``IndexError``) and an endorsement failure (a bare ``Exception``) escape as HTTP 500; only
``PermissionError`` becomes 401. :class:`StrictAuthentication` turns every failure to
authenticate into ``PermissionError``, so each of those is a 401 and the bot never runs.
"""

from __future__ import annotations

import logging
import re
from types import SimpleNamespace
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConstants,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    ServiceClientCredentialsFactory,
    UserTokenClient,
)

from bot.channels.teams.clients import ConnectorCache, LazyUserTokenClient, ReusedConnectors
from bot.core import metrics
from bot.core.config import ConfigError
from bot.core.settings import Settings

log = logging.getLogger("canishare.teams")

APP_TYPES = {"multitenant": "MultiTenant", "singletenant": "SingleTenant", "userassignedmsi": "UserAssignedMSI"}
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class TeamsSettingsError(ConfigError):
    """The Teams settings cannot run safely (``canishare`` prints it and exits with status 2)."""


def is_guid(value: str) -> bool:
    return bool(_GUID.match(value))


def check_teams_settings(settings: Settings, dev: bool, no_teams: bool) -> None:
    """Refuse to serve an unauthenticated Teams endpoint, or one that cannot send replies."""
    if no_teams:
        return
    app_id = settings.microsoft_app_id.strip()
    if not app_id:
        if dev:
            return
        raise TeamsSettingsError(
            "MicrosoftAppId is not set, so the Teams endpoint /api/messages would accept unauthenticated "
            "requests. Set MicrosoftAppId and MicrosoftAppPassword (the bot's Azure app registration), "
            "or run with --dev for local testing with the Bot Framework Emulator, or --no-teams to serve "
            "without Teams."
        )
    app_type = APP_TYPES.get(settings.microsoft_app_type.strip().lower())
    if app_type is None:
        raise TeamsSettingsError(
            f"MicrosoftAppType must be one of {', '.join(APP_TYPES.values())}, "
            f"not {settings.microsoft_app_type!r}."
        )
    if not is_guid(app_id):
        raise TeamsSettingsError("MicrosoftAppId must be the bot's Azure app registration id (a GUID).")
    if app_type != "UserAssignedMSI" and not settings.microsoft_app_password:
        raise TeamsSettingsError("MicrosoftAppPassword is not set: the bot could not authenticate its replies.")
    if app_type != "MultiTenant" and not settings.microsoft_app_tenant_id.strip():
        raise TeamsSettingsError(f"MicrosoftAppTenantId is required when MicrosoftAppType is {app_type}.")


def bot_configuration(settings: Settings) -> SimpleNamespace:
    """The attribute names ``ConfigurationBotFrameworkAuthentication`` reads."""
    return SimpleNamespace(
        APP_ID=settings.microsoft_app_id.strip(),
        APP_PASSWORD=settings.microsoft_app_password,
        APP_TYPE=APP_TYPES.get(settings.microsoft_app_type.strip().lower(), "MultiTenant"),
        APP_TENANTID=settings.microsoft_app_tenant_id.strip(),
    )


class StrictAuthentication(BotFrameworkAuthentication):
    """Delegates to botbuilder's authentication; any failure to authenticate is a PermissionError."""

    def __init__(self, inner: BotFrameworkAuthentication) -> None:
        self._inner = inner
        self._connectors: ConnectorCache = ConnectorCache()  # see bot.channels.teams.clients

    def _reused(self, factory: ConnectorFactory | None, claims_identity: ClaimsIdentity | None) -> Any:
        if factory is None:
            return None
        app_id = ""
        if claims_identity is not None:
            app_id = str(claims_identity.get_claim_value(AuthenticationConstants.AUDIENCE_CLAIM)
                         or claims_identity.get_claim_value(AuthenticationConstants.APP_ID_CLAIM) or "")
        return ReusedConnectors(factory, self._connectors, app_id)

    async def authenticate_request(self, activity: Activity, auth_header: str) -> AuthenticateRequestResult:
        try:
            result = await self._inner.authenticate_request(activity, auth_header)
        except PermissionError:
            metrics.ERRORS.labels(where="teams_auth").inc()
            log.info("teams request refused: not authenticated")
            raise
        except Exception as exc:  # jwt.PyJWTError, IndexError (unknown kid), endorsement failures
            metrics.ERRORS.labels(where="teams_auth").inc()
            # The type is enough to diagnose; the token itself is never logged.
            log.info("teams request refused: %s", type(exc).__name__)
            raise PermissionError("Unauthorized") from None
        result.connector_factory = self._reused(result.connector_factory, result.claims_identity)
        return result

    async def authenticate_streaming_request(self, auth_header: str, channel_id_header: str) -> Any:
        try:
            return await self._inner.authenticate_streaming_request(auth_header, channel_id_header)
        except PermissionError:
            raise
        except Exception:  # as above
            raise PermissionError("Unauthorized") from None

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        try:
            return await self._inner.authenticate_channel_request(auth_header)
        except PermissionError:
            raise
        except Exception:  # as above
            raise PermissionError("Unauthorized") from None

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return self._reused(self._inner.create_connector_factory(claims_identity), claims_identity)

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        return LazyUserTokenClient(lambda: self._inner.create_user_token_client(claims_identity))

    def create_bot_framework_client(self) -> Any:
        return self._inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return self._inner.get_originating_audience()


async def _on_turn_error(context: TurnContext, error: Exception) -> None:
    # The engine never raises; this catches a failed send (connector down, 413). Log the type
    # only: exception messages from the connector can carry conversation ids.
    metrics.ERRORS.labels(where="teams").inc()
    log.error("teams turn failed: %s", type(error).__name__)


def create_adapter(settings: Settings,
                   credentials_factory: ServiceClientCredentialsFactory | None = None) -> CloudAdapter:
    """A CloudAdapter for these settings. Tests pass an offline ``credentials_factory``."""
    auth = ConfigurationBotFrameworkAuthentication(bot_configuration(settings), credentials_factory=credentials_factory)
    adapter = CloudAdapter(StrictAuthentication(auth))
    adapter.on_turn_error = _on_turn_error
    return adapter
