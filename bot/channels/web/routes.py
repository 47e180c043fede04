"""Routes of the web chat page: ``GET /``, ``GET /static/...`` and ``POST /api/chat``."""

from __future__ import annotations

import hashlib
import html
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from bot.channels.web import access
from bot.channels.web.access import Mode
from bot.core.services import Services
from dialogs.turn import Turn

log = logging.getLogger("canishare.web")

STATIC = Path(__file__).parent / "static"
MAX_BODY = 16 * 1024  # a chat message is at most a few KB; the engine reads 2,000 characters
MAX_FIELD = 200  # action, ref and id are short ids
_EVENT_RE = re.compile(r"[A-Za-z0-9_-]{8,64}")

# The page loads only its own script and style; nothing may frame it or send it elsewhere.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # the access link's token must never leak in a Referer
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}

NEEDS_LINK = ("This page needs an access link. Ask the person who runs canishare for your organisation "
              "for the link, then open it in this browser.")
BAD_LINK = "That access link isn't valid (it may have been changed). Ask for a new one."
DISABLED = "The web chat page is not enabled on this server."


class BadRequest(Exception):
    """The client's mistake, answered with a kind message and a 4xx, never a traceback."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Asset:
    body: bytes
    content_type: str

    @property
    def version(self) -> str:
        return hashlib.sha256(self.body).hexdigest()[:12]


def _load_assets() -> dict[str, Asset]:
    return {
        "chat.js": Asset((STATIC / "chat.js").read_bytes(), "text/javascript; charset=utf-8"),
        "chat.css": Asset((STATIC / "chat.css").read_bytes(), "text/css; charset=utf-8"),
    }


def _page(org_name: str, assets: dict[str, Asset]) -> str:
    template = (STATIC / "index.html").read_text(encoding="utf-8")
    return (template.replace("__ORG_NAME__", html.escape(org_name))
            .replace("__CSS_VERSION__", assets["chat.css"].version)
            .replace("__JS_VERSION__", assets["chat.js"].version))


def _message_page(text: str, status: int) -> web.Response:
    body = ("<!doctype html><html lang=\"en-GB\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<title>canishare</title></head><body><main><h1>Can I share this?</h1>"
            f"<p>{html.escape(text)}</p></main></body></html>")
    return web.Response(text=body, status=status, content_type="text/html", headers=SECURITY_HEADERS)


def parse_chat(body: bytes) -> dict[str, str | None]:
    """The fields of one chat request, or :class:`BadRequest` saying what is wrong."""
    try:
        data: Any = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise BadRequest(400, "I couldn't read that request. Please reload the page and try again.") from None
    if not isinstance(data, dict):
        raise BadRequest(400, "I couldn't read that request. Please reload the page and try again.")
    out: dict[str, str | None] = {}
    for name in ("text", "action", "ref", "id"):
        value = data.get(name)
        if value is not None and not isinstance(value, str):
            raise BadRequest(400, f"The {name} in that request should be text. Please reload the page.")
        out[name] = value or None
    if out["text"] is None and out["action"] is None:
        raise BadRequest(400, "Please type a message or choose an option.")
    for name in ("action", "ref", "id"):
        if out[name] is not None and len(out[name] or "") > MAX_FIELD:
            raise BadRequest(400, "I don't recognise that option. Please reload the page and try again.")
    if out["id"] is not None and not _EVENT_RE.fullmatch(out["id"] or ""):
        out["id"] = None  # only for spotting repeats; a malformed one is simply not used
    return out


def same_origin(request: web.Request) -> bool:
    """Browsers send Origin on POST: refuse other sites (the cookies are SameSite=Strict as well)."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True  # not a browser, or a same-origin request from an older one
    return urlsplit(origin).netloc.lower() == request.host.lower()


