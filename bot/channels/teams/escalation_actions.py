"""Teams: the lead's card actions, the practitioner's replies, "who is on duty" and "cover until …".

Called by the Teams bot (bot/channels/teams/bot.py) before a message goes to the engine:
:func:`handle` returns the text to answer with, or None when the message is not ours. Card
buttons post ``{"esc": <action>, "id": <escalation id>}`` plus the show-card inputs (``text``,
``outcome``, ``reason``, ``to``) as the activity's ``value`` (see cards.py).

A Teams user has two ids (the Entra object id and the bot-scoped ``29:…``); the rota may name
either, so both are tried for a lead. A practitioner is matched by the first (the one the Teams
channel gives the engine), so the hash is the one the escalation was raised under.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

ACTIONS = ("ack", "still", "reply", "resolve", "handover", "preply", "history")
DUTY = re.compile(r"^\s*(who'?s|who is)\s+on\s+(duty|call)(\s+now)?\s*\??\s*$", re.I)
COVER = re.compile(r"^\s*cover\s+(.+)$", re.I)
MAX_FIELD = 2000


def is_ours(value: Any, text: Any) -> bool:
    if isinstance(value, dict):
        return value.get("esc") in ACTIONS
    return isinstance(text, str) and bool(DUTY.match(text) or COVER.match(text))


def _str(value: dict[str, Any], key: str) -> str:
    raw = value.get(key)
    return raw[:MAX_FIELD] if isinstance(raw, str) else ""


async def handle(service: Any, user_ids: Sequence[str], value: Any, text: Any) -> str | None:
    """The answer to a Teams message that belongs to escalations, or None to pass it to the engine."""
    if not is_ours(value, text) or not user_ids:
        return None
    if service is None:
        return "Escalations are not set up here (no rota, or no Redis)."
    lead_id = next((uid for uid in user_ids if service.person_for("teams", uid) is not None), None)
    if isinstance(value, dict):
        action = value["esc"]
        esc_id = _str(value, "id")[:20]
        if action == "preply":
            result = await service.practitioner_reply("teams", user_ids[0], esc_id, _str(value, "text"))
        elif lead_id is None:
            return "Only people on the safeguarding rota can act on escalations."
        else:
            body = _str(value, "reason") if action == "resolve" else _str(value, "text")
            result = await service.act("teams", lead_id, action, esc_id, text=body, outcome=_str(value, "outcome"),
                                       to=_str(value, "to"))
        return result.message
    if DUTY.match(text):
        return await service.duty_text()
    m = COVER.match(text)
    if m is not None:
        if lead_id is None:
            return "Only people on the safeguarding rota can cover."
        return (await service.cover("teams", lead_id, m.group(1))).message
    return None
