"""Erasure: everything held about one person, in every store, and an honest account of what was kept.

Steps: turn the id the administrator has into the (channel, platform id) pairs the channels hash
(:mod:`bot.core.erasure_ids`, with Slack and Teams look-ups where the form needs one), hash each, follow
Teams references to the person's other Teams id, then delete every key carrying those hashes:

* per-user keys (``conv:{h}``, ``record:{h}``, ``teams:ref:{h}``, ``quizp:{h}``): the store's own scan;
* escalation keys named by the hash without braces (``{esc}:rate:h``, ``{esc}:inbox:h``, ``{esc}:who:h``).

Kept by design, and said so: an open escalation (a safeguarding request a lead is handling) stays,
linked to the person so the lead's reply can still reach them, until it is resolved and then for
``retention.records_days``. Resolved escalations stay as the organisation's anonymised record until
they expire, but the link to the person (their keyed hash and encrypted id) is removed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.core.erasure_ids import ParsedId, parse_id
from bot.core.identity import user_hash

CHANNELS = ("terminal", "slack", "teams", "web")

KINDS = {  # key stem -> what it is, for the report
    "conv": "conversation state",
    "record": "kept decision record",
    "teams:ref": "Teams conversation reference",
    "quizp": "quiz progress",
    "rate": "escalation rate-limit counter",
    "inbox": "escalation inbox (messages from a lead)",
    "who": "pointer to their open escalation",
}


class ResolveError(ValueError):
    """The id cannot be turned into what the channels store; the message says what to give instead."""


@dataclass
class Kept:
    what: str
    how_long: str
    why: str


@dataclass
class Report:
    given: ParsedId
    targets: list[tuple[str, str]] = field(default_factory=list)  # (channel, platform id): never printed
    deleted: list[str] = field(default_factory=list)  # keys (hashes only)
    unlinked: list[str] = field(default_factory=list)  # escalation references
    kept: list[Kept] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for key in self.deleted:
            out[kind_of(key)] = out.get(kind_of(key), 0) + 1
        return out

    def lines(self) -> list[str]:
        lines = [f"Given {self.given.label}; looked for it under {len(self.targets)} stored form"
                 f"{'s' if len(self.targets) != 1 else ''}."]
        lines += [f"Note: {n}" for n in self.notes]
        if not self.deleted and not self.unlinked and not self.kept:
            lines.append("Nothing held about that user.")
            return lines
        if self.deleted:
            lines.append(f"Deleted {len(self.deleted)} key{'s' if len(self.deleted) != 1 else ''}:")
            lines += [f"  {n} × {kind}" for kind, n in sorted(self.counts().items())]
            lines += [f"    {key}" for key in self.deleted]
        for ref in self.unlinked:
            lines.append(f"Unlinked resolved escalation {ref}: the record stays as the organisation's anonymised "
                         "record until it expires, without the person's keyed hash or encrypted id.")
        if self.kept:
            lines.append("Kept by design:")
            for k in self.kept:
                lines.append(f"  {k.what}: {k.how_long}. Why: {k.why}")
        return lines


def kind_of(key: str) -> str:
    stem = key.removeprefix("{esc}:")
    return next((label for s, label in KINDS.items() if stem.startswith(s + ":")), "other per-user key")


async def targets_for(parsed: ParsedId, channels: Sequence[str] | None, directory: Any) -> tuple[
        list[tuple[str, str]], list[str]]:
    """The (channel, platform id) pairs to hash, and notes on look-ups that could not be made."""
    from bot.app.directory import LookupError_

    notes: list[str] = []
    out: list[tuple[str, str]] = []
    if parsed.kind == "slack_team_user":
        out.append(("slack", parsed.value))
    elif parsed.kind == "slack_user":
        team = None
        if directory is not None and directory.slack_on:
            try:
                team = await directory.slack_team()
            except LookupError_ as exc:
                notes.append(str(exc))
        if team is None:
            raise ResolveError("a Slack user id is stored with its workspace: give it as T…:U… (the workspace id is "
                               "in Slack's About this workspace), or set SLACK_BOT_TOKEN so I can ask Slack")
        out.append(("slack", f"{team}:{parsed.value}"))
    elif parsed.kind == "email":
        if directory is None or not (directory.slack_on or directory.teams_on):
            raise ResolveError("an e-mail address is looked up on Slack or Teams: set SLACK_BOT_TOKEN (and the "
                               "users:read.email scope) or the Teams settings, or give the platform id")
        found = False
        try:
            if directory.slack_on:
                user = await directory.slack_by_email(parsed.value)
                team = await directory.slack_team() if user else None
                if user and team:
                    out.append(("slack", f"{team}:{user}"))
                    found = True
        except LookupError_ as exc:
            notes.append(str(exc))
        try:
            teams = await directory.teams_by_email(parsed.value)
        except LookupError_ as exc:
            notes.append(str(exc))
            teams = None
        if teams is not None:
            out += [("teams", i) for i in teams.all()]
            found = found or bool(teams.all())
        if not found:
            raise ResolveError("that e-mail address was not found on Slack or in the Teams roster the bot can read; "
                               "give the platform id instead (docs/deployment.md, 'Finding ids by hand')"
                               + (f" ({'; '.join(notes)})" if notes else ""))
    elif parsed.kind == "teams_29":
        out.append(("teams", parsed.value))
    elif parsed.kind == "entra":
        out += [("teams", v) for v in dict.fromkeys((parsed.value, parsed.value.lower()))]
    else:
        out += [(c, parsed.value) for c in CHANNELS]
    if channels:
        out = [t for t in out if t[0] in channels]
    return out, notes


async def erase(store: Any, hash_key: str, config: Any, targets: Iterable[tuple[str, str]], report: Report,
                now_ms: int | None = None) -> Report:
    """Delete everything under the targets' hashes (Redis store); fills and returns ``report``."""
    from bot.channels.teams.references import reference_key

    hashes = list(dict.fromkeys(user_hash(hash_key, c, u) for c, u in targets))
    # A Teams reference lists the hashes of the person's other Teams id: follow it before deleting.
    for h in list(hashes):
        snap = await store.load(reference_key(h))
        for other in (snap.data or {}).get("ids") or []:
            if isinstance(other, str) and other not in hashes:
                hashes.append(other)
    for h in hashes:
        report.deleted += await store.forget_user(h)
    client = getattr(store, "client", None)
    if client is not None:
        await _escalation_keys(client, store.prefix, config, hashes, report)
    report.deleted = sorted(set(report.deleted))
    return report


