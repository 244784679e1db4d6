"""Demo data of an edition that follows another: the same households a year later.

For a site observed in both editions, the previous edition's active demands are split, in a
deterministic draw, into households housed during the year (their demand ids and filing dates become
those of the year's attributions filed before the year), households still waiting (their whole row
is kept: same id, same filing date, same household) and demands that lapsed. Demands filed during
the year are the year's own draws. Commission rows follow the ids they were drawn for.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cohorte.inputs.demo.profiles import slug_key

_CONTINUATION_SALT = 2021_0101  # a stream of its own: never shifts the edition's other draws


def continue_site(
    previous: dict[str, pd.DataFrame], current: dict[str, pd.DataFrame], year_start: pd.Timestamp, seed: int, slug: str
) -> dict[str, pd.DataFrame]:
    """The site's ``current`` tables with last year's households carried over (see the module docstring)."""
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, slug_key(slug), _CONTINUATION_SALT])))
    waiting_before = previous["demands"]
    demands, attributions = current["demands"], current["attributions"]
    filed_before = pd.to_datetime(demands["filing_date"]) < year_start
    housed_before = pd.to_datetime(attributions["filing_date"]) < year_start
    order = rng.permutation(len(waiting_before))
    n_housed = min(int(housed_before.sum()), len(order))
    still = round(int(filed_before.sum()) * rng.uniform(0.85, 1.12))  # fewer or more than last year's draw
    n_waiting = min(still, len(order) - n_housed)
    housed, waiting = waiting_before.iloc[order[:n_housed]], waiting_before.iloc[order[n_housed : n_housed + n_waiting]]

    attributions = attributions.copy()
    slots = np.flatnonzero(housed_before.to_numpy())[:n_housed]
    renamed = dict(zip(attributions["demand_id"].iloc[slots], housed["demand_id"], strict=True))
    attributions.loc[attributions.index[slots], "demand_id"] = housed["demand_id"].to_numpy()
    attributions.loc[attributions.index[slots], "filing_date"] = housed["filing_date"].to_numpy()

    old_ids = demands.loc[filed_before, "demand_id"].to_numpy()
    paired = min(n_waiting, len(old_ids))
    renamed |= dict(zip(old_ids[:paired], waiting["demand_id"].iloc[:paired], strict=True))
    dropped = set(old_ids[paired:])
    kept = pd.concat([waiting, demands.loc[~filed_before]], ignore_index=True)
    kept = kept.sort_values(["filing_date", "demand_id"], kind="stable").reset_index(drop=True)

    cal = current["cal_presentations"]
    cal = cal[~cal["demand_id"].isin(dropped)].copy()
    cal["demand_id"] = cal["demand_id"].map(lambda i: renamed.get(i, i))
    cal = cal.drop_duplicates(["demand_id", "commission_date"])
    cal = cal.sort_values(["commission_date", "demand_id"], kind="stable").reset_index(drop=True)
    attributions = attributions.sort_values(["lease_date", "demand_id"], kind="stable").reset_index(drop=True)
    return {**current, "demands": kept, "attributions": attributions, "cal_presentations": cal}
