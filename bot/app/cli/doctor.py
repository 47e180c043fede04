"""``canishare doctor``: check a deployment and say how to fix each problem (``--json`` for monitoring)."""

from __future__ import annotations

import argparse
import asyncio
import json


def register(sub: argparse._SubParsersAction) -> None:
    doctor = sub.add_parser("doctor", help="check settings, organisation file, Redis, worker, Slack, Teams and rota")
    doctor.add_argument("--json", action="store_true", help="one JSON document (ok, checks[]) for monitoring")
    doctor.add_argument("--socket-mode", action="store_true", help="check Slack for Socket Mode (SLACK_APP_TOKEN)")
    doctor.set_defaults(handler=cmd_doctor)


def cmd_doctor(args: argparse.Namespace) -> int:
    from bot.app.doctor import as_json, as_text, failed, run_checks
    from bot.core.settings import get_settings

    checks = asyncio.run(run_checks(get_settings(), socket_mode=args.socket_mode))
    print(json.dumps(as_json(checks), indent=2) if args.json else as_text(checks))
    return 1 if failed(checks) else 0
