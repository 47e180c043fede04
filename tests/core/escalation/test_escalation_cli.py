"""`canishare escalation show REF` / `list --open` / `--json`: the whole story, in local time."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import yaml

from bot.app.cli.escalation import run
from tests.core.escalation.conftest import Harness


@pytest.fixture
def cli_env(esc: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.core.settings import get_settings

    org = tmp_path / "org.yaml"
    org.write_text(yaml.safe_dump(esc.service.config.model_dump(mode="json", by_alias=True, exclude_unset=True)))
    monkeypatch.setenv("CANISHARE_CONFIG", str(org))
    monkeypatch.setenv("REDIS_URL", esc.extra["redis_url"])
    monkeypatch.setenv("CANISHARE_KEY_PREFIX", esc.store.prefix)
    monkeypatch.setenv("CANISHARE_HASH_KEY", "test-hash-key")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


async def test_show_tells_the_whole_story(esc: Harness, cli_env: None) -> None:
    await esc.raise_(urgent=False)
    esc_id = await esc.open_id()
    await esc.drain()
    await esc.advance(10)  # nobody answered: the deputy is paged
    await esc.service.acknowledge(esc.person("dee"), esc_id, "slack")
    await esc.drain()
    await esc.service.resolve(esc.person("dee"), esc_id, "share", "Shared with consent.", "slack")
    await esc.drain()
    out = io.StringIO()
    assert await run("show", f"esc-{esc_id.lower()}", False, False, out) == 0
    text = out.getvalue()
    assert f"History of ESC-{esc_id}" in text and "State: resolved" in text
    assert "Raised: Wed 18 Nov 2026, 14:00 (Europe/London)" in text
    for line in ("14:00:00  Raised by the practitioner in Slack: normal",
                 "14:00:00  Paging step 1, round 1: Amy Lead (designated safeguarding lead).",
                 "14:00:00  Paged Amy Lead (designated safeguarding lead) on Slack.",
                 "14:10:00  Paging step 2, round 1: Dee Deputy (deputy safeguarding lead).",
                 "14:10:00  Acknowledged by Dee Deputy (deputy safeguarding lead) in Slack.",
                 "14:10:00  Resolved by Dee Deputy (deputy safeguarding lead): advised to share."):
        assert line in text, (line, text)
    assert "consent" not in text.lower().split("advised to share")[-1]  # the reason itself stays sealed
    assert "U0PRACT001" not in text and esc.hash() not in text

    out = io.StringIO()
    assert await run("show", esc_id, False, True, out) == 0
    doc = json.loads(out.getvalue())
    assert doc["reference"] == f"ESC-{esc_id}" and doc["timezone"] == "Europe/London"
    assert doc["chronology"][0]["time"] == "2026-11-18T14:00:00+00:00"
    assert doc["chronology"][0]["type"] == "created"
    assert doc["resolved_by"] == "Dee Deputy (deputy safeguarding lead)"


async def test_list_open_and_all(esc: Harness, cli_env: None) -> None:
    await esc.raise_(user="U0ONE")
    first = await esc.open_id(user="U0ONE")
    await esc.raise_(user="U0TWO", urgent=True)
    second = await esc.open_id(user="U0TWO")
    await esc.service.resolve(esc.person("amy"), first, "advice_given", "Talked it through.", "slack")
    out = io.StringIO()
    assert await run("list", "", True, True, out) == 0
    assert [r["reference"] for r in json.loads(out.getvalue())] == [f"ESC-{second}"]
    out = io.StringIO()
    assert await run("list", "", False, False, out) == 0
    text = out.getvalue()
    assert f"ESC-{first}" in text and f"ESC-{second}" in text and "URGENT" in text


async def test_show_an_unknown_reference(esc: Harness, cli_env: None) -> None:
    out = io.StringIO()
    assert await run("show", "ESC-NOSUCH00", False, False, out) == 1
    assert "No escalation ESC-NOSUCH00" in out.getvalue()
