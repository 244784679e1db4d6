"""``cohorte data inspect FILE``: what a CSV export holds (encoding, delimiter, rows, columns, sample
values), the built-in source it matches, and a mapping skeleton to start a new source from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from cohorte.inputs.sources.mapping import matching_sources
from cohorte.inputs.sources.model import TABLE_NAMES, builtin_sources
from cohorte.inputs.sources.text import BLOCK, TextFormat, header_columns, header_line, text_format

SAMPLE_ROWS = 1000
SAMPLE_VALUES = 5


@dataclass(frozen=True)
class Inspection:
    path: Path
    format: TextFormat
    rows: int
    columns: list[str]
    samples: dict[str, list[str]]
    matches: list[str]

    def text(self) -> str:
        lines = [
            f"{self.path}",
            f"  encoding   {self.format.encoding}",
            f"  delimiter  {self.format.delimiter!r}",
            f"  rows       {self.rows:,}".replace(",", " "),
            f"  columns    {len(self.columns)}",
            f"  source     {', '.join(self.matches) if self.matches else 'no built-in source matches'}",
            "Columns (first values seen):",
        ]
        width = max((len(c) for c in self.columns), default=0)
        lines += [f"  {c:<{width}}  {', '.join(self.samples.get(c, [])) or '(empty)'}" for c in self.columns]
        return "\n".join(lines)


def _rows(path: Path) -> int:
    lines, last = 0, b"\n"
    with path.open("rb") as handle:
        while block := handle.read(BLOCK):
            lines += block.count(b"\n")
            last = block[-1:]
    return max(lines + (last != b"\n") - 1, 0)  # the header is not a row


def inspect_file(path: Path) -> Inspection:
    """Inspect a CSV file (raises EncodingProblem for a file that is not text in one encoding)."""
    found = text_format(path)
    columns = header_columns(header_line(path, found.encoding), found.delimiter)
    sample = pd.read_csv(
        path,
        sep=found.delimiter,
        encoding=found.encoding,
        dtype=str,
        nrows=SAMPLE_ROWS,
        keep_default_na=False,
        skipinitialspace=True,
    )
    sample.columns = [str(c).strip() for c in sample.columns]
    samples = {c: [v for v in dict.fromkeys(sample[c].str.strip()) if v][:SAMPLE_VALUES] for c in sample.columns}
    return Inspection(path, found, _rows(path), columns, samples, matching_sources(columns))


def skeleton(inspection: Inspection, table: str | None, contract: list[str]) -> str:
    """A source declaration to complete: the matched source's mapping, else one line per contract
    column (the file's column of the same name, or ``lacking`` to replace)."""
    name = inspection.path.stem.lower().replace("_", "-")
    base = builtin_sources()[inspection.matches[0]] if inspection.matches else None
    table = table or (base.table if base else TABLE_NAMES[0])
    columns: dict[str, dict] = {}
    for target in contract:
        if base and base.columns and target in base.columns:
            columns[target] = base.columns[target].model_dump(exclude_defaults=True)
        elif target in inspection.columns:
            columns[target] = {"column": target}
        else:
            columns[target] = {"lacking": True}
    declaration = {
        "name": "".join(ch if ch.isalnum() or ch == "-" else "-" for ch in name).strip("-") or "my-source",
        "table": table,
        "layout": f"TO COMPLETE: which export, which year, where its columns are documented ({inspection.path.name})",
        "encoding": inspection.format.encoding,
        "delimiter": inspection.format.delimiter,
        "signature": inspection.columns[:4],
        "columns": columns,
    }
    head = (
        "# Source skeleton written by `cohorte data inspect`: map each contract column (docs/data-contract.md)\n"
        "# to a column of the file (codes, date_formats, divide_by …), or declare it lacking. See docs/sources.md.\n"
    )
    return head + yaml.safe_dump(declaration, allow_unicode=True, sort_keys=False, width=100)
