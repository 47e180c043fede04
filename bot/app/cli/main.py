"""The ``canishare`` command: the grammar of every subcommand, and dispatch to the module that runs it."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from bot import __version__
from bot.core.config import ConfigError, OrgConfig, load_config
from bot.core.settings import get_settings
from knowledge.loader import KnowledgeError

# The grammar of every subcommand is here, so ``canishare --help`` imports nothing heavy; each
# subcommand's behaviour is one module in this package, imported (with all it needs, at its top)
# only when that subcommand runs: the handler names it as "module:function".
PASS_THROUGH = {"redact": "redact:run_argv", "forget": "forget:run_forget"}  # they parse their own options


def _org_config() -> OrgConfig:
    return load_config(get_settings().config_path)


def handler_of(spec: str) -> Callable[..., int]:
    module, _, function = spec.partition(":")
    return getattr(importlib.import_module(f"bot.app.cli.{module}"), function)  # type: ignore[no-any-return]


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
    chat.set_defaults(handler="chat:cmd_chat")

    ask = sub.add_parser("ask", help="answer one question from the knowledge base and exit")
    ask.add_argument("question", nargs="*", help="the question (read from stdin if omitted)")
    ask.add_argument("--json", action="store_true", help="print JSON lines")
    ask.set_defaults(handler="chat:cmd_ask")

    flow = sub.add_parser("flowchart", help="print the flowchart (as Mermaid with --mermaid)")
    flow.add_argument("--edition", choices=("current", "2008"), default="current")
    flow.add_argument("--mermaid", action="store_true", help="print a Mermaid diagram drawn from the state machine")
    flow.set_defaults(handler="flowchart:cmd_flowchart")

    # Listed for --help; main() hands their arguments straight to their own parsers.
    sub.add_parser("redact", help="print text with identifying details replaced (--json; reads stdin)")
    sub.add_parser("forget", help="delete everything held about a user (--user <platform id>)")

    serve = sub.add_parser("serve", help="run the HTTP server for Slack, Teams and the web page")
    serve.add_argument("--host", default=None, help="address to bind (default $CANISHARE_HOST, else 0.0.0.0)")
    serve.add_argument("--port", type=int, default=None, help="port to bind (default $PORT, else 3978)")
    serve.add_argument("--socket-mode", action="store_true",
                       help="reach Slack by Socket Mode (needs SLACK_APP_TOKEN) instead of serving /slack/events")
    serve.add_argument("--dev", action="store_true",
                       help="local development: allow the Bot Framework Emulator without Microsoft credentials")
    serve.add_argument("--no-teams", action="store_true", help="don't serve the Teams endpoint")
    serve.add_argument("--workers", type=int, default=None, metavar="N",
                       help="server processes sharing the port (default $CANISHARE_WORKERS, else 1); "
                            "more than one needs REDIS_URL")
    serve.set_defaults(handler="serve:cmd_serve")

    worker = sub.add_parser("worker", help="run the background jobs (escalations, scheduled quizzes)")
    worker.add_argument("--dev", action="store_true", help="allow Teams delivery without Microsoft credentials")
    worker.set_defaults(handler="worker:cmd_worker")

    quiz = sub.add_parser("quiz", help="take a quiz on the guidance, or --export the quiz bank for review")
    quiz.add_argument("--questions", type=int, default=None, metavar="N",
                      help="questions in the quiz (default: the organisation's quiz.questions, normally 5)")
    quiz.add_argument("--export", action="store_true",
                      help="print every item: statement or question, options, answer, explanation, source")
    quiz.add_argument("--json", action="store_true", help="JSON output (with --export: one JSON array)")
    quiz.set_defaults(handler="quiz:cmd_quiz")

    report = sub.add_parser("report", help="counts for the safeguarding leads: questions, outcomes, escalations, quiz")
    report.add_argument("--since", default="7d", help="period ending today, in days or weeks: 7d (default), 30d, 4w")
    report.add_argument("--png", metavar="FILE", default=None, help="also draw the report as a chart in FILE")
    report.add_argument("--json", action="store_true", help="print the figures as JSON instead of text")
    report.set_defaults(handler="report:cmd_report")

    duty = sub.add_parser("duty", help="who is on safeguarding duty now and next")
    duty.add_argument("--at", default=None, help="another moment, e.g. 2026-03-29T09:00 (rota time zone)")
    duty.add_argument("--gaps", action="store_true", help="also list gaps in the lead rota over the next 14 days")
    duty.add_argument("action", nargs="?", choices=("export",),
                      help="export: write the rota as an iCal feed (with --ics)")
    duty.add_argument("--ics", action="store_true", help="with export: iCalendar (.ics) output")
    duty.add_argument("--days", type=int, default=28, help="with export: how many days ahead (default 28, at most 366)")
    duty.add_argument("--out", default="-", help="with export: file to write (default: standard output)")
    duty.set_defaults(handler="duty:cmd_duty")

    esc = sub.add_parser("escalation", help="what happened to an escalation (show REF, list --open)")
    inner = esc.add_subparsers(dest="escalation_command", metavar="ACTION")
    show = inner.add_parser("show", help="the whole chronology of one escalation, in local time")
    show.add_argument("ref", help="the reference, e.g. ESC-7K2Q9D4M")
    show.add_argument("--json", action="store_true", help="as JSON")
    show.set_defaults(handler="escalation:cmd_escalation")
    lst = inner.add_parser("list", help="escalations still in Redis (open and resolved within retention)")
    lst.add_argument("--open", action="store_true", help="only those not yet resolved")
    lst.add_argument("--json", action="store_true", help="as JSON")
    lst.set_defaults(handler="escalation:cmd_escalation")
    esc.set_defaults(handler="escalation:cmd_escalation_help")

    teams = sub.add_parser("teams-package", help="build the Microsoft Teams app package (zip) to sideload")
    teams.add_argument("--out", default="canishare-teams.zip", help="where to write the zip (default: %(default)s)")
    teams.add_argument("--app-id", default=None, help="the bot's app id (default: MicrosoftAppId)")
    teams.add_argument("--name", default=None, help="the bot's name in Teams, at most 30 characters "
                                                    "(default: CANISHARE_BOT_NAME or canishare)")
    teams.add_argument("--domain", action="append", default=None,
                       help="a domain serving canishare, e.g. canishare.example.org (repeatable; "
                            "default: CANISHARE_TEAMS_DOMAINS)")
    teams.add_argument("--developer", default=None,
                       help="the publisher's name shown in Teams (default: the organisation's name from config)")
    teams.add_argument("--package-version", default=__version__, help="the app package version (default: %(default)s)")
    teams.add_argument("--template-dir", default=None, help=argparse.SUPPRESS)
    teams.set_defaults(handler="teams:cmd_teams_package")

    doctor = sub.add_parser("doctor", help="check settings, organisation file, Redis, worker, Slack, Teams and rota")
    doctor.add_argument("--json", action="store_true", help="one JSON document (ok, checks[]) for monitoring")
    doctor.add_argument("--socket-mode", action="store_true", help="check Slack for Socket Mode (SLACK_APP_TOKEN)")
    doctor.set_defaults(handler="doctor:cmd_doctor")

    pack = sub.add_parser("pack", help="local knowledge packs: new NAME, check PATH, list")
    verbs = pack.add_subparsers(dest="pack_command", metavar="VERB")
    new = verbs.add_parser("new", help="write an empty pack folder to fill in")
    new.add_argument("name", help="the pack's name (lower case, digits and hyphens)")
    new.add_argument("--dir", default=".", help="where to create the folder (default: here)")
    new.set_defaults(handler="pack:cmd_new")
    check = verbs.add_parser("check", help="schema, citations, review dates, conflicts, phrasings")
    check.add_argument("path", help="the pack folder, or the name of a shipped or installed pack")
    check.add_argument("--quick", action="store_true", help="skip the phrasing checks (no matcher)")
    check.set_defaults(handler="pack:cmd_check")
    lst = verbs.add_parser("list", help="packs available here, and which are enabled")
    lst.set_defaults(handler="pack:cmd_list")
    pack.set_defaults(handler="pack:cmd_help")

    manifest = sub.add_parser("slack-manifest", help="print the Slack app manifest (to create the app from)")
    manifest.add_argument("--host", default=None, help="the public host serving canishare (replaces YOUR-HOST)")
    manifest.add_argument("--socket-mode", action="store_true", help="the manifest for Socket Mode (no public URL)")
    manifest.set_defaults(handler="slack_manifest:cmd_slack_manifest")
    return parser


def main(argv: Sequence[str] | None = None, stderr: TextIO | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in PASS_THROUGH:
        return handler_of(PASS_THROUGH[argv[0]])(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 0
    try:
        return handler_of(args.handler)(args)
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
