"""How notebooks show things, so that Quarto and the built-in engine both render them well.

Every helper emits a Jupyter mime bundle chosen for both renderers:

- Quarto picks ``text/html`` for HTML and ``text/markdown`` for typst and DOCX
  (``src/core/jupyter/display-data.ts``); the built-in engine (:mod:`cohorte.runner.rendering`) reads
  ``text/markdown`` everywhere, because pandoc's ipynb reader would keep it as a raw block that
  typst and DOCX drop.
- Tables therefore carry both a pipe table (``text/markdown``) and an HTML table
  (``text/html``), never the DataFrame index.
- The demo notice and the encadrés are ``callout-*`` fenced divs in ``text/markdown`` (Quarto
  and the built-in engine turn them into boxes), with their HTML in ``text/html`` for
  JupyterLab, whose markdown renderer does not know fenced divs.
- Figures are PNG outputs of the kernel's inline backend (nothing here forces ``agg``); the
  figure is closed after display so it is not shown twice.
"""

from __future__ import annotations

import base64
import html
import io
import re
from typing import TYPE_CHECKING

import pandas as pd
from IPython.display import display

from cohorte.report.text import Texts, texts

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from cohorte.editions import Edition

DEMO_NOTICE = (
    "**Données fictives** — les chiffres de ce document sont générés à partir de données de "
    "démonstration\u00a0: ils ne décrivent aucun territoire réel et ne doivent pas être cités."
)
# What is real and what is fictitious (the callout's second paragraph): templates/text/fr/demo_details.md.
DEMO_DETAILS_TEMPLATE = "demo_details.md"
FIGURE_DPI = 150


def show_markdown(text: str) -> None:
    """Display computed French text (Markdown) as ordinary report text.

    Text with a boxed notice (a ``:::`` fenced div, which JupyterLab's markdown renderer would
    show raw) also carries its HTML for Lab; the renderers read ``text/markdown``.
    """
    bundle = {"text/markdown": text, "text/plain": text}
    if ":::" in text:
        bundle["text/html"] = markdown_html(text)
    display(bundle, raw=True)


_BOX_STYLE = {
    "warning": "border-left:4px solid #9a3412;background:#fff4e5;color:#1d1d1f",
    "important": "border-left:4px solid #9a3412;background:#fff4e5;color:#1d1d1f",
}
_NOTE_STYLE = "border-left:4px solid #1f3a5f;background:#e8eef5;color:#1d1d1f"


def markdown_html(text: str) -> str:
    """HTML of pandoc markdown (fenced divs become boxes with inline style), for JupyterLab."""
    import pypandoc  # the kit's pandoc (pypandoc-binary)

    body = pypandoc.convert_text(text, "html", format="markdown-raw_html", extra_args=["--wrap=none"])

    def box(match: re.Match) -> str:
        kind = match[1]
        return (
            f'<div class="callout-{kind}" style="{_BOX_STYLE.get(kind, _NOTE_STYLE)};'
            'padding:.5em 1em;margin:.8em 0;border-radius:3px">'
        )

    return re.sub(r'<div class="callout-(\w+)">', box, body)


_NUMERIC = re.compile(r"^[-+−]?[\d\u00a0\u202f ]+(,\d+)?(\u00a0|\u202f| )?(%|€|€/UC|mois|pts?)?$")


def _is_numeric(column: pd.Series) -> bool:
    """Numbers, or French-formatted numbers (« 12 480 », « 18,4 % », « n.s. »): right-aligned."""
    if column.dtype.kind in "iuf":
        return True
    values = [str(v).strip() for v in column if str(v).strip() not in ("", "n.s.", "–", "-")]
    return bool(values) and all(_NUMERIC.match(v) for v in values)


def _md_cell(value: object) -> str:
    """A cell as literal text (grid values are data: no markup but emphasis and http(s) links)."""
    from cohorte.markup import inline

    return inline(value)


PIPE_TABLE_COLUMNS = 72  # pandoc's --columns: a longer line makes a pipe table's widths relative to its dashes


def _dashes(df: pd.DataFrame) -> list[int]:
    """Dashes per column of a pipe table whose text wraps: room for each column's longest word (never
    broken) plus a share of its longer cells, out of about 100."""
    cells = [[str(c), *(str(v) for v in df[c])] for c in df.columns]
    words = [max((len(w) for text in col for w in text.split()), default=1) for col in cells]
    texts = [min(max(len(text) for text in col), 40) for col in cells]
    weights = [max(w * 1.15, (w + t) / 2) for w, t in zip(words, texts, strict=True)]
    return [max(3, round(100 * w / sum(weights))) for w in weights]


