"""``canishare escalation show REF`` and ``canishare escalation list [--open]`` (both with ``--json``).

The chronology in the rota's local time, people named from the rota, never the practitioner's
identity (bot/escalation/history.py). Needs ``REDIS_URL``, ``CANISHARE_KEY_PREFIX`` and the
organisation config of the running service.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import TextIO


def register(sub: argparse._SubParsersAction) -> None:
    esc = sub.add_parser("escalation", help="what happened to an escalation (show REF, list --open)")
    inner = esc.add_subparsers(dest="escalation_command", metavar="ACTION")
    show = inner.add_parser("show", help="the whole chronology of one escalation, in local time")
    show.add_argument("ref", help="the reference, e.g. ESC-7K2Q9D4M")
    show.add_argument("--json", action="store_true", help="as JSON")
    show.set_defaults(handler=cmd_escalation)
    lst = inner.add_parser("list", help="escalations still in Redis (open and resolved within retention)")
    lst.add_argument("--open", action="store_true", help="only those not yet resolved")
    lst.add_argument("--json", action="store_true", help="as JSON")
    lst.set_defaults(handler=cmd_escalation)
    esc.set_defaults(handler=lambda args: (esc.print_help(), 2)[1])


def cmd_escalation(args: argparse.Namespace) -> int:
    return asyncio.run(run(args.escalation_command, getattr(args, "ref", ""), bool(getattr(args, "open", False)),
                           bool(args.json)))


async def run(command: str, ref: str, open_only: bool, as_json: bool, out: TextIO | None = None) -> int:
    from bot.app.escalation_wiring import build_service
    from bot.app.stores import build_store
    from bot.core.config import load_config
    from bot.core.escalation import inspect
    from bot.core.settings import get_settings

    out = out or sys.stdout
    settings = get_settings()
    config = load_config(settings.config_path)
    if config.rota is None:
        print("No rota is configured (CANISHARE_CONFIG), so there are no escalations to show.", file=out)
        return 1
    if not settings.redis_url:
        print("canishare escalation: REDIS_URL is not set; escalations live in the service's Redis.", file=out)
        return 2
    store = build_store(settings)
    try:
        service = build_service(settings, config, store)
        assert service is not None
        if command == "show":
            esc_id = inspect.parse_ref(ref)
            if as_json:
                doc = await inspect.show_json(service, esc_id)
                if doc is not None:
                    print(json.dumps(doc, indent=2, ensure_ascii=False), file=out)
            else:
                text = await inspect.show_text(service, esc_id)
                if text is not None:
                    print(text, file=out)
                doc = text  # type: ignore[assignment]
            if doc is None:
                print(f"No escalation {ref} (resolved ones are kept for retention.records_days).", file=out)
                return 1
            return 0
        rows = await inspect.summaries(service, open_only)
        if as_json:
            print(json.dumps(rows, indent=2, ensure_ascii=False), file=out)
            return 0
        if not rows:
            print("No open escalations." if open_only else "No escalations in Redis.", file=out)
        for row in rows:
            who = row["resolved_by"] or row["acknowledged_by"] or "-"
            print(f"{row['reference']}  {row['raised']}  {row['state']:<12} {'URGENT ' if row['urgent'] else ''}"
                  f"{who}", file=out)
        return 0
    finally:
        await store.close()
