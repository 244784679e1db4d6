"""Each notebook's parameters, declared once: a model per notebook, kept in step with its parameters cell.

``tests/report/test_parameters.py`` compares every model with its notebook's ``parameters`` cell
(names, types, defaults, read by papermill). ``cohorte build`` checks every job's values against
the model before any kernel starts: a missing, unknown or wrongly typed value is an error naming
the notebook and the key.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cohorte import config


class NotebookParameters(BaseModel):
    """Base of the notebooks' parameter models: unknown keys refused, no type coercion."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class MonographParameters(NotebookParameters):
    """``notebooks/monograph.ipynb``: one site."""

    edition: int = Field(2020, description="edition whose params/EDITION/ describe the sites")
    site: str = Field("lorient-agglomeration", description="slug of the EPCI, as in params/EDITION/edition.yml")
    prepared_dir: str = Field("", description="the site's published aggregates (empty: the build's prepared slice)")
    output_dir: str = Field("", description="folder of key_figures.json (empty: outputs/EDITION/sites/SITE)")


class SynthesisParameters(NotebookParameters):
    """``notebooks/synthesis.ipynb``: every site's key figures."""

    edition: int = Field(2020, description="edition whose params/EDITION/ describe the sites")
    sites_dir: str = Field("", description="folder of the monographs' key_figures.json (empty: outputs/EDITION/sites)")
    output_dir: str = Field("", description="folder of the synthesis tables (empty: outputs/EDITION/synthesis)")


class FicheParameters(NotebookParameters):
    """``notebooks/fiche.ipynb``: one EPCI of a national edition."""

    edition: str = Field("national-2020", description="national edition whose params/EDITION/ describe the EPCI")
    site: str = Field("ca-lorient-agglomeration", description="slug of the EPCI (generated from the EPCI referential)")
    prepared_dir: str = Field("", description="the EPCI's published aggregates (empty: the build's prepared slice)")
    national_file: str = Field(
        "", description="every EPCI's site-level figures (empty: outputs/EDITION/national-indicators.csv)"
    )


class NationalParameters(NotebookParameters):
    """``notebooks/national.ipynb``: the national synthesis of a national edition."""

    edition: str = Field("national-2020", description="national edition whose params/EDITION/ describe the EPCI")
    national_file: str = Field(
        "", description="every EPCI's site-level figures (empty: outputs/EDITION/national-indicators.csv)"
    )
    output_dir: str = Field("", description="folder of epci.csv (empty: outputs/EDITION/national)")


PARAMETERS: dict[str, type[NotebookParameters]] = {
    config.MONOGRAPH_NOTEBOOK: MonographParameters,
    config.SYNTHESIS_NOTEBOOK: SynthesisParameters,
    config.FICHE_NOTEBOOK: FicheParameters,
    config.NATIONAL_NOTEBOOK: NationalParameters,
}


def parameter_problems(notebook: str, values: dict[str, object]) -> list[str]:
    """Why ``values`` cannot be given to ``notebook`` (every key must be given), one line per key; [] when fine."""
    model = PARAMETERS.get(notebook)
    if model is None:
        return [f"{notebook}: no parameter model declared; add one to cohorte.report.parameters.PARAMETERS"]
    declared = list(model.model_fields)
    problems = []
    unknown = [k for k in values if k not in model.model_fields]
    if unknown:
        problems.append(
            f"{notebook}: unknown parameter(s) {', '.join(unknown)}; the notebook declares {', '.join(declared)}"
        )
    problems += [f"{notebook}: parameter '{k}' is missing" for k in declared if k not in values]
    try:
        model.model_validate({k: v for k, v in values.items() if k in model.model_fields})
    except ValidationError as exc:
        for error in exc.errors():
            key = ".".join(map(str, error["loc"]))
            if error["type"] != "missing":
                field = model.model_fields[key].annotation
                expected = getattr(field, "__name__", str(field))
                problems.append(
                    f"{notebook}: parameter '{key}' must be {expected}, got {type(error['input']).__name__} "
                    f"{error['input']!r}"
                )
    return problems
