"""Every path the kit uses, derived from one root.

The root is the repository (found from this file in an editable install) or
``$COHORTE_HOME`` when set, so tests and users can point the kit elsewhere.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from cohorte.errors import ParamsError

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def checked_name(value: str | int, what: str = "edition") -> str:
    """An edition id or site slug usable as one folder name (never ``..``, ``/`` or an absolute path).

    Every path below is built through it, so no command can read or write outside its folders.
    """
    text = str(value)
    if not _NAME.fullmatch(text):
        raise ParamsError(
            f"{what} {text!r} is not a valid {what} name: lower-case letters, digits, '-' and '_' only "
            f"(like 2020 or lorient-agglomeration)"
        )
    return text


def root() -> Path:
    """The kit's working root: ``$COHORTE_HOME``, else the repository holding this package."""
    env = os.environ.get("COHORTE_HOME")
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve().parents[2]
    return here if (here / "pyproject.toml").exists() else Path.cwd()


def repo_dir() -> Path:
    """The repository holding the package (a source checkout), where ``git`` finds the commit."""
    return Path(__file__).resolve().parents[2]


def package_dir() -> Path:
    """The installed package: its notebooks, templates and reference data ship inside it."""
    return Path(__file__).resolve().parent


def params_dir(edition: str | int | None = None) -> Path:
    base = root() / "params"
    return base if edition is None else base / checked_name(edition)


def grids_dir(edition: str | int) -> Path:
    """``params/EDITION/sites``: one folder per site (``SLUG/grid.yml``, ``SLUG/prose/THEME.md``)."""
    return params_dir(edition) / "sites"


def grid_path(edition: str | int, slug: str) -> Path:
    """A site's observation grid: ``params/EDITION/sites/SLUG/grid.yml``."""
    return grids_dir(edition) / checked_name(slug, "site") / "grid.yml"


def prose_dir(edition: str | int, slug: str) -> Path:
    """The consultants' prose of a site, one Markdown file per theme."""
    return grids_dir(edition) / slug / "prose"


def kit_text_dir() -> Path:
    """The kit's default sentence templates (``templates/text/fr``)."""
    return templates_dir() / "text" / "fr"


def text_override_dir(edition: str | int) -> Path:
    """An edition's own versions of the kit's templates, at the same relative paths."""
    return params_dir(edition) / "text"


def synthesis_text_dir(edition: str | int) -> Path:
    """The edition's authored synthesis, one Markdown file per part."""
    return params_dir(edition) / "synthesis"


def stated_path(edition: str | int) -> Path:
    """Aggregates stated by the source without naming every site."""
    return params_dir(edition) / "stated.yml"


def data_dir() -> Path:
    return root() / "data"


def demo_data_dir(edition: str | int) -> Path:
    return data_dir() / f"{checked_name(edition)}-demo"


DEMO_MARKER = "Données fictives"  # first words of the README.txt that the demo generator writes


def is_demo_folder(folder: Path) -> bool:
    """True when ``folder`` holds demo data (its README.txt starts with the demo marker)."""
    readme = Path(folder) / "README.txt"
    return readme.is_file() and readme.read_text(encoding="utf-8", errors="replace").startswith(DEMO_MARKER)


def outputs_dir(edition: str | int | None = None) -> Path:
    base = root() / "outputs"
    return base if edition is None else base / checked_name(edition)


def _shipped(name: str) -> Path:
    """A folder shipped with the kit: inside the package (a wheel, a worker), else in the checkout."""
    inside = package_dir() / name
    return inside if inside.is_dir() else repo_dir() / name


def notebooks_dir() -> Path:
    return _shipped("notebooks")


def templates_dir() -> Path:
    return _shipped("templates")


def monograph_base(edition: str | int, slug: str) -> Path:
    """``outputs/EDITION/sites/SLUG/monograph`` (add ``.html``, ``.pdf``, ``.docx``)."""
    return site_output_dir(edition, slug) / Path(MONOGRAPH_NOTEBOOK).stem


