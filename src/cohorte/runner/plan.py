"""The build plan: what each kind of edition runs, as jobs that declare what they read and write.

An edition kind (``cohort``, ``national``) lists its stages; a stage is a list of
:class:`NotebookJob` — the notebook, its parameters, the inputs it reads (files, folders, literal
values) and the outputs it writes (the executed notebook, its products, its documents). The runner
(:mod:`cohorte.runner.pipeline`) hashes what each job reads in one place and runs what is not current.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from cohorte import config
from cohorte.config import grid_path
from cohorte.editions import Edition
from cohorte.errors import ParamsError
from cohorte.files import fingerprint
from cohorte.runner.formats import ALL
from cohorte.store.provenance import kit_fingerprint
from cohorte.store.reads import Read

if TYPE_CHECKING:  # pragma: no cover - rendering is imported only when a job renders
    from cohorte.runner.rendering import DocMeta

NOTEBOOK_TIMEOUT = 600  # seconds: the longest a cell may run, and the longest a kernel may take to start


@dataclass(frozen=True)
class Render:
    """Documents a job renders from its executed notebook, in the same task (``base.FORMAT``)."""

    base: Path
    formats: tuple[str, ...]
    meta: DocMeta | None = None  # filled by the runner for the jobs it runs (provenance from the notebook)

    def outputs(self) -> list[Path]:
        return [self.base.with_name(f"{self.base.name}.{f}") for f in self.formats]


@dataclass(frozen=True)
class NotebookJob:
    """One notebook to execute (and render): where from, where to, with which parameters, reading what."""

    name: str
    notebook: Path
    output: Path
    parameters: dict
    reads: Mapping[str, Read] = field(default_factory=dict)  # what it depends on: name → file(s) or value
    products: tuple[Path, ...] = ()  # files the notebook writes beside itself (key figures, tables)
    render: Render | None = None  # documents rendered by the same task, right after execution
    timeout: int = NOTEBOOK_TIMEOUT
    sources: dict[str, str] = field(default_factory=dict)  # ``reads`` hashed by the runner: name → content hash

    @property
    def source(self) -> Path:
        """The notebook to execute; a bare name is one of the kit's, found through the package wherever
        the job runs (a Dask worker has the kit installed, not the driver's checkout)."""
        return self.notebook if self.notebook.is_absolute() else config.notebooks_dir() / self.notebook

    @property
    def fingerprint(self) -> str:
        """What made the executed notebook: the notebook, its parameters, what it read, the kit."""
        return fingerprint(self.source, self.parameters, self.sources, kit_fingerprint())

    @property
    def failed_output(self) -> Path:
        return self.output.with_name(self.output.stem + ".failed.ipynb")

    def render_key(self) -> str:
        """What made the documents: the executed notebook's content, the formats, the kit."""
        formats = sorted(self.render.formats) if self.render else []
        return fingerprint(self.output, formats, kit_fingerprint())


@dataclass(frozen=True)
class Stage:
    label: str  # the progress bar's label
    jobs: Callable[[], list[NotebookJob]]  # called when the stage starts: it may read what earlier stages wrote


def select_sites(edition: Edition, sites: list[str] | None) -> list[str]:
    """The requested slugs (all by default); an unknown slug is an error naming the known ones."""
    if not sites:
        return edition.slugs
    unknown = [s for s in sites if s not in edition.slugs]
    if unknown:
        raise ParamsError(
            f"unknown site(s) {', '.join(unknown)} in edition {edition.edition}; known sites: {', '.join(edition.slugs)}"
        )
    return sites


def _edition_reads(edition: Edition) -> dict[str, Read]:
    """What every notebook of an edition reads: its settings and the edition's own texts."""
    return {
        "edition.yml": config.params_dir(edition.edition) / "edition.yml",
        "texts": (config.text_override_dir(edition.edition), config.stated_path(edition.edition)),
    }


def _prepared(edition: Edition, slug: str) -> tuple[Path, ...]:
    folder = config.prepared_dir(edition.edition, slug)
    return (folder / config.PREPARED_FILE, folder / config.CONTEXT_FILE)


_COHORT_PLACEHOLDER = re.compile(r"\b(count|sites|documented|stated|phrase|n_sites)\b")


def _cohort_grids(edition: Edition, slug: str) -> tuple[Path, ...]:
    """Every grid of the edition when the site's prose counts across sites, else none: a grid change
    elsewhere then leaves this monograph alone."""
    folder = config.prose_dir(edition.edition, slug)
    prose = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.md"))] if folder.is_dir() else []
    counts = any(map(_COHORT_PLACEHOLDER.search, prose))
    return tuple(grid_path(edition.edition, s) for s in edition.slugs) if counts else ()


def _previous_reads(edition: Edition, slugs: list[str]) -> dict[str, Read]:
    """What a comparison with the previous edition reads: its grids and its sites' key figures."""
    previous = edition.previous_edition
    if previous is None:
        return {}
    reads: dict[str, Read] = {"previous/edition.yml": config.params_dir(previous) / "edition.yml"}  # its sites
    for slug in slugs:
        reads[f"previous/{slug}/grid"] = grid_path(previous, slug)
        reads[f"previous/{slug}/key_figures"] = config.site_output_dir(previous, slug) / config.KEY_FIGURES_FILE
    return reads


class Cohort:
    """The observed cohort: a monograph per site (HTML, PDF, DOCX), then the synthesis, the site and the book."""

    name = "cohort"
    formats = ALL

    def stages(self, edition: Edition, slugs: list[str], formats: tuple[str, ...]) -> list[Stage]:
        stages = [Stage("monographies", lambda: [self.monograph(edition, s, formats) for s in slugs])]
        if (config.notebooks_dir() / config.SYNTHESIS_NOTEBOOK).exists():
            stages.append(Stage("synthèse", lambda: [self.synthesis(edition, formats)]))
        return stages

    def monograph(self, edition: Edition, slug: str, formats: tuple[str, ...]) -> NotebookJob:
        folder, prepared = config.site_output_dir(edition.edition, slug), config.prepared_dir(edition.edition, slug)
        return NotebookJob(
            name=f"sites/{slug}",
            notebook=Path(config.MONOGRAPH_NOTEBOOK),
            output=folder / config.MONOGRAPH_NOTEBOOK,
            # paths relative to the notebook's folder (its working directory): the same wherever it is built
            parameters={
                "edition": edition.edition,
                "site": slug,
                "prepared_dir": os.path.relpath(prepared, folder),
                "output_dir": ".",
            },
            reads={
                **_edition_reads(edition),
                "grid": grid_path(edition.edition, slug),
                "data_slice": _prepared(edition, slug),
                "prose": config.prose_dir(edition.edition, slug),
                "cohort_grids": _cohort_grids(edition, slug),
                **_previous_reads(edition, [slug]),
            },
            products=(folder / config.KEY_FIGURES_FILE,),
            render=Render(config.monograph_base(edition.edition, slug), formats) if formats else None,
        )

    def synthesis(self, edition: Edition, formats: tuple[str, ...]) -> NotebookJob:
        folder = config.synthesis_output_dir(edition.edition)
        tables = config.synthesis_tables_dir(folder)
        return NotebookJob(
            name="synthesis",
            notebook=Path(config.SYNTHESIS_NOTEBOOK),
            output=folder / config.SYNTHESIS_NOTEBOOK,
            parameters={
                "edition": edition.edition,
                "sites_dir": os.path.relpath(config.sites_output_dir(edition.edition), folder),
                "output_dir": ".",
            },
            reads={
                **_edition_reads(edition),
                "synthesis_texts": config.synthesis_text_dir(edition.edition),
                **{
                    f"key_figures/{s}": config.site_output_dir(edition.edition, s) / config.KEY_FIGURES_FILE
                    for s in edition.slugs
                },
                **{f"grid/{s}": grid_path(edition.edition, s) for s in edition.slugs},
                **_previous_reads(edition, edition.slugs),
            },
            products=tuple(tables / name for name in config.SYNTHESIS_TABLES),
            render=Render(config.synthesis_base(edition.edition), formats) if formats else None,
        )

    def engine(self, requested: str) -> str:
        from cohorte.runner.assembly import choose_engine

        return choose_engine(requested)

    def assemble(self, edition: Edition, report, manifest, formats: tuple[str, ...], force: bool) -> list[Path]:
        """The web site (built-in engine) or the Quarto book of the notebooks that did not fail."""
        from cohorte.runner.assembly import assemble

        rendered, failures = assemble(edition, set(report.failures), manifest, formats, report.engine, force)
        report.failures.update(failures)
        return rendered

    def open_lines(self, edition: Edition, engine: str) -> list[str]:
        """Where a reader opens the edition."""
        synthesis = config.synthesis_base(edition.edition)
        documents = [
            *(synthesis.with_name(f"{synthesis.name}.{ext}") for ext in ("pdf", "docx")),
            config.sites_output_dir(edition.edition)
            / "SLUG"
            / f"{Path(config.MONOGRAPH_NOTEBOOK).stem}.{{html,pdf,docx}}",
        ]
        lines = []
        if engine == "quarto":
            book = sorted(
                p
                for p in (config.book_dir(edition.edition) / "_book").glob("*")
                if p.suffix in (".html", ".pdf", ".docx")
            )
            lines.append("the Quarto book (rendered by Quarto):")
            lines += [f"  {path}" for path in book if path.name == "index.html" or path.suffix != ".html"]
            lines.append("the documents (rendered by the built-in engine, pandoc + typst):")
        else:
            documents.insert(0, config.site_index(edition.edition))
        return lines + [str(path) for path in documents if path.exists() or "SLUG" in path.parts]

    def document_meta(self, edition: Edition, job: NotebookJob) -> DocMeta:
        from cohorte.runner.rendering import document_meta

        return document_meta(edition, None if job.name == "synthesis" else job.name.split("/", 1)[1])


class National:
    """Every EPCI of a national edition: a fiche each (HTML, PDF) and the national synthesis."""

    name = "national"
    formats = ("html", "pdf")

    def stages(self, edition: Edition, slugs: list[str], formats: tuple[str, ...]) -> list[Stage]:
        return [
            Stage(
                "fiches", lambda: [self.synthesis(edition, formats), *(self.fiche(edition, s, formats) for s in slugs)]
            )
        ]

    def _reads(self, edition: Edition) -> dict[str, Read]:
        return {**_edition_reads(edition), "national": config.national_prepared_path(edition.edition)}

    def fiche(self, edition: Edition, slug: str, formats: tuple[str, ...]) -> NotebookJob:
        """Execute ``fiche.ipynb`` on the EPCI's slice and render it."""
        folder, prepared = config.site_output_dir(edition.edition, slug), config.prepared_dir(edition.edition, slug)
        return NotebookJob(
            name=f"sites/{slug}",
            notebook=Path(config.FICHE_NOTEBOOK),
            output=folder / config.FICHE_NOTEBOOK,
            parameters={  # relative to the notebook's folder, as a cohort's: the same wherever it is built
                "edition": str(edition.edition),
                "site": slug,
                "prepared_dir": os.path.relpath(prepared, folder),
                "national_file": os.path.relpath(config.national_prepared_path(edition.edition), folder),
            },
            reads={**self._reads(edition), "data_slice": _prepared(edition, slug)},
            render=Render(config.fiche_base(edition.edition, slug), formats) if formats else None,
        )

    def synthesis(self, edition: Edition, formats: tuple[str, ...]) -> NotebookJob:
        """The national synthesis: counts, distributions, rankings and the CSV of all EPCI."""
        folder = config.national_output_dir(edition.edition)
        return NotebookJob(
            name="national",
            notebook=Path(config.NATIONAL_NOTEBOOK),
            output=folder / config.NATIONAL_NOTEBOOK,
            parameters={
                "edition": str(edition.edition),
                "national_file": os.path.relpath(config.national_prepared_path(edition.edition), folder),
                "output_dir": ".",
            },
            reads=self._reads(edition),
            products=(folder / config.NATIONAL_CSV,),
            render=Render(folder / f"synthese-{edition.edition}", formats) if formats else None,
        )

    def document_meta(self, edition: Edition, job: NotebookJob) -> DocMeta:
        from cohorte.runner.rendering import document_meta

        slug = None if job.name == "national" else job.name.split("/", 1)[1]
        meta = dataclasses.replace(document_meta(edition, slug), edition=str(edition.year))
        if slug is None:
            return dataclasses.replace(
                meta, subtitle=edition.subtitle or "Synthèse nationale", short_title="Synthèse nationale"
            )
        return dataclasses.replace(meta, subtitle="Fiche EPCI", short_title=f"Fiche nationale {edition.year}")

    def engine(self, requested: str) -> str:
        if requested == "quarto":
            raise ParamsError("a national edition has no Quarto book: its fiches are rendered by the built-in engine")
        return "builtin"

    def assemble(self, edition: Edition, report, manifest, formats: tuple[str, ...], force: bool) -> list[Path]:
        return []  # each fiche is a document of its own: nothing to assemble

    def open_lines(self, edition: Edition, engine: str) -> list[str]:
        national = config.national_output_dir(edition.edition)
        return [
            str(national / f"synthese-{edition.edition}.html"),
            str(national / config.NATIONAL_CSV),
            str(config.sites_output_dir(edition.edition) / "SLUG" / "fiche.{html,pdf}"),
        ]


EditionKind = Cohort | National
KINDS: dict[str, EditionKind] = {"cohort": Cohort(), "national": National()}


def kind_of(edition: Edition) -> EditionKind:
    return KINDS[edition.kind]
