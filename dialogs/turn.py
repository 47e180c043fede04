"""A Turn: one thing a person did, translated by a channel into channel-neutral terms."""

from __future__ import annotations

from dataclasses import dataclass

# Longest text the engine looks at. Chat questions are short; anything longer is truncated
# before the guard and the matcher so a 50,000-character paste costs no more than a question.
MAX_TEXT = 2000


@dataclass(frozen=True)
class Turn:
    channel: str  # "terminal", "slack", "teams", "web"
    user_id: str  # the platform's id; hashed before it goes anywhere
    text: str | None = None  # typed text
    action: str | None = None  # a Choice id from a button
    ref: str | None = None  # the question ref the button was shown with (stale detection)
    scope: str = "dm"  # which conversation of this user on this channel
    event_id: str | None = None  # platform event id, for retried deliveries
    once: bool = False  # no follow-up possible (``canishare ask``): act on redacted text at once


def clean_text(text: str | None) -> str:
    """Drop control characters, collapse whitespace and cap the length."""
    if not text:
        return ""
    text = text[: MAX_TEXT * 2]
    text = "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in text)
    return " ".join(text.split())[:MAX_TEXT]
