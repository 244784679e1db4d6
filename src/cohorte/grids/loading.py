"""Reading and validating grid files, with messages naming the file, the key and what was expected.

:func:`grid_path` is the one place that knows where a site's grid file lives.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from cohorte import config
from cohorte.config import grid_path
from cohorte.editions import load_edition
from cohorte.errors import CohorteError, GridError
from cohorte.grids.fields import ALLOWED, model_at
from cohorte.grids.models import Grid
from cohorte.validation import _dotted, display_path, format_validation_error, read_yaml


def describe_error(item: ErrorDetails) -> tuple[str, str]:
    """A pydantic error as (dotted key, message), with allowed values or keys where useful."""
    loc = tuple(item["loc"])
    key, kind = _dotted(loc), item["type"]
    if kind == "literal_error":
        allowed = ALLOWED.get(tuple(p for p in loc if not isinstance(p, int)), ())
        return key, f"{item['input']!r} is not allowed; allowed values: {', '.join(allowed)}"
    if kind == "extra_forbidden":
        parent = model_at(loc[:-1])
        keys = ", ".join(parent.model_fields) if parent else "see the scaffold (cohorte new-site)"
        return key, f"unknown key; allowed keys here: {keys}"
    if kind == "missing":
        return key, "missing key; every field must be present (null when not documented, [] for an empty list)"
    if kind.endswith(("_type", "_parsing")):
        return key, f"{item['msg']}, got {item['input']!r} ({type(item['input']).__name__})"
    return key, item["msg"].removeprefix("Value error, ")


def format_errors(where: str, error: ValidationError) -> list[str]:
    return format_validation_error(where, error, describe_error)


def read_grid_data(path: Path) -> object:
    """Parse a grid file (YAML, duplicate keys refused); raises GridError naming the file."""
    return read_yaml(path, error=lambda message: GridError([message]))


def validate_grid(data: object, where: str) -> Grid:
    """Validate parsed grid data; ``where`` names the source in messages."""
    if not isinstance(data, dict):
        keys = ", ".join(Grid.model_fields)
        raise GridError([f"{where}: expected a mapping with the keys {keys}; got {type(data).__name__}"])
    try:
        return Grid.model_validate(data)
    except ValidationError as exc:
        raise GridError(format_errors(where, exc)) from None


def load_grid(path: Path) -> Grid:
    """Load and validate one grid file."""
    return validate_grid(read_grid_data(path), display_path(path))


def load_grids(edition: str | int) -> dict[str, Grid]:
    """Every grid of the edition, keyed by slug in edition order; all problems raised together.

    An edition without grids (``kind: national``) has none: ``{}``."""
    params = load_edition(edition)
    if not params.has_grids:  # a national edition: quantitative fiches, no observation grid
        return {}
    slugs = params.slugs
    folder = config.grids_dir(edition)
    problems: list[str] = []
    grids: dict[str, Grid] = {}
    for slug in slugs:
        path = grid_path(edition, slug)
        if not path.exists():
            problems.append(
                f"{display_path(path)}: no grid for site '{slug}' of edition {edition}; "
                f"create it with: cohorte new-site {edition} {slug}"
            )
            continue
        try:
            grids[slug] = load_grid(path)
        except GridError as exc:
            problems += exc.problems
    problems += _stray_files(folder, slugs, edition)
    if problems:
        raise GridError(problems)
    return grids


def _stray_files(folder: Path, slugs: list[str], edition: str | int) -> list[str]:
    problems = []
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        if path.is_file() and path.suffix in (".yml", ".yaml"):
            problems.append(
                f"{display_path(path)}: grids now live in a folder per site; "
                f"move it to {display_path(folder / path.stem / 'grid.yml')}"
            )
        elif path.is_dir() and path.name not in slugs:
            problems.append(
                f"{display_path(path)}: folder for unknown site '{path.name}'; "
                f"sites of edition {edition} (params/{edition}/edition.yml): {', '.join(slugs)}"
            )
    return problems


def check_grids(edition: str | int) -> list[str]:
    """Problems with the edition's grids, one line each; empty when all is well."""
    try:
        load_grids(edition)
    except GridError as exc:
        return exc.problems
    except CohorteError as exc:
        return str(exc).splitlines()
    return []
