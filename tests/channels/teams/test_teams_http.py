"""Teams over HTTP in --dev mode: real activity JSON posted to /api/messages, real CloudAdapter,
replies captured by the fake connector at the activity's serviceUrl, state in real Redis."""

from __future__ import annotations

import json

import pytest

from bot.channels.teams.bot import BAD_BUTTON, CANNOT_MOVE_NOTE, MOVED_NOTE
from bot.channels.teams.references import reference_key
from bot.core.identity import user_hash
from bot.core.store import conversation_key
from bot.testing.teams import (
    BOT,
    CHANNEL_CONV,
    PERSONAL_CONV,
    TENANT,
    USER,
    Call,
    TeamsHarness,
    all_actions,
    channel_mention,
    click,
    personal_message,
)

MAX_STEPS = 40


def texts(card: dict) -> str:
    """All TextBlock and Fact text of a card, for assertions on what a person would read."""
    out: list[str] = []

    def walk(items: list[dict]) -> None:
        for item in items:
            if item["type"] == "TextBlock":
                out.append(item["text"])
            elif item["type"] == "FactSet":
                out.extend(f"{f['title']} {f['value']}" for f in item["facts"])
            elif item["type"] == "Container":
                walk(item["items"])

    walk(card["body"])
    return "\n".join(out)


def last_question(messages: list[Call]) -> Call:
    questions = [m for m in messages if m.kind_of_card == "question"]
    assert questions, f"no question card among {[m.kind_of_card for m in messages]}"
    return questions[-1]


def conv_key(harness: TeamsHarness) -> str:
    hashed = user_hash(harness.services.settings.hash_key, "teams", USER["aadObjectId"])
    return conversation_key(hashed, "teams:personal")


async def test_free_text_in_personal_chat_gets_cards_in_the_same_chat(teams: TeamsHarness) -> None:
    messages = await teams.send(personal_message(teams.connector.url, "do I need consent to tell the police?"))
    assert messages, "no reply"
    for message in messages:
        assert message.conversation == PERSONAL_CONV
        assert message.kind == "reply"  # threaded to the user's message, as botbuilder does
        assert message.body["type"] == "message"
        assert message.body["from"]["id"] == BOT["id"]
        assert message.auth is None  # dev mode: no app id, so no outbound token
    assert any(m.kind_of_card == "answer" for m in messages) or any(m.kind_of_card == "menu" for m in messages)


async def test_whole_flowchart_walked_by_buttons_to_an_outcome(teams: TeamsHarness) -> None:
    connector = teams.connector
    question = last_question(await teams.send(personal_message(connector.url, "start")))
    clicks = 0
    while clicks < MAX_STEPS:
        clicks += 1
        card_before = question.card
        assert "Question" in texts(card_before)
        # "No" to the first question (immediate danger), then "Yes": the longest way through the chart.
        answer = "no" if clicks == 1 else "yes"
        messages = await teams.send(click(connector.url, question, answer))
        # The clicked card was updated in place: the same message id, its question, the answer, no buttons.
        update = connector.updates()[-1]
        assert update.activity_id == question.new_id
        assert all_actions(update.card) == []
        assert f"Your answer: {answer.capitalize()}" in texts(update.card)
        assert card_before["body"][1]["text"] in texts(update.card)
        kinds = [m.kind_of_card for m in messages]
        if "outcome" in kinds:
            break
        question = last_question(messages)
    else:
        pytest.fail(f"no outcome after {MAX_STEPS} answers")
    assert clicks >= 3 and len(connector.updates()) == clicks
    outcome = next(m for m in messages if m.kind_of_card == "outcome")
    assert "You can share" in texts(outcome.card)
    # Layered: the decision record is folded into the outcome's card, one tap (Action.ToggleVisibility) away.
    toggles = [a for a in all_actions(outcome.card) if a["type"] == "Action.ToggleVisibility"]
    assert [a["title"] for a in toggles] == ["Show the law", "Before you share", "Full record"]
    (record,) = [item for item in outcome.card["body"] if item.get("id") == toggles[-1]["targetElements"][0]]
    assert record["isVisible"] is False and "INFORMATION SHARING DECISION RECORD" in texts({"body": [record]})


