"""Quizzes in Teams through the real botbuilder adapter: activities in, a fake connector out, real Redis."""

from __future__ import annotations

import json
from typing import Any

from bot.core.quiz.backend import meta_key
from bot.core.quiz.team import parse_team_choice
from bot.testing.teams import (
    CHANNEL_CONV,
    PERSONAL_CONV,
    USER,
    Call,
    TeamsHarness,
    all_actions,
    channel_mention,
    click,
    personal_message,
    submit_data,
)
from dialogs import quiz
from knowledge.loader import default_knowledge

MEMBERS = [{"id": f"29:member{n}", "name": f"Member Name {n}", "aadObjectId": f"00000000-0000-4000-8000-00000000000{n}"}
           for n in range(1, 4)]


def choices(card: dict[str, Any]) -> list[str]:
    return [a["data"]["a"] for a in all_actions(card) if a["type"] == "Action.Submit"]


def right_choice(card: dict[str, Any]) -> str:
    kb = default_knowledge()
    for choice in choices(card):
        parsed = quiz.parse_choice(choice)
        if parsed is None:
            continue
        item = kb.quiz[parsed[0]]
        if (parsed[1] == item.answer if item.kind == "true_false" else item.options[int(parsed[1])] == item.answer):
            return choice
    raise AssertionError(choices(card))


def card_text(call: Call) -> str:
    return json.dumps(call.card, ensure_ascii=False)


async def test_personal_quiz_in_the_personal_chat(teams: TeamsHarness) -> None:
    url = teams.connector.url
    messages = await teams.send(personal_message(url, "quiz"))
    question = [m for m in messages if m.kind_of_card == "question"][-1]
    for n in range(5):
        assert question.conversation == PERSONAL_CONV
        card = question.card
        choice = right_choice(card) if n else next(c for c in choices(card) if c not in (right_choice(card), quiz.STOP))
        messages = await teams.send(click(url, question, choice))
        kinds = [m.kind_of_card for m in messages]
        assert kinds[0] == "answer"  # the explanation, with its source
        assert "Source:" in card_text(messages[0])
        update = teams.connector.updates()[-1]
        assert update.activity_id == question.new_id and "Your answer" in card_text(update)
        if n < 4:
            question = [m for m in messages if m.kind_of_card == "question"][-1]
    assert any("you scored 4 out of 5" in card_text(m) for m in messages)


def channel_click(url: str, message: Call, choice: str, member: dict[str, str]) -> dict[str, Any]:
    """What Teams posts when a member clicks a button on a card in the channel."""
    activity = channel_mention(url, "")
    activity.pop("text")
    activity.pop("entities")
    activity["from"] = dict(member)
    activity["value"] = submit_data(message.card, choice)
    activity["replyToId"] = message.new_id
    return activity


async def test_team_quiz_in_a_channel(teams: TeamsHarness) -> None:
    url = teams.connector.url
    (question,) = await teams.send(channel_mention(url, "quiz team"))
    assert question.conversation == CHANNEL_CONV and question.kind_of_card == "menu"
    team = teams.services.team_quiz()
    card_choices = choices(question.card)
    qid = parse_team_choice(card_choices[0])[0]  # type: ignore[index]
    meta = await team.backend.get_json(meta_key(qid))
    assert meta is not None
    right = next(c for c in card_choices if team.is_right(meta, parse_team_choice(c)[1]))  # type: ignore[index]
    wrong = next(c for c in card_choices if not team.is_right(meta, parse_team_choice(c)[1]))  # type: ignore[index]

    acks = []
    for member, choice in ((MEMBERS[0], right), (MEMBERS[1], right), (MEMBERS[2], wrong), (MEMBERS[0], wrong)):
        sent = await teams.send(channel_click(url, question, choice, member))
        assert all(m.conversation.startswith("a:personal-") for m in sent)  # never in the channel
        (ack,) = sent
        acks.append(card_text(ack))
    creates = [c for c in teams.connector.calls if c.kind == "create"]
    assert [c.body["members"][0]["id"] for c in creates] == [m["id"] for m in (*MEMBERS, MEMBERS[0])]
    assert all("is recorded" in a for a in acks[:3]) and "already answered" in acks[3]

    results = await teams.send(channel_mention(url, "quiz team close"))
    shown = "\n".join(card_text(m) for m in results)
    assert "2 of the 3 people who answered got it right (67%)" in shown and "The answer:" in shown
    for member in (*MEMBERS, USER):
        assert member["name"] not in shown and member["id"] not in shown and member["aadObjectId"] not in shown
    update = teams.connector.updates()[-1]
    assert update.activity_id == question.new_id and "closed" in card_text(update)
    assert not any(a["type"] == "Action.Submit" for a in all_actions(update.card))

    late = {"id": "29:late", "name": "Late Person", "aadObjectId": "00000000-0000-4000-8000-000000000009"}
    (refused,) = await teams.send(channel_click(url, question, right, late))
    assert refused.conversation.startswith("a:personal-") and "has closed" in card_text(refused)


async def test_quiz_mentioned_in_a_channel_moves_to_the_personal_chat(teams: TeamsHarness) -> None:
    messages = await teams.send(channel_mention(teams.connector.url, "quiz"))
    personal = [m for m in messages if m.conversation.startswith("a:personal-")]
    assert any(m.kind_of_card == "question" and "Quiz" in card_text(m) for m in personal)
    assert all(m.kind_of_card != "question" for m in messages if m.conversation == CHANNEL_CONV)
