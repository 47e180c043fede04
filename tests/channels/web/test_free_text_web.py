"""Free text typed mid-walk on the web page: answered, and the walk keeps its place (over real HTTP)."""

from __future__ import annotations

import json

import aiohttp

from tests.channels.web.conftest import WebServer


async def test_web_page_question_mid_walk_keeps_its_place(web_server: WebServer) -> None:
    base = await web_server()
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as client:
        async with client.get(base + "/"):
            pass

        async def chat(body: dict) -> list[dict]:
            async with client.post(base + "/api/chat", data=json.dumps(body).encode(),
                                   headers={"Content-Type": "application/json"}) as resp:
                assert resp.status == 200
                return (await resp.json())["replies"]

        first = (await chat({"action": "start"}))[-1]
        second = (await chat({"action": "no", "ref": first["ref"]}))[-1]
        replies = await chat({"text": "what if the parents say no?"})
        assert "answer" in [r["kind"] for r in replies]
        assert replies[-1]["kind"] == "question" and replies[-1]["ref"] == second["ref"]
        replies = await chat({"text": "yse"})
        assert replies[0]["kind"] == "progress"
