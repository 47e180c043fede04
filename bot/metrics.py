"""Prometheus metrics. Counts and timings only: no text, no user ids, no labels from user input."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

TURNS = Counter("canishare_turns_total", "Turns handled", ["channel"])
OUTCOMES = Counter("canishare_outcomes_total", "Flowchart outcomes reached", ["outcome"])
GUARD_HITS = Counter("canishare_guard_hits_total", "Messages in which identifying details were found", ["kind"])
GUARD_BYPASSES = Counter("canishare_guard_bypasses_total", "Times a user said 'this isn't personal data'")
URGENT = Counter("canishare_urgent_total", "Messages answered with the act-now reply")
STALE = Counter("canishare_stale_total", "Stale or conflicting clicks answered and not applied")
DUPLICATES = Counter("canishare_duplicate_events_total", "Platform retries ignored")
DEGRADED = Counter("canishare_degraded_total", "Turns answered without the store")
ERRORS = Counter("canishare_errors_total", "Unexpected errors while handling a turn", ["where"])
TURN_SECONDS = Histogram("canishare_turn_seconds", "Engine time per turn",
                         buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0))
# Escalation events by state (raised, acknowledged, fallback, unanswered, resolved), counted by
# bot.stats wherever they happen, and the time from raising an escalation to its acknowledgement.
ESCALATIONS = Counter("canishare_escalations_total", "Escalation events", ["state"])
ACK_SECONDS = Histogram("canishare_time_to_acknowledge_seconds",
                        "Seconds from raising an escalation to acknowledgement",
                        buckets=(30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 43200, 86400))
