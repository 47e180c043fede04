"""The command grammar Slack and Teams share."""

from __future__ import annotations

import pytest

from bot.channels.common.commands import RotaCommand, rota_command, team_quiz_command


@pytest.mark.parametrize(("words", "expected"), [
    ("team", "open"), ("team close", "close"), ("team results", "close"), ("leaderboard", "leaderboard"),
    ("leaderboard on", "leaderboard_on"), ("leaderboard off", "leaderboard_off"), ("help", "help"),
    ("", None), ("banana", None),
])
def test_team_quiz_words(words: str, expected: str | None) -> None:
    assert team_quiz_command(words.split()) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("duty", RotaCommand("duty")), ("who is on duty?", RotaCommand("duty")), ("Who's on call now", RotaCommand("duty")),
    ("cover until 17:00", RotaCommand("cover", "until 17:00")), ("cover", None), ("can I share this?", None),
])
def test_rota_words(text: str, expected: RotaCommand | None) -> None:
    assert rota_command(text) == expected