async def test_typed_answers_work_like_buttons(teams: TeamsHarness) -> None:
    url = teams.connector.url
    first = last_question(await teams.send(personal_message(url, "start")))
    second = last_question(await teams.send(personal_message(url, "no")))
    assert second.card["body"][1]["text"] != first.card["body"][1]["text"] or \
        all_actions(second.card)[0]["data"]["r"] != all_actions(first.card)[0]["data"]["r"]
    # A typed answer has no clicked card to update.
    assert teams.connector.updates() == []
    back = last_question(await teams.send(personal_message(url, "back")))
    assert back.card["body"][1]["text"] == first.card["body"][1]["text"]


async def test_action_submit_round_trip_carries_choice_and_ref(teams: TeamsHarness) -> None:
    url = teams.connector.url
    question = last_question(await teams.send(personal_message(url, "start")))
    data = [a["data"] for a in all_actions(question.card) if a["type"] == "Action.Submit"]
    assert {"a", "r"} <= set(data[0]) and len({d["r"] for d in data}) == 1
    assert {d["a"] for d in data} >= {"yes", "no", "not_sure", "explain"}
    explained = await teams.send(click(url, question, "explain"))
    # Explain is not an answer: nothing to update, the same question comes back with its explanation.
    assert teams.connector.updates() == []
    again = last_question(explained)
    assert all_actions(again.card)[0]["data"]["r"] == data[0]["r"]


async def test_stale_card_is_answered_and_never_applied(teams: TeamsHarness) -> None:
    url = teams.connector.url
    first = last_question(await teams.send(personal_message(url, "start")))
    second = last_question(await teams.send(click(url, first, "no")))
    state_before = await teams.store.load(conv_key(teams))
    updates_before = len(teams.connector.updates())

    stale = await teams.send(click(url, first, "yes"))  # the old card's button, clicked again

    assert stale[0].kind_of_card == "notice"
    assert "moved on" in texts(stale[0].card)
    now = last_question(stale)
    assert all_actions(now.card)[0]["data"]["r"] == all_actions(second.card)[0]["data"]["r"]
    assert (await teams.store.load(conv_key(teams))).data == state_before.data
    assert len(teams.connector.updates()) == updates_before  # the stale card is not rewritten as answered


@pytest.mark.parametrize("value", [
    "yes",  # a string, not the card's object data
    ["yes"],
    {},
    {"x": "yes"},
    {"a": 5},
    {"a": "   "},
    {"a": "yes", "r": 7},
    {"a": "y" * 5000},
], ids=["string", "list", "empty", "no-a", "number", "blank", "ref-number", "huge"])
async def test_malformed_button_value_gets_a_kind_reply(teams: TeamsHarness, value: object) -> None:
    url = teams.connector.url
    await teams.send(personal_message(url, "start"))
    state_before = await teams.store.load(conv_key(teams))

    messages = await teams.send(personal_message(url, value=value, reply_to="msg-1"))

    assert [m.kind_of_card for m in messages] == ["notice"]
    assert texts(messages[0].card).startswith("Sorry, I couldn") and "help" in texts(messages[0].card)
    assert BAD_BUTTON.text.startswith("Sorry")
    assert (await teams.store.load(conv_key(teams))).data == state_before.data
    assert teams.connector.updates() == []


async def test_retried_activity_is_answered_once(teams: TeamsHarness) -> None:
    activity = personal_message(teams.connector.url, "start")
    first = await teams.send(activity)
    again = await teams.send(activity)
    assert first and again == []


async def test_user_text_is_escaped_in_cards(teams: TeamsHarness) -> None:
    # The guard may redact; whatever is echoed must come back inert.
    messages = await teams.send(personal_message(teams.connector.url, "ask **consent** <at>Team</at> @channel"))
    raw = json.dumps([m.card for m in messages])
    assert "**consent**" not in raw and "<at>" not in raw


