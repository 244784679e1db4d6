"""A grid written back as YAML (schema key order), keeping the comment header of the file it replaces."""

from __future__ import annotations

from pathlib import Path

import yaml

from cohorte.grids.fields import plain_number
from cohorte.grids.models import Grid


def _plain(value: object) -> object:
    """Integral floats as ints, recursively, so percents read 55 rather than 55.0."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, float):
        return plain_number(value)
    return value


def dump_grid(grid: Grid, header: str = "") -> str:
    """A grid as YAML text (schema key order), after an optional comment header."""
    data = grid.model_dump()
    if not data["to_confirm"]:  # only an edition started from the previous one lists fields to confirm
        del data["to_confirm"]
    body = yaml.safe_dump(_plain(data), sort_keys=False, allow_unicode=True, width=100)
    return header + body


def comment_header(path: Path) -> str:
    """The leading comment lines of an existing file, kept when the file is rewritten."""
    if not path.exists():
        return ""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
        if not line.startswith("#"):
            break
        lines.append(line)
    return "".join(lines)
