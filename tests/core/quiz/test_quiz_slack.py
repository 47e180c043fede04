"""Quizzes in Slack through the real bolt app: signed requests in, a fake Web API out, real Redis."""

from __future__ import annotations

import datetime as dt
import html
import json

from bot.core.quiz.backend import meta_key
from bot.core.quiz.team import parse_team_choice
from bot.testing.fake_slack import Message, visible
from bot.testing.slack import PUBLIC, USER, SlackHarness
from dialogs import quiz
from knowledge.loader import default_knowledge
from tests.core.quiz.conftest import QuizFakeSlack

MEMBERS = ("U0MEMBERONE", "U0MEMBERTWO", "U0MEMBERTHREE")


def buttons(message: Message) -> list[tuple[str, str]]:
    """(label, choice id) of every button on a message (the choice id is inside the signed value)."""
    return [(e["text"]["text"], json.loads(e["value"])["a"])
            for b in message.blocks if b["type"] == "actions" for e in b["elements"]]


def right_label(message: Message) -> str:
    kb = default_knowledge()
    for label, choice in buttons(message):
        parsed = quiz.parse_choice(choice)
        if parsed is None:
            continue
        item = kb.quiz[parsed[0]]
        value = parsed[1]
        right = value == item.answer if item.kind == "true_false" else item.options[int(value)] == item.answer
        if right:
            return label
    raise AssertionError(f"no right answer among {buttons(message)}")


async def test_personal_quiz_in_the_dm(slack: SlackHarness) -> None:
    response = await slack.command("quiz")
    assert response.status == 200
    await slack.settled()
    for n in range(5):
        question = slack.question()
        assert "Question" in visible(question.blocks)
        label = right_label(question) if n != 1 else next(
            lbl for lbl, choice in buttons(question) if choice != quiz.STOP and lbl != right_label(question))
        await slack.click(question, label)
        await slack.settled()
        answered = slack.fake.message(question.channel, question.ts)
        assert not any(b["type"] == "actions" for b in answered.blocks)  # buttons gone, answer shown
        assert label.split(".")[0] in visible(answered.blocks)
    transcript = html.unescape(slack.fake.transcript(f"D{USER}"))
    assert transcript.count("Right: the answer is") == 4 and transcript.count("Not quite: the answer is") == 1
    assert transcript.count("Source: ") >= 5
    assert "Quiz finished: you scored 4 out of 5" in transcript
    assert not slack.fake.refused


def team_message(slack: SlackHarness) -> Message:
    (message,) = [m for m in slack.fake.in_channel(PUBLIC) if any(b["type"] == "actions" for b in m.blocks)]
    return message


async def team_right_label(slack: SlackHarness, message: Message) -> tuple[str, str]:
    """(right label, a wrong label) of a team question, read from the stored question."""
    team = slack.services.team_quiz()
    choices = buttons(message)
    qid = parse_team_choice(choices[0][1])[0]  # type: ignore[index]
    meta = await team.backend.get_json(meta_key(qid))
    assert meta is not None
    right = [lbl for lbl, c in choices if team.is_right(meta, parse_team_choice(c)[1])]  # type: ignore[index]
    wrong = [lbl for lbl, c in choices if not team.is_right(meta, parse_team_choice(c)[1])]  # type: ignore[index]
    return right[0], wrong[0]


