"""A source declared as data: which layout a file follows and how it maps onto the data contract.

A source is a YAML file (built-in ones in ``sources/builtin/``, a user's in
``params/EDITION/sources/NAME.yml``)::

    name: rpls-public
    table: housing_stock
    layout: RPLS, données détaillées au logement (open data)   # which year, where it comes from
    encoding: utf-8-sig            # or auto, cp1252, latin-1
    delimiter: ";"                 # or null: found from the header
    signature: [DEPCOM, NBPIECE, SURFHAB]   # columns that tell this layout from another
    keep: {MODE: ["1", "2"]}       # rows kept (a column and its values), optional
    columns:                       # contract column → how it is made
      commune: {column: DEPCOM}
      epci: {commune_column: DEPCOM}          # through the EPCI referential of the edition's year
      in_qpv: {column: QPV, codes: {"1": "true", "2": "false"}}
      financing: {column: [FINAN, FINAN_CODE], codes: {"10": PLAI, …}}   # first column present
      monthly_resources_eur: {column: REVENU_ANNUEL, divide_by: 12}
      lease_start: {column: BAIL, date_formats: ["%m/%Y"]}
      dwelling_id: {line_number: true}        # the file has no identifier: its line
      landlord: {constant: "non diffusé"}
      monthly_rent_eur: {lacking: true}       # the layout has no such column: the figure degrades

The kit's own layout (``kit``) maps every contract column onto itself.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, StringConstraints, TypeAdapter, ValidationError, model_validator

from cohorte import config
from cohorte.editions import TableName, TableSource
from cohorte.errors import ParamsError
from cohorte.validation import Strict, format_validation_error, read_yaml

BUILTIN_DIR = Path(__file__).with_name("builtin")
KIT = "kit"
SourceName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
TABLE_NAMES = ("demands", "attributions", "housing_stock", "cal_presentations", "q1_thresholds")


class ColumnMap(Strict):
    """How one contract column is made from the source's columns."""

    column: str | list[str] | None = Field(None, description="the source's column (a list: the first present)")
    codes: dict[str, str] | None = Field(None, description="source code → contract code; any other code is an error")
    date_formats: list[str] | None = Field(None, description="strptime formats the dates are written in")
    divide_by: float | None = Field(None, gt=0, description="units: 12 for annual → monthly, 100 for cents → euros")
    multiply_by: float | None = Field(None, gt=0)
    commune_column: str | None = Field(None, description="epci from the commune, through the EPCI referential")
    line_number: bool = Field(False, description="the row's line in the file, as an identifier")
    constant: str | None = None
    lacking: bool = Field(False, description="the layout has no such information")

    @model_validator(mode="after")
    def _one_way(self) -> ColumnMap:
        ways = [
            self.column is not None,
            self.commune_column is not None,
            self.line_number,
            self.constant is not None,
            self.lacking,
        ]
        if sum(ways) != 1:
            raise ValueError("give exactly one of column, commune_column, line_number, constant or lacking")
        return self

    @property
    def candidates(self) -> list[str]:
        """The source columns this map reads (in order of preference)."""
        if self.commune_column:
            return [self.commune_column]
        if self.column is None:
            return []
        return [self.column] if isinstance(self.column, str) else list(self.column)


