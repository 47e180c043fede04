"""``canishare report --since 7d [--png report.png] [--json]``: the leads' report from the terminal."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from bot.app.stores import build_store
from bot.core.config import load_config
from bot.core.report import PeriodError, build_report, parse_since, render_png, render_text
from bot.core.settings import get_settings
from bot.core.store import StoreUnavailable

NO_REDIS = ("canishare report: REDIS_URL is not set. Statistics are kept in Redis by the running service; "
            "set REDIS_URL (and CANISHARE_KEY_PREFIX if you changed it) to the service's values.")



def cmd_report(args: argparse.Namespace) -> int:
    try:
        days = parse_since(args.since)
    except PeriodError as exc:
        print(f"canishare report: --since {exc}", file=sys.stderr)
        return 2
    settings = get_settings()
    if not settings.redis_url:
        print(NO_REDIS, file=sys.stderr)
        return 2
    config = load_config(settings.config_path)

    async def run() -> int:
        store = build_store(settings)
        try:
            report = await build_report(store, days, org=config.name)
        except StoreUnavailable:
            print("canishare report: Redis is unavailable; try again when it is back.", file=sys.stderr)
            return 1
        finally:
            await store.close()
        print(json.dumps(report.as_dict(), indent=2) if args.json else render_text(report))
        if args.png:
            path = render_png(report, args.png)
            print(f"chart written to {path}", file=sys.stderr)
        return 0

    return asyncio.run(run())
