"""The App Home tab (start, ask, who to contact, what is kept and for how long) and the Ask modal."""

from __future__ import annotations

import hashlib
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck

from bot.channels.slack.app import CONTEXT_KEY, SlackChannel, obj
from bot.channels.slack.blocks import Block, buttons, context, header, section, sections
from bot.channels.slack.buttons import ButtonCodec
from bot.channels.slack.mrkdwn import escape
from bot.core.config import OrgConfig
from dialogs import intents
from dialogs.messages import Choice
from dialogs.turn import MAX_TEXT, Turn

ASK_ACTION = "home.ask"
ASK_CALLBACK = "canishare.ask"
ASK_BLOCK = "question"
ASK_INPUT = "text"


def _span(hours: float) -> str:
    if hours >= 48 and hours % 24 == 0:
        days = int(hours // 24)
        return f"{days} days"
    whole = int(hours) if float(hours).is_integer() else hours
    return f"{whole} hour{'s' if whole != 1 else ''}"


def keeps(config: OrgConfig) -> str:
    r = config.retention
    records = int(r.records_days) if float(r.records_days).is_integer() else r.records_days
    return "\n".join([
        f"• *Your place in the flowchart*: kept for {_span(r.conversation_hours)} after your last message, "
        "then deleted.",
        f"• *Decision records*: only when you ask me to keep one, for {records} days.",
        f"• *Slack event ids*: {_span(r.event_ids_minutes / 60)}, only to ignore Slack's repeated deliveries.",
        "• *Never*: names or details that identify a child or family. I remove them before anything is "
        "stored or sent on. Your Slack user id is stored only as a keyed hash.",
        "• Messages in our direct message stay in Slack under your workspace's own retention settings.",
        "• To have everything I hold about you deleted now, ask your canishare administrator.",
    ])


def home_view(config: OrgConfig, codec: ButtonCodec) -> dict[str, Any]:
    contacts = "\n".join(f"• *{escape(c.label)}*: {escape(c.number)}" + (f" ({escape(c.when)})" if c.when else "")
                         for c in config.urgent_contacts)
    start = buttons([Choice(intents.START, "Start the flowchart"), Choice(intents.HELP, "Help")], "", codec)
    ask: Block = {"type": "button", "action_id": ASK_ACTION, "style": "primary",
                  "text": {"type": "plain_text", "text": "Ask a question"}}
    start[0]["elements"].insert(1, ask)
    blocks: list[Block] = [
        header("Can I share this?"),
        *sections("I help you decide whether you can share information to keep a child safe, using the "
                  "government's information sharing advice: the flowchart of key questions, the golden rules "
                  "with their sources, and a decision record for your case notes."),
        *sections("Please don't type names or details that could identify a child or family: I don't need them."),
        *start,
        context("Or type `/canishare`, `/canishare ask <question>`, or write to me in the Messages tab."),
        {"type": "divider"},
        header("Who to contact"),
        section(":rotating_light: *If a child is in immediate danger, call 999 now.*\n" + contacts),
        {"type": "divider"},
        header("What I keep, and for how long"),
        section(keeps(config)),
        context(f"canishare for {escape(config.name)}"),
    ]
    return {"type": "home", "blocks": blocks}


def ask_modal() -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": ASK_CALLBACK,
        "title": {"type": "plain_text", "text": "Ask a question"},
        "submit": {"type": "plain_text", "text": "Ask"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            section("I'll answer in our direct message. Please don't include names or details that could "
                    "identify a child or family."),
            {"type": "input", "block_id": ASK_BLOCK,
             "label": {"type": "plain_text", "text": "Your question"},
             "element": {"type": "plain_text_input", "action_id": ASK_INPUT, "multiline": True,
                         "max_length": MAX_TEXT,
                         "placeholder": {"type": "plain_text", "text": "Do I need consent to tell the police?"}}},
        ],
    }


async def home_opened(event: dict[str, Any], context: dict[str, Any]) -> None:
    channel: SlackChannel = context[CONTEXT_KEY]
    if event.get("tab") != "home" or not isinstance(event.get("user"), str) or not event["user"]:
        return
    await channel.call("views.publish", user_id=event["user"], view=home_view(channel.services.config, channel.codec))


async def open_ask(ack: AsyncAck, body: dict[str, Any], context: dict[str, Any]) -> None:
    await ack()
    channel: SlackChannel = context[CONTEXT_KEY]
    if isinstance(body.get("trigger_id"), str) and body["trigger_id"]:
        await channel.call("views.open", trigger_id=body["trigger_id"], view=ask_modal())


async def ask_submitted(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: dict[str, Any]) -> None:
    channel: SlackChannel = context[CONTEXT_KEY]
    values = obj(obj(obj(view.get("state")).get("values")).get(ASK_BLOCK))
    question = str(obj(values.get(ASK_INPUT)).get("value") or "").strip()
    if not question:
        await ack(response_action="errors", errors={ASK_BLOCK: "Please type a question."})
        return
    await ack()
    user = obj(body.get("user"))
    user_id, team = user.get("id"), user.get("team_id") or obj(body.get("team")).get("id")
    if not (isinstance(user_id, str) and user_id and isinstance(team, str) and team):
        return
    event_id = "view:" + hashlib.sha256(str(view.get("id") or "").encode()).hexdigest()[:32] if view.get("id") else None
    replies = await channel.handle(Turn(channel="slack", user_id=f"{team}:{user_id}", text=f"ask {question}",
                                        scope="dm", event_id=event_id))
    dm = await channel.open_dm(user_id) if replies else None
    if dm:
        await channel.post(dm, replies)
