"""Observation grids (``params/EDITION/sites/SLUG/grid.yml``): what consultants learnt in interviews.

Each grid holds the coded fields of docs/domain.md §5, so that the synthesis can count across sites,
beside free-text findings, highlights ("encadrés"), perspectives and the kinds of organisation met.
``null`` always means *not documented*; an empty list means *nothing documented*.

One module per job: ``models`` (the schema), ``fields`` (the coded fields as a flat list, values as
text), ``loading`` (where a grid lives, reading, validation and error wording), ``table`` (the tidy
table), ``writing`` (YAML out), ``scaffold`` (an empty grid for a new site) and ``xlsx`` (the
spreadsheet round-trip, imported on its own: ``cohorte.grids.xlsx``).
"""

from __future__ import annotations

from cohorte.grids.fields import (
    ALLOWED,
    FieldSpec,
    coded_fields,
    field_help,
    format_value,
    get_path,
    plain_number,
    submodel,
)
from cohorte.grids.loading import (
    check_grids,
    describe_error,
    format_errors,
    grid_path,
    load_grid,
    load_grids,
    read_grid_data,
    validate_grid,
)
from cohorte.grids.models import (
    FIELDWORK,
    LIST_SEPARATOR,
    THEMES,
    AttributionPolicy,
    Cotation,
    DemandService,
    DifferentiatedTarget,
    DocumentStatus,
    Findings,
    Flux,
    Governance,
    Grid,
    Highlight,
    InterviewKind,
    Reservataire,
    TargetIndicator,
    Targets,
    Theme,
    confirmable_fields,
)
from cohorte.grids.scaffold import scaffold, write_scaffold
from cohorte.grids.table import grids_table
from cohorte.grids.writing import comment_header, dump_grid

__all__ = [
    "ALLOWED",
    "FIELDWORK",
    "LIST_SEPARATOR",
    "THEMES",
    "AttributionPolicy",
    "Cotation",
    "DemandService",
    "DifferentiatedTarget",
    "DocumentStatus",
    "FieldSpec",
    "Findings",
    "Flux",
    "Governance",
    "Grid",
    "Highlight",
    "InterviewKind",
    "Reservataire",
    "TargetIndicator",
    "Targets",
    "Theme",
    "check_grids",
    "coded_fields",
    "comment_header",
    "confirmable_fields",
    "describe_error",
    "dump_grid",
    "field_help",
    "format_errors",
    "format_value",
    "get_path",
    "grid_path",
    "grids_table",
    "load_grid",
    "load_grids",
    "plain_number",
    "read_grid_data",
    "scaffold",
    "submodel",
    "validate_grid",
    "write_scaffold",
]
