"""The web chat page: the engine in a browser, for trying canishare without Slack or Teams.

``GET /`` serves one static page; ``POST /api/chat`` takes ``{"text": ...}`` or
``{"action": ..., "ref": ...}`` and answers ``{"replies": [Reply.to_dict(), ...]}``. The page's
own script renders the replies with ``textContent`` only, so no text can become markup.
Access rules are in :mod:`bot.channels.web.access`: open on a loopback address, a token otherwise.
"""

from __future__ import annotations

from bot.channels.web.routes import mount

__all__ = ["mount"]
