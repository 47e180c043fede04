"""Conversations in Slack, end to end over HTTP: what a practitioner sees, click by click.

The store is the real Redis. Each assertion is on what the fake Slack received, i.e. what a person
would see in Slack, or on the saved conversation state.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable

import pytest
import redis

from bot.channels.slack.actions import REFUSED
from bot.channels.slack.messages import MOVED_HERE, THREAD_REPLY
from bot.core.parts import Parts
from bot.storage.redis_store import decode_payload
from bot.testing.fake_slack import BOT_USER, Message, dm_of, visible
from bot.testing.slack import FORM, PUBLIC, USER, SlackHarness

# The longest way through the current flowchart: every question asked once.
WALK = [("urgent", "No"), ("purpose", "Yes"), ("identifiable", "Yes"), ("confidential", "Yes"),
        ("consent", "No"), ("statutory", "No"), ("without_consent", "Yes")]
PINGS = re.compile(r"<[!@#]|<https?:|(?<![\w\u2060])@(channel|here|everyone)\b", re.IGNORECASE)


def stored_values(redis_url: str, prefix: str) -> str:
    """Every value under the store's prefix, decoded as the store writes it (versioned, maybe deflated)."""
    client = redis.Redis.from_url(redis_url)
    out = []
    try:
        for key in client.scan_iter(match=f"{prefix}:*"):
            if client.type(key) != b"string":
                continue
            _, _, payload = (client.get(key) or b"").partition(b":")
            try:
                out.append(json.dumps(decode_payload(payload), ensure_ascii=False))
            except ValueError:
                out.append(payload.decode("utf-8", "replace"))
    finally:
        client.close()
    return "\n".join(out)


def has_buttons(message: Message) -> bool:
    return any(b["type"] == "actions" for b in message.blocks)


def assert_nothing_pings(slack: SlackHarness) -> None:
    """Nothing the bot posted can notify a channel or a person, or link anywhere but our sources."""
    for call in slack.fake.calls:
        if call.method in ("chat.postMessage", "chat.update"):
            text = call.args["text"] + json.dumps(call.args.get("blocks") or [], ensure_ascii=False)
            for match in PINGS.finditer(text):
                assert match.group(0).startswith("<https:"), match.group(0)


async def test_whole_flowchart_by_slash_command_and_buttons(slack: SlackHarness, parts: Parts) -> None:
    nodes = {n.id: n for n in parts.kb.flowcharts["current"].nodes}
    outcome = next(o for o in parts.kb.flowcharts["current"].outcomes if o.id == "share_without_consent")
    await slack.command("")
    await slack.settled()

    asked = []
    for node, label in WALK:
        question = slack.question()
        assert nodes[node].question in visible(question.blocks)
        asked.append(question)
        response = await slack.click(question, label)
        assert response.status == 200
        await slack.settled()
        # The clicked message now shows the answer and has no buttons.
        shown = slack.fake.message(question.channel, question.ts)
        assert not has_buttons(shown)
        assert f"You answered: *{label}*" in visible(shown.blocks)
        assert nodes[node].question in visible(shown.blocks)

    transcript = slack.fake.transcript(dm_of(USER))
    positions = [transcript.index(nodes[node].question) for node, _ in WALK]
    assert positions == sorted(positions)  # asked in order, each once
    assert outcome.title in transcript
    # Layered: by default the outcome is plain words; the law and the record are a button away.
    assert "Legal basis" not in transcript and "```" not in transcript
    outcome_message = slack.question()
    assert outcome.title in visible(outcome_message.blocks)
    await slack.click(outcome_message, "Full record")
    await slack.settled()
    # The record opens in place, in the outcome's own message.
    shown = slack.fake.message(outcome_message.channel, outcome_message.ts)
    assert "[Full record]" not in visible(shown.blocks) and "[Show the law]" in visible(shown.blocks)
    await slack.click(shown, "Show the law")
    await slack.settled()
    shown = slack.fake.message(outcome_message.channel, outcome_message.ts)
    assert "Source:" in visible(shown.blocks)  # the outcome's legal source comes with the law
    # The decision record is one copyable code block listing every answer.
    record = [b["text"]["text"] for b in shown.blocks
              if b["type"] == "section" and b["text"]["text"].startswith("```")]
    assert record and "INFORMATION SHARING DECISION RECORD" in record[0]
    for node, label in WALK:
        assert f"{nodes[node].question} — {label}" in "".join(record).replace("&amp;", "&")
    # Only the last message may still offer buttons; no question is left answerable.
    assert not any(has_buttons(m) and re.search(r"\*Question \d", visible(m.blocks)) for m in slack.dm())
    assert slack.fake.in_channel(PUBLIC) == []
    assert slack.fake.refused == []
    assert_nothing_pings(slack)
    assert all(c.args["text"].strip() for c in slack.fake.calls_to("chat.postMessage"))


