"""The command words Slack and Teams share: the team quiz, and duty / cover for the safeguarding rota.

One grammar, parsed here, so "/canishare quiz team close" in Slack and "@canishare quiz team close"
in Teams mean the same thing, and so do "duty" / "who is on duty?" and "cover until 17:00". Each
channel only finds the words (after the slash command, or after the bot's mention) and acts on
the parsed command.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

TeamQuizAction = Literal["open", "close", "leaderboard", "leaderboard_on", "leaderboard_off", "help"]
CLOSE_WORDS = ("close", "results", "end", "stop")

DUTY = re.compile(r"^\s*(duty|(who'?s|who is)\s+on\s+(duty|call)(\s+now)?)\s*\??\s*$", re.I)
COVER = re.compile(r"^\s*cover\s+(.+)$", re.I)


@dataclass(frozen=True)
class RotaCommand:
    action: Literal["duty", "cover"]
    rest: str = ""  # for cover: when it ends ("until 17:00", "for 2 hours"), parsed by the rota


def team_quiz_command(words: list[str]) -> TeamQuizAction | None:
    """The words after "quiz": ``team [close]``, ``leaderboard [on|off]``, ``help``; None for anything else."""
    if not words:
        return None
    if words[0] == "team":
        return "close" if len(words) > 1 and words[1] in CLOSE_WORDS else "open"
    if words[0] == "leaderboard":
        if len(words) > 1 and words[1] in ("on", "off"):
            return "leaderboard_on" if words[1] == "on" else "leaderboard_off"
        return "leaderboard"
    if words[0] == "help":
        return "help"
    return None


def rota_command(text: str) -> RotaCommand | None:
    """``duty`` / ``who is on duty?`` / ``who's on call now``, or ``cover <until when>``; else None."""
    if DUTY.match(text):
        return RotaCommand("duty")
    m = COVER.match(text)
    return RotaCommand("cover", m.group(1).strip()) if m is not None else None
