"""Every combination of answers in both editions reaches the outcome the guidance gives.

The expected tables below are written from the guidance (../shared/notes/guidance.md §1.4, §2.5,
§4.4, §4.5 and §6.3), not read from the knowledge files: if someone edits an edge in the YAML so that it
contradicts the guidance, these tests fail.
"""

from __future__ import annotations

import itertools

import pytest

from bot.core.engine import Engine
from dialogs.messages import Outcome, Question, Quote, Record, Urgent
from dialogs.turn import Turn
from knowledge.loader import default_knowledge

CURRENT_ORDER = ["urgent", "purpose", "identifiable", "confidential", "consent", "statutory", "without_consent"]
HISTORICAL_ORDER = ["purpose", "identifiable", "confidential", "consent", "statutory", "public_interest"]


def expected_current(a: dict[str, bool]) -> str:
    # 2024 advice with the urgent triage first (ICO step 9; 2024 rules 1 and 3), then the order of the
    # familiar chart (guidance.md §1.4, §2.5 step 5): purpose, identifiable, confidential, then the three
    # justifications for breaching a confidence (common law, §6.3): consent, a legal requirement, or an
    # overriding public interest such as a risk of harm. A UK GDPR basis such as public task is not one of
    # them, so it can never be the answer that leads to "share" for confidential information.
    if a["urgent"]:
        return "urgent"
    if not a["purpose"]:
        return "do_not_share"
    if not a["identifiable"]:
        return "share"  # anonymised information for a legitimate purpose
    if not a["confidential"]:
        return "share"  # not confidential: still personal data, share only what is needed
    if a["consent"]:
        return "share"
    if a["statutory"]:
        return "share"
    # without_consent asks only: risk of harm or another strong public interest outweighing the confidence.
    return "share" if a["without_consent"] else "do_not_share"


def expected_2008(a: dict[str, bool]) -> str:
    # The 2008 chart (guidance.md §4.4): confidential is asked before consent.
    if not a["purpose"]:
        return "do_not_share"
    if not a["identifiable"]:
        return "share"
    if not a["confidential"]:
        return "share"
    if a["consent"]:
        return "share"
    if a["statutory"]:
        return "share"
    return "share" if a["public_interest"] else "do_not_share"


async def walk(engine: Engine, edition: str, answers: dict[str, bool], user: str) -> tuple[list[str], list]:
    replies = await engine.handle(Turn(channel="terminal", user_id=user, action=f"edition:{edition}"))
    asked: list[str] = []
    for _ in range(20):
        questions = [r for r in replies if isinstance(r, Question)]
        if not questions:
            return asked, replies
        q = questions[-1]
        asked.append(q.node)
        choice = "yes" if answers[q.node] else "no"
        replies = await engine.handle(Turn(channel="terminal", user_id=user, action=choice, ref=q.ref))
    raise AssertionError("flowchart did not end")


@pytest.mark.parametrize(("edition", "order", "expected"), [
    ("current", CURRENT_ORDER, expected_current),
    ("2008", HISTORICAL_ORDER, expected_2008),
])
async def test_every_combination_reaches_the_guidance_outcome(memory_engine: Engine, edition, order, expected):
    for n, combo in enumerate(itertools.product([True, False], repeat=len(order))):
        answers = dict(zip(order, combo, strict=True))
        asked, replies = await walk(memory_engine, edition, answers, user=f"u{edition}{n}")
        # Questions come in the guidance's order, stopping where the chart stops.
        assert asked == order[: len(asked)], asked
        outcomes = [r for r in replies if isinstance(r, Outcome)]
        assert len(outcomes) == 1, replies
        assert outcomes[0].outcome == expected(answers), (answers, outcomes[0])
        assert outcomes[0].basis.strip()
        assert outcomes[0].source is not None
        if outcomes[0].outcome == "share":
            assert outcomes[0].checklist, "a share outcome lists the sharing checklist"
        if outcomes[0].outcome == "urgent":
            assert isinstance(replies[1], Urgent) or any(isinstance(r, Urgent) for r in replies)
        # Layered: the quotations and the decision record travel with the outcome, one tap away.
        assert any(isinstance(q, Quote) and q.source is not None for q in outcomes[0].quotes), "outcome quotes a rule"
        record = outcomes[0].record
        assert isinstance(record, Record)
        assert record.text.count(" — Yes") + record.text.count(" — No") == len(asked)


async def test_historical_edition_is_labelled_everywhere(memory_engine: Engine):
    replies = await memory_engine.handle(Turn(channel="terminal", user_id="h", action="edition:2008"))
    notice = replies[0].text
    assert "2008" in notice and "1998" in notice
    seen = 0
    while True:
        qs = [r for r in replies if isinstance(r, Question)]
        if not qs:
            break
        assert "2008" in qs[-1].edition_label and "istoric" in qs[-1].edition_label
        seen += 1
        answer = "no" if qs[-1].node in ("consent", "statutory") else "yes"
        replies = await memory_engine.handle(Turn(channel="terminal", user_id="h", action=answer, ref=qs[-1].ref))
    assert seen == 6
    record = next(r for r in replies if isinstance(r, Outcome)).record
    assert "istoric" in record.text


async def test_confidential_news_with_no_risk_is_kept(memory_engine: Engine):
    """Confidential health news about a parent, no consent, no legal duty, no risk to anyone: having a
    lawful basis such as public task does not justify breaching the confidence, so the walk ends in
    keeping it, with what to do next."""
    answers = {"urgent": False, "purpose": True, "identifiable": True, "confidential": True, "consent": False,
               "statutory": False, "without_consent": False}
    asked, replies = await walk(memory_engine, "current", answers, user="pt")
    assert asked == CURRENT_ORDER
    question = next(n.question for n in default_knowledge().flowchart("current").nodes if n.id == "without_consent")
    assert "public task" not in question.lower() and "lawful" not in question.lower()
    outcome = next(r for r in replies if isinstance(r, Outcome))
    assert outcome.outcome == "do_not_share"
    text = outcome.text.lower()
    assert "ask the person if they agree" in text and "record your decision not to share" in text


async def test_urgent_outcome_puts_act_now_first(memory_engine: Engine):
    replies = await memory_engine.handle(Turn(channel="terminal", user_id="x", action="start"))
    q = replies[-1]
    replies = await memory_engine.handle(Turn(channel="terminal", user_id="x", action="yes", ref=q.ref))
    kinds = [r.kind for r in replies if r.kind != "progress"]
    assert kinds[0] == "urgent"
    assert "999" in replies[1].text
