"""``canishare doctor``: check a deployment and say how to fix each problem (``--json`` for monitoring)."""

from __future__ import annotations

import argparse
import asyncio
import json

from bot.app.doctor import as_json, as_text, failed, run_checks
from bot.core.settings import get_settings


def cmd_doctor(args: argparse.Namespace) -> int:
    checks = asyncio.run(run_checks(get_settings(), socket_mode=args.socket_mode))
    print(json.dumps(as_json(checks), indent=2) if args.json else as_text(checks))
    return 1 if failed(checks) else 0
