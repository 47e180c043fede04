"""A local pack through the web chat API: the reply's source names the pack and its edition."""

from __future__ import annotations

from bot.core.config import OrgConfig
from bot.core.engine import build_parts
from knowledge.packs import knowledge_with
from tests.channels.web.conftest import WebServer
from tests.channels.web.test_web_api import chat, session


async def test_a_local_route_question_gets_the_local_answer_and_its_citation_on_the_web(
        web_server: WebServer) -> None:
    parts = build_parts(OrgConfig(packs=("example-local",)), kb=knowledge_with(["example-local"]))
    base = await web_server(parts=parts)
    async with session() as client:
        await chat(client, base, {"action": "help"})  # gets the session cookie
        status, body = await chat(client, base, {"text": "How do I make a referral in Derby?"})
    assert status == 200
    [answer] = [r for r in body["replies"] if r["kind"] == "answer"]
    assert answer["entry"] == "local-procedures-referrals"
    assert answer["source"]["pack"] == "example-local"
    assert "2019 edition, written on the July 2018 national advice" in answer["source"]["edition"]
