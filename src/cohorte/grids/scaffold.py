"""An empty grid for a new site, every field commented with its allowed values (``cohorte new-site``)."""

from __future__ import annotations

import typing
from pathlib import Path

from cohorte.editions import load_edition
from cohorte.errors import GridError
from cohorte.files import atomic_write_text
from cohorte.grids.fields import FieldSpec, coded_fields, field_help, submodel
from cohorte.grids.loading import grid_path
from cohorte.grids.models import THEMES, Grid, InterviewKind
from cohorte.validation import display_path

_FREE_TEXT = {
    "interviews": "types d'interlocuteurs rencontrés, parmi : {allowed}",
    "findings": "constats en français, une puce par élément, par thème",
    "highlights": "encadrés : - {title: …, theme: governance|demand_service|attribution_policy|cotation|flux, text: …}",
    "perspectives": "perspectives pour l'année suivante, une puce par élément",
}


def _scaffold_leaf(spec: FieldSpec, indent: int) -> str:
    name = spec.field.split(".")[-1]
    value = "[]" if spec.kind.endswith("_list") else ("not_documented" if "not_documented" in spec.allowed else "null")
    return f"{' ' * indent}{name}: {value}  # {field_help(spec)}\n"


def _description(theme: str, dotted: str) -> str:
    model = submodel(Grid, theme)
    *parents, name = dotted.split(".")
    for part in parents:
        model = submodel(model, part)
    return model.model_fields[name].description or ""


def _scaffold_theme(theme: str, specs: list[FieldSpec]) -> str:
    text, opened = f"{theme}:\n", set()
    for spec in specs:
        parts = spec.field.split(".")
        for depth in range(1, len(parts)):
            prefix = ".".join(parts[:depth])
            if prefix not in opened:
                opened.add(prefix)
                text += f"{'  ' * depth}{parts[depth - 1]}:  # {_description(theme, prefix)}\n"
        text += _scaffold_leaf(spec, 2 * len(parts))
    return text


def scaffold(edition: str | int, slug: str) -> str:
    """An empty grid for ``slug`` with every field, each commented with its allowed values."""
    params = load_edition(edition)
    if slug not in params.slugs:
        raise GridError(
            [
                f"site '{slug}' is not in params/{edition}/edition.yml; add it to the sites there first "
                f"(sites: {', '.join(params.slugs)})"
            ]
        )
    return scaffold_text(edition, slug, params.site(slug).name)


def scaffold_text(edition: str | int, slug: str, name: str) -> str:
    """The empty grid of site ``slug`` named ``name`` (the site need not be valid in edition.yml yet)."""
    specs = coded_fields()
    text = (
        f"# Grille d'observation — {name} ({slug}), édition {edition}.\n"
        "# Champs codés : docs/domain.md §5. null = non documenté ; [] = rien de documenté.\n"
        "# Indiquer en commentaire les sources utilisées (monographie, entretiens).\n"
    )
    for theme in THEMES:
        text += _scaffold_theme(theme, [s for s in specs if s.theme == theme])
    allowed = ", ".join(typing.get_args(InterviewKind))
    text += f"interviews: []  # {_FREE_TEXT['interviews'].format(allowed=allowed)}\n"
    text += f"findings:  # {_FREE_TEXT['findings']}\n"
    text += "".join(f"  {theme}: []\n" for theme in THEMES)
    text += f"highlights: []  # {_FREE_TEXT['highlights']}\n"
    text += f"perspectives: []  # {_FREE_TEXT['perspectives']}\n"
    return text


def write_scaffold(edition: str | int, slug: str) -> Path:
    """Write the scaffold to ``params/EDITION/sites/SLUG/grid.yml``; never overwrites."""
    path = grid_path(edition, slug)
    if path.exists():
        raise GridError([f"{display_path(path)}: already exists; edit it, or delete it first to start over"])
    return atomic_write_text(path, scaffold(edition, slug))