async def test_explain_keeps_the_question_and_marks_the_choice(slack: SlackHarness, parts: Parts) -> None:
    await slack.command("")
    await slack.settled()
    first = slack.question()
    await slack.click(first, "Explain")
    await slack.settled()
    shown = slack.fake.message(first.channel, first.ts)
    assert "You chose: *Explain*" in visible(shown.blocks)
    assert not has_buttons(shown)
    again = slack.question()
    assert again.ts != first.ts
    assert parts.kb.flowcharts["current"].nodes[0].question in visible(again.blocks)
    # The re-asked question still works.
    await slack.click(again, "No")
    await slack.settled()
    assert "Question 2" in visible(slack.question().blocks)


async def test_a_stale_button_is_answered_and_never_applied(slack: SlackHarness) -> None:
    await slack.command("")
    await slack.settled()
    first = slack.question()
    stale = slack.click_payload(first, "Yes")  # kept from before the question moved on
    await slack.click(first, "No")
    await slack.settled()
    before = await slack.state()
    posted = len(slack.dm())

    await slack.send_payload(stale)
    await slack.settled()
    assert await slack.state() == before  # state unchanged
    new = slack.dm()[posted:]
    text = "\n".join(visible(m.blocks) for m in new)
    assert "moved on" in text
    assert "Question 2" in text  # where they are now, asked again
    # The old message keeps showing the answer that was applied; the stale click changed nothing.
    assert "You answered: *No*" in visible(slack.fake.message(first.channel, first.ts).blocks)
    assert len(slack.fake.calls_to("chat.update")) == 1


def _retag(value: str, **change: str) -> str:
    body = json.loads(value)
    body.update(change)
    return json.dumps(body)


@pytest.mark.parametrize("tamper", [
    lambda v: _retag(v, a="no"),  # another answer, the tag of "yes"
    lambda v: _retag(v, a="ask:consent_police"),
    lambda v: _retag(v, r="current.urgent.9"),
    lambda v: _retag(v, s="0" * 24),
    lambda v: json.dumps({k: x for k, x in json.loads(v).items() if k != "s"}),
    lambda v: "yes",
    lambda v: "",
    lambda v: "[1, 2]",
    lambda v: v + " " * 2000,
], ids=["other-answer", "other-choice", "other-ref", "zero-tag", "no-tag", "bare-id", "empty", "list", "too-long"])
async def test_a_tampered_button_value_is_refused_and_state_is_unchanged(slack: SlackHarness,
                                                                         tamper: Callable[[str], str]) -> None:
    await slack.command("")
    await slack.settled()
    question = slack.question()
    before = await slack.state()
    posted = len(slack.dm())
    payload = slack.click_payload(question, "Yes")
    payload["actions"][0]["value"] = tamper(payload["actions"][0]["value"])
    response = await slack.send_payload(payload)
    assert response.status == 200  # acked: Slack shows no error; the refusal is said in the DM
    await slack.settled()
    assert await slack.state() == before
    assert [visible(m.blocks) for m in slack.dm()[posted:]] == [f":warning: {REFUSED.text}"]
    assert slack.fake.calls_to("chat.update") == []
    # The real button still works afterwards.
    await slack.click(question, "Yes")
    await slack.settled()
    assert (await slack.state()).version == before.version + 1


async def test_typed_answers_in_the_dm_work_like_buttons(slack: SlackHarness) -> None:
    await slack.command("")
    await slack.settled()
    await slack.event(slack.dm_event("no"))
    await slack.settled()
    assert "Question 2" in visible(slack.question().blocks)
    await slack.event(slack.dm_event("do I need consent to tell the police?"))
    await slack.settled()
    transcript = slack.fake.transcript(dm_of(USER))
    assert "Back to where you were" in transcript or "Source:" in transcript
    assert slack.fake.refused == []


