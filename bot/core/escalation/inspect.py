"""Read-only views of escalations for people: one escalation's story, and the list of them.

Shared by ``canishare escalation show|list`` and the History button on the lead's cards.
"""

from __future__ import annotations

from typing import Any

from bot.core.escalation.core import reference
from bot.core.escalation.history import Line, Namer, lines, local, render_text
from bot.core.escalation.records import Escalation

MAX_CARD_LINES = 40  # a chat message stays readable; the CLI shows everything


def parse_ref(text: str) -> str:
    """``ESC-7K2Q9D4M``, ``esc-7k2q9d4m`` or ``7K2Q9D4M`` -> ``7K2Q9D4M``."""
    text = text.strip().upper()
    return text[4:] if text.startswith("ESC-") else text


def header(service: Any, rec: Escalation) -> list[str]:
    tz = service.rota.tz
    name = Namer.from_rota(service.rota)
    out = [f"State: {rec.state}{' (urgent)' if rec.urgent else ''}",
           f"Raised: {local(rec.created_ms, tz):%a %d %b %Y, %H:%M} ({tz.key})"]
    if rec.acked_by:
        out.append(f"Acknowledged by: {name(rec.acked_by)} at {service.local_time(rec.acked_ms)}")
    if rec.resolved_by:
        out.append(f"Resolved by: {name(rec.resolved_by)} at {service.local_time(rec.resolved_ms)}")
    return out


async def story(service: Any, esc_id: str) -> tuple[Escalation, list[Line]] | None:
    rec = await service.records.load(esc_id)
    if rec is None:
        return None
    events = await service.records.chronology(esc_id)
    return rec, lines(events, Namer.from_rota(service.rota))


async def show_text(service: Any, esc_id: str, limit: int | None = None) -> str | None:
    found = await story(service, esc_id)
    if found is None:
        return None
    rec, items = found
    if limit is not None and len(items) > limit:
        items = items[-limit:]
    return render_text(f"History of {reference(rec.id)}", header(service, rec), items, service.rota.tz)


async def show_json(service: Any, esc_id: str) -> dict[str, Any] | None:
    found = await story(service, esc_id)
    if found is None:
        return None
    rec, items = found
    tz = service.rota.tz
    return {"reference": reference(rec.id), "state": rec.state, "urgent": rec.urgent,
            "raised": local(rec.created_ms, tz).isoformat(timespec="seconds"), "timezone": tz.key,
            "acknowledged_by": Namer.from_rota(service.rota)(rec.acked_by) if rec.acked_by else None,
            "resolved_by": Namer.from_rota(service.rota)(rec.resolved_by) if rec.resolved_by else None,
            "outcome": rec.outcome or None, "chronology": [i.as_json(tz) for i in items]}


async def all_ids(service: Any, open_only: bool) -> list[str]:
    if open_only:
        return await service.records.open_ids()
    ids = set(await service.records.open_ids())
    pattern = service.keys.rec("*")
    async for key in service.client.scan_iter(match=pattern, count=500):
        ids.add((key.decode() if isinstance(key, bytes) else key).rsplit(":", 1)[-1])
    return sorted(ids)


async def summaries(service: Any, open_only: bool) -> list[dict[str, Any]]:
    tz = service.rota.tz
    name = Namer.from_rota(service.rota)
    out = []
    for esc_id in await all_ids(service, open_only):
        rec = await service.records.load(esc_id)
        if rec is None or (open_only and not rec.open):
            continue
        out.append({"reference": reference(rec.id), "state": rec.state, "urgent": rec.urgent,
                    "raised": local(rec.created_ms, tz).isoformat(timespec="seconds"),
                    "acknowledged_by": name(rec.acked_by) if rec.acked_by else None,
                    "resolved_by": name(rec.resolved_by) if rec.resolved_by else None})
    out.sort(key=lambda d: d["raised"])
    return out
