"""``canishare redact [--json] "text"``: print a message with identifying details replaced.

Reads the text from the argument, or from standard input when no argument is given.  With
``--json`` prints ``{"redacted": ..., "findings": [{"kind", "start", "end"}]}`` (offsets into
the original text).  Also runnable as ``python -m bot.app.cli.redact``.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from bot.core.privacy import get_guard


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="canishare redact",
        description="Replace names, NHS/NI numbers, postcodes, addresses, dates of birth, "
                    "phone numbers and emails with placeholders.",
    )
    parser.add_argument("text", nargs="?", help="text to redact (default: read standard input)")
    parser.add_argument("--json", action="store_true", help="print the redaction and findings as JSON")
    return parser


def run_argv(argv: list[str]) -> int:
    """``canishare redact ...``: the text from the arguments, else from standard input."""
    return run_redact(argv, sys.stdin)


def run_redact(args: list[str] | None, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    """Entry point for the ``redact`` subcommand; returns the process exit code."""
    out = stdout if stdout is not None else sys.stdout
    try:
        ns = _parser().parse_args(args)
    except SystemExit as exc:  # argparse exits on --help or bad usage; report its code instead
        return int(exc.code or 0)
    if ns.text is not None:
        text = ns.text
    else:
        source = stdin if stdin is not None else sys.stdin
        text = source.read()
        if text.endswith("\n"):
            text = text[:-1]  # the terminal's newline is not part of the message
    result = get_guard().redact(text)
    if ns.json:
        payload = {
            "redacted": result.redacted,
            "findings": [{"kind": f.kind, "start": f.start, "end": f.end} for f in result.findings],
        }
        _write(out, json.dumps(payload, ensure_ascii=False) + "\n")
    else:
        _write(out, result.redacted + "\n")
    return 0


def _write(out: TextIO, line: str) -> None:
    try:
        out.write(line)
    except UnicodeEncodeError:  # a terminal that cannot show some character must not crash us
        out.write(line.encode("ascii", "backslashreplace").decode("ascii"))


def main() -> None:
    sys.exit(run_redact(sys.argv[1:], sys.stdin))


if __name__ == "__main__":
    main()
