"""Finding people on their platforms: Slack and Teams ids from e-mail addresses, and checks that ids exist.

Administrators know their leads' e-mail addresses, not their Slack member ids or Teams ids. The rota
may give ``email:`` instead of (or as well as) the platform ids; this module resolves it:

* Slack: ``users.lookupByEmail`` (scope ``users:read.email``), and ``users.info`` to check an id
  (scope ``users:read``). ``auth.test`` gives the workspace, which Slack ids are stored under.
* Teams: the roster of the fallback Teams channel (``rota.fallback.teams_channel``), read from the
  Bot Framework connector (``GET /v3/conversations/{id}/members``) with the bot's own token. A bot
  may read the members of a conversation it is installed in, so this works where the bot is in the
  leads' channel and nowhere else. Microsoft Graph would need an admin-consented application
  permission (User.Read.All), which this project does not ask for; docs/deployment.md says how to find
  Teams ids by hand instead.

Resolved ids are cached in Redis for a day (``dir:<platform>:<keyed hash of the address>``), sealed
with the escalation key (AES-GCM), so Redis holds neither the address nor the id in the clear.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("canishare.directory")

CACHE_SECONDS = 24 * 3600


class LookupError_(RuntimeError):
    """A platform could not be asked (network, credentials, missing scope); ``str()`` says which and how to fix."""


@dataclass(frozen=True)
class TeamsIds:
    entra: str | None
    user: str | None  # 29:…

    def all(self) -> list[str]:
        return [i for i in (self.entra, self.user) if i]


class Directory:
    """Platform look-ups with a Redis cache. Each method returns None for "not found"."""

    def __init__(self, settings: Any, client: Any = None, prefix: str | None = None,
                 teams_roster: Callable[[], Awaitable[list[dict[str, Any]]]] | None = None) -> None:
        from bot.core.escalation.handle import Sealer

        self.settings = settings
        self.redis = client
        self.prefix = (prefix or getattr(settings, "key_prefix", "canishare")).rstrip(":")
        self.sealer = Sealer.from_env(settings.hash_key)
        self._slack: Any = None
        self._teams_roster = teams_roster
        self._roster: list[dict[str, Any]] | None = None
        self._team: str | None = None

    # --- cache -----------------------------------------------------------------------------------
    def _cache_key(self, platform: str, address: str) -> str:
        digest = hmac.new(self.settings.hash_key.encode(), f"directory\x1f{platform}\x1f{address.lower()}".encode(),
                          hashlib.sha256).hexdigest()[:32]
        return f"{self.prefix}:dir:{platform}:{digest}"

    async def _cached(self, platform: str, address: str) -> str | None:
        if self.redis is None:
            return None
        key = self._cache_key(platform, address)
        try:
            raw = await self.redis.get(key)
            return self.sealer.open(raw.decode(), key) if raw else None
        except Exception:  # a cache that cannot be read is a miss, never a failure
            return None

    async def _remember(self, platform: str, address: str, value: str) -> None:
        if self.redis is None:
            return
        key = self._cache_key(platform, address)
        try:
            await self.redis.set(key, self.sealer.seal(value, key), ex=CACHE_SECONDS)
        except Exception as exc:
            log.warning("directory cache not written: %s", type(exc).__name__)

    # --- Slack -------------------------------------------------------------------------------------
    @property
    def slack_on(self) -> bool:
        return bool(self.settings.slack_bot_token)

    def slack(self) -> Any:
        if self._slack is None:
            from slack_sdk.web.async_client import AsyncWebClient

            base = self.settings.slack_api_url
            self._slack = AsyncWebClient(token=self.settings.slack_bot_token,
                                         base_url=base if base.endswith("/") else base + "/", timeout=10)
        return self._slack

    async def _slack_call(self, method: str, **args: Any) -> dict[str, Any]:
        from slack_sdk.errors import SlackApiError

        try:
            response = await self.slack().api_call(method, data=args)
            return dict(response.data) if isinstance(response.data, dict) else {}
        except SlackApiError as exc:
            data = exc.response.data if isinstance(exc.response.data, dict) else {}
            return dict(data)
        except Exception as exc:
            raise LookupError_(f"Slack could not be reached ({type(exc).__name__}): check SLACK_API_URL and the "
                               "network") from None

    async def slack_auth(self) -> dict[str, Any]:
        """``auth.test``: the workspace and the bot; raises LookupError_ when the token is refused."""
        data = await self._slack_call("auth.test")
        if not data.get("ok"):
            raise LookupError_(f"Slack refused the bot token ({data.get('error', 'unknown error')}): copy the Bot "
                               "User OAuth Token (xoxb-…) from Install App into SLACK_BOT_TOKEN")
        return data

    async def slack_team(self) -> str | None:
        if self._team is None and self.slack_on:
            self._team = str((await self.slack_auth()).get("team_id") or "") or None
        return self._team

    async def slack_by_email(self, email: str) -> str | None:
        cached = await self._cached("slack", email)
        if cached:
            return cached
        data = await self._slack_call("users.lookupByEmail", email=email)
        if not data.get("ok"):
            error = data.get("error", "")
            if error == "users_not_found":
                return None
            if error == "missing_scope":
                raise LookupError_("Slack refused users.lookupByEmail: add the users:read.email scope to the app "
                                   "(slack/manifest.yml) and reinstall it, or give slack_user_id in the rota")
            raise LookupError_(f"Slack refused users.lookupByEmail ({error or 'unknown error'})")
        user = str((data.get("user") or {}).get("id") or "")
        if user:
            await self._remember("slack", email, user)
        return user or None

    async def slack_user_exists(self, user_id: str) -> bool | None:
        """True or False; None when Slack would not say (no users:read scope)."""
        data = await self._slack_call("users.info", user=user_id)
        if data.get("ok"):
            return not (data.get("user") or {}).get("deleted", False)
        if data.get("error") in ("user_not_found", "users_not_found"):
            return False
        return None

    # --- Teams ---------------------------------------------------------------------------------------
    @property
    def teams_on(self) -> bool:
        """A roster to read: Teams is configured and the rota names a fallback Teams channel."""
        return self._teams_roster is not None

    async def roster(self) -> list[dict[str, Any]]:
        if self._roster is None:
            self._roster = await self._teams_roster() if self._teams_roster is not None else []
        return self._roster

    async def teams_by_email(self, email: str) -> TeamsIds | None:
        cached = await self._cached("teams", email)
        if cached:
            entra, _, user = cached.partition("|")
            return TeamsIds(entra or None, user or None)
        for member in await self.roster():
            addresses = {str(member.get(k) or "").lower() for k in ("email", "userPrincipalName")}
            if email.lower() in addresses:
                ids = TeamsIds(member.get("aadObjectId") or None, member.get("id") or None)
                await self._remember("teams", email, f"{ids.entra or ''}|{ids.user or ''}")
                return ids
        return None

    async def teams_user_known(self, user_id: str) -> bool | None:
        """Is this id (29:… or Entra) in the roster? None when there is no roster to ask."""
        members = await self.roster()
        if not members:
            return None
        return any(user_id in (m.get("id"), m.get("aadObjectId")) for m in members)

    async def close(self) -> None:
        if self._slack is not None and getattr(self._slack, "session", None) is not None:
            await self._slack.session.close()


async def bot_framework_token(settings: Any, http: Any) -> tuple[int, dict[str, Any]]:
    """A Bot Framework token by the client-credentials grant, as the bot gets one before each reply."""
    app_type = settings.microsoft_app_type.strip().lower()
    tenant = "botframework.com" if app_type == "multitenant" else (settings.microsoft_app_tenant_id.strip()
                                                                     or "botframework.com")
    url = f"{settings.microsoft_login_url.rstrip('/')}/{tenant}/oauth2/v2.0/token"
    form = {"grant_type": "client_credentials", "client_id": settings.microsoft_app_id.strip(),
            "client_secret": settings.microsoft_app_password, "scope": "https://api.botframework.com/.default"}
    async with http.post(url, data=form) as response:
        body = await response.json(content_type=None)
        return response.status, body if isinstance(body, dict) else {}


def teams_roster_reader(settings: Any, teams_channel: Any) -> Callable[[], Awaitable[list[dict[str, Any]]]]:
    """Reads the members of the fallback Teams channel from the Bot Framework connector (GET …/members)."""

    async def read() -> list[dict[str, Any]]:
        import aiohttp

        base = teams_channel.service_url.rstrip("/")
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as http:
                status, token = await bot_framework_token(settings, http)
                if status != 200 or not token.get("access_token"):
                    raise LookupError_("Microsoft refused the bot's credentials, so the Teams roster cannot be read "
                                       "(run `canishare doctor`)")
                headers = {"Authorization": f"Bearer {token['access_token']}"}
                async with http.get(f"{base}/v3/conversations/{teams_channel.conversation_id}/members",
                                    headers=headers) as response:
                    if response.status != 200:
                        raise LookupError_(f"the Bot Framework refused to list the fallback Teams channel's members "
                                           f"(HTTP {response.status}): is the bot installed in that team?")
                    members = await response.json(content_type=None)
        except aiohttp.ClientError as exc:
            raise LookupError_(f"the Teams connector could not be reached ({type(exc).__name__})") from None
        return [m for m in members if isinstance(m, dict)] if isinstance(members, list) else []

    return read


def directory_for(settings: Any, config: Any, client: Any = None, prefix: str | None = None) -> Directory:
    """A Directory with the Teams roster of the rota's fallback channel when Teams is configured."""
    roster = None
    rota = getattr(config, "rota", None)
    channel = rota.fallback.teams_channel if rota is not None else None
    if channel is not None and settings.microsoft_app_id.strip():
        roster = teams_roster_reader(settings, channel)
    return Directory(settings, client, prefix, roster)


async def resolve_emails(directory: Directory, emails: Sequence[str]) -> dict[str, tuple[str | None, TeamsIds | None]]:
    """Each address's Slack id and Teams ids (None where not found or not asked)."""
    out: dict[str, tuple[str | None, TeamsIds | None]] = {}
    for email in emails:
        slack = await directory.slack_by_email(email) if directory.slack_on else None
        teams = await directory.teams_by_email(email)
        out[email] = (slack, teams)
    return out
