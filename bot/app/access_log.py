"""aiohttp's access log for ``canishare serve``, without anything that identifies a person.

Kept apart from :mod:`bot.core.logs` so importing ``bot`` (every CLI command) does not load aiohttp.
"""

from __future__ import annotations

from aiohttp.abc import AbstractAccessLogger
from aiohttp.web import BaseRequest, StreamResponse


class SafeAccessLogger(AbstractAccessLogger):
    """aiohttp's access log without the query string (the web page's access link carries a token),
    the client's address or the user agent: method, path, status and duration only."""

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        ms = round(time * 1000, 1)
        self.logger.info("%s %s %s %.1f ms", request.method, request.path, response.status, ms,
                         extra={"event": "http", "method": request.method, "path": request.path,
                                "status": response.status, "ms": ms})
