"""``canishare duty``: who is on duty now and next (covers from Redis when REDIS_URL is set)."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys


def register(sub: argparse._SubParsersAction) -> None:
    duty = sub.add_parser("duty", help="who is on safeguarding duty now and next")
    duty.add_argument("--at", default=None, help="another moment, e.g. 2026-03-29T09:00 (rota time zone)")
    duty.add_argument("--gaps", action="store_true", help="also list gaps in the lead rota over the next 14 days")
    duty.add_argument("action", nargs="?", choices=("export",),
                      help="export: write the rota as an iCal feed (with --ics)")
    duty.add_argument("--ics", action="store_true", help="with export: iCalendar (.ics) output")
    duty.add_argument("--days", type=int, default=28, help="with export: how many days ahead (default 28, at most 366)")
    duty.add_argument("--out", default="-", help="with export: file to write (default: standard output)")
    duty.set_defaults(handler=cmd_duty)


def cmd_duty(args: argparse.Namespace) -> int:
    if args.action == "export":
        if not args.ics:
            print("canishare duty export: say which format, e.g. `canishare duty export --ics`", file=sys.stderr)
            return 2
        return asyncio.run(run_export(args.at, args.days, args.out))
    return asyncio.run(run_duty(args.at, args.gaps))


async def run_export(at_text: str | None, days: int, out_path: str, out=None) -> int:  # type: ignore[no-untyped-def]
    """The rota as an iCal feed: one event per stretch of duty per slot, from ``--at`` (default now)."""
    from bot.core.escalation.rota_feed import duty_periods, ics

    out = out or sys.stdout
    # Notes go to standard error when the feed itself goes to standard output.
    found = await _rota_and_covers(at_text, sys.stderr if out_path == "-" else out)
    if isinstance(found, int):
        return found
    config, view, at, covers = found
    days = max(1, min(days, 366))
    periods = duty_periods(config.rota, at, days, covers=covers, calendar=view.calendar_shifts(at, days))
    text = ics(config.rota, periods, dt.datetime.now(dt.UTC), name=f"Safeguarding duty — {config.name}")
    if out_path == "-":
        out.write(text)
    else:
        with open(out_path, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        print(f"Wrote {len(periods)} duty periods over {days} days to {out_path}.", file=out)
    return 0


async def _rota_and_covers(at_text: str | None, out):  # type: ignore[no-untyped-def]
    """(config, rota view, moment, covers from Redis) or an exit status."""
    from bot.app.escalation_wiring import rota_view
    from bot.core.config import load_config
    from bot.core.settings import get_settings

    settings = get_settings()
    config = load_config(settings.config_path)
    if config.rota is None:
        print("No rota is configured: add a 'rota:' section to the organisation config (CANISHARE_CONFIG).",
              file=out)
        return 1
    from bot.app.rota_directory import resolve_for_process

    resolution = await resolve_for_process(settings, config)
    config = resolution.config
    for problem in resolution.problems:
        print(f"Not resolved: {problem}", file=out)
    view = rota_view(settings, config)
    tz = config.rota.tz
    if at_text:
        try:
            at = dt.datetime.fromisoformat(at_text)
        except ValueError:
            print("--at: use an ISO date and time, e.g. 2026-03-29T09:00", file=out)
            return 2
        at = at if at.tzinfo else at.replace(tzinfo=tz)
    else:
        at = dt.datetime.now(dt.UTC)
    covers = []
    if settings.redis_url:
        from bot.app.stores import build_store
        from bot.core.escalation.core import Core
        from bot.core.escalation.handle import Sealer

        store = build_store(settings)
        try:
            core = Core(store.client, store.prefix, config, view, sealer=Sealer.from_env(settings.hash_key),  # type: ignore[attr-defined]
                        hash_key=settings.hash_key, clock=lambda: at.timestamp())
            covers = await core.covers()
        except Exception as exc:  # the rota from config is still worth showing
            print(f"(covers from chat not shown: Redis unavailable, {type(exc).__name__})", file=out)
        finally:
            await store.close()
    return config, view, at, covers


async def run_duty(at_text: str | None, show_gaps: bool, out=None) -> int:  # type: ignore[no-untyped-def]
    from bot.core.escalation.rota import gaps

    out = out or sys.stdout
    found = await _rota_and_covers(at_text, out)
    if isinstance(found, int):
        return found
    config, view, at, covers = found
    tz = config.rota.tz
    print(view.describe(at, covers), file=out)
    if show_gaps:
        found = gaps(config.rota, at, covers=covers, calendar=view.calendar_shifts(at))
        if not found:
            print("No gaps in the lead rota in the next 14 days.", file=out)
        for start, end in found:
            print(f"Gap: no lead {start.astimezone(tz):%a %d %b %H:%M} – {end.astimezone(tz):%a %d %b %H:%M}",
                  file=out)
    return 0
