"""``cohorte new-edition NEW --from PREVIOUS``: start an edition from the previous one.

The new edition gets the previous one's settings (``edition.yml`` with the new year, reference date
31 December of the year, fieldwork to fill in and ``previous_edition``), each remaining site's grid
with every coded field listed in ``to_confirm`` (the consultants confirm or change them) and
``interviews`` emptied (they are the new fieldwork's), each site's prose, and the edition's own
template overrides. Not carried over: the authored synthesis (the kit's default parts say what
changed; authors write their own) and ``stated.yml`` (aggregates a *source* stated for that
edition: they say nothing about the next one). A site joining the cohort gets an empty grid and
prose scaffold; its identity in ``edition.yml`` is left for the user to complete.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from cohorte import config
from cohorte.editions import Slug, load_edition
from cohorte.errors import ParamsError
from cohorte.grids import confirmable_fields, dump_grid, grid_path, load_grid
from cohorte.grids.scaffold import scaffold_text
from cohorte.report.prose import PROSE_THEMES
from cohorte.report.prose import scaffold_text as prose_scaffold
from cohorte.validation import display_path, read_yaml

TO_COMPLETE = "À COMPLÉTER"
_IDENTITY = ("name", "short_name", "region", "departement", "communes", "population_2017")


@dataclass
class NewEdition:
    """What ``new_edition`` wrote, for the command's summary."""

    folder: Path
    carried: list[str] = field(default_factory=list)  # sites whose grid and prose were carried over
    joined: list[str] = field(default_factory=list)  # sites without a previous grid
    left: list[str] = field(default_factory=list)  # sites of the previous edition not followed
    to_complete: list[str] = field(default_factory=list)  # joining sites whose identity is to fill in


def _edition_header(new: int, previous: int) -> str:
    return (
        f"# Edition {new} of the cohort, started from edition {previous} by `cohorte new-edition`.\n"
        f"# To do: fieldwork (dates of the interviews), the identity of any site marked {TO_COMPLETE},\n"
        f"# and each site's grid (params/{new}/sites/SLUG/grid.yml: confirm the fields of to_confirm).\n"
    )


def _settings(raw: dict, new: int, previous: int) -> dict:
    """The previous edition's settings for the new year: reference date, fieldwork, previous edition."""
    out: dict = {}
    for key, value in raw.items():
        if key == "edition":
            out[key] = new
        elif key == "subtitle" and isinstance(value, str):
            out[key] = value.replace(str(previous), str(new))
        elif key == "fieldwork":
            out[key] = f"{TO_COMPLETE} : entretiens conduits entre … et … (édition {new})"
        elif key == "reference_date":
            out[key] = dt.date(new, 12, 31)
            out["previous_edition"] = previous
        elif key in ("previous_edition", "fictitious_observations"):
            continue
        else:
            out[key] = value
    return out


def _joining_site(slug: str) -> tuple[dict, bool]:
    """A joining site's identity: from the latest earlier edition that had it, else placeholders."""
    for folder in sorted(config.params_dir().glob("*/edition.yml"), reverse=True):
        raw = read_yaml(folder)
        for site in raw.get("sites", []) if isinstance(raw, dict) else []:
            if isinstance(site, dict) and site.get("slug") == slug:
                return dict(site), False
    placeholder = {"slug": slug, "siren": None, **dict.fromkeys(_IDENTITY, TO_COMPLETE)}
    return placeholder, True


def _carried_grid(previous: int, new: int, slug: str, name: str) -> str:
    grid = load_grid(grid_path(previous, slug))
    carried = grid.model_copy(update={"to_confirm": list(confirmable_fields()), "interviews": []})
    header = (
        f"# Grille d'observation — {name} ({slug}), édition {new}, reprise de l'édition {previous}.\n"
        f"# to_confirm : champs codés repris de {previous}, à confirmer. Retirer un champ de la liste une fois\n"
        "# confirmé ; un champ dont la valeur change compte comme confirmé. interviews : entretiens de l'année.\n"
        f"# Constats, encadrés et perspectives sont ceux de {previous} : à réécrire.\n"
    )
    return dump_grid(carried, header)


def new_edition(new: int, previous: int, drop: list[str] | None = None, add: list[str] | None = None) -> NewEdition:
    """Write ``params/NEW/`` from ``params/PREVIOUS/``; nothing is written when anything is wrong."""
    source = load_edition(previous)
    target = config.params_dir(new)
    if new <= source.year:
        raise ParamsError(f"edition {new} must come after edition {previous}")
    if target.exists():
        raise ParamsError(f"{display_path(target)}: already exists; edit it, or remove it to start over")
    drop, add = list(drop or []), list(add or [])
    unknown = [s for s in drop if s not in source.slugs]
    if unknown:
        raise ParamsError(f"--drop {', '.join(unknown)}: not a site of edition {previous} ({', '.join(source.slugs)})")
    already = [s for s in add if s in source.slugs and s not in drop]
    wrong = [s for s in add if not _is_slug(s)]
    if already or wrong:
        raise ParamsError(
            f"--add {', '.join(already + wrong)}: "
            + (f"already a site of edition {previous}" if already else "not a slug (lower-case words joined by '-')")
        )
    raw = read_yaml(config.params_dir(previous) / "edition.yml")
    if not isinstance(raw, dict):  # load_edition above validated it; this narrows the type
        raise ParamsError(f"params/{previous}/edition.yml: expected a mapping")
    settings = _settings(raw, new, previous)
    kept = [s for s in raw["sites"] if s["slug"] not in drop]
    result = NewEdition(target, carried=[s["slug"] for s in kept], joined=list(add), left=list(drop))
    for slug in add:
        identity, incomplete = _joining_site(slug)
        kept.append(identity)
        if incomplete:
            result.to_complete.append(slug)
    settings["sites"] = kept
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{new}-", dir=target.parent))
    try:
        _fill(staging, settings, source.year, new, result, {s["slug"]: s["name"] for s in kept})
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return result


def _is_slug(text: str) -> bool:
    from pydantic import TypeAdapter, ValidationError

    try:
        TypeAdapter(Slug).validate_python(text)
    except ValidationError:
        return False
    return True


def _fill(folder: Path, settings: dict, previous: int, new: int, result: NewEdition, names: dict[str, str]) -> None:
    body = yaml.safe_dump(settings, sort_keys=False, allow_unicode=True, width=110)
    (folder / "edition.yml").write_text(_edition_header(new, previous) + body, encoding="utf-8")
    overrides = config.text_override_dir(previous)
    if overrides.is_dir():
        shutil.copytree(overrides, folder / overrides.name)
    for slug in result.carried:
        site = folder / "sites" / slug
        site.mkdir(parents=True)
        (site / "grid.yml").write_text(_carried_grid(previous, new, slug, names[slug]), encoding="utf-8")
        prose = config.prose_dir(previous, slug)
        if prose.is_dir():
            shutil.copytree(prose, site / "prose")
    for slug in result.joined:
        site = folder / "sites" / slug
        (site / "prose").mkdir(parents=True)
        (site / "grid.yml").write_text(scaffold_text(new, slug, names[slug]), encoding="utf-8")
        for theme in PROSE_THEMES:
            (site / "prose" / f"{theme}.md").write_text(prose_scaffold(theme), encoding="utf-8")
