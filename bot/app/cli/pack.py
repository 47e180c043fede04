"""``canishare pack new NAME | check PATH | list``: write, check and list local knowledge packs."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

SCAFFOLD: dict[str, str] = {
    "pack.yaml": """\
# A local knowledge pack (docs/packs.md). Enable it with CANISHARE_PACKS={name} (or the organisation
# file's `packs:` list). Check it with `canishare pack check {path}` before every release.
name: {name}
title: TODO the local policy's title
publisher: TODO the partnership or trust that publishes it
area: TODO the area  # shown as "In <area>: ..."
edition: "{year}"
based_on: dfe-2024          # the national source id the local policy was written on
policy_source: local-policy  # the entry in sources.yaml for the policy itself
review_by: {review_by}
licence: TODO the licence of the local text
signed_off_by: TODO the role that signs off each edition
contact: TODO who to tell about a mistake
""",
    "sources.yaml": """\
# The documents this pack cites. The policy's edition must carry its year (and, if it was written on
# superseded national advice, say so).
items:
  - id: local-policy
    title: TODO Information sharing policy
    publisher: TODO
    edition: "{year} edition"
    year: {year}
    url: https://example.org/TODO
    licence: TODO
    current: true
    review_by: {review_by}
""",
    "answers.yaml": """\
# Local answers: only where local practice adds to the national advice. Same fields as
# knowledge/data/answers/*.yaml; ids must not be national ids. At least five example phrasings each.
items: []
#  - id: local-referral-route
#    category: local
#    title: "TODO area: how to refer"
#    advice: share
#    answer: >-
#      TODO plain English, under 120 words. If a child is in danger now, call 999 first.
#    questions: [TODO five ways people ask it]
#    reviewed: {today}
#    cite: {{source: local-policy, section: "TODO section"}}
""",
    "extensions.yaml": """\
# Local paragraphs appended to a national answer (or `flow:<outcome>`), each with its own citation.
items: []
#  - id: local-note-referral
#    extends: referral-csc-mash
#    text: TODO one or two sentences
#    reviewed: {today}
#    cite: {{source: local-policy, section: "TODO section"}}
""",
    "contacts.yaml": """\
# Local contacts. route: front_door names the local children's social care / MASH number.
# 999 is national and always shown first; a pack cannot restate or replace it.
items: []
#  - {{label: TODO children's social care front door, number: "TODO", when: TODO, route: front_door}}
""",
    "quiz.yaml": """\
# Local quiz items (same fields as knowledge/data/quiz/*.yaml).
items: []
""",
}


def register(sub: argparse._SubParsersAction) -> None:
    pack = sub.add_parser("pack", help="local knowledge packs: new NAME, check PATH, list")
    verbs = pack.add_subparsers(dest="pack_command", metavar="VERB")
    new = verbs.add_parser("new", help="write an empty pack folder to fill in")
    new.add_argument("name", help="the pack's name (lower case, digits and hyphens)")
    new.add_argument("--dir", default=".", help="where to create the folder (default: here)")
    new.set_defaults(handler=cmd_new)
    check = verbs.add_parser("check", help="schema, citations, review dates, conflicts, phrasings")
    check.add_argument("path", help="the pack folder, or the name of a shipped or installed pack")
    check.add_argument("--quick", action="store_true", help="skip the phrasing checks (no matcher)")
    check.set_defaults(handler=cmd_check)
    lst = verbs.add_parser("list", help="packs available here, and which are enabled")
    lst.set_defaults(handler=cmd_list)
    pack.set_defaults(handler=lambda args: (pack.print_help(), 2)[1])


def cmd_new(args: argparse.Namespace) -> int:
    import re

    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{1,62}", args.name):
        print("canishare pack new: NAME is lower case letters, digits and hyphens", file=sys.stderr)
        return 2
    root = Path(args.dir) / args.name
    if root.exists():
        print(f"canishare pack new: {root} already exists", file=sys.stderr)
        return 2
    root.mkdir(parents=True)
    today = dt.date.today()
    values = {"name": args.name, "path": root, "year": today.year, "today": today.isoformat(),
              "review_by": (today + dt.timedelta(days=365)).isoformat()}
    for name, text in SCAFFOLD.items():
        (root / name).write_text(text.format(**values), encoding="utf-8")
    print(f"Wrote {root}. Fill in the TODOs, then run: canishare pack check {root}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from bot.core.packs import check_pack

    findings = check_pack(args.path, retrieval=not args.quick)
    for f in findings:
        print(f)
    errors = sum(f.level == "error" for f in findings)
    print(f"{args.path}: {errors} error{'s' if errors != 1 else ''}, {len(findings) - errors} warning"
          f"{'s' if len(findings) - errors != 1 else ''}" + ("" if errors else ": OK"))
    return 1 if errors else 0


def cmd_list(args: argparse.Namespace) -> int:
    from bot.core.config import load_config
    from bot.core.settings import get_settings
    from knowledge.packs import PackError, available, configured, load_pack

    enabled = configured(load_config(get_settings().config_path).packs)
    today = dt.date.today()
    rows = available()
    if not rows:
        print("No packs found (knowledge/packs/ or installed 'canishare.packs' entry points).")
    for name, path in rows:
        on = f"on ({enabled.index(name) + 1})" if name in enabled else "off"
        try:
            meta = load_pack(path).meta
        except PackError as exc:
            print(f"{name:<20} {on:<7} BROKEN: {str(exc).splitlines()[0]}")
            continue
        due = "REVIEW OVERDUE" if meta.review_by < today else f"review by {meta.review_by}"
        print(f"{name:<20} {on:<7} {meta.area}: {meta.title}, edition {meta.edition}; {due}  [{path}]")
    for name in enabled:
        if name not in {n for n, _ in rows}:
            print(f"{name:<20} on      (enabled by path)")
    return 0
