"""Socket Mode: the same bolt app fed over a websocket from the fake Slack, no public URL."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app.server import create_app
from bot.channels.slack import SLACK
from bot.channels.slack import mount as slack_mount
from bot.core.config import ConfigError
from bot.core.engine import Engine
from bot.core.parts import Parts
from bot.core.services import Services
from bot.core.settings import Settings
from bot.storage.redis_store import RedisStore
from bot.testing.fake_slack import TEAM, FakeSlack, dm_of, visible
from bot.testing.slack import HASH_KEY, PUBLIC, USER


def services_for(fake: FakeSlack, parts: Parts, store: RedisStore, app_token: str = "xapp-1-A0-test") -> Services:
    # No signing secret: Socket Mode needs none.
    settings = Settings(slack_bot_token="xoxb-test-token", slack_app_token=app_token, slack_api_url=fake.api_url,
                        hash_key=HASH_KEY)
    services = Services(settings=settings, config=parts.config, parts=parts, store=store,
                        engine=Engine(parts, store, HASH_KEY))
    services.socket_mode = True
    return services


async def test_socket_mode_runs_commands_and_events_over_the_websocket(fake_slack: FakeSlack, parts: Parts,
                                                                      redis_store: RedisStore) -> None:
    app = create_app(services_for(fake_slack, parts, redis_store), mounts=[slack_mount])
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()  # on_startup opens the websocket (apps.connections.open with the xapp token)
    try:
        await fake_slack.wait_socket()
        channel = app[SLACK]
        # There is no HTTP endpoint to forge requests against.
        assert (await client.post("/slack/events", data=b"{}")).status in (404, 405)

        command = {"token": "legacy", "team_id": TEAM, "channel_id": PUBLIC, "user_id": USER,
                   "command": "/canishare", "text": "", "response_url": fake_slack.hook_url("sm"),
                   "trigger_id": "sm.1"}
        await fake_slack.socket_send({"envelope_id": "env-1", "type": "slash_commands", "payload": command,
                                      "accepts_response_payload": True})
        ack = await fake_slack.wait_ack("env-1")
        assert ack.get("payload") in (None, {})  # an empty ack: nothing shown in the channel
        await channel.inflight.wait_finished(1)
        question = fake_slack.in_channel(dm_of(USER))[-1]
        assert "Question 1" in visible(question.blocks)

        event = {"type": "event_callback", "team_id": TEAM, "event_id": "Ev0SOCKET1", "event_time": 1,
                 "event": {"type": "message", "channel": dm_of(USER), "user": USER, "text": "no",
                           "ts": "1700000700.000100", "channel_type": "im"}}
        for attempt, envelope in enumerate(("env-2", "env-3")):  # the second is Slack's retry
            await fake_slack.socket_send({"envelope_id": envelope, "type": "events_api", "payload": event,
                                          "accepts_response_payload": False, "retry_attempt": attempt})
            await fake_slack.wait_ack(envelope)
        await channel.inflight.wait_finished(3)
        assert "Question 2" in visible(fake_slack.in_channel(dm_of(USER))[-1].blocks)
        assert len(fake_slack.in_channel(dm_of(USER))) == 2  # the retry was not answered again
        assert fake_slack.refused == []
        assert [c.args for c in fake_slack.calls_to("apps.connections.open")] == [{}]
    finally:
        await client.close()  # on_shutdown closes the websocket


async def test_socket_mode_needs_an_app_level_token(fake_slack: FakeSlack, parts: Parts,
                                                   redis_store: RedisStore) -> None:
    services = services_for(fake_slack, parts, redis_store, app_token="xoxb-not-an-app-token")
    with pytest.raises(ConfigError, match="xapp-"):
        create_app(services, mounts=[slack_mount])
