"""``canishare quiz``: a personal quiz in the terminal, or ``--export`` the whole bank for review.

With ``REDIS_URL`` set, progress is kept in Redis (so questions you got wrong come back sooner next
time); without it, in memory for this run only.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from bot.core.config import OrgConfig
from bot.core.store import Store
from dialogs.messages import Choice


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    quiz = sub.add_parser("quiz", help="take a quiz on the guidance, or --export the quiz bank for review")
    quiz.add_argument("--questions", type=int, default=None, metavar="N",
                      help="questions in the quiz (default: the organisation's quiz.questions, normally 5)")
    quiz.add_argument("--export", action="store_true",
                      help="print every item: statement or question, options, answer, explanation, source")
    quiz.add_argument("--json", action="store_true", help="JSON output (with --export: one JSON array)")
    quiz.set_defaults(handler=cmd_quiz)


def cmd_quiz(args: argparse.Namespace) -> int:
    from bot.app.cli.main import _org_config
    from knowledge.loader import default_knowledge

    if args.export:
        items = export_items(default_knowledge())
        sys.stdout.write(json.dumps(items, ensure_ascii=False, indent=2) + "\n" if args.json else export_text(items))
        return 0
    if args.questions is not None and not 1 <= args.questions <= 50:
        print("canishare: --questions must be between 1 and 50", file=sys.stderr)
        return 2
    config = _org_config()
    if args.questions is not None:
        config = config.model_copy(update={"quiz": config.quiz.model_copy(update={"questions": args.questions})})
    return asyncio.run(run_quiz(config, as_json=args.json, stdin=sys.stdin, stdout=sys.stdout))


# --- export -------------------------------------------------------------------------------------------
def export_items(kb: Any) -> list[dict[str, Any]]:
    """Every quiz item as a trainer would review it, seed items first (by course quiz), then the rest."""
    from dialogs.quiz import right_label
    from dialogs.sources import source_ref, title_of

    def order(item: Any) -> tuple[int, int, str]:
        return (0 if item.seed_module is not None else 1, item.seed_module or 0, item.topic)

    out = []
    for item in sorted(kb.quiz.values(), key=order):
        rests_on = []
        for cid in item.cites_rules:
            try:
                rests_on.append(title_of(kb.citable(cid)))
            except KeyError:
                rests_on.append(cid)
        out.append({
            "id": item.id,
            "kind": item.kind,
            "topic": item.topic,
            "seed_quiz": item.seed_module,
            "prompt": item.prompt.strip(),
            # Each person sees the options in an order of their own, so the key gives the answer by its text.
            "options": [f"- {o}" for o in item.options],
            "answer": right_label(item, None),
            "explanation": item.explanation.strip(),
            "source": source_ref(kb, item.cite).cite(),
            "url": kb.sources[item.cite.source].url,
            "rests_on": rests_on,
            "reviewed": item.reviewed.isoformat(),
        })
    return out


def export_text(items: list[dict[str, Any]]) -> str:
    lines = [f"canishare quiz bank: {len(items)} items "
             f"({sum(1 for i in items if i['seed_quiz'] is not None)} from the 2008 course's quizzes)",
             "Multiple-choice options are shown to each person in an order of their own (the same each time for "
             "that person), so answers are given by their text, not a letter.", ""]
    for n, item in enumerate(items, start=1):
        origin = f"course quiz {item['seed_quiz']}" if item["seed_quiz"] is not None else "current guidance"
        kind = "true or false" if item["kind"] == "true_false" else "multiple choice"
        lines.append(f"{n}. [{item['id']}] {kind} · {item['topic']} · {origin}")
        lines.append(f"   {item['prompt']}")
        lines.extend(f"     {option}" for option in item["options"])
        lines.append(f"   Answer: {item['answer']}")
        lines.append(f"   Explanation: {item['explanation']}")
        if item["rests_on"]:
            lines.append(f"   Rests on: {'; '.join(item['rests_on'])}")
        lines.append(f"   Source: {item['source']}")
        lines.append("")
    return "\n".join(lines)


# --- the interactive quiz ---------------------------------------------------------------------------
def pick_typed(line: str, choices: Sequence[Choice]) -> str | None:
    """The shown choice a typed "t", "f", "b" or "stop" stands for, else None."""
    from dialogs.quiz import STOP

    text = line.strip().lower()
    for choice in choices:
        label = choice.label.lower()
        if (text in ("t", "f") and label == {"t": "true", "f": "false"}[text]) or (
                len(text) == 1 and label.startswith(f"{text}. ")) or (text in ("stop", "s") and choice.id == STOP):
            return choice.id
    return None


async def run_quiz(config: OrgConfig, as_json: bool, stdin: TextIO, stdout: TextIO,
                   user: str | None = None, store: Store | None = None) -> int:
    from bot.app.cli.chat import QUIT, _emit, _last_choices
    from bot.app.stores import build_store
    from bot.channels.terminal.render import pick_choice
    from bot.core.engine import build_engine
    from bot.core.settings import get_settings
    from dialogs.messages import Question
    from dialogs.quiz import START
    from dialogs.turn import Turn

    settings = get_settings()
    store = store or build_store(settings)
    engine = build_engine(config, store, settings.hash_key)
    user = user or f"terminal:{getpass.getuser()}"
    try:
        if not as_json:
            stdout.write("canishare quiz — type the number of your answer (or T/F, A/B/C/D); 'quit' to leave.\n\n")
        replies = await engine.handle(Turn(channel="terminal", user_id=user, scope="quiz", action=START))
        _emit(replies, as_json, stdout)
        choices, ref = _last_choices(replies)
        while any(isinstance(r, Question) for r in replies):
            if not as_json:
                stdout.write("> ")
                stdout.flush()
            line = stdin.readline()
            if not line or line.strip().lower() in QUIT:
                break
            choice = pick_choice(line.strip(), choices) or pick_typed(line, choices)
            if choice is None:
                # Anything else would leave the quiz for the question-answering path: ask again instead.
                stdout.write("Please type the number of your answer (or T/F, A/B/C/D), or 'quit'.\n\n")
                continue
            turn = Turn(channel="terminal", user_id=user, scope="quiz", action=choice, ref=ref)
            replies = await engine.handle(turn)
            _emit(replies, as_json, stdout)
            new_choices, new_ref = _last_choices(replies)
            if new_choices:
                choices, ref = new_choices, new_ref
    finally:
        await store.close()
    return 0
