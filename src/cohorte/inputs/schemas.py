"""One declared pandera schema per input table (docs/domain.md §4).

Each column declares its dtype (used by ``inputs`` to parse raw text), whether it may be empty and
its checks; every check carries the sentence a user reads when it fails. Referential checks (a known
EPCI) depend on the edition, hence the factory functions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa

from cohorte.editions import Edition
from cohorte.inputs import codes

TABLES = ("demands", "attributions", "housing_stock", "cal_presentations", "q1_thresholds")
OPTIONAL_TABLES = ("q1_thresholds",)


@dataclass(frozen=True)
class Period:
    """The dates a table's rows must fall in, for one edition."""

    start: pd.Timestamp
    end: pd.Timestamp

    @classmethod
    def of(cls, edition: Edition) -> Period:
        end = pd.Timestamp(edition.reference_date)
        return cls(pd.Timestamp(dt.date(end.year, 1, 1)), end)


def _codes(values, what: str) -> pa.Check:
    allowed = list(values)
    return pa.Check.isin(allowed, error=f"expected {what}: one of {', '.join(allowed)}")


def _pattern(regex: str, what: str) -> pa.Check:
    return pa.Check.str_matches(regex, error=f"expected {what}")


def _between(low, high, what: str) -> pa.Check:
    return pa.Check.in_range(low, high, error=f"expected {what} between {low} and {high}")


def _on_or_before(end: pd.Timestamp, what: str) -> pa.Check:
    return pa.Check.le(end, error=f"expected {what} on or before {end.date()}")


def _in_period(period: Period, what: str) -> pa.Check:
    return pa.Check.in_range(
        period.start, period.end, error=f"expected {what} within {period.start.date()} – {period.end.date()}"
    )


def _epci(edition: Edition) -> pa.Column:
    known = edition.slugs + [s.siren for s in edition.sites if s.siren]
    return pa.Column(str, pa.Check.isin(known, error="expected a site of the edition (slug or SIREN)"))


def _demand_id(unique: bool = False) -> pa.Column:
    check = _pattern(codes.DEMAND_ID_PATTERN, "a well-formed demand id like 056200300012345A")
    return pa.Column(str, check, unique=unique)


def _commune() -> pa.Column:
    return pa.Column(str, _pattern(codes.INSEE_COMMUNE_PATTERN, "an INSEE commune code (5 characters)"))


def _reasons_valid(series: pd.Series) -> pd.Series:
    allowed = set(codes.REASONS)
    return series.fillna("").map(lambda text: all(code.strip() in allowed for code in text.split(";") if code.strip()))


def _household_columns() -> dict[str, pa.Column]:
    return {
        "household_size": pa.Column("Int64", _between(1, 20, "a household size")),
        "persons_14_plus": pa.Column("Int64", _between(1, 20, "a number of persons aged 14+")),
        "children_under_14": pa.Column("Int64", _between(0, 20, "a number of children under 14")),
        "monthly_resources_eur": pa.Column(
            "float64", pa.Check.ge(0, error="expected resources ≥ 0 € (empty when unknown)"), nullable=True
        ),
    }


_SIZE_ADDS_UP = pa.Check(
    lambda df: df["household_size"] == df["persons_14_plus"] + df["children_under_14"],
    error="expected household_size = persons_14_plus + children_under_14",
)


def demands_schema(edition: Edition) -> pa.DataFrameSchema:
    period = Period.of(edition)
    return pa.DataFrameSchema(
        {
            "demand_id": _demand_id(unique=True),
            "epci": _epci(edition),
            "commune": _commune(),
            "filing_date": pa.Column("datetime64[ns]", _on_or_before(period.end, "a filing date")),
            **_household_columns(),
            "current_housing": pa.Column(str, _codes(codes.CURRENT_HOUSING, "an SNE housing code")),
            "requested_typology": pa.Column(str, _codes(codes.TYPOLOGIES, "a typology")),
            "reasons": pa.Column(
                str,
                pa.Check(_reasons_valid, error="expected SNE reason codes 01–23 separated by ';'"),
                nullable=True,
            ),
            "dalo": pa.Column("boolean"),
            "priority": pa.Column("boolean"),
        },
        checks=[_SIZE_ADDS_UP],
        name="demands",
    )


