"""The terminal channel through the real console entry point."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from knowledge.loader import default_knowledge


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot.app.cli", *args], input=stdin, capture_output=True, text=True,
                          timeout=120)


def test_chat_json_walks_to_an_outcome_and_record() -> None:
    # No to the triage, then yes, yes, yes, no, no, yes: share without consent.
    proc = run("chat", "--json", stdin="no\nyes\nyes\nyes\nno\nno\nyes\n")
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    for obj in lines:
        assert {"kind", "text", "choices"} <= set(obj)
        assert all({"id", "label"} == set(c) for c in obj["choices"])
    outcomes = [o for o in lines if o["kind"] == "outcome"]
    assert [o["outcome"] for o in outcomes] == ["share"]
    # Layered replies: the JSON keeps everything the default text leaves out, so scripts lose nothing.
    outcome = outcomes[0]
    record = outcome["record"]
    assert record["kind"] == "record"
    assert record["text"].count("— Yes") == 4 and record["text"].count("— No") == 3
    assert outcome["law"] and outcome["basis"] == outcome["law"]
    assert outcome["quotes"] and all(q["kind"] == "quote" and q["source"] for q in outcome["quotes"])
    assert outcome["checklist"] and outcome["ref"]
    layers = {layer["id"]: layer for layer in outcome["layers"]}
    assert set(layers) == {"law", "checklist", "record"}
    assert layers["record"]["text"] == record["text"]
    assert outcome["law"] in layers["law"]["text"]


def test_chat_law_and_record_are_one_word_away() -> None:
    proc = run("chat", stdin="no\nyes\nyes\nyes\nno\nno\nyes\nlaw\nrecord\n")
    assert proc.returncode == 0, proc.stderr
    default, _, more = proc.stdout.partition("More: type law")
    assert "YOU CAN SHARE" in default and "Legal basis:" not in default.split("=" * 80)[-1]
    law, _, record = more.partition("INFORMATION SHARING DECISION RECORD")
    assert "Legal basis: " in law and "Golden rule" in law
    assert "Complete in your case notes:" in record and "Questions and answers:" in record
    # The legal basis is the record's last section.
    assert record.index("Complete in your case notes:") < record.index("Questions and answers:") < record.index(
        "Legal basis:")


def test_chat_json_typed_record_gives_the_record() -> None:
    proc = run("chat", "--json", stdin="no\nyes\nyes\nyes\nno\nno\nyes\nrecord\n")
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    outcome = next(o for o in lines if o["kind"] == "outcome")
    assert lines[-1]["kind"] == "record" and lines[-1]["text"] == outcome["record"]["text"]


def test_chat_accepts_choice_numbers_and_labels() -> None:
    proc = run("chat", stdin="2\nNo\n")
    assert proc.returncode == 0
    assert "DO NOT SHARE" in proc.stdout
    # In a terminal the typed answer ends the "> " prompt line; piped input does not, so strip it.
    assert max(len(line.removeprefix("> ")) for line in proc.stdout.splitlines()) <= 80


def test_ask_json_answers_from_the_knowledge_base() -> None:
    proc = run("ask", "--json", "do I need consent to tell the police?")
    assert proc.returncode == 0, proc.stderr
    first = json.loads(proc.stdout.splitlines()[0])
    assert first["kind"] == "answer" and first["source"]["publisher"]


def test_ask_with_identifying_detail_warns_and_uses_redacted_text() -> None:
    proc = run("ask", "--json", "can I tell the school about Jayden Smith, NHS number 943 476 5919?")
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert lines[0]["kind"] == "privacy"
    assert "Jayden" not in proc.stdout and "943 476 5919" not in proc.stdout


def test_ask_without_question_explains() -> None:
    proc = run("ask", stdin="")
    assert proc.returncode == 2 and "Please give a question" in proc.stdout


@pytest.mark.parametrize("edition", ["current", "2008"])
def test_mermaid_is_drawn_from_the_machine(edition: str) -> None:
    proc = run("flowchart", "--mermaid", "--edition", edition)
    assert proc.returncode == 0
    chart = default_knowledge().flowchart(edition)
    for node in chart.nodes:
        assert f"{node.id} --> {node.yes}: yes" in proc.stdout
        assert f"{node.id} --> {node.no}: no" in proc.stdout


def test_unknown_command_is_refused_with_usage() -> None:
    proc = run("frobnicate")
    assert proc.returncode == 2 and "usage" in proc.stderr.lower()


def test_redact_takes_its_own_options_through_the_main_command() -> None:
    proc = run("redact", "--json", "his name is jack and he lives at LS1 4AB")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert "jack" not in out["redacted"] and "LS1 4AB" not in out["redacted"]
    assert {f["kind"] for f in out["findings"]} == {"name", "postcode"}


def test_forget_takes_its_own_options_through_the_main_command(redis_url: str) -> None:
    import os

    env = {**os.environ, "REDIS_URL": redis_url, "CANISHARE_KEY_PREFIX": "test-cli-forget"}
    proc = subprocess.run([sys.executable, "-m", "bot.app.cli", "forget", "--user", "U-NOBODY"], capture_output=True,
                          text=True, timeout=60, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "U-NOBODY" not in proc.stdout


def test_a_terminal_walk_is_counted_in_the_report_when_redis_is_set(redis_url: str,
                                                                    new_redis_prefix: object) -> None:
    import asyncio
    import datetime as dt
    import os

    from bot.core import stats
    from bot.storage.redis_store import RedisStore

    prefix = new_redis_prefix()  # type: ignore[operator]
    env = {**os.environ, "REDIS_URL": redis_url, "CANISHARE_KEY_PREFIX": prefix}
    proc = subprocess.run([sys.executable, "-m", "bot.app.cli", "chat", "--json"], input="no\nno\n", env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr

    async def counts() -> dict[str, int]:
        store = RedisStore.from_url(redis_url, prefix)
        try:
            day = stats.days_back(dt.datetime.now(dt.UTC), 1)[0]
            read = await store.stats_read([day])
            return dict(read[day].counts) if day in read else {}
        finally:
            await store.close()

    found = asyncio.run(counts())
    assert found.get("questions:via:terminal") == 1 and found.get("outcome:do_not_share") == 1, found
