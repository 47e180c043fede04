"""A local fake of the Microsoft identity platform's token endpoint (client-credentials grant).

``canishare doctor`` and the Teams roster reader fetch a Bot Framework token from
``CANISHARE_MICROSOFT_LOGIN_URL``/<tenant>/oauth2/v2.0/token, as the bot does before each reply.
This fake answers like Entra: a token for the right app id and secret, ``invalid_client`` (401)
otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aiohttp import web
from aiohttp.test_utils import TestServer


@dataclass
class FakeLogin:
    app_id: str
    secret: str
    requests: list[dict[str, str]] = field(default_factory=list)
    server: TestServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("")).rstrip("/")

    async def token(self, request: web.Request) -> web.Response:
        form = {k: str(v) for k, v in (await request.post()).items()}
        self.requests.append({"tenant": request.match_info["tenant"], "client_id": form.get("client_id", ""),
                              "scope": form.get("scope", "")})
        if (form.get("grant_type") != "client_credentials" or form.get("client_id") != self.app_id
                or form.get("client_secret") != self.secret):
            return web.json_response({"error": "invalid_client", "error_description": "AADSTS7000215"}, status=401)
        return web.json_response({"token_type": "Bearer", "expires_in": 3599, "access_token": "fake-bf-token"})

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/{tenant}/oauth2/v2.0/token", self.token)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()

    async def close(self) -> None:
        if self.server is not None:
            await self.server.close()
