"""A grid written back as YAML: a fresh dump in schema key order, or — for an existing file — its
values updated in place with ruamel.yaml, so that its comments, key order and layout survive."""

from __future__ import annotations

import io
import itertools
import re
from collections import Counter
from pathlib import Path

import yaml
from pydantic import ValidationError
from ruamel.yaml import YAML, YAMLError
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.representer import Representer
from ruamel.yaml.tokens import CommentToken

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


# --- values updated in place: comments, key order and layout kept (ruamel.yaml round trip) -----------

_FLOW_TEXT_MAX = 40  # an empty flow list [] that gains longer texts (or mappings) turns into a block list


def _represent_null(representer: Representer, _data: None) -> object:
    return representer.represent_scalar("tag:yaml.org,2002:null", "null")


def _sequence_offset(text: str) -> int:
    """How far a block list's dash sits right of its key: 0 (``key:\\n- a``) or 2 (``key:\\n  - a``)."""
    lines = text.splitlines()
    for key, item in itertools.pairwise(lines):
        parent = re.match(r"( *)[^\s#-][^:]*:\s*(#.*)?$", key)
        dash = re.match(r"( *)- ", item)
        if parent and dash:
            return max(0, len(dash.group(1)) - len(parent.group(1)))
    return 0


def _round_trip(text: str) -> YAML:
    """A ruamel.yaml round-trip loader/dumper set to write ``text``'s own layout back."""
    rt = YAML(typ="rt")
    rt.preserve_quotes = True
    rt.width = 4096  # never re-wrap a line the file keeps whole
    offset = _sequence_offset(text)
    rt.indent(mapping=2, sequence=offset + 2, offset=offset)
    rt.representer.add_representer(type(None), _represent_null)
    return rt


def _fresh(value: object) -> object:
    """A new value as ruamel nodes, in block style."""
    if isinstance(value, dict):
        return CommentedMap((k, _fresh(v)) for k, v in value.items())
    if isinstance(value, list):
        return CommentedSeq(_fresh(v) for v in value)
    return value


def _same_scalar(old: object, new: object) -> bool:
    return old == new and isinstance(old, bool) == isinstance(new, bool) and (old is None) == (new is None)


def _update(node: object, new: object) -> object:
    """``node`` with ``new``'s values set in place (comments stay on their keys); a replacement when needed."""
    if isinstance(node, CommentedMap) and isinstance(new, dict):
        for key in [k for k in node if k not in new]:
            del node[key]
        for position, (key, value) in enumerate(new.items()):
            if key in node:
                node[key] = _update(node[key], value)
            else:
                node.insert(position, key, _fresh(value))
        return node
    if isinstance(node, CommentedSeq) and isinstance(new, list):
        if not node and node.fa.flow_style() and any(not isinstance(v, str) or len(v) > _FLOW_TEXT_MAX for v in new):
            return _fresh(new)
        while len(node) > len(new):
            del node[len(node) - 1]
        for index, value in enumerate(new):
            if index < len(node):
                node[index] = _update(node[index], value)
            else:
                node.append(_fresh(value))
        return node
    return node if _same_scalar(node, new) else _fresh(new)


def _no_block_in_flow(node: object) -> bool:
    """Turn to block style every flow collection holding a block one (YAML allows no block inside flow).

    Returns whether ``node`` is (now) a block collection."""
    if isinstance(node, CommentedMap):
        children = list(node.values())
    elif isinstance(node, CommentedSeq):
        children = list(node)
    else:
        return False
    blocks = [_no_block_in_flow(child) for child in children]  # every child visited, not only up to the first
    if any(blocks) and node.fa.flow_style():
        node.fa.set_block_style()
    return bool(children) and not node.fa.flow_style()  # an empty collection is written [] or {} anyway


def _grid_data(grid: Grid, keep_to_confirm: bool) -> dict:
    data = {key: _plain(value) for key, value in grid.model_dump().items()}
    if not data["to_confirm"] and not keep_to_confirm:
        del data["to_confirm"]
    return data


def update_grid_text(text: str, grid: Grid) -> str:
    """``text`` (a grid file) with ``grid``'s values set in place: comments, key order and quoting kept."""
    rt = _round_trip(text)
    root = rt.load(text)
    if not isinstance(root, CommentedMap):
        raise ValueError("the grid file is not a mapping")
    _update(root, _grid_data(grid, keep_to_confirm="to_confirm" in root))
    _no_block_in_flow(root)
    out = io.StringIO()
    rt.dump(root, out)
    return out.getvalue()


def _reads_back(text: str, grid: Grid) -> bool:
    try:
        return Grid.model_validate(yaml.safe_load(text)) == grid
    except (yaml.YAMLError, ValidationError):
        return False


def grid_text(path: Path, grid: Grid, header: str) -> str:
    """The text to write for ``grid`` at ``path``: the file with its values updated in place (its comments
    and layout kept), else — no file, or one ruamel cannot update faithfully — a fresh dump after a header
    (the file's own comment header when it has one)."""
    if path.is_file():
        old = path.read_text(encoding="utf-8")
        try:
            text = update_grid_text(old, grid)
        except (YAMLError, ValueError):
            text = ""
        if text and _reads_back(text, grid):
            return text
        header = comment_header(path) or header
    return dump_grid(grid, header)


def _comment_lines(item: object, found: list[str]) -> None:
    if isinstance(item, CommentToken):
        found += [line.strip() for line in item.value.splitlines() if line.strip().startswith("#")]
    elif isinstance(item, list):
        for part in item:
            _comment_lines(part, found)


def comments(text: str) -> list[str]:
    """Every comment of a YAML text, one line each, in order (``# …``)."""
    found: list[str] = []
    for token in YAML(typ="rt").scan(text):
        _comment_lines(getattr(token, "comment", None), found)
    return found


def dropped_comments(old: str, new: str) -> list[str]:
    """The comments of ``old`` that ``new`` no longer holds."""
    return list((Counter(comments(old)) - Counter(comments(new))).elements())
