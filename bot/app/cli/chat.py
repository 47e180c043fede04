"""``canishare chat`` and ``canishare ask``: the engine over stdin/stdout with the memory store."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import sys
import textwrap
from typing import TextIO

from bot.app.cli.main import _org_config
from bot.app.escalation_wiring import terminal_escalator
from bot.channels.terminal.render import layers_of, pick_choice, pick_layer, render, to_json_line
from bot.core.config import OrgConfig
from bot.core.engine import build_engine
from bot.core.escalation.causes import NO_REDIS, NO_ROTA
from bot.core.escalation.practitioner_view import goodbye, open_request, waiting_lines
from bot.core.settings import get_settings
from bot.storage.memory import MemoryStore
from bot.storage.redis_store import RedisStore
from dialogs import intents
from dialogs.messages import Answer, Choice, Notice, Question, Reply, Text
from dialogs.turn import Turn

QUIT = {"quit", "exit", "q", ":q", "bye"}
USER = "terminal-user"


def _emit(replies: list[Reply], as_json: bool, out: TextIO) -> None:
    for reply in replies:
        if as_json:
            out.write(to_json_line(reply) + "\n")
        else:
            text = render(reply)
            if text:
                out.write(text + "\n\n")
    out.flush()


def _last_choices(replies: list[Reply]) -> tuple[tuple[Choice, ...], str | None]:
    for reply in reversed(replies):
        if reply.choices:
            return reply.choices, reply.ref if isinstance(reply, Question) else None
    return (), None


async def run_chat(config: OrgConfig, edition: str | None, as_json: bool, stdin: TextIO, stdout: TextIO) -> int:
    engine = build_engine(config, MemoryStore(), get_settings().hash_key)

    engine.escalator, close_escalations = terminal_escalator(get_settings(), config)
    counter = None
    if get_settings().redis_url:
        # Nothing of the chat is kept, but the walk is counted in the leads' report (counts only, no ids).

        counter = RedisStore.from_url(get_settings().redis_url or "", get_settings().key_prefix)
        engine.stats_store = counter
    if engine.escalator is None:  # say why: a missing rota and a missing Redis need different fixes

        engine.unavailable = NO_ROTA if config.rota is None else NO_REDIS
    if not as_json:
        stdout.write(f"canishare — can I share this? ({config.name})\n"
                     "Type a number or an answer, ask a question, 'help' for help, 'quit' to leave.\n"
                     "Please don't type names or details that identify a child or family.\n\n")
    first = Turn(channel="terminal", user_id=USER, action=f"edition:{edition}" if edition else intents.START)
    who = engine.user_hash(first)
    await _show_escalation_news(engine.escalator, who, as_json, stdout, welcome=True)
    replies = await engine.handle(first)
    _emit(replies, as_json, stdout)
    choices, ref = _last_choices(replies)
    layers, layers_ref = layers_of(replies)
    while True:
        if not as_json:
            stdout.write("> ")
            stdout.flush()
        line = stdin.readline()
        if not line:
            break
        line = line.rstrip("\n")
        if line.strip().lower() in QUIT:
            break
        layer = pick_layer(line, layers)
        choice = layer.action if layer else pick_choice(line, choices)
        # A layer word asks for the last outcome's or answer's law, checklist or record, tied to that reply.
        turn_ref = (layers_ref if layer else ref) if choice else None
        turn = Turn(channel="terminal", user_id=USER, action=choice, ref=turn_ref, text=None if choice else line)
        replies = await engine.handle(turn)
        _emit(replies, as_json, stdout)
        await _show_escalation_news(engine.escalator, who, as_json, stdout)
        new_choices, new_ref = _last_choices(replies)
        if new_choices:
            choices, ref = new_choices, new_ref
        new_layers, new_layers_ref = layers_of(replies)
        if new_layers:
            layers, layers_ref = new_layers, new_layers_ref
    if not as_json:
        stdout.write(await goodbye(engine.escalator, who) + "\n")
    await close_escalations()
    if counter is not None:
        await counter.close()
    return 0


async def _show_escalation_news(service: object, who: str, as_json: bool, out: TextIO, welcome: bool = False) -> None:
    """Picked up by …, the lead's messages, resolved: the worker leaves them for us (no push here)."""
    if service is None:
        return

    lines = await waiting_lines(service, who)
    if welcome and not lines:
        current = await open_request(service, who)
        if current:
            lines = [f"Your request {current[0]} is still open. {current[1]}"]
    if lines:
        _emit([Notice(text="About your request to the safeguarding team:\n" + "\n\n".join(lines))], as_json, out)


async def run_ask(config: OrgConfig, question: str, as_json: bool, stdout: TextIO) -> int:
    engine = build_engine(config, MemoryStore(), get_settings().hash_key)
    text = question.strip()
    if not text:
        stdout.write("Please give a question, e.g. canishare ask \"do I need consent to tell the police?\"\n")
        return 2
    replies = await engine.handle(Turn(channel="terminal", user_id=USER, text=f"ask {text}", once=True))
    if as_json:
        _emit(replies, True, stdout)
    else:
        _emit_once(replies, stdout)
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    return asyncio.run(run_chat(_org_config(), edition=args.edition, as_json=args.json,
                                stdin=sys.stdin, stdout=sys.stdout))


def cmd_ask(args: argparse.Namespace) -> int:
    question = " ".join(args.question) if args.question else sys.stdin.read()
    return asyncio.run(run_ask(_org_config(), question, as_json=args.json, stdout=sys.stdout))


def _emit_once(replies: list[Reply], out: TextIO) -> None:
    """``canishare ask`` exits after one reply, so nothing can be typed next: an answer's legal basis is
    shown under it (not "type law"; ``--json`` carries the quoted rules too), and the numbered choices
    become a pointer to ``canishare chat``."""
    offered: list[str] = []
    for reply in replies:
        offered += [c.label for c in reply.choices if c.label not in offered]
        shown = dataclasses.replace(reply, options=()) if reply.choices else reply
        law = ""
        if isinstance(reply, Answer):
            shown = dataclasses.replace(shown, law=None, quotes=())
            law = render(Text(text=f"Legal basis: {reply.law}")) if reply.law else ""
        text = "\n\n".join(part for part in (render(shown), law) if part)
        if text:
            out.write(text + "\n\n")
    if offered:
        out.write(textwrap.fill(f"To follow up, run canishare chat: {' · '.join(offered)}.", 80) + "\n")
    out.flush()
