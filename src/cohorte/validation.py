"""What every hand-written params file shares: the strict model base, the YAML reader, the error wording.

``edition.yml``, observation grids and cotation grids are all read by :func:`read_yaml` (duplicate
keys refused, aliases and size bounded) and validated by a :class:`Strict` model whose problems
:func:`format_validation_error` turns into one line per key, naming the file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import ErrorDetails

from cohorte import config
from cohorte.errors import CohorteError, ParamsError

MAX_YAML_BYTES = 2_000_000  # a grid or edition file is a few kB; anything near this is a mistake
MAX_YAML_ALIASES = 100  # YAML anchors are legitimate, an alias bomb is not


class Strict(BaseModel):
    """Base of every params model: unknown keys are errors, values are immutable once read."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class _BoundedLoader(yaml.SafeLoader):
    """A safe loader that refuses a key written twice in one mapping and caps alias expansion."""

    aliases_seen = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            self.aliases_seen += 1
            if self.aliases_seen > MAX_YAML_ALIASES:
                event = self.peek_event()
                raise yaml.constructor.ConstructorError(
                    None, None, f"more than {MAX_YAML_ALIASES} aliases (*name); write the values out", event.start_mark
                )
        return super().compose_node(parent, index)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: set[object] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} appears twice; keep one", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def display_path(path: Path) -> str:
    """The path relative to the kit's root when possible (``params/2020/sites/mel/grid.yml``)."""
    try:
        return str(Path(path).resolve().relative_to(config.root()))
    except ValueError:
        return str(path)


def read_yaml(path: Path, error: Callable[[str], CohorteError] = ParamsError) -> object:
    """Parse a YAML params file; a missing, oversized or malformed file raises ``error`` naming it."""
    where = display_path(path)
    try:
        size = path.stat().st_size
        if size > MAX_YAML_BYTES:
            raise error(f"{where}: {size:,} bytes is too large for a params file (at most {MAX_YAML_BYTES:,})")
        with path.open(encoding="utf-8") as handle:
            return yaml.load(handle, Loader=_BoundedLoader)  # noqa: S506  # a SafeLoader subclass
    except FileNotFoundError:
        raise error(f"{where}: file not found") from None
    except UnicodeDecodeError as exc:
        raise error(f"{where}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except yaml.YAMLError as exc:
        raise error(f"{where}: not valid YAML: {' '.join(str(exc).split())}") from None


def _dotted(loc: tuple) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def default_description(item: ErrorDetails) -> tuple[str, str]:
    """A pydantic error as (dotted key, message)."""
    return _dotted(tuple(item["loc"])), item["msg"].removeprefix("Value error, ")


def format_validation_error(
    where: str | Path,
    error: ValidationError,
    describe: Callable[[ErrorDetails], tuple[str, str]] = default_description,
) -> list[str]:
    """One line per pydantic problem: ``FILE: key 'a.b': message``."""
    return [f"{where}: key '{key}': {message}" for key, message in map(describe, error.errors())]
