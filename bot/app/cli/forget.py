"""``canishare forget --user <platform id>``: delete everything held about one person.

The store only ever sees keyed hashes of user ids, one per channel, so the command hashes the
given id for each channel (all of them unless ``--channel`` narrows it) and removes every key
carrying one of those hashes. It prints the keys it removed: they contain hashes, never the id.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Iterable

from bot.app.stores import build_store
from bot.core.identity import user_hash
from bot.core.settings import get_settings
from bot.core.store import Store, StoreUnavailable

CHANNELS = ("terminal", "slack", "teams", "web")


async def forget(store: Store, hash_key: str, user_id: str, channels: Iterable[str]) -> list[str]:
    removed: list[str] = []
    for channel in dict.fromkeys(channels):  # de-duplicated, order kept
        removed.extend(await store.forget_user(user_hash(hash_key, channel, user_id)))
    return sorted(removed)


async def _forget_and_close(store: Store, hash_key: str, user_id: str, channels: list[str]) -> list[str]:
    try:
        return await forget(store, hash_key, user_id, channels)
    finally:
        await store.close()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``canishare forget`` (for a subparser, or for :func:`run_forget`)."""
    parser.add_argument(
        "--user",
        required=True,
        metavar="PLATFORM_ID",
        help="the user's platform id, e.g. a Slack U… id or a Teams 29:… id",
    )
    parser.add_argument(
        "--channel",
        action="append",
        choices=CHANNELS,
        help="only this channel (repeatable); default: all of " + ", ".join(CHANNELS),
    )


def run_forget(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="canishare forget",
        description="Delete everything this deployment holds about one user (conversations, records).",
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))


def run(args: argparse.Namespace) -> int:
    """Run with parsed ``--user`` / ``--channel`` options."""
    channels: list[str] = args.channel or list(CHANNELS)

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
        removed = asyncio.run(_forget_and_close(store, settings.hash_key, args.user, channels))
    except StoreUnavailable:
        # The URL may carry a password: do not echo it.
        print("Cannot reach Redis (REDIS_URL): nothing was removed. Try again when it is back.", file=sys.stderr)
        return 1
    if not removed:
        print("Nothing held about that user.")
        return 0
    print(f"Removed {len(removed)} key{'s' if len(removed) != 1 else ''} held about that user:")
    for key in removed:
        print(f"  {key}")
    return 0
