"""How notebooks show things, so that Quarto and the built-in engine both render them well.

Every helper emits a Jupyter mime bundle chosen for both renderers:

- Quarto picks ``text/html`` for HTML and ``text/markdown`` for typst and DOCX
  (``src/core/jupyter/display-data.ts``); the built-in engine (:mod:`cohorte.rendering`) reads
  ``text/markdown`` everywhere, because pandoc's ipynb reader would keep it as a raw block that
  typst and DOCX drop.
- Tables therefore carry both a pipe table (``text/markdown``) and an HTML table
  (``text/html``), never the DataFrame index.
- The demo notice is a ``callout-warning`` fenced div (``text/markdown`` only, so that Quarto
  turns it into a callout box in every format and the built-in engine into its own box).
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

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

DEMO_NOTICE = (
    "**Données fictives** — les chiffres de ce document sont générés à partir de données de "
    "démonstration\u00a0: ils ne décrivent aucun territoire réel et ne doivent pas être cités."
)
# What is real and what is fictitious in a report built on demo data (the callout's second paragraph).
DEMO_DETAILS = (
    "Sont réels : l'identité des sites (noms, SIREN, régions), leurs populations (Insee 2017) et les observations "
    "qualitatives issues des entretiens. Sont fictifs : tous les indicateurs chiffrés (demande, attributions, "
    "objectifs atteints ou non, parc, gestion en flux, cotation), calculés sur des données générées par le kit."
)
FIGURE_DPI = 150


def show_markdown(text: str) -> None:
    """Display computed French text (Markdown) as ordinary report text."""
    display({"text/markdown": text, "text/plain": text}, raw=True)


_NUMERIC = re.compile(r"^[-+−]?[\d\u00a0\u202f ]+(,\d+)?(\u00a0|\u202f| )?(%|€|€/UC|mois|pts?)?$")


def _is_numeric(column: pd.Series) -> bool:
    """Numbers, or French-formatted numbers (« 12 480 », « 18,4 % », « n.s. »): right-aligned."""
    if column.dtype.kind in "iuf":
        return True
    values = [str(v).strip() for v in column if str(v).strip() not in ("", "n.s.", "–", "-")]
    return bool(values) and all(_NUMERIC.match(v) for v in values)


def _md_cell(value: object) -> str:
    return str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def table_markdown(df: pd.DataFrame, caption: str | None = None) -> str:
    """A pandoc pipe table (numbers right-aligned), with its caption as ``: caption`` after it."""
    header = "| " + " | ".join(_md_cell(c) for c in df.columns) + " |"
    aligns = ["--:" if _is_numeric(df[c]) else ":--" for c in df.columns]
    rule = "|" + "|".join(aligns) + "|"
    rows = ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in df.itertuples(index=False)]
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


def demo_notice_markdown() -> str:
    return f"::: {{.callout-warning}}\n{DEMO_NOTICE}\n\n{DEMO_DETAILS}\n:::\n"


def demo_notice(edition_is_demo: bool) -> None:
    """Show the boxed « Données fictives » notice when the edition runs on demo data."""
    if edition_is_demo:
        display({"text/markdown": demo_notice_markdown(), "text/plain": DEMO_NOTICE}, raw=True)


def show_figure(fig: Figure, alt: str, caption: str | None = None) -> None:
    """Display a matplotlib figure as PNG with its alternative text (and caption, if any).

    The alt text travels in the output's metadata (read by the built-in engine); for Quarto,
    a caption is also written as a ``figure-caption`` paragraph under the image.
    """
    import matplotlib.pyplot as plt

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
