"""``canishare forget --user <id>``: delete everything held about one person, and say what was kept.

The store only ever sees keyed hashes of user ids, and each channel hashes a different form of the
id. The command accepts every form an administrator may have (a Slack ``U…`` with or without its
workspace, an e-mail address, a Teams ``29:…`` id or Entra object id, a web session id), turns it
into the stored forms (:mod:`bot.app.erasure`), deletes every key carrying their hashes, and prints what
it deleted (keys carry hashes, never the id) and what it kept by design, with how long and why.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Iterable
from typing import Any

from bot.app.erasure import CHANNELS, Report, ResolveError, erase, targets_for
from bot.app.stores import build_store
from bot.core.erasure_ids import parse_id
from bot.core.identity import user_hash
from bot.core.settings import get_settings
from bot.core.store import Store, StoreUnavailable


async def forget(store: Store, hash_key: str, user_id: str, channels: Iterable[str]) -> list[str]:
    """The keys removed for ``user_id`` hashed as given under each channel (no look-ups)."""
    removed: list[str] = []
    for channel in dict.fromkeys(channels):  # de-duplicated, order kept
        removed.extend(await store.forget_user(user_hash(hash_key, channel, user_id)))
    return sorted(removed)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``canishare forget`` (for a subparser, or for :func:`run_forget`)."""
    parser.add_argument(
        "--user",
        required=True,
        metavar="ID",
        help="any id you have for the person: a Slack U… id (alone or as T…:U…), an e-mail address, a Teams 29:… "
             "id or Microsoft Entra object id, or a web session id",
    )
    parser.add_argument(
        "--channel",
        action="append",
        choices=CHANNELS,
        help="only this channel (repeatable); default: every channel the id form can belong to",
    )


def run_forget(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="canishare forget",
        description="Delete everything this deployment holds about one person, in every store, and say what is "
                    "kept by design.",
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))


async def _run(store: Any, settings: Any, user: str, channels: list[str] | None) -> Report:
    from bot.app.directory import directory_for
    from bot.core.config import load_config

    config = load_config(settings.config_path)
    parsed = parse_id(user)
    directory = None
    if parsed.kind in ("slack_user", "email"):
        directory = directory_for(settings, config, getattr(store, "client", None), getattr(store, "prefix", None))
    try:
        targets, notes = await targets_for(parsed, channels, directory)
        report = Report(given=parsed, targets=targets, notes=notes)
        return await erase(store, settings.hash_key, config, targets, report)
    finally:
        if directory is not None:
            await directory.close()
        await store.close()


def run(args: argparse.Namespace) -> int:
    """Run with parsed ``--user`` / ``--channel`` options."""
    settings = get_settings()
    if not settings.redis_url:
        print(
            "REDIS_URL is not set, so this deployment uses the memory store, which keeps nothing "
            "between runs: nothing is held about that user."
        )
        return 0

    try:
        store = build_store(settings)
    except ValueError as exc:  # a malformed REDIS_URL or key prefix; the message never echoes the URL
        print(f"canishare forget: {exc}", file=sys.stderr)
        return 2
    try:
        report = asyncio.run(_run(store, settings, args.user, args.channel))
    except ResolveError as exc:
        print(f"canishare forget: nothing was removed: {exc}", file=sys.stderr)
        return 2
    except StoreUnavailable:
        # The URL may carry a password: do not echo it.
        print("Cannot reach Redis (REDIS_URL): nothing was removed. Try again when it is back.", file=sys.stderr)
        return 1
    print("\n".join(report.lines()))
    return 0
