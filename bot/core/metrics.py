"""Prometheus metrics. Counts and timings only: no text, no user ids, no labels from user input."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

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
# Escalations. Labels are fixed state names and outcome codes only.
ESCALATIONS = Counter("canishare_escalations_total", "Escalation transitions, by the state entered", ["state"])
ESCALATIONS_OPEN = Gauge("canishare_escalations_open", "Open escalations by state (set by the auditor)", ["state"])
ESCALATION_ACK_SECONDS = Histogram(
    "canishare_escalation_ack_seconds", "Time from raising an escalation to its acknowledgement",
    buckets=(15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 86400),
)
ESCALATION_DELIVERIES = Counter("canishare_escalation_deliveries_total", "Escalation messages delivered",
                                ["kind", "result"])
# bot.core.stats counts escalation events and acknowledgement times through these names.
ACK_SECONDS = ESCALATION_ACK_SECONDS
ESCALATION_AUDIT_REARMED = Counter("canishare_escalation_timers_rearmed_total", "Lost timers re-armed by the auditor")
