"""Button values: which choice a button stands for and which question it was shown with.

A value is compact JSON ``{"a": choice id, "r": question ref, "s": tag}``. Slack signs every request,
so the tag is defence in depth: a value altered anywhere between our post and the click (a proxy,
a replayed or hand-made payload) fails the check and is refused before the engine sees it.
"""

from __future__ import annotations

import hashlib
import hmac
import json

VALUE_MAX = 2000  # Block Kit's limit for a button value
ACTION_PREFIX = "cs."  # every conversation button's action_id: cs.0, cs.1, ...
_TAG_CHARS = 24  # 96 bits of HMAC-SHA256


class BadButton(ValueError):
    """The button value is malformed or its tag does not match."""


class ButtonCodec:
    def __init__(self, secret: str) -> None:
        # A key of its own, derived from the deployment secret, so a button tag is never a user hash.
        self._key = hmac.new(secret.encode(), b"canishare slack button values", hashlib.sha256).digest()

    def _tag(self, choice: str, ref: str) -> str:
        return hmac.new(self._key, f"{choice}\x1f{ref}".encode(), hashlib.sha256).hexdigest()[:_TAG_CHARS]

    def encode(self, choice: str, ref: str = "") -> str:
        body = {"a": choice, "r": ref, "s": self._tag(choice, ref)}
        value = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
        if len(value) > VALUE_MAX:
            raise ValueError(f"button value is {len(value)} characters; Slack allows {VALUE_MAX}")
        return value

    def decode(self, value: object) -> tuple[str, str]:
        """(choice id, ref) from a clicked button's value; raises BadButton if it isn't one of ours."""
        if not isinstance(value, str) or not value or len(value) > VALUE_MAX:
            raise BadButton("no value")
        try:
            body = json.loads(value)
        except ValueError:
            raise BadButton("not JSON") from None
        if not isinstance(body, dict):
            raise BadButton("not an object")
        choice, ref, tag = body.get("a"), body.get("r", ""), body.get("s")
        if not (isinstance(choice, str) and choice and isinstance(ref, str) and isinstance(tag, str)):
            raise BadButton("missing fields")
        if not hmac.compare_digest(tag, self._tag(choice, ref)):
            raise BadButton("tag mismatch")
        return choice, ref