def synthesis_base(edition: str | int) -> Path:
    """``outputs/EDITION/synthese-EDITION`` (add ``.html``, ``.pdf``, ``.docx``)."""
    return outputs_dir(edition) / f"synthese-{edition}"


def site_dir(edition: str | int) -> Path:
    """The static web site of the edition (``index.html`` is the synthesis)."""
    return outputs_dir(edition) / "site"


def site_index(edition: str | int) -> Path:
    """The web site's home page: the synthesis."""
    return site_dir(edition) / "index.html"


def book_dir(edition: str | int) -> Path:
    """The Quarto book project of the edition (``_quarto.yml``, chapters)."""
    return outputs_dir(edition) / "book"


# --- file names inside outputs/EDITION/ (one place; every module uses these) -----------------

MANIFEST_FILE = "manifest.json"  # outputs/EDITION/manifest.json: what produced every output
MONOGRAPH_NOTEBOOK = "monograph.ipynb"  # notebooks/ and outputs/EDITION/sites/SLUG/
SYNTHESIS_NOTEBOOK = "synthesis.ipynb"  # notebooks/ and outputs/EDITION/synthesis/
KEY_FIGURES_FILE = "key_figures.json"  # a site's aggregates for the synthesis, beside its notebook
PREPARED_FILE = "indicators.csv"  # a site's published indicators, inside prepared_dir()
INDICATORS_FILE = "indicators.csv"  # outputs/EDITION/indicators.csv written by `cohorte indicators`
CONTEXT_FILE = "context.json"  # what the build knew of the data behind a prepared slice
SYNTHESIS_TABLES = ("sites.csv", "indicators.csv", "observations.csv")  # under synthesis_tables_dir()
FICHE_NOTEBOOK = "fiche.ipynb"  # notebooks/ and outputs/EDITION/sites/SLUG/ (national editions)
NATIONAL_NOTEBOOK = "national.ipynb"  # notebooks/ and outputs/EDITION/national/ (national editions)
NATIONAL_PREPARED = "national-indicators.csv"  # every EPCI's site-level published figures, in outputs/EDITION/
NATIONAL_CSV = "epci.csv"  # the national synthesis' table of all EPCI, in outputs/EDITION/national/


def national_prepared_path(edition: str | int) -> Path:
    """Every site's site-level published indicators, for the fiches' national positions and the national synthesis."""
    return outputs_dir(edition) / NATIONAL_PREPARED


def national_output_dir(edition: str | int) -> Path:
    """``outputs/EDITION/national``: the executed national synthesis and its CSV of all EPCI."""
    return outputs_dir(edition) / "national"


def fiche_base(edition: str | int, slug: str) -> Path:
    """``outputs/EDITION/sites/SLUG/fiche`` (add ``.html``, ``.pdf``)."""
    return site_output_dir(edition, slug) / Path(FICHE_NOTEBOOK).stem


def prepared_dir(edition: str | int, slug: str) -> Path:
    """The site's published aggregates handed to its notebook by ``cohorte build``."""
    return site_output_dir(edition, slug) / "prepared"


def site_output_dir(edition: str | int, slug: str) -> Path:
    """``outputs/EDITION/sites/SLUG``: the site's executed notebook, key figures and documents."""
    return outputs_dir(edition) / "sites" / checked_name(slug, "site")


def sites_output_dir(edition: str | int) -> Path:
    return outputs_dir(edition) / "sites"


def synthesis_output_dir(edition: str | int) -> Path:
    """``outputs/EDITION/synthesis``: the executed synthesis notebook and its tables."""
    return outputs_dir(edition) / "synthesis"


def synthesis_tables_dir(output_dir: Path) -> Path:
    """The synthesis tables' folder inside a synthesis output folder."""
    return Path(output_dir) / "tables"


def manifest_path(edition: str | int) -> Path:
    return outputs_dir(edition) / MANIFEST_FILE
