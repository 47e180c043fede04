"""A pack through the engine: local route questions get the local answer with its citation, national
answers carry the local paragraph, the decision record names the local policy, the report counts packs."""

from __future__ import annotations

import datetime as _dt

import pytest

from benchmarks.packs import compare
from bot.core import stats
from bot.core.config import OrgConfig
from bot.core.engine import Engine, build_parts
from bot.core.report import Report, render_text
from bot.core.store import MemoryStore
from dialogs.flowchart import FlowchartDialog, Walk
from dialogs.messages import Answer, Outcome, Quote, Record, Urgent
from dialogs.turn import Turn
from knowledge.packs import knowledge_with
from tests.conftest import FIXED_NOW, TEST_HASH_KEY


@pytest.fixture(scope="module")
def pack_engine() -> Engine:
    parts = build_parts(OrgConfig(packs=("example-local",)), kb=knowledge_with(["example-local"]))
    return Engine(parts, MemoryStore(), TEST_HASH_KEY, clock=lambda: FIXED_NOW)


async def ask(engine: Engine, text: str, who: str = "p") -> list:
    return await engine.handle(Turn(channel="terminal", user_id=who, text=text))


async def test_a_local_route_question_gets_the_local_answer_with_its_citation(pack_engine: Engine) -> None:
    replies = await ask(pack_engine, "How do I make a referral in Derby or Derbyshire?")
    [answer] = [r for r in replies if isinstance(r, Answer)]
    assert answer.entry == "local-procedures-referrals"
    assert answer.source is not None and answer.source.pack == "example-local"
    cite = answer.source.cite()
    assert cite.startswith("Local pack 'example-local'") and "2019 edition" in cite and "July 2018" in cite
    assert answer.source.section.startswith("5.")


async def test_a_national_answer_keeps_its_source_and_gains_the_local_paragraph(pack_engine: Engine) -> None:
    replies = await ask(pack_engine, "How do I make a referral to children's social care?", who="q")
    [answer] = [r for r in replies if isinstance(r, Answer)]
    assert answer.entry == "referral-csc-mash"
    assert answer.source is not None and answer.source.pack == ""
    local = [r for r in replies if isinstance(r, Quote) and r.source is not None and r.source.pack]
    assert len(local) == 1 and local[0].text.startswith("In Derby and Derbyshire:")
    assert local[0].source.pack == "example-local"
    assert stats.answered_by(replies) == ["answered_by:national", "answered_by:example-local"]


async def test_the_urgent_path_is_national_first_with_the_local_route_after(pack_engine: Engine) -> None:
    replies = await ask(pack_engine, "a child has just told me dad will kill her if she goes home tonight", "u")
    urgent = [r for r in replies if isinstance(r, Urgent)]
    assert urgent and urgent[0].contacts[0][1] == "999"
    assert any("proceduresonline" in number for _, number in urgent[0].contacts)


def test_the_decision_record_names_the_local_policy_and_edition(pack_engine: Engine) -> None:
    kb = pack_engine.parts.kb
    chart = kb.flowchart("current")
    dialog = FlowchartDialog(kb, chart)
    outcome = next(o for o in chart.outcomes if o.id == "share_without_consent")
    walk = Walk(edition="current", node=chart.start, started=0.0)
    replies = dialog.conclude(walk, outcome, _dt.datetime(2026, 12, 5, 9, 0, tzinfo=_dt.UTC))
    [shown] = [r for r in replies if isinstance(r, Outcome)]
    record = shown.record
    assert isinstance(record, Record)
    assert "Local policy relied on: Information Sharing Policy (Derby and Derbyshire Safeguarding Children " \
           "Boards), 2019 edition, written on the July 2018 national advice" in record.text
    assert any(isinstance(r, Quote) and r.source and r.source.pack == "example-local" for r in replies)


def test_without_packs_nothing_local_appears() -> None:
    parts = build_parts(OrgConfig(), kb=knowledge_with([]))
    assert "local-procedures-referrals" not in parts.kb.answers
    replies = parts.qa.ask("How do I make a referral to children's social care?")
    assert not any(isinstance(r, Quote) and r.source and r.source.pack for r in replies)


def test_local_quiz_items_are_in_the_quiz(pack_engine: Engine) -> None:
    from dialogs.quiz import QuizDialog

    quiz = QuizDialog(pack_engine.parts.kb)
    assert {"local-partnership-can-require", "local-subtle-decisions"} <= set(quiz.item_ids)


def test_the_report_shows_which_pack_answered_how_often() -> None:
    report = Report(days=["2026-12-05"], counts={"answered_by:national": 7, "answered_by:example-local": 2,
                                                  "questions": 9})
    assert report.as_dict()["answered_by"] == {"example-local": 2, "national": 7}
    text = render_text(report)
    assert "example-local" in text and "national" in text


def test_national_answers_are_not_worse_with_the_example_pack() -> None:
    """CI guard on the question set's test part: a pack must never cost national answers."""
    c = compare(["example-local"], "test")
    assert c.without.n > 100
    assert c.right_with >= c.right_without
    assert c.taken == ()
