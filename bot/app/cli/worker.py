"""``canishare worker``: escalation timers and delivery, the auditor, scheduled quizzes."""

from __future__ import annotations

import argparse
import asyncio

from bot.app.worker import main
from bot.core.config import load_config
from bot.core.logs import configure
from bot.core.settings import get_settings


def cmd_worker(args: argparse.Namespace) -> int:
    settings = get_settings()
    configure(settings.log_level, settings.log_format)
    config = load_config(settings.config_path)
    if not settings.redis_url:
        print("canishare worker: REDIS_URL is not set; the worker shares its work with the web processes "
              "through Redis, so it needs one.")
        return 2
    return asyncio.run(main(settings, config, dev=args.dev))