async def test_a_dm_reaches_the_engine_as_plain_words_without_user_ids(slack: SlackHarness) -> None:
    # Slack sends mentions as <@U…> and escapes &, <, >; the engine must get plain words, no ids.
    await slack.event(slack.dm_event("<@U0SOMEONE> lives at 10 Acacia Avenue, Leeds LS1 4AP &amp; &lt;more&gt;"))
    await slack.settled()
    pending = json.dumps((await slack.state()).data, ensure_ascii=False)
    assert "U0SOMEONE" not in pending
    assert "@someone" in pending and "& <more>" in pending
    assert "LS1 4AP" not in pending  # and the guard ran on the plain words
    assert_nothing_pings(slack)


async def test_a_mention_in_a_channel_moves_to_the_dm_and_says_nothing_of_the_case(
        slack: SlackHarness, redis_url: str) -> None:
    case = "can I tell the school nurse that Jane Smith (DOB 03/04/2015, NHS 943 476 5919) was hurt?"
    mention = {"type": "app_mention", "channel": PUBLIC, "user": USER, "text": f"<@{BOT_USER}> {case}",
               "ts": "1700000400.000200", "event_ts": "1700000400.000200"}
    await slack.event(mention)
    await slack.settled()

    in_channel = slack.fake.in_channel(PUBLIC)
    assert [(m.text, m.thread_ts, m.blocks) for m in in_channel] == [(THREAD_REPLY, "1700000400.000200", [])]
    dm = slack.fake.transcript(dm_of(USER))
    assert MOVED_HERE in dm
    assert "a name" in dm  # the privacy notice names kinds of detail, never the detail
    everything = json.dumps([c.args for c in slack.fake.calls])
    for detail in ("Jane", "Smith", "03/04/2015", "943 476 5919"):
        assert detail not in everything
    # Nor was it stored: only the redacted text is kept, waiting for the practitioner's choice.
    stored = stored_values(redis_url, slack.services.store.prefix)  # type: ignore[attr-defined]
    assert "[name]" in stored
    for detail in ("Jane", "Smith", "943 476 5919", "03/04/2015"):
        assert detail not in stored


async def test_a_mention_in_a_thread_replies_in_that_thread(slack: SlackHarness) -> None:
    mention = {"type": "app_mention", "channel": PUBLIC, "user": USER, "text": f"<@{BOT_USER}>",
               "ts": "1700000500.000300", "thread_ts": "1700000499.000100", "event_ts": "1700000500.000300"}
    await slack.event(mention)
    await slack.settled()
    (reply,) = slack.fake.in_channel(PUBLIC)
    assert reply.thread_ts == "1700000499.000100"
    assert "ask <question>" in slack.fake.transcript(dm_of(USER))  # an empty mention gets help


async def test_app_home_shows_start_ask_contacts_and_retention(slack: SlackHarness, parts: Parts) -> None:
    await slack.event({"type": "app_home_opened", "user": USER, "channel": dm_of(USER), "tab": "home",
                       "event_ts": "1700000600.000100"})
    await slack.event({"type": "app_home_opened", "user": USER, "channel": dm_of(USER), "tab": "messages",
                       "event_ts": "1700000600.000200"})
    await slack.settled()
    (publish,) = slack.fake.calls_to("views.publish")
    assert publish.error is None
    home = visible(publish.args["view"]["blocks"])
    for words in ("[Start the flowchart]", "[Ask a question]", "Who to contact", "call 999",
                  "NSPCC", "What I keep, and for how long", "24 hours", "30 days"):
        assert words in home, words

    # Start from Home: the flowchart opens in the DM.
    blocks = publish.args["view"]["blocks"]
    start = next(e for b in blocks if b["type"] == "actions" for e in b["elements"]
                 if e["text"]["text"] == "Start the flowchart")
    payload = {"type": "block_actions", "user": {"id": USER, "team_id": "T0CANISHARE"},
               "team": {"id": "T0CANISHARE"}, "container": {"type": "view", "view_id": "V0HOME"},
               "view": {"id": "V0HOME", "type": "home"}, "trigger_id": "t.1",
               "actions": [{"type": "button", "action_id": start["action_id"], "block_id": "b",
                            "value": start["value"], "text": start["text"], "action_ts": "1700000601.1"}]}
    await slack.send_payload(payload)
    await slack.settled()
    assert "Question 1" in visible(slack.question().blocks)


