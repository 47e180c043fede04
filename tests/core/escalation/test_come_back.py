"""Web and terminal practitioners see "picked up by …", the lead's messages and "resolved" when they come back."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
import yaml

from bot.core.escalation.readiness import Heartbeat, publish
from tests.core.escalation.conftest import Harness


async def test_web_practitioner_finds_every_update_in_order(esc: Harness) -> None:
    await esc.raise_(user="web-session-9", channel="web")
    esc_id = await esc.open_id(user="web-session-9", channel="web")
    await esc.drain()
    amy = esc.person("amy")
    await esc.service.acknowledge(amy, esc_id, "slack")
    await esc.drain()
    await esc.service.reply(amy, esc_id, "Please ring me on the duty line.", "slack")
    await esc.drain()
    await esc.service.resolve(amy, esc_id, "advice_given", "Talked it through by phone.", "slack")
    await esc.drain()
    messages = await esc.service.inbox(esc.hash("web-session-9", "web"))
    assert len(messages) == 3
    assert messages[0].startswith(
        f"Amy Lead (designated safeguarding lead) picked up your request ESC-{esc_id} at 14:00")
    assert "Message from Amy Lead" in messages[1] and "Please ring me on the duty line." in messages[1]
    assert messages[2].startswith(f"Your request ESC-{esc_id} was resolved by Amy Lead")
    assert await esc.service.inbox(esc.hash("web-session-9", "web")) == []  # read once
    from bot.core.escalation.inspect import show_text

    story = await show_text(esc.service, esc_id) or ""
    assert "The practitioner was told: picked up (left for them to read when they come back)." in story
    assert "The practitioner was told: a message from the lead (left for them" in story


async def test_terminal_user_sees_progress_when_they_come_back(esc: Harness, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.app.cli.chat import run_chat
    from bot.core.settings import get_settings

    org = tmp_path / "org.yaml"
    org.write_text(yaml.safe_dump(esc.service.config.model_dump(mode="json", by_alias=True, exclude_unset=True)))
    monkeypatch.setenv("REDIS_URL", esc.extra["redis_url"])
    monkeypatch.setenv("CANISHARE_KEY_PREFIX", esc.store.prefix)
    monkeypatch.setenv("CANISHARE_HASH_KEY", "test-hash-key")
    monkeypatch.setenv("CANISHARE_ESCALATION_KEY", "test-escalation-key")
    await publish(esc.store.client, esc.store.prefix, Heartbeat(time.time(), frozenset({"person:amy", "person:fay"})))
    get_settings.cache_clear()
    try:
        first = io.StringIO()
        await run_chat(esc.service.config, None, False, io.StringIO("talk to someone\nquit\n"), first)
        assert "I've sent your request to Amy Lead" in first.getvalue()
        esc_id = await esc.open_id(user="terminal-user", channel="terminal")
        await esc.drain()
        await esc.service.acknowledge(esc.person("amy"), esc_id, "slack")
        await esc.service.reply(esc.person("amy"), esc_id, "Call me when you can.", "slack")
        await esc.drain()
        again = io.StringIO()
        await run_chat(esc.service.config, None, False, io.StringIO("quit\n"), again)
        text = again.getvalue()
        assert "About your request to the safeguarding team:" in text
        assert f"picked up your request ESC-{esc_id}" in text and "Call me when you can." in text
        await esc.service.resolve(esc.person("amy"), esc_id, "share", "Shared with consent.", "slack")
        await esc.drain()
        last = io.StringIO()
        await run_chat(esc.service.config, None, False, io.StringIO("quit\n"), last)
        assert f"Your request ESC-{esc_id} was resolved by Amy Lead" in last.getvalue()
    finally:
        get_settings.cache_clear()
