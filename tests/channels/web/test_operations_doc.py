"""docs/operations.md documents every environment variable and every organisation config key."""

from __future__ import annotations

import re
import types
import typing
from pathlib import Path

from pydantic import BaseModel

from bot.core.config import OrgConfig
from bot.core.settings import Settings

DOC = Path(__file__).resolve().parents[3] / "docs" / "operations.md"


def env_names() -> list[str]:
    names = []
    for field in Settings.model_fields.values():
        alias = field.validation_alias
        choices = getattr(alias, "choices", None) or [alias]
        names.append(str(choices[0]))
    return names


def models_in(annotation: object) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType, tuple, list):
        return [m for arg in typing.get_args(annotation) for m in models_in(arg)]
    return []


def config_keys(model: type[BaseModel], prefix: str = "") -> list[tuple[str, str]]:
    """(dotted path, key as written in YAML) for every field, at every depth."""
    out = []
    for name, field in model.model_fields.items():
        key = field.alias or name
        path = f"{prefix}{key}"
        out.append((path, key))
        for sub in models_in(field.annotation):
            out += config_keys(sub, path + ".")
    return out


def test_every_environment_variable_is_documented() -> None:
    text = DOC.read_text()
    missing = [name for name in env_names() if f"`{name}`" not in text]
    assert not missing, f"add to docs/operations.md: {missing}"


def test_every_config_key_is_documented() -> None:
    text = DOC.read_text()
    missing = []
    for path, key in config_keys(OrgConfig):
        parts = path.split(".")
        ancestors = [".".join(parts[:i]) for i in range(1, len(parts))]
        own_row = f"`{path}`" in text or f"`{path}." in text  # a key's row, or its section's rows
        # A nested key is named in the row of the key it belongs to (``{label, number, when}``).
        in_parent_row = any(f"`{a}`" in text for a in ancestors) and re.search(rf"\b{re.escape(key)}\b", text)
        if not (own_row or in_parent_row):
            missing.append(path)
    assert not missing, f"add to docs/operations.md: {missing}"
