"""The helpers every channel shares, and the one escaper each platform has."""

from __future__ import annotations

import html

from bot.channels.common.text import ELLIPSIS, clip
from bot.channels.slack.mrkdwn import WORD_JOINER
from bot.channels.slack.mrkdwn import escape as slack_escape
from bot.channels.teams.cards import escape as teams_escape

HOSTILE = "@channel <!here> <@U0EVIL> *bold* _it_ ~gone~ `code` https://evil.example {{DATE(2017-02-14T06:08:39Z)}}"


def test_clip_keeps_short_text_and_marks_a_cut() -> None:
    assert clip("short", 10) == "short"
    assert clip("a" * 20, 10) == "a" * 9 + ELLIPSIS
    assert len(clip("word " * 100, 50)) <= 50


def test_the_slack_escaper_defuses_pings_links_and_formatting() -> None:
    out = slack_escape(HOSTILE)
    assert "<" not in out and ">" not in out  # no <!here>, <@U…> or <url|label>
    assert "@channel" not in out
    for mark in ("*bold*", "_it_", "~gone~", "`code`", "https://"):
        assert mark not in out, mark
    assert html.unescape(out.replace(WORD_JOINER, "")) == HOSTILE  # nothing lost


def test_the_teams_escaper_defuses_pings_links_and_markdown() -> None:
    out = teams_escape(HOSTILE)
    assert "@channel" not in out and "{{" not in out and "https://" not in out
    for mark in ("*bold*", "_it_", "`code`"):
        assert mark not in out, mark
