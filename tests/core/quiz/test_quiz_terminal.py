"""``canishare quiz`` in a terminal: a whole quiz played through the real entry point."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

from bot.app.cli.quiz import run_quiz
from bot.core.config import OrgConfig
from bot.storage.memory import MemoryStore


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}  # memory store: nothing kept
    return subprocess.run([sys.executable, "-m", "bot.app.cli", *args], input=stdin, capture_output=True, text=True,
                          timeout=120, env=env)


def test_quiz_played_by_numbers_shows_feedback_source_and_score() -> None:
    proc = run("quiz", "--questions", "3", stdin="1\n1\n1\n")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.count("Question ") == 3
    assert out.count("THE ANSWER IS") == 3  # feedback after every answer
    assert out.count("Source: ") == 3
    assert "Quiz finished: you scored" in out and "out of 3" in out


def test_quiz_json_lines_and_typed_letters() -> None:
    # Each question takes the first of these that fits it (T/F or a letter); the rest are asked again.
    proc = run("quiz", "--json", "--questions", "2", stdin="hello\nt\nb\nf\na\n")
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    answers = [o for o in lines if o["kind"] == "answer"]
    assert len(answers) == 2 and all(a["source"]["current"] for a in answers)
    assert any(o["kind"] == "text" and o["text"].startswith("Quiz finished") for o in lines)
    assert "Please type the number of your answer" in proc.stdout  # "hello" was not sent anywhere


def test_bad_question_count_is_refused_kindly() -> None:
    proc = run("quiz", "--questions", "0")
    assert proc.returncode == 2 and "between 1 and 50" in proc.stderr and "Traceback" not in proc.stderr


async def test_quit_part_way_through() -> None:
    out = io.StringIO()
    code = await run_quiz(OrgConfig(), as_json=False, stdin=io.StringIO("1\nquit\n"), stdout=out, user="t",
                          store=MemoryStore())
    assert code == 0
    assert out.getvalue().count("THE ANSWER IS") == 1 and "Quiz finished" not in out.getvalue()
