"""The grid's coded fields as a flat list (tables, spreadsheets, scaffold), and their values as text."""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel

from cohorte.grids.models import FIELDWORK, LIST_SEPARATOR, THEMES, Grid


@dataclass(frozen=True)
class FieldSpec:
    """One coded leaf: ``theme`` plus dotted ``field`` (e.g. attribution_policy / targets.non_q1_in_qpv)."""

    theme: str
    field: str
    kind: str  # enum, int, float, bool, str_list, enum_list, record_list
    allowed: tuple[str, ...]
    nullable: bool
    description: str

    @property
    def path(self) -> tuple[str, ...]:
        """Keys from the grid's root (interviews sits at the root)."""
        parts = tuple(self.field.split("."))
        return parts if self.theme == FIELDWORK else (self.theme, *parts)

    def expects(self) -> str:
        """Plain-language description of the allowed values."""
        text = {
            "enum": "one of: " + ", ".join(self.allowed),
            "int": "a year (integer)",
            "float": "a percent (number from 0 to 100)",
            "bool": "true or false",
            "str_list": f"texts separated by '{LIST_SEPARATOR}'",
            "enum_list": f"values separated by '{LIST_SEPARATOR}' among: " + ", ".join(self.allowed),
            "record_list": "indicator=…,commune=…,landlord=…,target=… items separated by ';'",
        }[self.kind]
        return text + (", or empty/null (not documented)" if self.nullable else "")


_SCALAR_KINDS: dict[object, str] = {int: "int", float: "float", bool: "bool"}


def _unwrap(annotation: object) -> tuple[object, bool]:
    """``X | None`` → (X, True)."""
    args = typing.get_args(annotation)
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        rest = [a for a in args if a is not type(None)]
        return rest[0], len(rest) < len(args)
    return annotation, False


def _leaf(theme: str, field: str, annotation: object, description: str) -> FieldSpec:
    inner, nullable = _unwrap(annotation)
    origin = typing.get_origin(inner)
    if origin is Literal:
        return FieldSpec(theme, field, "enum", typing.get_args(inner), nullable, description)
    if origin is list:
        (item,) = typing.get_args(inner)
        if typing.get_origin(item) is Literal:
            return FieldSpec(theme, field, "enum_list", typing.get_args(item), False, description)
        kind = "record_list" if isinstance(item, type) and issubclass(item, BaseModel) else "str_list"
        return FieldSpec(theme, field, kind, (), False, description)
    kind = _SCALAR_KINDS[inner]
    return FieldSpec(theme, field, kind, (), nullable, description)


def _walk(theme: str, model: type[BaseModel], prefix: str = "") -> list[FieldSpec]:
    specs = []
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            specs += _walk(theme, annotation, f"{prefix}{name}.")
        else:
            specs.append(_leaf(theme, prefix + name, annotation, info.description or ""))
    return specs


def submodel(model: type[BaseModel], name: str) -> type[BaseModel]:
    """The model of the nested field ``name`` of ``model`` (``submodel(Grid, "governance")``)."""
    annotation = model.model_fields[name].annotation
    if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
        raise TypeError(f"{model.__name__}.{name} is not a nested model")
    return annotation


def coded_fields() -> list[FieldSpec]:
    """Every coded field, in schema order: the five themes, then ``fieldwork / interviews``."""
    specs = [s for theme in THEMES for s in _walk(theme, submodel(Grid, theme))]
    info = Grid.model_fields["interviews"]
    return [*specs, _leaf(FIELDWORK, "interviews", info.annotation, info.description or "")]


def _allowed_by_path() -> dict[tuple[str, ...], tuple[str, ...]]:
    """Allowed values of every Literal in the grid, keyed by path without list indices."""
    found: dict[tuple[str, ...], tuple[str, ...]] = {}

    def visit(model: type[BaseModel], path: tuple[str, ...]) -> None:
        for name, info in model.model_fields.items():
            inner, _ = _unwrap(info.annotation)
            if typing.get_origin(inner) is list:
                (inner,) = typing.get_args(inner)
            if typing.get_origin(inner) is Literal:
                found[(*path, name)] = typing.get_args(inner)
            elif isinstance(inner, type) and issubclass(inner, BaseModel):
                visit(inner, (*path, name))

    visit(Grid, ())
    return found


ALLOWED = _allowed_by_path()


# --- values as text (tables and spreadsheets) ----------------------------------------------


def plain_number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _record_text(record: dict) -> str:
    return ",".join(f"{k}={plain_number(v) if k == 'target' else v}" for k, v in record.items() if v is not None)


def format_value(spec: FieldSpec, value: object) -> str:
    """A coded value as text: lists joined with ';', booleans true/false, null as ''."""
    if value is None:
        return ""
    if spec.kind == "bool":
        return "true" if value else "false"
    if spec.kind == "float" and isinstance(value, int | float):
        return str(plain_number(value))
    if spec.kind == "record_list" and isinstance(value, list):
        return LIST_SEPARATOR.join(_record_text(r) for r in value)
    if spec.kind in ("str_list", "enum_list") and isinstance(value, list):
        return LIST_SEPARATOR.join(value)
    return str(value)


def get_path(data: dict, path: tuple[str, ...]) -> object:
    """The value at ``path`` of a dumped grid."""
    for key in path:
        data = data[key]
    return data


def model_at(loc: tuple) -> type[BaseModel] | None:
    """The grid model found at an error location (list indices skipped); None past a leaf."""
    model: type[BaseModel] = Grid
    for part in loc:
        if isinstance(part, int):
            continue
        info = model.model_fields.get(str(part))
        if info is None:
            return None
        inner, _ = _unwrap(info.annotation)
        if typing.get_origin(inner) is list:
            (inner,) = typing.get_args(inner)
        if not (isinstance(inner, type) and issubclass(inner, BaseModel)):
            return None
        model = inner
    return model


def field_help(spec: FieldSpec) -> str:
    """French help for consultants: what the field codes and its allowed values."""
    if spec.kind in ("enum", "enum_list"):
        values = " | ".join(spec.allowed)
    else:
        values = {
            "int": "année (entier)",
            "float": "pourcentage 0–100",
            "bool": "true | false",
            "str_list": "liste de textes",
            "record_list": "liste de {indicator, commune, landlord, target}",
        }[spec.kind]
    null = " | null" if spec.nullable else ""
    return f"{spec.description} — {values}{null}"
