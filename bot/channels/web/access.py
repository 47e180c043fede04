"""Who may use the web page, and the two cookies it sets.

* On a loopback address (``127.0.0.1``, ``::1``, ``localhost``) the page is open: only this
  machine can reach it.
* Anywhere else it needs ``CANISHARE_WEB_TOKEN``: the first visit carries ``?token=...`` (an access
  link the operator hands out), which is swapped for an HttpOnly cookie and dropped from the URL.
  Without a token configured the page is disabled: it is never open to the world by default.

The auth cookie holds an HMAC of the token, not the token, so changing the token signs everyone
out. The session cookie is a random id: the engine hashes it like any platform user id.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import ipaddress
import re
import secrets

from aiohttp import web

AUTH_COOKIE = "canishare_web_auth"
SESSION_COOKIE = "canishare_web_session"
_SESSION_RE = re.compile(r"[A-Za-z0-9_-]{32,64}")
AUTH_DAYS = 30


class Mode(enum.Enum):
    OPEN = "open"  # loopback only
    TOKEN = "token"  # reachable from elsewhere, access link required
    DISABLED = "disabled"  # reachable from elsewhere and no token configured


def is_loopback(host: str) -> bool:
    host = host.strip().strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name (or "0.0.0.0", "::") may be reachable from anywhere


def mode_for(host: str, token: str | None) -> Mode:
    if is_loopback(host):
        return Mode.OPEN
    return Mode.TOKEN if token else Mode.DISABLED


def auth_value(token: str) -> str:
    return hmac.new(token.encode(), b"canishare-web-auth-v1", hashlib.sha256).hexdigest()


def token_matches(given: str | None, token: str) -> bool:
    return bool(given) and hmac.compare_digest(str(given).encode(), token.encode())


def authorised(request: web.Request, mode: Mode, token: str | None) -> bool:
    if mode is Mode.OPEN:
        return True
    if mode is Mode.DISABLED or not token:
        return False
    cookie = request.cookies.get(AUTH_COOKIE, "")
    return hmac.compare_digest(cookie.encode(), auth_value(token).encode())


def is_https(request: web.Request) -> bool:
    # Behind a platform router TLS ends at the proxy, which says so in X-Forwarded-Proto.
    return request.secure or request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip() == "https"


def set_auth_cookie(response: web.StreamResponse, request: web.Request, token: str) -> None:
    response.set_cookie(AUTH_COOKIE, auth_value(token), max_age=AUTH_DAYS * 86400, path="/", httponly=True,
                        samesite="Strict", secure=is_https(request))


def session_of(request: web.Request) -> str | None:
    value = request.cookies.get(SESSION_COOKIE, "")
    return value if _SESSION_RE.fullmatch(value) else None


def new_session() -> str:
    return secrets.token_urlsafe(32)


def set_session_cookie(response: web.StreamResponse, request: web.Request, session: str) -> None:
    # No max-age: a browser-session cookie. The conversation itself expires with the store's TTL.
    response.set_cookie(SESSION_COOKIE, session, path="/", httponly=True, samesite="Strict",
                        secure=is_https(request))
