"""Slack delivery: DM cards to leads, notes to practitioners, in-place updates (``chat.update``).

Uses slack_sdk's :class:`AsyncWebClient` with ``base_url`` from ``SLACK_API_URL`` (tests point it
at a local fake Slack Web API). Rate limits: slack_sdk's ``AsyncRateLimitErrorRetryHandler``
sleeps for the ``Retry-After`` the 429 carries, then retries; connection errors and 5xx are
retried by its other built-in handlers. What still fails propagates, and the outbox retries
it later (queue.py).

Every post carries message metadata ``{"event_type": "canishare_escalation", "event_payload":
{"key": <delivery key>}}`` — ids and counters only — so :meth:`SlackDelivery.find` can tell, after
a worker died mid-post, whether the post happened (``conversations.history`` with
``include_all_metadata``).
"""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.escalation.cards import CardView, Note, slack_card, slack_note
from bot.core.escalation.delivery import Permanent

EVENT_TYPE = "canishare_escalation"
FIND_PAGES = 25  # x 200 messages
FIND_SLACK_SECONDS = 5  # clock differences between us and Slack
FIND_WINDOW_SECONDS = 120  # a post lands within this of its claim (10 s timeout, retries, Retry-After)
# Errors no retry can fix: the card goes nowhere; the chain moves on to the next step regardless.
PERMANENT_ERRORS = frozenset({
    "channel_not_found", "user_not_found", "users_not_found", "not_in_channel", "is_archived",
    "account_inactive", "cannot_dm_bot", "user_disabled", "message_not_found", "invalid_blocks",
    "msg_too_long", "no_text", "restricted_action",
})


class SlackUnavailable(Exception):
    """Slack (or a proxy in front of it) answered without a readable Slack error: retry later."""


class SlackDelivery:
    name = "slack"

    def __init__(self, token: str, base_url: str, *, client: AsyncWebClient | None = None,
                 rate_limit_retries: int = 3) -> None:
        self.client = client or AsyncWebClient(
            token=token, base_url=base_url if base_url.endswith("/") else base_url + "/", timeout=10,
            retry_handlers=[AsyncConnectionErrorRetryHandler(max_retry_count=2),
                            AsyncRateLimitErrorRetryHandler(max_retry_count=rate_limit_retries),
                            AsyncServerErrorRetryHandler(max_retry_count=2)])

    async def _call(self, method: Any, **kwargs: Any) -> Any:
        try:
            return await method(**kwargs)
        except SlackApiError as exc:
            data = getattr(exc.response, "data", None)
            code = str(data.get("error", "")) if isinstance(data, dict) else ""
            if code in PERMANENT_ERRORS:
                raise Permanent(code) from None
            if not code:  # an empty or non-JSON body (a proxy's error page): transient, retried later
                raise SlackUnavailable(f"no Slack error code (HTTP {getattr(exc.response, 'status_code', '?')})") \
                    from None
            raise
        except (AttributeError, TypeError, ValueError) as exc:
            # Older slack_sdk versions fail while parsing a body that is not JSON.
            raise SlackUnavailable(f"unreadable Slack answer ({type(exc).__name__})") from None

    @staticmethod
    def _metadata(key: str) -> dict[str, Any]:
        return {"event_type": EVENT_TYPE, "event_payload": {"key": key}}

    async def post_card(self, address: str, view: CardView, key: str) -> dict[str, Any]:
        text, blocks = slack_card(view)
        resp = await self._call(self.client.chat_postMessage, channel=address, text=text, blocks=blocks,
                                metadata=self._metadata(key), unfurl_links=False, unfurl_media=False)
        return {"ch": resp["channel"], "ts": resp["ts"]}

    async def update_card(self, ref: dict[str, Any], view: CardView) -> None:
        text, blocks = slack_card(view)
        await self._call(self.client.chat_update, channel=ref["ch"], ts=ref["ts"], text=text, blocks=blocks)

    async def post_note(self, address: str, note: Note, key: str) -> dict[str, Any]:
        text, blocks = slack_note(note)
        resp = await self._call(self.client.chat_postMessage, channel=address, text=text, blocks=blocks,
                                metadata=self._metadata(key), unfurl_links=False, unfurl_media=False)
        return {"ch": resp["channel"], "ts": resp["ts"]}

    async def find(self, address: str, key: str, since: float | None = None) -> dict[str, Any] | None:
        """The message posted with this delivery key, if an earlier attempt got that far.

        Only messages from ``since`` (when the attempt claimed the key) to a little after it can be
        that post, so the search is a short window of the conversation, read page by page.
        """
        channel = address
        if address[:1] in ("U", "W"):
            opened = await self._call(self.client.conversations_open, users=address)
            channel = opened["channel"]["id"]
        window: dict[str, Any] = {}
        if since is not None:
            window = {"oldest": f"{since - FIND_SLACK_SECONDS:.6f}", "latest": f"{since + FIND_WINDOW_SECONDS:.6f}",
                      "inclusive": True}
        cursor = None
        for _ in range(FIND_PAGES):
            resp = await self._call(self.client.conversations_history, channel=channel, limit=200,
                                    include_all_metadata=True, cursor=cursor, **window)
            for message in resp.get("messages") or []:
                meta = message.get("metadata") or {}
                if meta.get("event_type") == EVENT_TYPE and (meta.get("event_payload") or {}).get("key") == key:
                    return {"ch": channel, "ts": message["ts"]}
            cursor = (resp.get("response_metadata") or {}).get("next_cursor")
            if not resp.get("has_more") or not cursor:
                break
        return None
