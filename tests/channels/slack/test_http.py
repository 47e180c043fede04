"""The Slack edge over real HTTP: signatures, acks, retries and bad input.

Every request goes through aiohttp, the real bolt ``AsyncApp`` (signature check on) and the real
``AsyncWebClient`` to the local fake Slack. ``slack.settled()`` waits for the work bolt runs after
the ack, and asserts that no other listener ran (so "the bot did nothing" is checked, not hoped).
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable
from typing import Any

import pytest

from bot.app.server import create_app
from bot.channels.slack import mount
from bot.channels.slack.commands import ASK_USAGE, MOVED_TO_DM
from bot.core.config import ConfigError
from bot.core.engine import Engine
from bot.core.parts import Parts
from bot.core.services import Services
from bot.core.settings import Settings
from bot.storage.redis_store import RedisStore
from bot.testing.fake_slack import FakeSlack, dm_of
from bot.testing.slack import FORM, PUBLIC, USER, SlackHarness

CASE = "can I tell the school nurse that Jane Smith (DOB 03/04/2015, NHS 943 476 5919) was hurt?"
CASE_WORDS = ("Jane", "Smith", "03/04/2015", "943 476 5919", "nurse", "hurt")


def assert_no_case_anywhere(slack: SlackHarness) -> None:
    sent = json.dumps([c.args for c in slack.fake.calls] + [h for _, h in slack.fake.hooks])
    for word in CASE_WORDS:
        assert word not in sent, word


async def test_url_verification_answers_the_challenge(slack: SlackHarness) -> None:
    body = json.dumps({"token": "legacy", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
                       "type": "url_verification"})
    response = await slack.post(body, "application/json", listener=False)
    assert response.status == 200
    assert (await response.json())["challenge"].startswith("3eZbrw1a")


MakeHeaders = Callable[[SlackHarness, str, str], dict[str, str]]


def _headers_bad_secret(slack: SlackHarness, body: str, content_type: str) -> dict[str, str]:
    return slack.signed(body, content_type, secret="not-the-signing-secret")


def _headers_stale(slack: SlackHarness, body: str, content_type: str) -> dict[str, str]:
    # Correctly signed, but ten minutes old: a replayed request.
    return slack.signed(body, content_type, ts=int(time.time()) - 600)


def _headers_missing(slack: SlackHarness, body: str, content_type: str) -> dict[str, str]:
    return {"Content-Type": content_type}


def _headers_tampered(slack: SlackHarness, body: str, content_type: str) -> dict[str, str]:
    # The signature of a different body (the attacker changed the text after signing).
    return slack.signed(body.replace("text=", "text=ask+"), content_type)


@pytest.mark.parametrize("make_headers", [_headers_bad_secret, _headers_stale, _headers_missing, _headers_tampered],
                         ids=["wrong-secret", "stale-timestamp", "no-signature", "body-changed"])
async def test_a_badly_signed_command_is_refused_and_does_nothing(slack: SlackHarness,
                                                                  make_headers: MakeHeaders) -> None:
    body = slack.command_body(f"ask {CASE}")
    response = await slack.post(body, FORM, make_headers(slack, body, FORM))
    assert response.status == 401
    assert (await slack.state()).version == 0

    # A good request afterwards is handled, and it is the only work the bot did.
    await slack.command("help")
    await slack.settled()
    assert slack.channel.inflight.finished == 1
    assert_no_case_anywhere(slack)
    assert all(c.method != "chat.postMessage" or c.args["channel"] == dm_of(USER) for c in slack.fake.calls)


async def test_a_badly_signed_event_is_refused(slack: SlackHarness) -> None:
    body = slack.event_body(slack.dm_event(CASE))
    response = await slack.post(body, "application/json", _headers_bad_secret(slack, body, "application/json"))
    assert response.status == 401
    await slack.settled()
    assert slack.fake.calls == []


async def test_a_badly_signed_click_is_refused_and_state_is_unchanged(slack: SlackHarness) -> None:
    await slack.command("")
    await slack.settled()
    before = await slack.state()
    payload = slack.click_payload(slack.question(), "No")
    body = "payload=" + json.dumps(payload)
    response = await slack.post(body, FORM, _headers_stale(slack, body, FORM))
    assert response.status == 401
    await slack.settled()
    assert await slack.state() == before
    assert slack.fake.calls_to("chat.update") == []


async def test_slash_command_is_acked_empty_and_answered_in_the_dm(slack: SlackHarness) -> None:
    response = await slack.command("")
    # The ack is empty: nothing, not even the command's text, is shown in the channel.
    assert response.status == 200
    assert await response.text() == ""
    await slack.settled()
    assert [h for _, h in slack.fake.hooks] == [{"text": MOVED_TO_DM, "response_type": "ephemeral"}]
    assert slack.fake.in_channel(PUBLIC) == []
    assert "Question 1" in slack.fake.transcript(dm_of(USER))


async def test_a_command_typed_in_the_dm_is_answered_there_without_a_note(slack: SlackHarness) -> None:
    await slack.command("help", channel=dm_of(USER))
    await slack.settled()
    assert slack.fake.hooks == []
    assert "walk through the flowchart" in slack.fake.transcript(dm_of(USER))


async def test_ask_subcommand_answers_from_the_knowledge_base(slack: SlackHarness) -> None:
    await slack.command("ask do I need consent to tell the police?")
    await slack.settled()
    transcript = slack.fake.transcript(dm_of(USER))
    assert "Source:" in transcript
    assert slack.fake.refused == []


async def test_ask_without_a_question_gets_usage_and_nothing_else(slack: SlackHarness) -> None:
    await slack.command("ask")
    await slack.settled()
    assert [h["text"] for _, h in slack.fake.hooks] == [ASK_USAGE]
    assert slack.dm() == []


async def test_edition_subcommand_offers_the_editions(slack: SlackHarness) -> None:
    await slack.command("edition")
    await slack.settled()
    transcript = slack.fake.transcript(dm_of(USER))
    assert "Which guidance should I use?" in transcript
    assert "[Historical: 2008 course" in transcript


async def test_unknown_subcommand_gets_help_and_is_never_echoed(slack: SlackHarness) -> None:
    await slack.command(f"frobnicate {CASE}")
    await slack.settled()
    transcript = slack.fake.transcript(dm_of(USER))
    assert "I don't know that command" in transcript
    assert "ask <question>" in transcript  # the help text
    assert_no_case_anywhere(slack)


async def test_a_retried_event_is_answered_once(slack: SlackHarness) -> None:
    event = slack.dm_event("help")  # one delivery -> exactly one message (help text + menu)
    await slack.event(event, event_id="Ev0RETRIED1")
    await slack.event(event, event_id="Ev0RETRIED1", retry=1)
    await slack.event(event, event_id="Ev0RETRIED1", retry=2)
    await slack.settled()
    assert slack.channel.inflight.finished == 3  # all three deliveries were looked at...
    assert len(slack.dm()) == 1  # ...and answered once


async def test_a_new_event_with_the_same_words_is_answered_again(slack: SlackHarness) -> None:
    # The control for the test above: it is the event id, not the text, that makes a retry.
    await slack.event(slack.dm_event("help"))
    await slack.event(slack.dm_event("help"))
    await slack.settled()
    assert len(slack.dm()) == 2


async def test_a_retried_mention_gets_one_thread_reply(slack: SlackHarness) -> None:
    mention = {"type": "app_mention", "channel": PUBLIC, "user": USER, "text": "<@U0CANISHARE> help",
               "ts": "1700000300.000100", "event_ts": "1700000300.000100"}
    await slack.event(mention, event_id="Ev0MENTION1")
    await slack.event(mention, event_id="Ev0MENTION1", retry=1)
    await slack.settled()
    assert len(slack.fake.in_channel(PUBLIC)) == 1
    assert len(slack.dm()) == 1


@pytest.mark.parametrize("body,content_type", [
    (b"\xff\xfe\xfa not utf-8", FORM),
    (b"payload=%7Bnot+json", FORM),
    (b"{not json", "application/json"),
    (b"", FORM),
    (b"payload=%5B1%5D", FORM),
    (b'{"type": "event_callback", "event": "x"}', "application/json"),
    (b'{"type": "event_callback", "event": {"type": "message", "user": 5, "channel": []}}', "application/json"),
], ids=["not-utf8", "payload-not-json", "event-not-json", "empty", "payload-a-list", "event-a-string",
        "event-wrong-types"])
async def test_malformed_bodies_are_a_client_error_not_a_500(slack: SlackHarness, body: bytes,
                                                             content_type: str) -> None:
    text = body.decode("utf-8", "replace")
    headers = slack.signed(text, content_type)
    response = await slack.client.post("/slack/events", data=body, headers=headers)
    assert 400 <= response.status < 500, (response.status, await response.text())
    await slack.settled()
    assert [c.method for c in slack.fake.calls if c.method != "auth.test"] == []


async def test_a_huge_message_gets_a_kind_answer(slack: SlackHarness) -> None:
    response = await slack.event(slack.dm_event("can I share " * 5000))
    assert response.status == 200
    await slack.settled()
    assert slack.dm(), "no answer"
    assert slack.fake.refused == []


async def test_signing_secret_is_required_for_http(fake_slack: FakeSlack, parts: Parts,
                                                   redis_store: RedisStore) -> None:
    settings = Settings(slack_bot_token="xoxb-test", slack_signing_secret="", slack_api_url=fake_slack.api_url)
    services = Services(settings=settings, config=parts.config, parts=parts, store=redis_store,
                        engine=Engine(parts, redis_store, "k"))
    # An empty secret would let any forged request "verify": refuse to start.
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET"):
        create_app(services, mounts=[mount])


WEIRD: tuple[Any, ...] = (None, 0, -1, True, "", "x", "U0PRACTITIONER", [], [1], ["a"], {}, {"a": 1}, "é" * 3000)


def _mutate(value: Any, rng: random.Random) -> Any:
    """The value with one field somewhere inside it replaced by something of the wrong shape."""
    if isinstance(value, dict) and value:
        key = rng.choice(sorted(value))
        out = dict(value)
        out[key] = rng.choice(WEIRD) if rng.random() < 0.5 else _mutate(value[key], rng)
        return out
    if isinstance(value, list) and value:
        i = rng.randrange(len(value))
        return [*value[:i], _mutate(value[i], rng), *value[i + 1 :]]
    return rng.choice(WEIRD)


async def test_signed_payloads_of_the_wrong_shape_never_get_a_500(slack: SlackHarness,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    await slack.command("")
    await slack.settled()
    click = slack.click_payload(slack.question(), "No")
    home_click = {**click, "container": {"type": "view", "view_id": "V1"}, "message": None}
    submission = {"type": "view_submission", "user": {"id": USER, "team_id": "T0CANISHARE"},
                  "team": {"id": "T0CANISHARE"}, "view": {"id": "V2", "type": "modal", "callback_id": "canishare.ask",
                  "state": {"values": {"question": {"text": {"type": "plain_text_input", "value": "consent?"}}}}}}
    events = [slack.dm_event("help"), {"type": "app_home_opened", "user": USER, "tab": "home"},
              {"type": "app_mention", "channel": PUBLIC, "user": USER, "text": "<@U0CANISHARE> hi", "ts": "1.2"}]
    rng = random.Random(20261121)
    statuses = []
    with caplog.at_level(logging.ERROR):
        for _ in range(120):
            kind = rng.randrange(3)
            if kind == 0:
                response = await slack.send_payload(_mutate(rng.choice([click, home_click, submission]), rng))
            elif kind == 1:
                body = json.loads(slack.event_body(rng.choice(events)))
                body["event"] = _mutate(body["event"], rng)
                text = json.dumps(body)
                response = await slack.post(text, "application/json")
            else:
                response = await slack.command(rng.choice(["", "ask", "ask x", "help", "edition 1999", "zz"]),
                                               channel=rng.choice([PUBLIC, dm_of(USER)]))
            statuses.append(response.status)
        await slack.settled()
    assert all(s < 500 for s in statuses), statuses
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    # (A mangled message ts may be "not found"; what we send is never invalid.)
    assert [c for c in slack.fake.refused if c.error != "message_not_found"] == []
