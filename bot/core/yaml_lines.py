"""Line numbers for fields of a YAML document, so a configuration error can say where to look."""

from __future__ import annotations

from collections.abc import Sequence

import yaml


def line_of(text: str, loc: Sequence[str | int]) -> int | None:
    """The 1-based line of the deepest node on ``loc`` (a pydantic error location) that exists in ``text``."""
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return None
    line = None
    for part in loc:
        if node is None:
            break
        if line is None:
            line = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            found = None
            for key, value in node.value:
                if str(key.value) == str(part):
                    found, line = value, key.start_mark.line + 1
                    break
            node = found
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line
