"""Which people a chain step pages, and which step comes next.

A step names targets: slots (``lead``, ``deputy``, ``caldicott_guardian``), ``fallback`` or
``person:<id>``. Slots are resolved against the rota *when the step runs*, not when the
escalation started, so a handover mid-case reaches the new lead (PagerDuty's behaviour; research
note §5.1). A step whose targets resolve to nobody is skipped at once (GoAlert #4548) instead of
waiting out its delay; the skip is logged.

Recipients are strings: ``person:<id>`` for a person, ``channel:slack`` / ``channel:teams`` for
the fallback's private duty channel.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.escalation.config import Chain, EscalationPolicy, Rota
from bot.core.escalation.rota import OnDuty

SLACK_CHANNEL = "channel:slack"
TEAMS_CHANNEL = "channel:teams"


@dataclass(frozen=True)
class StepPlan:
    step: int
    loop: int
    recipients: tuple[str, ...]
    wait_seconds: float


@dataclass(frozen=True)
class Plan:
    """The next step to run (None: the chain is exhausted) and the empty steps skipped on the way."""

    next: StepPlan | None
    skipped: tuple[tuple[int, int], ...]  # (step, loop)


def fallback_recipients(rota: Rota) -> tuple[str, ...]:
    fb = rota.fallback
    out = [f"person:{p}" for p in fb.people]
    if fb.slack_channel:
        out.append(SLACK_CHANNEL)
    if fb.teams_channel:
        out.append(TEAMS_CHANNEL)
    return tuple(out)


def recipients(rota: Rota, duty: OnDuty, targets: tuple[str, ...]) -> tuple[str, ...]:
    """Everyone ``targets`` reaches now, in order, without repeats."""
    out: list[str] = []
    for target in targets:
        if target == "fallback":
            found = list(fallback_recipients(rota))
        elif target.startswith("person:"):
            found = [target] if rota.person(target[7:]) else []
        else:
            who = duty.person(target)
            if who is not None:
                found = [f"person:{who}"]
            elif target == "caldicott_guardian" and not any(layer.slot == target for layer in rota.layers):
                # Most organisations have one Caldicott Guardian and no rota for it.
                found = [f"person:{p.id}" for p in rota.people if p.role == "caldicott_guardian"]
            else:
                found = []
        out.extend(r for r in found if r not in out)
    return tuple(out)


def plan_from(chain: Chain, rota: Rota, duty: OnDuty, step: int, loop: int) -> Plan:
    """The first non-empty step at or after (``step``, ``loop``)."""
    skipped: list[tuple[int, int]] = []
    while loop < chain.loops:
        if step >= len(chain.steps):
            step, loop = 0, loop + 1
            continue
        spec = chain.steps[step]
        found = recipients(rota, duty, spec.notify)
        if found:
            return Plan(StepPlan(step, loop, found, spec.wait_minutes * 60), tuple(skipped))
        skipped.append((step, loop))
        step += 1
    return Plan(None, tuple(skipped))


def chain_json(policy: EscalationPolicy, urgent: bool) -> dict:
    """The policy snapshot stored with an escalation: later config edits don't change a case in flight."""
    chain = policy.chain(urgent)
    return {
        "steps": [{"notify": list(s.notify), "wait_minutes": s.wait_minutes} for s in chain.steps],
        "loops": chain.loops,
        "ack_idle_minutes": chain.ack_idle_minutes,
        "still_on_it_minutes": policy.still_on_it_minutes,
        "unanswered_reminder_hours": policy.unanswered_reminder_hours,
    }


def chain_from_json(data: dict) -> Chain:
    return Chain.model_validate({k: data[k] for k in ("steps", "loops", "ack_idle_minutes")})
