"""Deterministic demo data (« données fictives »): every input table of docs/domain.md §4 for an edition.

Magnitudes follow the national orders of magnitude of docs/domain.md §3, scaled on each site's
population. A site's *profile* (pressure, target rates, Q1 threshold, communes, landlords…) is
drawn from its slug only, so it is stable across seeds; its rows are drawn from a generator
seeded with ``(seed, slug)``, so adding a site never changes another site's data. Everything is
vectorised with numpy: the 12 sites of 2020 generate in a couple of seconds.

- ``profiles``: site profiles (sizes, rates, communes, landlords);
- ``sampling``: drawing helpers; ``stock``, ``households``, ``commissions``: the drawn columns;
- ``tables``: one data frame per table, and ``generate``;
- ``writing``: README.txt, writers per format, atomic folder write.
"""

from cohorte.inputs.demo.profiles import SiteProfile, profiles, site_profile
from cohorte.inputs.demo.tables import TABLES, generate
from cohorte.inputs.demo.writing import (
    FORMATS,
    README_MARKER,
    ensure_demo_data,
    readme_text,
    write_demo_data,
    write_demo_folder,
    write_tables,
)

__all__ = [
    "FORMATS",
    "README_MARKER",
    "TABLES",
    "SiteProfile",
    "ensure_demo_data",
    "generate",
    "profiles",
    "readme_text",
    "site_profile",
    "write_demo_data",
    "write_demo_folder",
    "write_tables",
]
