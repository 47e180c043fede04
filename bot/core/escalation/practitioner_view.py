"""What a practitioner on a channel without push (terminal, web page) sees when they come back.

The worker cannot push to a terminal or a browser, so it leaves notes (picked up by …, messages
from the lead, resolved) sealed in the practitioner's inbox (core.py). These helpers turn the
inbox and the open escalation into plain lines, and say truthfully what a chat kept.
"""

from __future__ import annotations

from typing import Any

from bot.core.escalation.core import reference


async def waiting_lines(service: Any, user_hash: str) -> list[str]:
    """Messages waiting for the practitioner, oldest first (reading them empties the inbox)."""
    try:
        return [m for m in await service.inbox(user_hash) if m]
    except Exception:  # an unreadable message (a changed key) must not break the chat
        return []


async def open_request(service: Any, user_hash: str) -> tuple[str, str] | None:
    """(reference, status line) of the practitioner's open escalation, if any."""
    esc_id = await service.records.open_for(user_hash)
    if not esc_id:
        return None
    rec = await service.records.load(esc_id)
    if rec is None or not rec.open:
        return None
    return reference(rec.id), service.status_line(rec)


async def goodbye(service: Any, user_hash: str) -> str:
    """The terminal's last line: what was kept, truthfully."""
    if service is None:
        return "Goodbye. Nothing from this chat has been kept."
    try:
        current = await open_request(service, user_hash)
    except Exception:
        current = None
    if current is None:
        raised = await _raised_before(service, user_hash)
        if raised:
            return ("Goodbye. This chat itself has not been kept, but your request to the safeguarding team and its "
                    "record are kept by the service for its retention period.")
        return "Goodbye. Nothing from this chat has been kept."
    ref, status = current
    return (f"Goodbye. Your conversation here has not been kept, but your request to the safeguarding team ({ref}) "
            f"has been: an anonymised summary and its history, so it reaches them. {status} Run `canishare chat` "
            "again to see their replies.")


async def _raised_before(service: Any, user_hash: str) -> bool:
    try:
        return bool(await service.client.exists(service.keys.inbox(user_hash)))
    except Exception:
        return False
