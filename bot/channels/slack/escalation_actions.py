"""Slack: the lead's buttons and forms on the escalation card, and ``/canishare duty|cover``.

Registered by the Slack channel's listener table (bot/channels/slack/listeners.py) and
subcommand table (bot/channels/slack/commands.py). Every handler acks first (Slack's 3 s);
Acknowledge and Still on it answer the presser privately ("Already acknowledged by Amy at
14:05" for the one who lost the race); Reply, Resolve and Hand over open a form, whose
submission is validated before the form closes (a missing reason is shown on the form).

People are identified as the Slack channel identifies them (``<team>:<user>``), so a
practitioner's reply is matched to the same keyed hash the engine used when they raised it.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from bot.core.escalation.cards import slack_escape, slack_modal

log = logging.getLogger("canishare.escalation")

ACTION = re.compile(r"^esc_(ack|still|reply|resolve|handover|preply|history)$")
VIEW = re.compile(r"^esc_(reply|resolve|handover|preply)$")
CONTEXT_KEY = "canishare"  # bot.channels.slack.app.CONTEXT_KEY
NOT_AVAILABLE = "Escalations are not set up here (no rota, or no Redis)."


def service_of(context: dict[str, Any]) -> Any:
    channel = context.get(CONTEXT_KEY)
    services = getattr(channel, "services", None)
    return getattr(services, "extras", {}).get("escalations") if services is not None else None


def who(body: dict[str, Any]) -> str | None:
    user = body.get("user") or {}
    user_id = user.get("id")
    team = (body.get("team") or {}).get("id") or user.get("team_id")
    if not isinstance(user_id, str) or not user_id:
        return None
    return f"{team}:{user_id}" if team else user_id


async def on_action(ack: Any, body: dict[str, Any], action: dict[str, Any], context: dict[str, Any],
                    client: Any, respond: Any) -> None:
    await ack()
    service = service_of(context)
    person_id = who(body)
    m = ACTION.match(str(action.get("action_id", "")))
    esc_id = str(action.get("value") or "")[:20]
    if m is None or person_id is None:
        return
    if service is None:
        await respond(text=NOT_AVAILABLE, response_type="ephemeral", replace_original=False)
        return
    name = m.group(1)
    if name in ("ack", "still", "history"):
        result = await service.act("slack", person_id, name, esc_id)
        text = slack_escape(result.message) if name == "history" else result.message
        await respond(text=text, response_type="ephemeral", replace_original=False)
        return
    if name != "preply" and service.person_for("slack", person_id) is None:
        await respond(text="Only people on the safeguarding rota can act on escalations.",
                      response_type="ephemeral", replace_original=False)
        return
    me = service.person_for("slack", person_id)
    people = tuple((p.id, f"{p.name} ({p.role_label})") for p in service.rota.people if me is None or p.id != me.id)
    trigger = body.get("trigger_id")
    if trigger:
        await client.views_open(trigger_id=trigger, view=slack_modal(name, esc_id, people))


def _value(values: dict[str, Any], block: str) -> str:
    element = (values.get(block) or {}).get(block) or {}
    if "selected_option" in element:
        return str((element.get("selected_option") or {}).get("value") or "")
    return str(element.get("value") or "")


async def on_view(ack: Any, body: dict[str, Any], view: dict[str, Any], context: dict[str, Any], client: Any) -> None:
    service = service_of(context)
    person_id = who(body)
    m = VIEW.match(str(view.get("callback_id", "")))
    if service is None or person_id is None or m is None:
        await ack()
        return
    name = m.group(1)
    esc_id = str(view.get("private_metadata") or "")[:20]
    values = (view.get("state") or {}).get("values") or {}
    if name == "preply":
        result = await service.practitioner_reply("slack", person_id, esc_id, _value(values, "text"))
        field = "text"
    else:
        result = await service.act("slack", person_id, name, esc_id,
                                   text=_value(values, "reason" if name == "resolve" else "text"),
                                   outcome=_value(values, "outcome"), to=_value(values, "to"))
        field = {"resolve": "reason", "handover": "to"}.get(name, "text")
    if not result.ok:
        await ack(response_action="errors", errors={field: result.message[:150]})
        return
    await ack()
    try:
        await client.chat_postMessage(channel=person_id.rsplit(":", 1)[-1], text=result.message)
    except Exception as exc:  # the action is done; the confirmation is a courtesy
        log.info("escalation confirmation not posted: %s", type(exc).__name__)


# --- /canishare duty | cover (entries in bot/channels/slack/commands.SUBCOMMANDS) ------------------

async def duty_command(channel: Any, cmd: Any, respond: Any) -> None:
    service = channel.services.extras.get("escalations")
    if service is None:
        await respond(text=NOT_AVAILABLE, response_type="ephemeral")
        return
    await respond(text=await service.duty_text(), response_type="ephemeral")


async def cover_command(channel: Any, cmd: Any, respond: Any) -> None:
    service = channel.services.extras.get("escalations")
    if service is None:
        await respond(text=NOT_AVAILABLE, response_type="ephemeral")
        return
    result = await service.cover("slack", cmd.who, cmd.rest)
    await respond(text=result.message, response_type="ephemeral")