async def _escalation_keys(client: Any, prefix: str, config: Any, hashes: list[str], report: Report) -> None:
    from bot.core.escalation.core import reference
    from bot.core.escalation.records import RESOLVED, Keys

    keys = Keys(prefix)
    strip = len(prefix.rstrip(":")) + 1
    open_ids: set[str] = set()
    for h in hashes:
        pointer = await client.get(keys.who(h))
        if pointer:
            open_ids.add(pointer.decode())
        for key in (keys.rate(h), keys.inbox(h), keys.who(h)):
            if await client.delete(key):
                report.deleted.append(key[strip:])
    days = config.retention.records_days if config is not None else 30
    wanted = set(hashes)
    async for raw in client.scan_iter(match=keys.rec("*"), count=1000):
        phash = await client.hget(raw, "phash")
        if not phash or phash.decode() not in wanted:
            continue
        esc_id = raw.decode().rsplit(":", 1)[-1]
        state = (await client.hget(raw, "state") or b"").decode()
        if state != RESOLVED or esc_id in open_ids:
            report.kept.append(Kept(
                what=f"open escalation {reference(esc_id)}",
                how_long=f"until a lead resolves it, then {days} days (retention.records_days)",
                why="it is a safeguarding request a lead is handling; it holds the flowchart answers, no names, and "
                    "the link to this person stays so the lead's reply can reach them. Run forget again after it "
                    "is resolved to unlink it."))
            continue
        await client.hdel(raw, "phash", "pid")
        report.unlinked.append(reference(esc_id))
        ttl = await client.ttl(raw)
        if ttl and ttl > 0:
            report.kept.append(Kept(
                what=f"resolved escalation {reference(esc_id)} (unlinked)",
                how_long=f"{max(1, round(ttl / 86400))} more day(s), then it expires",
                why="the organisation's record of safeguarding advice given; it no longer identifies this person"))


def parse(text: str) -> ParsedId:
    return parse_id(text)
