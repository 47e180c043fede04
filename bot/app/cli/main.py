"""The ``canishare`` command. Each subcommand is registered here and implemented elsewhere."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from bot import __version__
from bot.core.config import ConfigError, OrgConfig, load_config
from bot.core.settings import get_settings
from knowledge.loader import KnowledgeError

Handler = Callable[[argparse.Namespace], int]


def _org_config() -> OrgConfig:
    return load_config(get_settings().config_path)


def cmd_chat(args: argparse.Namespace) -> int:
    from bot.app.cli.chat import run_chat

    return asyncio.run(run_chat(_org_config(), edition=args.edition, as_json=args.json,
                                stdin=sys.stdin, stdout=sys.stdout))


def cmd_ask(args: argparse.Namespace) -> int:
    from bot.app.cli.chat import run_ask

    question = " ".join(args.question) if args.question else sys.stdin.read()
    return asyncio.run(run_ask(_org_config(), question, as_json=args.json, stdout=sys.stdout))


def cmd_flowchart(args: argparse.Namespace) -> int:
    from dialogs.flowchart import FlowchartDialog, mermaid
    from knowledge.loader import default_knowledge

    kb = default_knowledge()
    dialog = FlowchartDialog(kb, kb.flowchart(args.edition))
    if args.mermaid:
        print("```mermaid\n" + mermaid(dialog).strip() + "\n```")
    else:
        for node in dialog.chart.nodes:
            print(f"{node.id}: {node.question}\n    yes -> {node.yes}\n    no  -> {node.no}")
        for outcome in dialog.chart.outcomes:
            print(f"{outcome.id} [{outcome.kind}]: {outcome.title}")
    return 0


def cmd_redact(argv: list[str]) -> int:
    from bot.app.cli.redact import run_redact

    return run_redact(argv, sys.stdin)


def cmd_forget(argv: list[str]) -> int:
    from bot.app.cli.forget import run_forget

    return run_forget(argv)


# Subcommands with parsers of their own: everything after the name is theirs, options included.
PASS_THROUGH: dict[str, Callable[[list[str]], int]] = {"redact": cmd_redact, "forget": cmd_forget}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="canishare",
        description="Can I share this? Information-sharing advice for people who work with children and families.",
    )
    parser.add_argument("--version", action="version", version=f"canishare {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    chat = sub.add_parser("chat", help="walk the flowchart and ask questions in this terminal")
    chat.add_argument("--edition", choices=("current", "2008"), default=None,
                      help="guidance edition (default: the organisation's, normally current)")
    chat.add_argument("--json", action="store_true", help="one JSON object per reply per line (for scripts)")
    chat.set_defaults(handler=cmd_chat)

    ask = sub.add_parser("ask", help="answer one question from the knowledge base and exit")
    ask.add_argument("question", nargs="*", help="the question (read from stdin if omitted)")
    ask.add_argument("--json", action="store_true", help="print JSON lines")
    ask.set_defaults(handler=cmd_ask)

    flow = sub.add_parser("flowchart", help="print the flowchart (as Mermaid with --mermaid)")
    flow.add_argument("--edition", choices=("current", "2008"), default="current")
    flow.add_argument("--mermaid", action="store_true", help="print a Mermaid diagram drawn from the state machine")
    flow.set_defaults(handler=cmd_flowchart)

    # Listed for --help; main() hands their arguments straight to their own parsers.
    sub.add_parser("redact", help="print text with identifying details replaced (--json; reads stdin)")
    sub.add_parser("forget", help="delete everything held about a user (--user <platform id>)")

    for register in _extra_commands():
        register(sub)
    return parser


# Other modules (server, worker, quiz, report…) add their subcommands with a ``register(sub)``.
def _extra_commands() -> list[Callable[[argparse._SubParsersAction], None]]:
    import importlib

    # Each of these imports only argparse at module level, so --help stays fast.
    modules = ("serve", "worker", "quiz", "report", "duty", "teams", "doctor", "escalation", "pack")
    return [importlib.import_module(f"bot.app.cli.{module}").register for module in modules]


def main(argv: Sequence[str] | None = None, stderr: TextIO | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in PASS_THROUGH:
        return PASS_THROUGH[argv[0]](argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 0
    try:
        return args.handler(args)
    except (ConfigError, KnowledgeError) as exc:
        print(f"canishare: {exc}", file=stderr or sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Output piped into `head` and the like: stop quietly.
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