class Source(Strict):
    """A layout: its text format, its columns and codes, the rows it keeps."""

    name: SourceName
    table: str
    layout: str = Field(description="which layout (and year) it follows, and where that comes from")
    example: bool = Field(False, description="an example layout shipped with the kit, not an official one")
    encoding: str = "auto"
    delimiter: str | None = None
    signature: list[str] = Field(default_factory=list, description="columns every file of this layout has")
    keep: dict[str, list[str]] = Field(default_factory=dict, description="rows kept: column → values")
    columns: dict[str, ColumnMap] | None = Field(None, description="None: the kit's own columns")

    @model_validator(mode="after")
    def _known_table(self) -> Source:
        if self.table not in TABLE_NAMES:
            raise ValueError(f"table {self.table!r} is not an input table; expected one of {', '.join(TABLE_NAMES)}")
        return self

    @model_validator(mode="after")
    def _one_column_one_target(self) -> Source:
        """A source column feeds one contract column (the commune may also place the row's EPCI)."""
        readers: dict[str, list[str]] = {}
        for target, spec in (self.columns or {}).items():
            if spec.column is not None:
                for name in spec.candidates:
                    readers.setdefault(name, []).append(target)
        twice = {name: targets for name, targets in readers.items() if len(targets) > 1}
        if twice:
            name, targets = next(iter(twice.items()))
            raise ValueError(
                f"column {name!r} is mapped onto {' and '.join(targets)}; map each source column onto one "
                "contract column"
            )
        return self

    @property
    def is_kit(self) -> bool:
        return self.columns is None

    @property
    def lacking(self) -> tuple[str, ...]:
        """The contract columns this layout does not have."""
        return tuple(c for c, m in (self.columns or {}).items() if m.lacking)


def kit_source(table: str) -> Source:
    """The kit's own layout of ``table`` (docs/data-contract.md)."""
    return Source(name=KIT, table=table, layout="the kit's data contract (docs/data-contract.md)")


def _read_source(path: Path) -> Source:
    raw = read_yaml(path)
    if not isinstance(raw, dict):
        raise ParamsError(f"{path}: expected a mapping (name, table, layout, columns …)")
    try:
        return Source.model_validate(raw)
    except ValidationError as exc:
        raise ParamsError("\n".join(format_validation_error(path, exc))) from None


@cache
def builtin_sources() -> dict[str, Source]:
    """The sources shipped with the kit, by name."""
    found = {}
    for path in sorted(BUILTIN_DIR.glob("*.yml")):
        source = _read_source(path)
        if source.name != path.stem:
            raise ParamsError(f"{path}: name {source.name!r} differs from the file name {path.stem!r}")
        found[source.name] = source
    return found


def source_path(edition: str | int, name: str) -> Path:
    """Where a user declares source ``name`` for an edition."""
    return config.params_dir(edition) / "sources" / f"{name}.yml"


def load_source(name: str, table: str, edition: str | int) -> Source:
    """Source ``name`` for ``table``: the kit's layout, the edition's own declaration, or a built-in."""
    if name == KIT:
        return kit_source(table)
    own = source_path(edition, name)
    if own.exists():
        source = _read_source(own)
        where = str(own)
    elif name in builtin_sources():
        source, where = builtin_sources()[name], f"built-in source {name!r}"
    else:
        known = sorted([KIT, *builtin_sources()])
        raise ParamsError(
            f"unknown source {name!r} for table {table!r}; expected one of {', '.join(known)} or a declaration in {own}"
        )
    if source.table != table:
        raise ParamsError(f"{where}: describes table {source.table!r}, but edition.yml uses it for {table!r}")
    return source


FOLDER_FILE = "sources.yml"
_FOLDER = TypeAdapter(dict[TableName, TableSource])


def folder_declarations(data_dir: Path) -> dict[str, TableSource]:
    """What a data folder says of its own files (``sources.yml``: table → file and source), or {}.
    edition.yml's ``tables`` wins over it; without either, a table is ``TABLE.csv`` in the kit's layout."""
    path = Path(data_dir) / FOLDER_FILE
    if not path.is_file():
        return {}
    raw = read_yaml(path)
    try:
        return {str(t): d for t, d in _FOLDER.validate_python(raw if raw is not None else {}).items()}
    except ValidationError as exc:
        raise ParamsError("\n".join(format_validation_error(path, exc))) from None


def write_folder_declarations(data_dir: Path, declared: dict[str, TableSource]) -> None:
    """Write ``sources.yml`` into a data folder (the demo generator does, for the layouts it writes)."""
    lines = ["# The layout of each table of this folder (docs/sources.md); edition.yml's tables win over it."]
    lines += [f"{t}: {{file: {d.file}, source: {d.source}}}" for t, d in declared.items()]
    (Path(data_dir) / FOLDER_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")
