"""Three-way merge of a grid, field by field: the export (base), the file now (ours), the workbook (theirs).

A field is one coded field (``cotation.stage``), its « à confirmer » mark, one theme's findings, the
highlights or the perspectives. The workbook's value is taken where the file kept the exported one;
where both changed a field differently, that field is a conflict.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError

from cohorte.grids.fields import coded_fields, format_value, get_path
from cohorte.grids.models import THEMES, Grid, confirmable_fields


def _set_path(data: dict, path: tuple[str, ...], value: object) -> None:
    for key in path[:-1]:
        data = data[key]
    data[path[-1]] = value


def units(grid: Grid) -> dict[str, object]:
    """The grid as merge units: name → value (every part of the grid belongs to exactly one)."""
    data = grid.model_dump()
    found: dict[str, object] = {f"{s.theme}.{s.field}": get_path(data, s.path) for s in coded_fields()}
    found |= {f"à confirmer {name}": name in grid.to_confirm for name in confirmable_fields()}
    found |= {f"findings.{theme}": data["findings"][theme] for theme in THEMES}
    found |= {"highlights": data["highlights"], "perspectives": data["perspectives"]}
    return found


def _apply(ours: Grid, merged: dict[str, object]) -> dict:
    """``ours`` as data with the merged units set (``to_confirm`` keeps its own order)."""
    data = ours.model_dump()
    for spec in coded_fields():
        _set_path(data, spec.path, merged[f"{spec.theme}.{spec.field}"])
    for theme in THEMES:
        data["findings"][theme] = merged[f"findings.{theme}"]
    data["highlights"], data["perspectives"] = merged["highlights"], merged["perspectives"]
    pending = [name for name in confirmable_fields() if merged[f"à confirmer {name}"]]
    data["to_confirm"] = [n for n in ours.to_confirm if n in pending] + [n for n in pending if n not in ours.to_confirm]
    return data


def _shown(name: str, value: object) -> str:
    spec = next((s for s in coded_fields() if f"{s.theme}.{s.field}" == name), None)
    if spec is not None:
        return repr(format_value(spec, value)) if value is not None else "null"
    if isinstance(value, list):
        return f"{len(value)} item(s)"
    return "oui" if value is True else "non" if value is False else repr(value)


@dataclass(frozen=True)
class Merge:
    """The merged grid (None on a conflict), the conflicts in words, the fields taken from the workbook."""

    grid: Grid | None
    conflicts: list[str]
    taken: list[str]


def merge_grid(base: Grid, ours: Grid, theirs: Grid) -> Merge:
    """Take ``theirs``'s changes since ``base`` where ``ours`` did not change; conflicts otherwise."""
    old, mine, new = units(base), units(ours), units(theirs)
    merged, conflicts, taken = dict(mine), [], []
    for name, value in new.items():
        if value == old[name] or value == mine[name]:
            continue
        if mine[name] != old[name]:
            conflicts.append(
                f"{name}: exported {_shown(name, old[name])}, now {_shown(name, mine[name])} in the file, "
                f"{_shown(name, value)} in the workbook"
            )
            continue
        merged[name] = value
        taken.append(name)
    if conflicts:
        return Merge(None, conflicts, taken)
    try:
        return Merge(Grid.model_validate(_apply(ours, merged)), [], taken)
    except ValidationError as exc:
        reasons = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        return Merge(None, [f"{', '.join(taken)} taken from the workbook make the grid invalid ({reasons})"], taken)
