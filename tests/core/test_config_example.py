"""The example organisation file loads, and its commented-out rota is valid once uncommented."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.core.config import ConfigError, OrgConfig, load_config

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "org.example.yaml"


def test_example_loads_as_shipped() -> None:
    config = load_config(EXAMPLE)
    assert config.childrens_social_care is not None
    assert config.rota is None


def test_example_rota_is_valid_when_uncommented() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    block = text[text.index("# rota:"):]
    raw = yaml.safe_load(text)
    raw.update(yaml.safe_load("\n".join(line[2:] for line in block.splitlines())))
    config = OrgConfig.model_validate(raw)
    assert config.rota is not None


def test_bad_config_names_the_field(tmp_path: Path) -> None:
    bad = tmp_path / "org.yaml"
    bad.write_text("retention:\n  conversation_hours: -1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"retention\.conversation_hours"):
        load_config(bad)
