"""``canishare doctor``: everything a deployment needs, checked, each problem with a plain fix.

Each check is a small function that returns one :class:`Check` (or a few). The pure ones take
settings and config; the rest take a small adapter (Redis client, Slack/Teams directory, an HTTP
session) so tests point them at the real Redis and local fakes of Slack and the Bot Framework.
Status ``fail`` means the deployment will not work as configured (exit code 1); ``warn`` means it
works, with something an administrator should know (a gap in the rota covered by the fallback, a
person the bot cannot check).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

Status = Literal["ok", "warn", "fail", "skip"]
MARK = {"ok": "✓", "warn": "!", "fail": "✗", "skip": "-"}
MIN_REDIS = (7, 0)


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    detail: str
    fix: str = ""

    def lines(self) -> list[str]:
        out = [f"{MARK[self.status]} {self.name}: {self.detail}"]
        if self.fix and self.status in ("fail", "warn"):
            out.append(f"    fix: {self.fix}")
        return out


def ok(name: str, detail: str) -> Check:
    return Check(name, "ok", detail)


# --- settings and channels ----------------------------------------------------------------------------
def check_settings(settings: Any) -> list[Check]:
    from bot.core.settings import DEV_HASH_KEY

    out = []
    if settings.hash_key == DEV_HASH_KEY:
        out.append(Check("hash key", "fail", "CANISHARE_HASH_KEY is not set: user ids are hashed with the public "
                         "development key", "set CANISHARE_HASH_KEY to 64 random hex characters "
                         "(openssl rand -hex 32), once, and never change it"))
    elif len(settings.hash_key) < 32:
        out.append(Check("hash key", "warn", "CANISHARE_HASH_KEY is shorter than 32 characters",
                         "use 64 random hex characters (openssl rand -hex 32) before any data is stored"))
    else:
        out.append(ok("hash key", "CANISHARE_HASH_KEY is set"))
    if settings.log_format not in ("text", "json"):
        out.append(Check("log format", "fail", f"CANISHARE_LOG_FORMAT is {settings.log_format!r}",
                         "set it to text or json"))
    return out


def check_channels(settings: Any, socket_mode: bool = False) -> list[Check]:
    from bot.app.serve_plan import plan
    from bot.core.config import ConfigError

    try:
        result = plan(settings, host=settings.host, port=settings.port, socket_mode=socket_mode)
    except ConfigError as exc:
        return [Check("channels", "fail", f"canishare serve would refuse to start: {exc}",
                      "set the missing variable named above, or unset the channel's others to switch it off")]
    return [Check(f"channel {c.name}", "ok" if c.on else "skip", f"{'on' if c.on else 'off'}, {c.detail}")
            for c in result.channels]


# --- organisation file ---------------------------------------------------------------------------------
def check_org_file(settings: Any) -> tuple[list[Check], Any]:
    from bot.core.config import ConfigError, OrgConfig, load_config

    path = settings.config_path
    if path is None:
        return [Check("organisation file", "warn", "CANISHARE_CONFIG is not set: built-in defaults, no rota, no local "
                      "numbers", "copy config/org.example.yaml, fill it in, set CANISHARE_CONFIG to its path")], \
            OrgConfig()
    try:
        config = load_config(path)
    except ConfigError as exc:
        return [Check("organisation file", "fail", str(exc),
                      "correct the field at the line named (docs/operations.md lists every key)")], None
    detail = f"{path}: valid ({config.name})"
    checks = [ok("organisation file", detail)]
    if config.childrens_social_care is None:
        checks.append(Check("local children's social care", "warn", "childrens_social_care is not set, so urgent "
                            "answers give national numbers only", "add childrens_social_care: {label, number, when}"))
    return checks, config


# --- Redis -------------------------------------------------------------------------------------------------
async def check_redis(client: Any, has_rota: bool) -> list[Check]:
    """Reachable, version, persistence, eviction. ``client`` is a redis.asyncio client (or None: no REDIS_URL)."""
    if client is None:
        status: Status = "fail" if has_rota else "warn"
        return [Check("redis", status, "REDIS_URL is not set: the memory store keeps nothing over a restart, and "
                      "escalations, the worker and quizzes in chat are off",
                      "add Redis 7+ and set REDIS_URL (redis://, rediss:// or redis+sentinel://)")]
    try:
        info = await client.info()
    except Exception as exc:
        return [Check("redis", "fail", f"REDIS_URL is set but Redis cannot be reached ({type(exc).__name__})",
                      "start Redis, or correct the host, port, password or TLS scheme (rediss://) in REDIS_URL")]
    version = str(info.get("redis_version", "0"))
    parts = tuple(int(p) for p in version.split(".")[:2] if p.isdigit())
    out = []
    if parts < MIN_REDIS:
        out.append(Check("redis version", "fail", f"Redis {version}", "use Redis 7.0 or later"))
    else:
        out.append(ok("redis", f"reachable, Redis {version}"))
    aof = str(info.get("aof_enabled", "0")) == "1"
    rdb = int(info.get("rdb_changes_since_last_save", 0) or 0) >= 0 and str(info.get("rdb_last_bgsave_status")) == "ok"
    if aof:
        out.append(ok("redis persistence", "append-only file on: acknowledged escalations survive a restart"))
    else:
        status = "fail" if has_rota else "warn"
        out.append(Check("redis persistence", status,
                         "appendonly is off" + (" (only RDB snapshots)" if rdb else "") +
                         ": a restart can lose escalations written since the last snapshot",
                         "set appendonly yes and appendfsync everysec in redis.conf (or the add-on's settings)"))
    policy = str(info.get("maxmemory_policy", "noeviction"))
    if policy != "noeviction":
        out.append(Check("redis eviction", "fail", f"maxmemory-policy is {policy}: Redis may drop escalations to "
                         "make room", "set maxmemory-policy noeviction (every key has its own TTL)"))
    else:
        out.append(ok("redis eviction", "maxmemory-policy noeviction"))
    return out


async def check_worker(store: Any, has_rota: bool, now: float | None = None) -> Check:
    from bot.app.ops import AUDITOR_KEY, WORKER_FRESH_SECONDS

    now = time.time() if now is None else now
    try:
        snap = await store.load(AUDITOR_KEY)
    except Exception as exc:
        return Check("worker", "fail", f"cannot read the worker's heartbeat ({type(exc).__name__})", "fix Redis first")
    at = snap.data.get("at") if snap.data else None
    if not isinstance(at, int | float):
        status: Status = "fail" if has_rota else "skip"
        return Check("worker", status, "no worker has ever reported to this Redis",
                     "run `canishare worker` (the Procfile's worker: line) with the same REDIS_URL and "
                     "CANISHARE_KEY_PREFIX")
    age = now - at
    if age > WORKER_FRESH_SECONDS:
        return Check("worker", "fail", f"the worker's last heartbeat was {round(age / 60)} minutes ago",
                     "restart `canishare worker` and check its log; escalations are not moving without it")
    return ok("worker", f"heartbeat {round(age)} s ago")


# --- platform credentials ----------------------------------------------------------------------------------
async def check_slack(directory: Any) -> Check:
    from bot.app.directory import LookupError_

    if not directory.slack_on:
        return Check("slack credentials", "skip", "SLACK_BOT_TOKEN is not set")
    try:
        data = await directory.slack_auth()
    except LookupError_ as exc:
        return Check("slack credentials", "fail", str(exc).split(":")[0], str(exc).split(": ", 1)[-1])
    return ok("slack credentials", f"auth.test: workspace {data.get('team', '?')} ({data.get('team_id', '?')}), "
                                   f"bot {data.get('user', '?')}")


async def check_teams(settings: Any, http: Any) -> Check:
    """Fetch a Bot Framework token with the app id and password, as the bot does before each reply."""
    from bot.app.directory import bot_framework_token

    app_id = settings.microsoft_app_id.strip()
    if not app_id:
        return Check("teams credentials", "skip", "MicrosoftAppId is not set")
    if settings.microsoft_app_type.strip().lower() == "userassignedmsi":
        return Check("teams credentials", "skip", "UserAssignedMSI: the token comes from the Azure host's identity")
    try:
        status, body = await bot_framework_token(settings, http)
    except Exception as exc:
        return Check("teams credentials", "fail", f"the Microsoft login endpoint could not be reached "
                     f"({type(exc).__name__})", "check the network (outbound HTTPS to login.microsoftonline.com)")
    if status == 200 and body.get("access_token"):
        return ok("teams credentials", f"Bot Framework token fetched for app {app_id[:8]}…")
    refused = body.get("error") or status
    return Check("teams credentials", "fail", f"Microsoft refused the app's credentials ({refused})",
                 "copy the app id and a current client secret (Certificates & secrets) of the Azure Bot's app "
                 "registration into MicrosoftAppId and MicrosoftAppPassword; for SingleTenant also set "
                 "MicrosoftAppType and MicrosoftAppTenantId")


# --- the rota ------------------------------------------------------------------------------------------------
async def check_people(config: Any, settings: Any, directory: Any, store: Any,
                       unresolved: Sequence[str]) -> list[Check]:
    from bot.app.directory import LookupError_
    from bot.channels.teams.references import reference_key
    from bot.core.identity import user_hash

    rota = config.rota
    if rota is None:
        return []
    out: list[Check] = []
    problems = {p.split(":", 1)[0]: p.split(": ", 1)[-1] for p in unresolved}
    for person in rota.people:
        name = f"rota person {person.id}"
        if person.id in problems:
            out.append(Check(name, "fail", problems[person.id],
                             "give slack_user_id or teams_user_id (docs/deployment.md, 'Finding ids by hand')"))
            continue
        found: list[str] = []
        trouble: list[tuple[Status, str, str]] = []
        if person.slack_user_id:
            if not directory.slack_on:
                trouble.append(("fail", "has a Slack id but Slack is not configured here",
                                "set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET, or give a teams_user_id"))
            else:
                try:
                    exists = await directory.slack_user_exists(person.slack_user_id)
                except LookupError_ as exc:
                    exists = None
                    trouble.append(("warn", str(exc), "check SLACK_API_URL and the network"))
                if exists is True:
                    found.append("Slack")
                elif exists is False:
                    trouble.append(("fail", f"Slack has no active member {person.slack_user_id}",
                                    "copy the member id from their Slack profile (⋮ → Copy member ID)"))
                else:
                    trouble.append(("warn", "Slack would not say whether the member exists",
                                    "add the users:read scope to the Slack app to let doctor check"))
        if person.teams_user_id:
            if not settings.microsoft_app_id.strip():
                trouble.append(("fail", "has a Teams id but Teams is not configured here",
                                "set MicrosoftAppId and MicrosoftAppPassword, or give a slack_user_id"))
            else:
                known = await directory.teams_user_known(person.teams_user_id) if directory.teams_on else None
                if known is None and store is not None:
                    try:
                        snap = await store.load(reference_key(user_hash(settings.hash_key, "teams",
                                                                        person.teams_user_id)))
                        known = True if snap.data else None
                    except Exception:
                        known = None
                if known:
                    found.append("Teams")
                elif known is False:
                    trouble.append(("fail", "is not a member of the fallback Teams channel",
                                    "check the id (docs/deployment.md) or add them to that team"))
                else:
                    trouble.append(("warn", "Teams id not confirmed: they have not messaged the bot yet",
                                    "ask them to open a personal chat with the app once (Teams needs that before "
                                    "a bot can message someone)"))
        if found:
            status: Status = "ok" if not trouble else "warn"
            detail = f"{person.name} reachable on {' and '.join(found)}"
            if trouble:
                detail += "; " + "; ".join(t[1] for t in trouble)
            out.append(Check(name, status, detail, "; ".join(t[2] for t in trouble)))
        else:
            worst: Status = "fail" if any(t[0] == "fail" for t in trouble) else "warn"
            out.append(Check(name, worst, f"{person.name} " + "; ".join(t[1] for t in trouble),
                             "; ".join(t[2] for t in trouble)))
    return out


def check_cover(config: Any, settings: Any, now: dt.datetime, covers: Sequence[Any] = ()) -> Check:
    from bot.app.escalation_wiring import rota_view
    from bot.core.escalation.rota import gaps

    rota = config.rota
    if rota is None:
        return Check("rota cover", "warn", "no rota: nobody can be paged; practitioners get the contact numbers only",
                     "add a rota: section (config/org.example.yaml has a commented one)")
    try:
        view = rota_view(settings, config)
        found = gaps(rota, now, covers=covers, calendar=view.calendar_shifts(now))
    except Exception as exc:
        return Check("rota cover", "fail", str(exc), "correct the rota's layers, overrides or calendar")
    if not found:
        return ok("rota cover", "a lead is on duty at every moment of the next 14 days")
    tz = rota.tz
    listed = ", ".join(f"{a.astimezone(tz):%a %d %b %H:%M}–{b.astimezone(tz):%a %d %b %H:%M}" for a, b in found[:6])
    more = f" and {len(found) - 6} more" if len(found) > 6 else ""
    return Check("rota cover", "warn", f"{len(found)} gap(s) with no lead in the next 14 days (the fallback is paged "
                 f"at once then): {listed}{more}", "add a layer or an override for those times")


def check_fallback(config: Any, settings: Any) -> Check:
    from bot.core.escalation.causes import platforms_on

    rota = config.rota
    if rota is None:
        return Check("fallback", "skip", "no rota")
    fb = rota.fallback
    on = platforms_on(settings)
    ways = []
    if fb.slack_channel:
        ways.append(f"Slack channel {fb.slack_channel}" + ("" if "slack" in on else " (Slack not configured)"))
    if fb.teams_channel:
        ways.append("a Teams channel" + ("" if "teams" in on else " (Teams not configured)"))
    for pid in fb.people:
        ways.append(f"person {pid}")
    reachable = (fb.slack_channel and "slack" in on) or (fb.teams_channel and "teams" in on) or any(
        (p := rota.person(pid)) and ((p.slack_user_id and "slack" in on) or (p.teams_user_id and "teams" in on))
        for pid in fb.people)
    if not reachable:
        return Check("fallback", "fail", "the fallback (" + ", ".join(ways) + ") cannot be reached on any channel "
                     "this deployment runs", "name a fallback person or channel on a platform that is configured")
    return ok("fallback", "set: " + ", ".join(ways))


# --- the whole run -------------------------------------------------------------------------------------------
async def run_checks(settings: Any, *, now: dt.datetime | None = None, socket_mode: bool = False) -> list[Check]:
    import aiohttp

    from bot.app.directory import directory_for
    from bot.app.rota_directory import resolve_rota

    now = now or dt.datetime.now(dt.UTC)
    checks = check_settings(settings) + check_channels(settings, socket_mode)
    org_checks, config = check_org_file(settings)
    checks += org_checks
    has_rota = config is not None and config.rota is not None
    store = None
    if settings.redis_url:
        from bot.app.stores import build_store

        try:
            store = build_store(settings)
        except ValueError as exc:
            checks.append(Check("redis", "fail", str(exc), "correct REDIS_URL or CANISHARE_KEY_PREFIX"))
    try:
        checks += await check_redis(getattr(store, "client", None), has_rota)
        redis_up = store is not None and await store.ping()
        if redis_up:
            checks.append(await check_worker(store, has_rota))
        directory = directory_for(settings, config, getattr(store, "client", None) if redis_up else None,
                                  getattr(store, "prefix", None))
        try:
            checks.append(await check_slack(directory))
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as http:
                checks.append(await check_teams(settings, http))
            if config is not None and config.rota is not None:
                resolution = await resolve_rota(config, directory)
                checks += [ok("rota e-mail", line) for line in resolution.resolved]
                checks += await check_people(resolution.config, settings, directory, store if redis_up else None,
                                             resolution.problems)
                checks.append(check_cover(resolution.config, settings, now))
                checks.append(check_fallback(resolution.config, settings))
            elif config is not None:
                checks.append(check_cover(config, settings, now))
        finally:
            await directory.close()
    finally:
        if store is not None:
            await store.close()
    return checks


def failed(checks: Sequence[Check]) -> bool:
    return any(c.status == "fail" for c in checks)


def as_json(checks: Sequence[Check]) -> dict[str, Any]:
    return {"ok": not failed(checks), "checks": [asdict(c) for c in checks]}


def as_text(checks: Sequence[Check]) -> str:
    lines = [line for c in checks for line in c.lines()]
    bad = sum(c.status == "fail" for c in checks)
    warn = sum(c.status == "warn" for c in checks)
    lines.append("")
    summary = f"{bad} failed, {warn} warning{'s' if warn != 1 else ''}." + (" Fix the ✗ lines first." if bad else "")
    lines.append("All checks passed." if not bad and not warn else summary)
    return "\n".join(lines)