def mount(app: web.Application, services: Services) -> None:
    settings = services.settings
    mode = access.mode_for(settings.host, settings.web_token)
    if mode is Mode.DISABLED:
        log.warning("web chat page disabled: the server listens on %s (not a loopback address) and "
                    "CANISHARE_WEB_TOKEN is not set", settings.host)

        async def disabled(request: web.Request) -> web.Response:
            return _message_page(DISABLED, 404)

        app.router.add_get("/", disabled)
        return

    assets = _load_assets()
    page = _page(services.config.name, assets)
    token = settings.web_token
    engine = services.engine

    async def index(request: web.Request) -> web.StreamResponse:
        given = request.query.get("token")
        if mode is Mode.TOKEN and given is not None:
            if token is None or not access.token_matches(given, token):
                log.info("web access link refused")
                return _message_page(BAD_LINK, 401)
            # Swap the link for a cookie and drop the token from the address bar and history.
            response = web.Response(status=303, headers={**SECURITY_HEADERS, "Location": "/"})
            access.set_auth_cookie(response, request, token)
            return response
        if not access.authorised(request, mode, token):
            return _message_page(NEEDS_LINK, 401)
        response = web.Response(text=page, content_type="text/html", headers=SECURITY_HEADERS)
        if access.session_of(request) is None:
            access.set_session_cookie(response, request, access.new_session())
        return response

    async def static(request: web.Request) -> web.Response:
        asset = assets.get(request.match_info["name"])
        if asset is None:
            raise web.HTTPNotFound()
        # Versioned URLs (?v=<hash>) change when the file does, so browsers may keep them.
        return web.Response(body=asset.body, headers={"Content-Type": asset.content_type,
                                                      "X-Content-Type-Options": "nosniff",
                                                      "Cache-Control": "public, max-age=86400"})

    def check(request: web.Request) -> None:
        if not access.authorised(request, mode, token):
            raise BadRequest(401, "Your access to this page has ended. Please open your access link again.")
        if not same_origin(request):
            raise BadRequest(403, "This request came from another site, so I haven't acted on it.")
        if request.content_type != "application/json":
            raise BadRequest(415, "Please send the message from the chat page.")

    async def chat(request: web.Request) -> web.Response:
        try:
            check(request)
            if (request.content_length or 0) > MAX_BODY:
                raise BadRequest(413, "That message is too long for me. Please shorten it and send it again.")
            body = await request.content.read(MAX_BODY + 1)
            if len(body) > MAX_BODY:
                raise BadRequest(413, "That message is too long for me. Please shorten it and send it again.")
            fields = parse_chat(body)
        except BadRequest as exc:
            return web.json_response({"error": exc.message}, status=exc.status, headers={"Cache-Control": "no-store"})

        session = access.session_of(request)
        fresh = session is None
        session = session or access.new_session()
        # Scope a client's message id to its session so one browser can never claim another's ids.
        event_id = None
        if fields["id"]:
            event_id = hashlib.sha256(f"{session}:{fields['id']}".encode()).hexdigest()[:32]
        turn = Turn(channel="web", user_id=session, text=fields["text"], action=fields["action"],
                    ref=fields["ref"], event_id=event_id)
        replies = await engine.handle(turn)
        response = web.json_response({"replies": [r.to_dict() for r in replies]},
                                     headers={"Cache-Control": "no-store"})
        if fresh:
            access.set_session_cookie(response, request, session)
        return response

    async def inbox(request: web.Request) -> web.Response:
        """Messages for this browser from the escalation service (a lead picked up, replied, resolved).

        The worker cannot push to a web page, so it leaves them in the practitioner's inbox; the
        page asks now and then. Reading removes them, hence POST.
        """
        try:
            check(request)
        except BadRequest as exc:
            return web.json_response({"error": exc.message}, status=exc.status, headers={"Cache-Control": "no-store"})
        session = access.session_of(request)
        messages: list[str] = []
        service = services.escalations
        if session is not None and service is not None:
            try:
                messages = await service.inbox(engine.user_hash(Turn(channel="web", user_id=session)))  # type: ignore[attr-defined]
            except Exception as exc:  # the page asks again later; the chat itself is unaffected
                log.warning("web inbox unavailable: %s", type(exc).__name__)
        return web.json_response({"messages": messages, "poll": service is not None},
                                 headers={"Cache-Control": "no-store"})

    app.router.add_get("/", index)
    app.router.add_get("/static/{name}", static)
    app.router.add_post("/api/chat", chat)
    app.router.add_post("/api/inbox", inbox)
    log.info("web chat page enabled (%s)", "loopback only" if mode is Mode.OPEN else "access link required")
