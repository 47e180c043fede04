"""Layered replies: plain words by default, the law, checklist and full record one tap (or word) away.

Also the length budget of every channel's default view of an outcome: a whole walk ends on one phone
screen before the first "show more" (the web page's pixel check is in tests/channels/web)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from bot.channels.slack.blocks import render_reply
from bot.channels.slack.buttons import ButtonCodec
from bot.channels.teams import cards
from bot.channels.terminal.render import render, render_layer
from bot.core.engine import Engine, Parts
from bot.testing.fake_slack import visible
from dialogs.flowchart import Walk
from dialogs.messages import LAW, RECORD, Notice, Outcome, Quote, Record
from dialogs.turn import Turn

NOW = dt.datetime(2026, 3, 2, 14, 30, tzinfo=dt.UTC)
# The youth worker's walk (a 16-year-old discloses self-harm and asks them not to tell).
YOUTH_WORKER = ["no", "yes", "yes", "yes", "no", "no", "yes"]
# Budgets for the default view of one outcome (heading, plain text, source, the "more" controls).
TERMINAL_LINES = 16  # 80 columns
DEFAULT_WORDS = 150  # everything shown before a tap, in any channel
OUTCOME_WORDS = 80  # the plain text itself (issue's limit; knowledge tests hold every text to it too)


def words(text: str) -> int:
    return len(re.findall(r"[\w'’()-]+", text))


async def walk_to_outcome(engine: Engine, user: str, answers: list[str]) -> list:
    replies = await engine.handle(Turn(channel="terminal", user_id=user, action="start"))
    for answer in answers:
        question = replies[-1]
        replies = await engine.handle(Turn(channel="terminal", user_id=user, action=answer, ref=question.ref))
    return replies


async def test_an_outcome_turn_is_the_outcome_alone_with_its_layers(memory_engine: Engine) -> None:
    replies = await walk_to_outcome(memory_engine, "yw", YOUTH_WORKER)
    shown = [r for r in replies if r.kind != "progress"]
    assert [r.kind for r in shown] == ["outcome"]  # no quotes or record posted by default any more
    outcome = shown[0]
    assert isinstance(outcome, Outcome) and outcome.outcome == "share"
    assert [layer.id for layer in outcome.layers] == ["law", "checklist", "record"]
    law = outcome.layers[0]
    assert law.replies[0].text.startswith("Legal basis: ") and outcome.law in law.replies[0].text
    assert all(isinstance(r, Quote) for r in law.replies[1:]) and len(law.replies) > 1
    record = outcome.layers[-1].replies[0]
    assert isinstance(record, Record) and record is outcome.record


async def test_typed_law_and_record_after_an_outcome(memory_engine: Engine) -> None:
    replies = await walk_to_outcome(memory_engine, "typed", YOUTH_WORKER)
    outcome = next(r for r in replies if isinstance(r, Outcome))
    law = await memory_engine.handle(Turn(channel="terminal", user_id="typed", text="show the law"))
    assert [r.text for r in law] == [r.text for r in outcome.layers[0].replies]
    record = await memory_engine.handle(Turn(channel="terminal", user_id="typed", text="full record"))
    assert len(record) == 1 and isinstance(record[0], Record)
    # Asked for again, the record is the same record: same answers, same date and time.
    assert record[0].text == outcome.record.text


async def test_a_layer_button_from_an_old_walk_is_answered_never_applied(memory_engine: Engine) -> None:
    replies = await walk_to_outcome(memory_engine, "stale", YOUTH_WORKER)
    outcome = next(r for r in replies if isinstance(r, Outcome))
    await memory_engine.handle(Turn(channel="terminal", user_id="stale", action="restart"))
    again = await memory_engine.handle(Turn(channel="terminal", user_id="stale", action=outcome.layers[-1].action,
                                            ref=outcome.ref))
    assert isinstance(again[0], Notice) and "moved on" in again[0].text
    assert not any(isinstance(r, Record) for r in again)


async def test_no_outcome_yet_says_so(memory_engine: Engine) -> None:
    await memory_engine.handle(Turn(channel="terminal", user_id="early", action="start"))
    replies = await memory_engine.handle(Turn(channel="terminal", user_id="early", text="record"))
    assert isinstance(replies[0], Notice) and "no outcome" in replies[0].text.lower()
    assert replies[-1].kind == "question"  # and the question is asked again


async def test_an_answers_law_is_a_layer(memory_engine: Engine) -> None:
    replies = await memory_engine.handle(Turn(channel="terminal", user_id="qa",
                                              text="ask do I need consent to tell the police?"))
    answer = next(r for r in replies if r.kind == "answer")
    assert not any(isinstance(r, Quote) for r in replies)  # quotations are folded into the answer
    (law,) = answer.layers
    assert law.id == LAW and law.action == f"more:law:{answer.entry}"
    more = await memory_engine.handle(Turn(channel="terminal", user_id="qa", action=law.action))
    assert [r.text for r in more] == [r.text for r in law.replies]


def test_the_walk_keeps_when_the_outcome_was_reached() -> None:
    walk = Walk(edition="current", node="share_without_consent", history=[("urgent", "no")], started=1.0,
                decided=1772461800.0)
    assert Walk.from_json(walk.to_json()) == walk
    assert "d" not in Walk(edition="current", node="urgent").to_json()


def test_the_record_is_complete_and_ends_with_the_legal_basis(parts: Parts) -> None:
    dialog = parts.router.flowcharts["current"]
    outcome = dialog.outcomes["share_without_consent"]
    walk = Walk(edition="current", node=outcome.id,
                history=[(n.id, "no" if i in (0, 4, 5) else "yes") for i, n in enumerate(dialog.chart.nodes)],
                unsure=["consent"], decided=NOW.timestamp())
    record = dialog.layer(walk, RECORD, NOW)
    assert record is not None
    text = record.replies[0].text
    sections = ["Outcome: ", "Complete in your case notes:", "Questions and answers:", "Unsure at:",
                "Legal basis: "]
    assert [text.index(s) for s in sections] == sorted(text.index(s) for s in sections)
    assert all(f"  - {prompt} ____" in text for prompt in dialog.chart.record_prompts)
    assert text.count(" — ") == len(dialog.chart.nodes)
    assert outcome.law in text and "14:30" in text
    assert text.rstrip().splitlines()[-1].startswith("Rules cited: ")


def default_views(parts: Parts, outcome_id: str) -> dict[str, str]:
    """What each channel shows for this outcome before any tap."""
    dialog = parts.router.flowcharts["current"]
    walk = Walk(edition="current", node=outcome_id, history=[("urgent", "no")], decided=NOW.timestamp())
    reply = dialog.outcome_reply(walk, dialog.outcomes[outcome_id], NOW)
    card = cards.render(reply)

    def shown(items: list[dict]) -> list[str]:
        out: list[str] = []
        for item in items:
            if item.get("isVisible") is False:
                continue
            if item["type"] == "TextBlock":
                out.append(item["text"])
            elif item["type"] == "Container":
                out += shown(item["items"])
            elif item["type"] == "ActionSet":
                out += [a["title"] for a in item["actions"]]
        return out

    return {
        "terminal": render(reply),
        "slack": visible(render_reply(reply, ButtonCodec("budget"))),
        "teams": "\n".join(shown(card["body"]) + [a["title"] for a in card.get("actions", [])]),
        "text": reply.text,
    }


@pytest.mark.parametrize("outcome_id", ["act_now", "no_purpose", "share_anonymised", "share_not_confidential",
                                        "share_with_consent", "share_statutory", "share_without_consent",
                                        "do_not_share", "seek_advice"])
def test_every_outcome_fits_the_default_budget_in_every_channel(parts: Parts, outcome_id: str) -> None:
    views = default_views(parts, outcome_id)
    assert words(views["text"]) <= OUTCOME_WORDS
    assert len(views["terminal"].splitlines()) <= TERMINAL_LINES, views["terminal"]
    for channel in ("terminal", "slack", "teams"):
        assert words(views[channel]) <= DEFAULT_WORDS, (channel, words(views[channel]), views[channel])
        # Nothing of the law is in the default view: no article numbers, no schedules, no quotations.
        assert not re.search(r"\bArt(icle)? \d|\bSch(edule)? \d|Legal basis|INFORMATION SHARING", views[channel])


def test_terminal_layers_show_everything(parts: Parts) -> None:
    dialog = parts.router.flowcharts["current"]
    walk = Walk(edition="current", node="share_without_consent", history=[("urgent", "no")],
                decided=NOW.timestamp())
    reply = dialog.outcome_reply(walk, dialog.outcomes["share_without_consent"], NOW)
    for layer in reply.layers:
        text = render_layer(layer)
        for part in layer.replies:
            first = part.text.split()[:6]
            assert " ".join(first) in " ".join(text.split())
