"""One-page twinning poster (A4 portrait) in French or English, written as PNG and PDF."""

from __future__ import annotations

import math
import textwrap
from datetime import date
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from territoire_abm.i18n import Translator
from territoire_abm.twinning import figures
from territoire_abm.twinning.book import transferability
from territoire_abm.twinning.comparison import Comparison
from territoire_abm.twinning.figures import COLORS, mpl_text
from territoire_abm.twinning.render import (
    comparison_horizon,
    indicator_label,
    theme_title,
    translator,
)

A4_PORTRAIT_IN = (8.27, 11.69)
MEASURES_ON_POSTER = 5
# one 8-pt line (1.2 line spacing) as a share of the A4 height, and the gap between entries
MEASURE_LINE_HEIGHT = 8 * 1.25 / (72 * A4_PORTRAIT_IN[1])
MEASURE_GAP = 0.006


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(mpl_text(text), width=width)) or ""


def _key_value(t: Translator, value: float, unit: str) -> str:
    """A key figure: a share in whole percent, a large number grouped, else 3 digits."""
    if not math.isfinite(value):
        return t("common.na")
    if unit == "share":
        return t.percent(value, ".0f")
    return t.num(value, ",.0f") if abs(value) >= 100 else t.num(value, ".3g")


def _key_figures(comparison: Comparison, t: Translator) -> list[tuple[str, list[str]]]:
    blocks = []
    for tc in comparison.themes:
        lines = []
        for _, row in tc.indicators.head(3).iterrows():
            lines.append(t("poster.key_figure",
                           label=indicator_label(t, row["indicator"], row["label"]),
                           twin=_key_value(t, row["twin_mean"], row["unit"]),
                           target=_key_value(t, row["target_mean"], row["unit"])))
        if not lines:
            lines.append(t("poster.no_indicator_yet") if not comparison.has_results
                         else t("poster.no_indicator"))
        blocks.append((theme_title(t, tc.theme.key), lines))
    return blocks


def _subtitle(c: Comparison, t: Translator) -> str:
    """The verdict the finder reached, in one sentence."""
    sigma = c.twin_sigma()
    threshold = c.ranking.novelty_threshold if c.ranking is not None else None
    names = {"target": c.target_name, "twin": c.twin_name}
    if not c.horizon_label:
        return t("poster.pair", **names)
    horizon = comparison_horizon(t, c)
    if sigma is not None and threshold is not None and sigma > threshold:
        return t("poster.imperfect", horizon=horizon, sigma=sigma, threshold=threshold,
                 **names)
    subtitle = t("poster.resembles", horizon=horizon, **names)
    if sigma is not None:
        subtitle += t("poster.with_sigma", sigma=sigma)
    return subtitle


def poster_figure(comparison: Comparison, catalogue: pd.DataFrame | None = None,
                  lang: str = "en") -> Figure:
    """The poster as a matplotlib figure, in ``lang`` (fr or en)."""
    c = comparison
    t = translator(lang)
    fig = Figure(figsize=A4_PORTRAIT_IN)
    fig.patch.set_facecolor("white")
    fig.text(0.05, 0.965, t("poster.headline"), fontsize=13, color=COLORS["twin"],
             weight="bold", va="top")
    fig.text(0.05, 0.935, _wrap(f"{c.target_name} ↔ {c.twin_name}", 45), fontsize=22,
             weight="bold", va="top")
    fig.text(0.05, 0.878, _wrap(_subtitle(c, t), 95), fontsize=10, va="top")
    ax_t = fig.add_axes((0.08, 0.59, 0.40, 0.21))
    ax_p = fig.add_axes((0.57, 0.59, 0.38, 0.21))
    figures.climograph(c, axes=(ax_t, ax_p), t=t)
    for ax in (ax_t, ax_p):
        if ax.get_legend() is not None:
            ax.legend(fontsize=6, loc="upper left")
    # four theme boxes
    fig.text(0.05, 0.545, t("poster.compares"), fontsize=12, weight="bold")
    fig.text(0.05, 0.528, mpl_text(t("poster.mean_over_run", twin=c.twin_name,
                                     target=c.target_name)), fontsize=7, color="#555")
    for k, (title, lines) in enumerate(_key_figures(c, t)):
        x = 0.05 + (k % 2) * 0.46
        y = 0.505 - (k // 2) * 0.125
        fig.text(x, y, mpl_text(title), fontsize=9, weight="bold", va="top",
                 color=COLORS["target_sim"])
        body = "\n".join(_wrap(line, 58) for line in lines)
        fig.text(x, y - 0.02, body, fontsize=7, va="top")
    # measures
    book = transferability(c, catalogue, t)
    fig.text(0.05, 0.245, t("poster.measures"), fontsize=12, weight="bold")
    if book.empty:
        fig.text(0.05, 0.225, t("poster.run_compare"), fontsize=8, va="top")
    else:
        y = 0.225
        for _, r in book.head(MEASURES_ON_POSTER).iterrows():
            lines = textwrap.wrap(mpl_text(t(
                "poster.measure", rank=int(r["rank"]), label=r["label"],
                twin_share=100 * r["twin_share"], twin=c.twin_name,
                target_share=100 * r["target_share"], target=c.target_name,
                score=r["transferability"])), width=105, max_lines=2, placeholder=" …")
            fig.text(0.05, y, "\n".join(lines), fontsize=8, va="top")
            # each entry starts below the previous one, whatever its number of lines
            y -= len(lines) * MEASURE_LINE_HEIGHT + MEASURE_GAP
    # footer
    flags = [t("poster.estimated", place=p.name) for p in (c.target, c.twin)
             if p is not None and p.estimated]
    footer = " · ".join(flags + [
        t("poster.sources"), t("poster.footer", date=f"{date.today():%Y-%m-%d}"),
    ])
    fig.text(0.05, 0.06, _wrap(footer, 130), fontsize=6.5, color="#555", va="top")
    return fig


def write_poster(comparison: Comparison, out_dir: str | Path,
                 catalogue: pd.DataFrame | None = None, lang: str = "en") -> dict[str, Path]:
    """Write twin_poster.png (150 dpi) and twin_poster.pdf (in ``lang``) to ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    fig = poster_figure(comparison, catalogue, lang)
    paths = {"png": out / "twin_poster.png", "pdf": out / "twin_poster.pdf"}
    fig.savefig(paths["png"], dpi=150)
    fig.savefig(paths["pdf"])
    return paths
