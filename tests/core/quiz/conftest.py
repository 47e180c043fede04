"""Quiz fixtures: the Slack harness over a fake Web API that also takes ``chat.postEphemeral``, the
Teams harness and its fake connector (both from their own test packages), and real Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest_asyncio
from aiohttp import web

from bot.testing.blockkit import message_errors
from bot.testing.fake_slack import Call, FakeSlack
from tests.channels.slack.conftest import slack  # noqa: F401 - fixture, used with this package's fake_slack
from tests.channels.teams.conftest import connector, teams  # noqa: F401 - fixtures


@dataclass
class Ephemeral:
    channel: str
    user: str
    text: str
    blocks: list[dict[str, Any]]


class QuizFakeSlack(FakeSlack):
    """The fake Web API plus ``chat.postEphemeral``: a message only ``user`` sees, kept apart."""

    def __init__(self) -> None:
        super().__init__()
        self.ephemerals: list[Ephemeral] = []

    async def m_chat_postEphemeral(self, call: Call) -> web.Response:
        errors = message_errors(call.args.get("text"), call.args.get("blocks"))
        if errors or not call.args.get("channel") or not call.args.get("user"):
            return self._error(call, "invalid_arguments", errors=errors)
        self.ephemerals.append(Ephemeral(call.args["channel"], call.args["user"], call.args.get("text", ""),
                                         call.args.get("blocks") or []))
        return web.json_response({"ok": True, "message_ts": f"1700000999.{len(self.ephemerals):06d}"})

    def ephemerals_for(self, user: str) -> list[Ephemeral]:
        return [e for e in self.ephemerals if e.user == user]


@pytest_asyncio.fixture
async def fake_slack() -> AsyncIterator[QuizFakeSlack]:
    fake = QuizFakeSlack()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.close()