async def test_ask_from_home_opens_a_modal_and_answers_in_the_dm(slack: SlackHarness) -> None:
    payload = {"type": "block_actions", "user": {"id": USER, "team_id": "T0CANISHARE"},
               "team": {"id": "T0CANISHARE"}, "container": {"type": "view", "view_id": "V0HOME"},
               "view": {"id": "V0HOME", "type": "home"}, "trigger_id": "t.2",
               "actions": [{"type": "button", "action_id": "home.ask", "block_id": "b",
                            "text": {"type": "plain_text", "text": "Ask a question"}, "action_ts": "1700000602.1"}]}
    await slack.send_payload(payload)
    await slack.settled()
    (opened,) = slack.fake.calls_to("views.open")
    assert opened.error is None and opened.args["trigger_id"] == "t.2"

    submission = {"type": "view_submission", "user": {"id": USER, "team_id": "T0CANISHARE"},
                  "team": {"id": "T0CANISHARE"}, "trigger_id": "t.3",
                  "view": {"id": "V0MODAL", "type": "modal", "callback_id": "canishare.ask",
                           "state": {"values": {"question": {"text": {
                               "type": "plain_text_input", "value": "do I need consent to tell the police?"}}}}}}
    response = await slack.send_payload(submission)
    assert response.status == 200 and await response.text() == ""  # the modal closes
    await slack.settled()
    assert "Source:" in slack.fake.transcript(dm_of(USER))

    empty = json.loads(json.dumps(submission))
    empty["view"]["state"]["values"]["question"]["text"]["value"] = "   "
    response = await slack.send_payload(empty)
    assert (await response.json())["response_action"] == "errors"  # said in the modal itself
    await slack.settled()


async def test_privacy_guard_runs_before_anything_is_posted(slack: SlackHarness) -> None:
    await slack.event(slack.dm_event("my email is jane.doe@example.com, can I share her records?"))
    await slack.settled()
    sent = json.dumps([c.args for c in slack.fake.calls])
    assert "jane.doe@example.com" not in sent
    notice = slack.question()
    assert "an email address" in visible(notice.blocks) or "email" in visible(notice.blocks)
    # "Use the redacted version" carries on with the redacted text.
    await slack.click(notice, "Use the redacted version")
    await slack.settled()
    assert "jane.doe" not in json.dumps([c.args for c in slack.fake.calls])


async def test_logs_hold_no_message_text_and_no_user_ids(slack: SlackHarness, caplog: pytest.LogCaptureFixture) -> None:
    case = "can I tell the school nurse that Jane Smith (NHS 943 476 5919) was hurt?"
    with caplog.at_level(logging.DEBUG):
        body = slack.command_body(f"ask {case}")
        await slack.post(body, FORM, slack.signed(body, FORM, secret="wrong"))  # bolt logs bad signatures
        await slack.command(f"ask {case}")
        await slack.event({"type": "app_mention", "channel": PUBLIC, "user": USER, "text": f"<@{BOT_USER}> {case}",
                           "ts": "1700000800.000100"})
        await slack.event(slack.dm_event(case))
        await slack.settled()
        # The command, the mention and the DM each end in a privacy prompt; which one is posted last
        # depends on scheduling, so take the latest message that carries the prompt's button.
        prompt = next(m for m in reversed(slack.dm()) if any(
            e.get("text", {}).get("text") == "Use the redacted version"
            for b in m.blocks if b["type"] == "actions" for e in b.get("elements", [])))
        payload = slack.click_payload(prompt, "Use the redacted version")
        payload["actions"][0]["value"] = "tampered"
        await slack.send_payload(payload)
        await slack.settled()
    logged = "\n".join(f"{r.name} {r.getMessage()}" for r in caplog.records)
    assert "slack button refused" in logged  # (the logs were captured)
    for secret in (USER, "Jane", "943 476 5919", "nurse"):
        assert secret not in logged, secret
