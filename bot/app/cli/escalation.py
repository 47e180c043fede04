"""``canishare escalation show REF`` and ``canishare escalation list [--open]`` (both with ``--json``).

The chronology in the rota's local time, people named from the rota, never the practitioner's
identity (bot/core/escalation/history.py). Needs ``REDIS_URL``, ``CANISHARE_KEY_PREFIX`` and the
organisation config of the running service.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any, TextIO

from redis.exceptions import RedisError

from bot.app.escalation_wiring import build_service
from bot.app.stores import build_store
from bot.core.config import load_config
from bot.core.escalation import inspect
from bot.core.settings import get_settings
from bot.core.store import StoreUnavailable


def cmd_escalation_help(args: argparse.Namespace) -> int:
    print("usage: canishare escalation {show REF | list [--open]} [--json]")
    return 2


def cmd_escalation(args: argparse.Namespace) -> int:
    return asyncio.run(run(args.escalation_command, getattr(args, "ref", ""), bool(getattr(args, "open", False)),
                           bool(args.json)))


async def run(command: str, ref: str, open_only: bool, as_json: bool, out: TextIO | None = None) -> int:
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
        return await _answer(command, ref, open_only, as_json, out, settings, config, store)
    except (StoreUnavailable, RedisError, OSError) as exc:
        # The operator needs the cause in plain words, not the Redis client's traceback.
        print(f"canishare escalation: Redis is unavailable ({type(exc).__name__}); escalations live in the "
              "service's Redis: check REDIS_URL and try again when it is back.", file=sys.stderr)
        return 1
    finally:
        await store.close()


async def _answer(command: str, ref: str, open_only: bool, as_json: bool, out: TextIO, settings: Any, config: Any,
                  store: Any) -> int:

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
