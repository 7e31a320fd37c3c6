"""One-page twinning poster (A4 portrait), written as PNG and PDF."""

from __future__ import annotations

import math
import textwrap
from datetime import date
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from territoire_abm.twinning import figures
from territoire_abm.twinning.book import transferability
from territoire_abm.twinning.comparison import Comparison
from territoire_abm.twinning.figures import COLORS, mpl_text

A4_PORTRAIT_IN = (8.27, 11.69)
MEASURES_ON_POSTER = 5
# one 8-pt line (1.2 line spacing) as a share of the A4 height, and the gap between entries
MEASURE_LINE_HEIGHT = 8 * 1.25 / (72 * A4_PORTRAIT_IN[1])
MEASURE_GAP = 0.006


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(mpl_text(text), width=width)) or ""


def _key_figures(comparison: Comparison) -> list[tuple[str, list[str]]]:
    blocks = []
    for t in comparison.themes:
        lines = []
        for _, row in t.indicators.head(3).iterrows():
            unit = row["unit"]

            def fmt(v, unit=unit):
                if not math.isfinite(v):
                    return "n/a"
                if unit == "share":
                    return f"{100 * v:.0f} %"
                return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}"

            lines.append(f"{row['label']}: {fmt(row['twin_mean'])} vs {fmt(row['target_mean'])}")
        if not lines:
            lines.append("no simulated indicator yet" if not comparison.has_results
                         else "no indicator in the results")
        blocks.append((t.theme.title, lines))
    return blocks


def poster_figure(comparison: Comparison, catalogue: pd.DataFrame | None = None) -> Figure:
    """The poster as a matplotlib figure."""
    c = comparison
    fig = Figure(figsize=A4_PORTRAIT_IN)
    fig.patch.set_facecolor("white")
    fig.text(0.05, 0.965, "Jumelage climatique", fontsize=13, color=COLORS["twin"],
             weight="bold", va="top")
    fig.text(0.05, 0.935, _wrap(f"{c.target_name} ↔ {c.twin_name}", 45), fontsize=22,
             weight="bold", va="top")
    sigma = c.twin_sigma()
    threshold = c.ranking.novelty_threshold if c.ranking is not None else None
    if not c.horizon_label:
        subtitle = f"{c.target_name} and {c.twin_name}"
    elif sigma is not None and threshold is not None and sigma > threshold:
        subtitle = (f"{c.target_name}'s climate in {c.horizon_label} compared with "
                    f"{c.twin_name}'s today: sigma {sigma:.2f}, beyond the good-twin "
                    f"threshold ({threshold:g})")
    else:
        subtitle = (f"{c.target_name}'s climate in {c.horizon_label} resembles "
                    f"{c.twin_name}'s climate today")
        if sigma is not None:
            subtitle += f" (sigma {sigma:.2f})"
    fig.text(0.05, 0.878, _wrap(subtitle, 95), fontsize=10, va="top")
    ax_t = fig.add_axes((0.08, 0.59, 0.40, 0.21))
    ax_p = fig.add_axes((0.57, 0.59, 0.38, 0.21))
    figures.climograph(c, axes=(ax_t, ax_p))
    for ax in (ax_t, ax_p):
        if ax.get_legend() is not None:
            ax.legend(fontsize=6, loc="upper left")
    # four theme boxes
    fig.text(0.05, 0.545, "What the simulation compares", fontsize=12, weight="bold")
    fig.text(0.05, 0.528, mpl_text(f"{c.twin_name} vs {c.target_name}, mean over the run"),
             fontsize=7, color="#555")
    for k, (title, lines) in enumerate(_key_figures(c)):
        x = 0.05 + (k % 2) * 0.46
        y = 0.505 - (k // 2) * 0.125
        fig.text(x, y, mpl_text(title), fontsize=9, weight="bold", va="top",
                 color=COLORS["target_sim"])
        body = "\n".join(_wrap(line, 58) for line in lines)
        fig.text(x, y - 0.02, body, fontsize=7, va="top")
    # measures
    book = transferability(c, catalogue)
    fig.text(0.05, 0.245, "Measures worth transferring", fontsize=12, weight="bold")
    if book.empty:
        fig.text(0.05, 0.225, "Run the side-by-side simulation (twin compare) to rank the "
                 "twin's measures.", fontsize=8, va="top")
    else:
        y = 0.225
        for _, r in book.head(MEASURES_ON_POSTER).iterrows():
            lines = textwrap.wrap(mpl_text(
                f"{int(r['rank'])}. {r['label']} — adopted by "
                f"{100 * r['twin_share']:.0f} % in {c.twin_name}, "
                f"{100 * r['target_share']:.0f} % in {c.target_name} "
                f"(score {r['transferability']:.2f})"), width=105,
                max_lines=2, placeholder=" …")
            fig.text(0.05, y, "\n".join(lines), fontsize=8, va="top")
            # each entry starts below the previous one, whatever its number of lines
            y -= len(lines) * MEASURE_LINE_HEIGHT + MEASURE_GAP
    # footer
    flags = [f"{p.name}: climate estimated (no station)" for p in (c.target, c.twin)
             if p is not None and p.estimated]
    footer = " · ".join(flags + [
        "Sources: AEMET (Fuente: AEMET), CHELSA v2.1/GeoRank CC-BY-4.0, Météo-France; "
        "TRACC 2026; Mahony et al. 2017.",
        f"territoire_abm, {date.today():%Y-%m-%d}. Simulated results, to discuss on site.",
    ])
    fig.text(0.05, 0.06, _wrap(footer, 130), fontsize=6.5, color="#555", va="top")
    return fig


def write_poster(comparison: Comparison, out_dir: str | Path,
                 catalogue: pd.DataFrame | None = None) -> dict[str, Path]:
    """Write twin_poster.png (150 dpi) and twin_poster.pdf to ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    fig = poster_figure(comparison, catalogue)
    paths = {"png": out / "twin_poster.png", "pdf": out / "twin_poster.pdf"}
    fig.savefig(paths["png"], dpi=150)
    fig.savefig(paths["pdf"])
    return paths