def table_markdown(df: pd.DataFrame, caption: str | None = None) -> str:
    """A pandoc pipe table (numbers right-aligned), with its caption as ``: caption`` after it.

    A table whose lines are longer than pandoc's 72 columns wraps its cells: its columns then get
    widths fit to their words (a narrow first column would hyphenate the indicators' names)."""
    header = "| " + " | ".join(_md_cell(c) for c in df.columns) + " |"
    rows = ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in df.itertuples(index=False)]
    wraps = any(len(line) > PIPE_TABLE_COLUMNS for line in [header, *rows])
    dashes = _dashes(df) if wraps and len(df.columns) else [2] * len(df.columns)
    aligns = ["-" * n + ":" if _is_numeric(df[c]) else ":" + "-" * n for c, n in zip(df.columns, dashes, strict=True)]
    rule = "|" + "|".join(aligns) + "|"
    text = "\n".join([header, rule, *rows])
    return f"{text}\n\n: {caption}\n" if caption else text + "\n"


def table_html(df: pd.DataFrame, caption: str | None = None) -> str:
    """An HTML table without the index column (Quarto would show the index otherwise)."""
    numeric = [_is_numeric(df[c]) for c in df.columns]
    head = "".join(
        f'<th class="num">{html.escape(str(c))}</th>' if num else f"<th>{html.escape(str(c))}</th>"
        for c, num in zip(df.columns, numeric, strict=True)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{html.escape(str(v))}</td>' if num else f"<td>{html.escape(str(v))}</td>"
            for v, num in zip(row, numeric, strict=True)
        )
        + "</tr>"
        for row in df.itertuples(index=False)
    )
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return f'<table class="cohorte-table">{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def show_table(df: pd.DataFrame, caption: str | None = None) -> None:
    """Display a published table (already formatted in French) without its index."""
    display(
        {
            "text/markdown": table_markdown(df, caption),
            "text/html": table_html(df, caption),
            "text/plain": df.to_string(index=False),
        },
        raw=True,
    )


def callout_markdown(title: str, text: str, kind: str = "note") -> str:
    """A boxed example (« encadré ») as a Quarto/pandoc callout div."""
    return f"::: {{.callout-{kind}}}\n**{title}**\n\n{text}\n:::"


def demo_notice_markdown(wording: Texts | None = None) -> str:
    """The « Données fictives » callout, then what is real and what is fictitious (a template)."""
    wording = wording or texts()
    invented = False
    if wording.edition is not None:
        from cohorte.editions import load_edition

        invented = load_edition(wording.edition).fictitious_observations
    details = wording.sentence(DEMO_DETAILS_TEMPLATE, invented_observations=invented)
    return f"::: {{.callout-warning}}\n{DEMO_NOTICE}\n\n{details}\n:::\n"


def observations_notice(edition: Edition) -> None:
    """Show the boxed « Observations fictives » notice when the edition's grids are invented for a demonstration."""
    if edition.fictitious_observations:
        from cohorte.report.text import texts

        notice = texts(edition.edition).label("notices", "fictitious_observations")
        text = f"::: {{.callout-warning}}\n{notice}\n:::\n"
        display({"text/markdown": text, "text/html": markdown_html(text), "text/plain": notice}, raw=True)


def demo_notice(edition_is_demo: bool, wording: Texts | None = None) -> None:
    """Show the boxed « Données fictives » notice when the edition runs on demo data."""
    if edition_is_demo:
        text = demo_notice_markdown(wording)
        display({"text/markdown": text, "text/html": markdown_html(text), "text/plain": DEMO_NOTICE}, raw=True)


def show_figure(fig: Figure, alt: str, caption: str | None = None) -> None:
    """Display a matplotlib figure as PNG with its alternative text and caption.

    A chart of :mod:`cohorte.report.figures` says what it shows (``fig.cohorte_alt``: the finding
    and its figures): that is the alt text, and ``alt`` (which names the chart) becomes the
    caption when none is given. Alt text and caption travel in the output's metadata, read by
    the built-in engine and turned into ``fig-alt``/``fig-cap`` cell options in the Quarto book.
    """
    import matplotlib.pyplot as plt

    finding = str(getattr(fig, "cohorte_alt", "") or "")
    if finding:
        alt, caption = finding, caption or alt
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=FIGURE_DPI, bbox_inches="tight")
    png = base64.b64encode(buffer.getvalue()).decode("ascii")
    display(
        {"image/png": png, "text/plain": f"[Figure : {alt}]"},
        metadata={"cohorte": {"alt": alt, "caption": caption or ""}},
        raw=True,
    )
    plt.close(fig)
    if caption:
        display({"text/markdown": f"::: {{.figure-caption}}\n{caption}\n:::\n", "text/plain": caption}, raw=True)
