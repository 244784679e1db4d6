"""Demo data of an edition that follows another: households still waiting keep their ids and filing dates."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from cohorte.editions import load_edition
from cohorte.inputs.demo import generate
from cohorte.runner.new_edition import new_edition

KEEP = "grandangouleme"


def test_when_2021_follows_2020_then_waiting_households_keep_their_ids_others_are_housed_and_new_demands_are_2021(
    home_2020: Path,
) -> None:
    others = [s for s in load_edition(2020).slugs if s != KEEP]
    new_edition(2021, 2020, drop=others)
    before = generate(load_edition(2020))["demands"]
    before = before[before["epci"] == KEEP].set_index("demand_id")
    tables = generate(load_edition(2021))
    after = tables["demands"].set_index("demand_id")
    still = after.index.intersection(before.index)
    assert len(still) > len(after) / 3
    pd.testing.assert_frame_equal(after.loc[still], before.loc[still])  # same household, same filing date
    new = after.drop(index=still)
    assert (pd.to_datetime(new["filing_date"]) >= "2021-01-01").all()
    housed = tables["attributions"].set_index("demand_id")
    housed_before = housed.index.intersection(before.index)
    assert len(housed_before) > 0 and housed_before.intersection(after.index).empty
    assert (housed.loc[housed_before, "filing_date"] == before.loc[housed_before, "filing_date"]).all()
    ids = set(after.index) | set(housed.index)
    assert tables["cal_presentations"]["demand_id"].isin(ids).all()
    again = generate(load_edition(2021))
    assert all(again[name].equals(tables[name]) for name in tables)
