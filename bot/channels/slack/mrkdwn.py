"""Slack text in and out: escape what we post, turn what Slack sends into plain text.

Out: Slack parses ``&``, ``<`` and ``>`` in message text (``<!channel>``, ``<@U123>``, ``<url|label>``),
so every piece of text we post is escaped first; a literal "@channel"/"@here"/"@everyone" gets an
invisible word joiner so no client or ``link_names`` setting can turn it into a broadcast, and so do
the mrkdwn formatting characters and a URL's "://", so text cannot restyle a message or become a link.
In: Slack sends mentions and links in that same markup; the engine gets plain words, and never a
platform user id hidden inside a message.
"""

from __future__ import annotations

import re

_BROADCAST = re.compile(r"@(?=(channel|here|everyone)\b)", re.IGNORECASE)
WORD_JOINER = "\u2060"
_MARKUP = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")
_FORMATTING = re.compile(r"([*_~`])")  # bold, italic, strike, code: kept literal by a word joiner either side
_SCHEME = re.compile(r"(?<=[A-Za-z]):(?=//)")  # "https://…" typed by a person never becomes a link


def _entities(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape(text: str) -> str:
    """Text safe to put in a mrkdwn field: it can't ping anyone, link anywhere or restyle the message.

    The one Slack escaper: bot replies, quiz text and escalation cards all go through it.
    """
    text = _entities(text)
    text = _FORMATTING.sub(WORD_JOINER + r"\1" + WORD_JOINER, text)
    text = _SCHEME.sub(":" + WORD_JOINER, text)
    return _BROADCAST.sub("@" + WORD_JOINER, text)


def neutralise(text: str) -> str:
    """For plain_text fields, which Slack never parses for links: only the broadcast words need care."""
    return _BROADCAST.sub("@" + WORD_JOINER, text)


def link(url: str, label: str) -> str:
    """A mrkdwn link to one of our own sources (http/https only); just the label otherwise."""
    label = escape(label).replace("|", "/")
    if not url.startswith(("https://", "http://")):
        return label
    return f"<{_entities(url).replace('|', '%7C')}|{label}>"


def _plain(match: re.Match[str]) -> str:
    target, label = match.group(1), match.group(2)
    if target.startswith("@"):
        return "@someone"  # a user mention: the engine never sees a platform id
    if target.startswith("#"):
        return "#" + (label or "channel")
    if target.startswith("!"):
        special = target[1:].split("^")[0]
        return label or f"@{special}"
    return label or target


def plain_from_slack(text: str) -> str:
    """What a person typed, from Slack's markup: mentions, channel links and URLs as plain words."""
    text = _MARKUP.sub(_plain, text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def strip_mention(text: str, bot_user_id: str | None) -> str:
    """Drop mentions of the bot itself (``<@UBOT>``) from an ``app_mention``'s text."""
    if bot_user_id:
        text = text.replace(f"<@{bot_user_id}>", " ")
    else:
        text = re.sub(r"^\s*<@[^>]+>", " ", text)
    return " ".join(text.split())