async def test_team_quiz_answers_once_each_privately_results_without_names(slack: SlackHarness) -> None:
    fake: QuizFakeSlack = slack.fake  # type: ignore[assignment]
    await slack.command("quiz team", channel=PUBLIC)
    await slack.settled()
    message = team_message(slack)
    assert all(e["action_id"].startswith("qt.") for b in message.blocks if b["type"] == "actions"
               for e in b["elements"])
    right, wrong = await team_right_label(slack, message)

    await slack.click(message, right, user=MEMBERS[0])
    await slack.click(message, right, user=MEMBERS[1])
    await slack.click(message, wrong, user=MEMBERS[2])
    await slack.settled()  # bolt handles clicks concurrently: let the first answers land first
    await slack.click(message, wrong, user=MEMBERS[0])  # changes their mind: the first answer counts
    await slack.settled()
    first, again = fake.ephemerals_for(MEMBERS[0])
    assert first.channel == PUBLIC and "is recorded" in first.text and right.split(".")[0] in html.unescape(first.text)
    assert "already answered" in again.text and "first answer counts" in again.text
    assert all("is recorded" in fake.ephemerals_for(m)[0].text for m in MEMBERS[1:])
    # Nothing about who answered what reached the channel itself.
    assert len(fake.in_channel(PUBLIC)) == 1

    late = "U0LATECOMER"
    late_click = slack.click_payload(message, right, user=late)  # from the card as it was, before the close
    await slack.command("quiz team close", channel=PUBLIC)
    await slack.settled()
    transcript = html.unescape(fake.transcript(PUBLIC))
    assert "2 of the 3 people who answered got it right (67%)" in transcript
    assert "The answer:" in transcript and "Source: " in transcript
    for member in (*MEMBERS, USER):
        assert member not in transcript
    closed = fake.message(PUBLIC, message.ts)
    assert not any(b["type"] == "actions" for b in closed.blocks) and "closed" in visible(closed.blocks)

    await slack.send_payload(late_click)
    await slack.settled()
    (refused,) = fake.ephemerals_for(late)
    assert "has closed" in refused.text and "can't count" in html.unescape(refused.text)
    assert html.unescape(fake.transcript(PUBLIC)).count("Team quiz results") == 1
    assert not fake.refused


async def test_late_answer_after_the_close_time_is_refused_and_closes_it(slack: SlackHarness) -> None:
    fake: QuizFakeSlack = slack.fake  # type: ignore[assignment]
    team = slack.services.team_quiz()
    start = dt.datetime.now(dt.UTC)
    team.clock = lambda: start
    await slack.command("quiz team", channel=PUBLIC)
    await slack.settled()
    message = team_message(slack)
    right, _ = await team_right_label(slack, message)
    await slack.click(message, right, user=MEMBERS[0])
    await slack.settled()
    team.clock = lambda: start + dt.timedelta(minutes=61)  # quiz.close_minutes is 60 by default
    await slack.click(message, right, user=MEMBERS[1])
    await slack.settled()
    assert "has closed" in fake.ephemerals_for(MEMBERS[1])[0].text
    transcript = html.unescape(fake.transcript(PUBLIC))
    assert "1 of the 1 person who answered got it right (100%)" in transcript


async def test_team_quiz_in_a_dm_and_a_second_question_are_explained(slack: SlackHarness) -> None:
    await slack.command("quiz team", channel=f"D{USER}")
    await slack.command("quiz team", channel=PUBLIC)
    await slack.command("quiz team", channel=PUBLIC)
    await slack.command("quiz leaderboard", channel=PUBLIC)
    await slack.settled()
    hooks = [body["text"] for _, body in slack.fake.hooks]
    assert any("runs in a channel" in text for text in hooks)
    assert any("already open" in text for text in hooks)
    assert "leaderboard is off" in html.unescape(slack.fake.transcript(PUBLIC))


async def test_leaderboard_opt_in_shows_pseudonyms_only(slack: SlackHarness) -> None:
    fake: QuizFakeSlack = slack.fake  # type: ignore[assignment]
    await slack.command("quiz leaderboard on", channel=PUBLIC)  # at the same moment as the question
    await slack.command("quiz team", channel=PUBLIC)
    await slack.settled()
    message = team_message(slack)
    right, wrong = await team_right_label(slack, message)
    await slack.click(message, right, user=MEMBERS[0])
    await slack.click(message, wrong, user=MEMBERS[1])
    await slack.settled()
    ack = fake.ephemerals_for(MEMBERS[0])[0].text
    assert "you appear as" in ack
    pseudonym = ack.split("you appear as ")[1].rstrip(".")
    await slack.command("quiz team close", channel=PUBLIC)
    await slack.settled()  # bolt runs each command after its ack, concurrently: close first, then look
    await slack.command("quiz leaderboard", channel=PUBLIC)
    await slack.settled()
    transcript = html.unescape(fake.transcript(PUBLIC))
    assert f"1. {pseudonym}: 1 point" in transcript
    assert "2." not in transcript.split("leaderboard (pseudonyms")[1]  # a wrong answer scores nothing
    for member in MEMBERS:
        assert member not in transcript