def attributions_schema(edition: Edition) -> pa.DataFrameSchema:
    period = Period.of(edition)
    return pa.DataFrameSchema(
        {
            "demand_id": _demand_id(unique=True),
            "epci": _epci(edition),
            "commune": _commune(),
            "in_qpv": pa.Column("boolean"),
            "lease_date": pa.Column("datetime64[ns]", _in_period(period, "a lease date")),
            "filing_date": pa.Column("datetime64[ns]", _on_or_before(period.end, "a filing date")),
            **_household_columns(),
            "typology": pa.Column(str, _codes(codes.TYPOLOGIES, "a typology")),
            "reservataire": pa.Column(str, _codes(codes.RESERVATAIRES, "a réservataire code")),
            "priority": pa.Column("boolean"),
            "dalo": pa.Column("boolean"),
            "anru_rehousing": pa.Column("boolean"),
            "mutation": pa.Column("boolean"),
            "landlord": pa.Column(str),
        },
        checks=[
            _SIZE_ADDS_UP,
            pa.Check(
                lambda df: df["lease_date"] >= df["filing_date"], error="expected lease_date on or after filing_date"
            ),
        ],
        name="attributions",
    )


def housing_stock_schema(edition: Edition) -> pa.DataFrameSchema:
    year = edition.reference_date.year
    return pa.DataFrameSchema(
        {
            "dwelling_id": pa.Column(str, unique=True),
            "epci": _epci(edition),
            "commune": _commune(),
            "in_qpv": pa.Column("boolean"),
            "rooms": pa.Column("Int64", _between(1, 15, "a number of rooms")),
            "surface_m2": pa.Column("float64", _between(8, 400, "a surface in m²")),
            "financing": pa.Column(str, _codes(codes.FINANCING, "a financing code")),
            "monthly_rent_eur": pa.Column("float64", _between(0, 5000, "a monthly rent in €")),
            "construction_year": pa.Column("Int64", _between(1800, year, "a construction year")),
            "lease_start": pa.Column(
                "datetime64[ns]", _on_or_before(Period.of(edition).end, "a lease start"), nullable=True
            ),
            "landlord": pa.Column(str),
            "reserved_for": pa.Column(str, _codes(codes.RESERVATAIRES, "a réservataire code")),
        },
        name="housing_stock",
    )


def cal_presentations_schema(edition: Edition) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "demand_id": _demand_id(),
            "commission_date": pa.Column("datetime64[ns]", _in_period(Period.of(edition), "a commission date")),
            "rank": pa.Column("Int64", _between(1, 10, "a rank")),
            "decision": pa.Column(str, _codes(codes.CAL_DECISIONS, "a CAL decision code")),
        },
        name="cal_presentations",
    )


def q1_thresholds_schema(edition: Edition) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "year": pa.Column("Int64", _between(2000, 2100, "a year")),
            "epci": _epci(edition),
            "threshold_eur_per_uc": pa.Column("float64", _between(1000, 50000, "an annual threshold in € per UC")),
            "source": pa.Column(str, nullable=True),
        },
        checks=[
            pa.Check(
                lambda df: ~df.duplicated(["year", "epci"], keep=False),
                error="expected one threshold per year and EPCI",
            )
        ],
        name="q1_thresholds",
    )


SCHEMAS = {
    "demands": demands_schema,
    "attributions": attributions_schema,
    "housing_stock": housing_stock_schema,
    "cal_presentations": cal_presentations_schema,
    "q1_thresholds": q1_thresholds_schema,
}


def schema_for(table: str, edition: Edition, lacking: tuple[str, ...] = ()) -> pa.DataFrameSchema:
    """The table's schema; ``lacking`` columns (a source without them) may be empty and are not checked."""
    schema = SCHEMAS[table](edition)
    known = [c for c in lacking if c in schema.columns]
    return schema.update_columns({c: {"nullable": True, "checks": []} for c in known}) if known else schema


def contract_columns(table: str) -> list[str]:
    """The contract's columns of ``table`` (docs/data-contract.md), in schema order."""
    placeholder = Edition.model_construct(
        edition=2000, title="", publisher="", sites=[], reference_date=dt.date(2000, 12, 31)
    )
    return list(SCHEMAS[table](placeholder).columns)
