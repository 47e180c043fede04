"""Block Kit checks for the fake Slack Web API: what Slack itself would refuse with ``invalid_blocks``.

``slack_sdk.models`` checks most per-field limits, and runs here too; it misses the 50 blocks per
message, empty text, section field lengths and duplicate ``action_id``s/``block_id``s, so those
are checked by hand (limits from docs.slack.dev, ../shared/notes/bot-platforms.md §3.1).
"""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
MESSAGE_TEXT = 40_000
SECTION_TEXT = 3000
SECTION_FIELDS = 10
FIELD_TEXT = 2000
HEADER_TEXT = 150
CONTEXT_ELEMENTS = 10
CONTEXT_TEXT = 3000
ACTIONS_ELEMENTS = 25
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
BUTTON_URL = 3000
ID_MAX = 255
KNOWN = {"section", "header", "context", "actions", "divider", "input", "image", "rich_text", "markdown"}


def _text(obj: Any, where: str, limit: int, kinds: tuple[str, ...] = ("plain_text", "mrkdwn")) -> list[str]:
    if not isinstance(obj, dict):
        return [f"{where}: not a text object"]
    errors = []
    if obj.get("type") not in kinds:
        errors.append(f"{where}: type {obj.get('type')!r} not in {kinds}")
    text = obj.get("text")
    if not isinstance(text, str) or not text.strip():
        errors.append(f"{where}: empty text")
    elif len(text) > limit:
        errors.append(f"{where}: {len(text)} characters > {limit}")
    return errors


def _element(el: Any, where: str) -> list[str]:
    if not isinstance(el, dict):
        return [f"{where}: not an object"]
    errors = []
    action_id = el.get("action_id")
    if action_id is not None and (not isinstance(action_id, str) or not action_id or len(action_id) > ID_MAX):
        errors.append(f"{where}: bad action_id")
    if el.get("type") == "button":
        errors += _text(el.get("text"), f"{where}.text", BUTTON_TEXT, ("plain_text",))
        value = el.get("value")
        if value is not None and (not isinstance(value, str) or len(value) > BUTTON_VALUE):
            errors.append(f"{where}: value over {BUTTON_VALUE} characters")
        if el.get("url") is not None and len(str(el["url"])) > BUTTON_URL:
            errors.append(f"{where}: url too long")
        if el.get("style") not in (None, "primary", "danger"):
            errors.append(f"{where}: bad style")
    return errors


def block_errors(block: Any, where: str) -> list[str]:
    if not isinstance(block, dict):
        return [f"{where}: not an object"]
    kind = block.get("type")
    if kind not in KNOWN:
        return [f"{where}: unknown block type {kind!r}"]
    errors: list[str] = []
    if kind == "section":
        if block.get("text") is None and not block.get("fields"):
            errors.append(f"{where}: section without text or fields")
        if block.get("text") is not None:
            errors += _text(block["text"], f"{where}.text", SECTION_TEXT)
        fields = block.get("fields") or []
        if len(fields) > SECTION_FIELDS:
            errors.append(f"{where}: {len(fields)} fields > {SECTION_FIELDS}")
        for i, f in enumerate(fields):
            errors += _text(f, f"{where}.fields[{i}]", FIELD_TEXT)
    elif kind == "header":
        errors += _text(block.get("text"), f"{where}.text", HEADER_TEXT, ("plain_text",))
    elif kind == "context":
        elements = block.get("elements") or []
        if not 1 <= len(elements) <= CONTEXT_ELEMENTS:
            errors.append(f"{where}: {len(elements)} context elements")
        for i, el in enumerate(elements):
            if isinstance(el, dict) and el.get("type") in ("plain_text", "mrkdwn"):
                errors += _text(el, f"{where}.elements[{i}]", CONTEXT_TEXT)
    elif kind == "actions":
        elements = block.get("elements") or []
        if not 1 <= len(elements) <= ACTIONS_ELEMENTS:
            errors.append(f"{where}: {len(elements)} action elements")
        ids = [el.get("action_id") for el in elements if isinstance(el, dict) and el.get("action_id")]
        if len(ids) != len(set(ids)):
            errors.append(f"{where}: duplicate action_id in one block: {ids}")
        for i, el in enumerate(elements):
            errors += _element(el, f"{where}.elements[{i}]")
    elif kind == "input":
        errors += _text(block.get("label"), f"{where}.label", 2000, ("plain_text",))
        errors += _element(block.get("element"), f"{where}.element")
    try:
        parsed = Block.parse(block)
        if parsed is None:
            errors.append(f"{where}: slack_sdk cannot parse it")
        else:
            parsed.validate_json()
    except (SlackObjectFormationError, KeyError, TypeError, ValueError) as exc:
        errors.append(f"{where}: slack_sdk: {exc}")
    return errors


def blocks_errors(blocks: Any, limit: int) -> list[str]:
    if not isinstance(blocks, list):
        return ["blocks: not a list"]
    errors = []
    if len(blocks) > limit:
        errors.append(f"blocks: {len(blocks)} > {limit}")
    block_ids = [b.get("block_id") for b in blocks if isinstance(b, dict) and b.get("block_id") is not None]
    if len(block_ids) != len(set(block_ids)):
        errors.append("blocks: duplicate block_id")
    for bid in block_ids:
        if not isinstance(bid, str) or not bid or len(bid) > ID_MAX:
            errors.append(f"blocks: bad block_id {bid!r}")
    for i, block in enumerate(blocks):
        errors += block_errors(block, f"blocks[{i}]")
    return errors


def message_errors(text: Any, blocks: Any) -> list[str]:
    """A chat.postMessage / chat.update payload: plain text always, blocks within limits."""
    errors = []
    if not isinstance(text, str) or not text.strip():
        errors.append("text: a non-empty plain-text fallback is required")
    elif len(text) > MESSAGE_TEXT:
        errors.append(f"text: {len(text)} characters > {MESSAGE_TEXT}")
    if blocks is not None:
        errors += blocks_errors(blocks, MESSAGE_BLOCKS)
    return errors


def view_errors(view: Any) -> list[str]:
    if not isinstance(view, dict) or view.get("type") not in ("home", "modal"):
        return ["view: not a home or modal view"]
    errors = blocks_errors(view.get("blocks"), VIEW_BLOCKS)
    if view["type"] == "modal":
        errors += _text(view.get("title"), "view.title", 24, ("plain_text",))
    try:
        View(**view).validate_json()
    except (SlackObjectFormationError, TypeError, ValueError) as exc:
        errors.append(f"view: slack_sdk: {exc}")
    return errors
