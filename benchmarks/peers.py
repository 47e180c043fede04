"""The framework peers canishare is measured against: what a developer would write with the stock kits.

    python -m benchmarks.peers --port 8123 --slack-api-url http://127.0.0.1:PORT/api/

One aiohttp process serving:

* ``/slack/events``: a minimal slack-bolt ``AsyncApp``: bolt's signature check, ``ack()``, then
  ``conversations.open`` and ``chat.postMessage`` with the next question (Yes / No / Not sure
  buttons), the place in the walk kept in a dict in this process. After five answers it posts a
  "DECISION RECORD" and the walk is over, so the same simulated people (:mod:`benchmarks.load`)
  walk it as they walk canishare.
* ``/api/messages``: a stock botbuilder ``CloudAdapter`` with an ``ActivityHandler`` (anonymous,
  as ``canishare serve --dev``), answering each message or ``Action.Submit`` with an Adaptive Card
  question, state in a dict; CloudAdapter builds its connector clients per turn, as shipped.

No Redis, no privacy guard, no flowchart, no statistics: the floor of each framework doing the
same exchange. The fakes are the repository's (bot/testing, benchmarks/load_fakes.py).
"""

from __future__ import annotations

import argparse
import json
import re
from typing import Any

from aiohttp import web

from bot.testing.slack import SECRET

QUESTIONS = 5
CHOICES = (("yes", "Yes"), ("no", "No"), ("not_sure", "Not sure"))


def slack_blocks(step: int) -> list[dict[str, Any]]:
    if step >= QUESTIONS:
        return [{"type": "section", "text": {"type": "mrkdwn", "text": "*DECISION RECORD*\nOutcome: share"}}]
    ref = f"peer.q{step}.1"
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"Question {step + 1}: is it a fair question?"}},
        {"type": "actions", "block_id": f"q{step}", "elements": [
            {"type": "button", "action_id": f"answer_{a}", "text": {"type": "plain_text", "text": label},
             "value": json.dumps({"r": ref, "a": a})} for a, label in CHOICES]},
    ]


def bolt_app(token: str, signing_secret: str, api_url: str) -> Any:
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    client = AsyncWebClient(token=token, base_url=api_url)
    app = AsyncApp(signing_secret=signing_secret, client=client)
    steps: dict[str, int] = {}

    async def post(user: str, step: int) -> None:
        opened = await client.conversations_open(users=user)
        await client.chat_postMessage(channel=opened["channel"]["id"], text="canishare peer",
                                      blocks=slack_blocks(step))

    @app.command("/canishare")
    async def command(ack: Any, body: dict[str, Any]) -> None:
        await ack()
        user = body["user_id"]
        steps[user] = 0
        await post(user, 0)

    @app.action(re.compile("answer_.*"))
    async def answer(ack: Any, body: dict[str, Any]) -> None:
        await ack()
        user = body["user"]["id"]
        steps[user] = steps.get(user, 0) + 1
        await post(user, steps[user])

    return app


def teams_card(step: int) -> dict[str, Any]:
    if step >= QUESTIONS:
        body = [{"type": "TextBlock", "id": "canishare-record", "text": "DECISION RECORD: share", "wrap": True}]
        return {"type": "AdaptiveCard", "version": "1.4", "body": body}
    ref = f"peer.q{step}.1"
    return {"type": "AdaptiveCard", "version": "1.4",
            "body": [{"type": "TextBlock", "id": "canishare-question", "text": f"Question {step + 1}", "wrap": True}],
            "actions": [{"type": "Action.Submit", "title": label, "data": {"r": ref, "a": a}} for a, label in CHOICES]}


def teams_parts() -> tuple[Any, Any]:
    from botbuilder.core import ActivityHandler, CardFactory, MessageFactory, TurnContext
    from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication

    class Config:
        APP_ID = ""
        APP_PASSWORD = ""
        APP_TYPE = "MultiTenant"
        APP_TENANTID = ""

    steps: dict[str, int] = {}

    class PeerBot(ActivityHandler):
        async def on_message_activity(self, turn_context: TurnContext) -> None:
            conversation = turn_context.activity.conversation.id
            step = steps.get(conversation, 0) + 1 if turn_context.activity.value else 0
            steps[conversation] = step
            card = CardFactory.adaptive_card(teams_card(step))
            await turn_context.send_activity(MessageFactory.attachment(card))

    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(Config()))
    return adapter, PeerBot()


def peer_app(token: str, signing_secret: str, api_url: str) -> web.Application:
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request

    bolt = bolt_app(token, signing_secret, api_url)
    adapter, bot = teams_parts()

    async def slack(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    async def teams(request: web.Request) -> web.Response:
        response = await adapter.process(request, bot)
        return response if response is not None else web.Response(status=201)

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/slack/events", slack)
    app.router.add_post("/api/messages", teams)
    app.router.add_get("/healthz", healthz)
    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--slack-api-url", required=True)
    parser.add_argument("--reuse-port", action="store_true", help="share the port with other peer processes")
    args = parser.parse_args(argv)
    web.run_app(peer_app("xoxb-bench-token", SECRET, args.slack_api_url), host="127.0.0.1", port=args.port,
                access_log=None, print=None, reuse_port=args.reuse_port or None)


if __name__ == "__main__":
    main()