async def test_channel_mention_moves_the_conversation_to_personal_chat(teams: TeamsHarness) -> None:
    connector = teams.connector
    case = "can I tell the school nurse what the boy's mum told me?"
    response = await teams.post(channel_mention(connector.url, case))
    assert response.status == 201

    (create,) = [c for c in connector.calls if c.kind == "create"]
    assert create.body["isGroup"] is False
    assert create.body["members"] == [{"id": USER["id"]}]
    assert create.body["bot"]["id"] == BOT["id"]
    assert create.body["tenantID"] == TENANT  # botbuilder's spelling; Teams reads channelData.tenant too
    assert create.body["channelData"] == {"tenant": {"id": TENANT}}

    in_channel = connector.messages(CHANNEL_CONV)
    assert len(in_channel) == 1
    note = in_channel[0]
    assert note.kind == "reply"  # in the thread of the mention
    assert all_actions(note.card) == []  # nothing to click in a channel
    assert texts(note.card) == MOVED_NOTE.replace("@", "@\u200b")
    assert "nurse" not in json.dumps(note.body)  # the case is not discussed in the channel

    personal = connector.messages(create.new_id)
    assert personal, "nothing sent in the new personal chat"
    assert {m.conversation for m in connector.messages()} == {CHANNEL_CONV, create.new_id}

    # The personal chat's reference is kept (hashed user key, tenant from channel data, TTL).
    hashed = user_hash(teams.services.settings.hash_key, "teams", USER["aadObjectId"])
    snap = await teams.store.load(reference_key(hashed))
    ref = snap.data["ref"]
    assert ref["conversation"]["id"] == create.new_id
    assert ref["conversation"]["tenantID"] == TENANT
    assert ref["serviceUrl"] == connector.url
    assert "user" not in ref  # no name or platform id of the user is stored
    ttl = await teams.store.client.ttl(teams.store.key(reference_key(hashed)))
    assert 0 < ttl <= teams.services.config.retention.records_seconds


async def test_channel_mention_when_personal_chat_cannot_be_opened(teams: TeamsHarness) -> None:
    teams.connector.fail_create = True
    await teams.send(channel_mention(teams.connector.url, "start"))
    (note,) = teams.connector.messages()
    assert note.conversation == CHANNEL_CONV
    assert texts(note.card) == CANNOT_MOVE_NOTE
    assert (await teams.store.load(conv_key(teams))).version == 0  # no case begun anywhere


async def test_personal_reference_stored_with_tenant_from_channel_data(teams: TeamsHarness) -> None:
    activity = personal_message(teams.connector.url, "help")
    del activity["conversation"]["tenantId"]  # only channelData carries it: the reliable source
    await teams.send(activity)
    reference = await teams.services.extras["teams"].references.get_reference(USER["aadObjectId"])
    assert reference is not None
    assert reference.conversation.id == PERSONAL_CONV
    assert reference.conversation.tenant_id == TENANT
    assert reference.user is None
    # The rota may name a lead by either Teams id: both find the same chat.
    by_channel_id = await teams.services.extras["teams"].references.get_reference(USER["id"])
    assert by_channel_id is not None and by_channel_id.conversation.id == PERSONAL_CONV


async def test_proactive_message_reaches_the_stored_personal_chat(teams: TeamsHarness) -> None:
    from dialogs.messages import Text

    bot = teams.services.extras["teams"]
    await teams.send(personal_message(teams.connector.url, "help"))
    teams.connector.clear()
    hashed = user_hash(teams.services.settings.hash_key, "teams", USER["aadObjectId"])
    assert await bot.send_to(hashed, [Text(text="Your safeguarding lead has replied.")])
    (sent,) = teams.connector.messages()
    assert sent.conversation == PERSONAL_CONV
    assert "safeguarding lead has replied" in texts(sent.card)
    assert not await bot.send_to("0" * 32, [Text(text="nobody")])


async def test_bot_installed_in_personal_scope_says_hello(teams: TeamsHarness) -> None:
    activity = personal_message(teams.connector.url)
    activity.update(type="conversationUpdate", membersAdded=[{"id": BOT["id"]}])
    for key in ("text", "textFormat"):
        activity.pop(key, None)
    messages = await teams.send(activity)
    assert messages and "help" in texts(messages[0].card).lower()


