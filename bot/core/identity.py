"""Keyed hashes of platform user ids.

Platform ids (Slack ``U…``, Teams ``29:…``) never reach Redis, logs or metrics in the clear:
everything is keyed by an HMAC of the id under a per-deployment secret, so the same person
maps to the same key without the key revealing who they are.
"""

from __future__ import annotations

import hashlib
import hmac


def user_hash(secret: str, channel: str, platform_user_id: str) -> str:
    digest = hmac.new(secret.encode(), f"{channel}:{platform_user_id}".encode(), hashlib.sha256)
    # 128 bits: collision-free at any realistic number of users, and short keys.
    return digest.hexdigest()[:32]
