"""What practitioners type is understood: the held-out TEST parts of the data sets in tests/data.

The figures are the ones ``python -m benchmarks.answers`` prints; nothing here was tuned on the test parts
(the matcher and the urgency model learn only from the tuning parts, see benchmarks/learn.py).

Where the project's targets are not met yet, the floors below are the levels measured when these tests were
written (each says so), so a change that makes things worse fails; raise them as the figures improve.
Targets: answered right >= 92%, answered wrong <= 2%; urgent recall 100% with false alarms <= 3%;
no case advised the wrong way in either direction.
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
    # Target 92% right and 2% wrong; measured 80.3% and 14.0% on the test part (top-1 83%, top-3 93%).
    assert f.rate(RIGHT) >= 0.80, summary
    assert f.rate(WRONG) <= 0.141, summary


def test_off_topic_always_refused(understander: Understander) -> None:
    f = score_questions(understander, load("questions.jsonl", "test"))
    assert f.offtopic > 0
    assert f.offtopic_refused == f.offtopic


def test_urgent_recall_and_false_alarms(understander: Understander) -> None:
    f = score_urgent(understander, load("urgent.jsonl", "test"))
    assert f.urgent > 0 and f.calm > 0
    # Target: recall 100%, false alarms <= 3%. Measured 73/85 (85.9%) and 15/83 (18.1%) on the test part,
    # against 103/103 and 0/102 on the tuning part: the rules and the model generalise far less than hoped.
    assert f.caught >= 73, (f.caught, f.urgent)
    assert f.false_alarms <= 15, (f.false_alarms, f.calm)


def test_cases_advised_the_right_way(understander: Understander) -> None:
    f = score_cases(understander, load("cases.jsonl", "test"))
    # Target 0 and 0; measured 7 wrongly advised to share and 14 wrongly advised not to share (of 123) on the
    # test part, 0 and 0 on the tuning part.
    assert f.wrong_share <= 7, f.wrong_share
    assert f.wrong_not_share <= 14, f.wrong_not_share


def test_one_shot_ask_never_offers_an_unpickable_menu(understander: Understander) -> None:
    for row in load("questions.jsonl", "test"):
        assert understander.verdict(row["text"], pickable=False).kind != "tied", row["text"]


async def test_child_in_danger_gets_act_now_first(memory_engine: Engine) -> None:
    """Through the engine (privacy guard, urgency check, router): when the act-now reply is given it comes
    first, with 999. Target: every child-in-danger message; measured 73 of 85 on the test part."""
    danger = [r["text"] for r in load("urgent.jsonl", "test") if r["urgent"]]
    danger += [r["text"] for r in load("questions.jsonl", "test") if r["kind"] == "urgent"]
    assert danger
    first = 0
    for n, text in enumerate(danger):
        replies = await memory_engine.handle(Turn(channel="terminal", user_id=f"danger-{n}", text=text))
        urgent = [i for i, r in enumerate(replies) if isinstance(r, Urgent)]
        if urgent:
            assert urgent[0] == 0 and "999" in replies[0].text
            first += 1
    assert first >= 73, first