async def test_action_execute_invoke_answers_200_with_a_card(teams: TeamsHarness) -> None:
    # botbuilder 4.17.1 serialises invoke bodies twice (HTTP 500); the bot's override fixes it.
    activity = personal_message(teams.connector.url)
    activity.update(type="invoke", name="adaptiveCard/action",
                    value={"action": {"type": "Action.Execute", "verb": "old", "data": {}}, "trigger": "manual"})
    response = await teams.post(activity)
    assert response.status == 200
    body = await response.json()
    assert body["statusCode"] == 200
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    assert body["value"]["version"] == "1.5"


@pytest.mark.parametrize(("headers", "data", "status"), [
    ({"Content-Type": "text/plain"}, b"hello", 415),
    ({}, b"", 415),
    ({"Content-Type": "application/json"}, b"{not json", 400),
    ({"Content-Type": "application/json"}, b"[1, 2]", 400),
    ({"Content-Type": "application/json"}, b'{"text": "no type"}', 400),
    ({"Content-Type": "application/json"}, b'{"type": "message", "text": "no serviceUrl"}', 400),
], ids=["text-plain", "no-content-type", "bad-json", "list", "no-type", "no-service-url"])
async def test_malformed_requests_get_4xx_not_500(teams: TeamsHarness, headers: dict, data: bytes,
                                                  status: int) -> None:
    response = await teams.client.post("/api/messages", data=data, headers=headers)
    assert response.status == status
    assert teams.connector.calls == []


async def test_bot_framework_emulator_in_dev_mode(teams: TeamsHarness) -> None:
    # What the Emulator posts: channel "emulator", no conversation type, no Entra id, no token.
    url = teams.connector.url
    base = {"channelId": "emulator", "serviceUrl": url, "conversation": {"id": "emu-conv-1|livechat"},
            "from": {"id": "e1f2a3b4-user", "name": "User", "role": "user"},
            "recipient": {"id": "e1f2a3b4-bot", "name": "Bot", "role": "bot"}, "locale": "en-GB",
            "channelData": {"clientActivityID": "170000000000012345"}}
    hello = await teams.send({**base, "type": "conversationUpdate", "id": "emu-1",
                              "membersAdded": [{"id": "e1f2a3b4-user"}, {"id": "e1f2a3b4-bot"}]})
    assert hello and "help" in texts(hello[0].card).lower()
    question = last_question(await teams.send({**base, "type": "message", "id": "emu-2", "text": "start"}))
    assert question.conversation == "emu-conv-1|livechat"
    answered = await teams.send({**base, "type": "message", "id": "emu-3", "replyToId": question.new_id,
                                 "value": all_actions(question.card)[1]["data"]})
    assert answered
    assert teams.connector.updates()[-1].activity_id == question.new_id


async def test_bot_added_to_a_team_introduces_itself_without_buttons(teams: TeamsHarness) -> None:
    activity = channel_mention(teams.connector.url, "")
    activity.update(type="conversationUpdate", membersAdded=[{"id": BOT["id"]}])
    for key in ("text", "textFormat", "entities"):
        activity.pop(key)
    (intro,) = await teams.send(activity)
    assert intro.conversation == CHANNEL_CONV
    assert all_actions(intro.card) == []
    assert "private chat" in texts(intro.card)
    assert [c for c in teams.connector.calls if c.kind == "create"] == []


async def test_someone_else_joining_a_team_is_ignored(teams: TeamsHarness) -> None:
    activity = channel_mention(teams.connector.url, "")
    activity.update(type="conversationUpdate", membersAdded=[{"id": "29:someone-new"}])
    assert await teams.send(activity) == []  # and no profile lookup on the connector either
    assert teams.connector.calls == []


async def test_a_huge_message_gets_an_answer_not_an_error(teams: TeamsHarness) -> None:
    messages = await teams.send(personal_message(teams.connector.url, "consent police " * 20_000))
    assert messages
    assert all(m.body.get("summary") for m in messages)
