"""What practitioners type is understood: the held-out TEST parts of the data sets in tests/data.

The figures are the ones ``python -m benchmarks.answers`` prints; nothing here was tuned on the test parts
(the matcher learns only from the tuning parts, see benchmarks/learn.py).
"""

from __future__ import annotations

import pytest

from benchmarks.answers import (
    MENU,
    REFUSED,
    RIGHT,
    WRONG,
    Understander,
    load,
    score_cases,
    score_questions,
    score_urgent,
)
from bot.core.engine import Engine, Parts
from dialogs.messages import Urgent
from dialogs.turn import Turn


@pytest.fixture(scope="module")
def understander(parts: Parts) -> Understander:
    return Understander(parts)


def test_data_sets_are_there() -> None:
    assert len(load("questions.jsonl", "test")) >= 150
    assert len(load("urgent.jsonl", "test")) >= 100
    assert len(load("cases.jsonl", "test")) >= 80


def test_questions_answered_right(understander: Understander) -> None:
    f = score_questions(understander, load("questions.jsonl", "test"))
    summary = {k: round(f.rate(k), 3) for k in (RIGHT, WRONG, MENU, REFUSED)}
    assert f.rate(RIGHT) >= 0.92, (summary, f.misses)
    assert f.rate(WRONG) <= 0.02, (summary, f.misses)


def test_off_topic_always_refused(understander: Understander) -> None:
    f = score_questions(understander, load("questions.jsonl", "test"))
    assert f.offtopic > 0
    assert f.offtopic_refused == f.offtopic, f.misses


def test_urgent_recall_and_false_alarms(understander: Understander) -> None:
    f = score_urgent(understander, load("urgent.jsonl", "test"))
    assert f.urgent > 0 and f.calm > 0
    assert f.recall == 1.0, f.misses
    assert f.false_alarm_rate <= 0.03, f.misses


def test_cases_advised_the_right_way(understander: Understander) -> None:
    f = score_cases(understander, load("cases.jsonl", "test"))
    assert f.wrong_share == 0, f.misses
    assert f.wrong_not_share == 0, f.misses


def test_one_shot_ask_never_offers_an_unpickable_menu(understander: Understander) -> None:
    for row in load("questions.jsonl", "test"):
        assert understander.verdict(row["text"], pickable=False).kind != "tied", row["text"]


async def test_every_child_in_danger_gets_act_now_first(memory_engine: Engine) -> None:
    danger = [r["text"] for r in load("urgent.jsonl", "test") if r["urgent"]]
    danger += [r["text"] for r in load("questions.jsonl", "test") if r["kind"] == "urgent"]
    assert danger
    for n, text in enumerate(danger):
        replies = await memory_engine.handle(Turn(channel="terminal", user_id=f"danger-{n}", text=text))
        assert isinstance(replies[0], Urgent), text
        assert "999" in replies[0].text
