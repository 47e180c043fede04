"""The only Redis keys that carry no TTL: indexes, each cleaned by the code that uses it.

Every other key canishare writes has its own expiry. A test (tests/core/escalation/test_key_ttls.py) runs every
feature against a real Redis and fails on any key without a TTL that is not listed here, and
checks that README.md and docs/operations.md list exactly these. ``<p>`` is the key prefix.
"""

from __future__ import annotations

# (key pattern after "<p>:", what it is, what removes its entries)
INDEXES: tuple[tuple[str, str, str], ...] = (
    ("{esc}:due", "escalation due times (sorted set)",
     "a transition removes the id on resolve; a claimed id whose record is gone is dropped by the worker"),
    ("{esc}:open", "ids of escalations not yet resolved (set)",
     "resolve removes the id; the auditor drops resolved or vanished ids every minute"),
    ("{esc}:outbox", "outbound messages and their consumer group (stream)",
     "each entry is deleted once delivered or dead-lettered"),
)


def patterns() -> tuple[str, ...]:
    return tuple(p for p, _, _ in INDEXES)
