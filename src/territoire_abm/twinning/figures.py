"""Matplotlib figures shared by the twinning report and poster.

Built with the object-oriented API (:class:`matplotlib.figure.Figure`, no pyplot): no GUI
backend, no global state, safe in worker processes.
"""

from __future__ import annotations

import base64
import io
import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from territoire_abm.climate.normals import MONTHS
from territoire_abm.twinning.comparison import THEMES, Comparison

COLORS = {"now": "#7f7f7f", "future": "#e07b00", "twin": "#b2182b", "target_sim": "#2166ac"}
MONTH_LABELS = [m.capitalize() for m in MONTHS]


def mpl_text(text: object) -> str:
    """User text made safe for matplotlib (a '$' would start mathtext)."""
    return str(text).replace("$", r"\$")


def to_png_base64(fig: Figure, dpi: int = 110) -> str:
    """The figure as a base64 PNG string (for a data: URI)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def climograph(comparison: Comparison, fig: Figure | None = None, axes=None) -> Figure:
    """Monthly temperatures and precipitation: target now, target future, twin."""
    if axes is None:
        fig = fig or Figure(figsize=(9, 3.6))
        ax_t, ax_p = fig.subplots(1, 2)
    else:
        ax_t, ax_p = axes
    x = np.arange(12)
    series = [
        (comparison.target, f"{comparison.target_name} now", COLORS["now"], "--"),
        (comparison.target_future,
         f"{comparison.target_name} {comparison.horizon_label}".strip(), COLORS["future"], "-"),
        (comparison.twin, f"{comparison.twin_name} now", COLORS["twin"], "-"),
    ]
    series = [s for s in series if s[0] is not None]
    for place, label, color, style in series:
        if place.has("tmax"):
            ax_t.plot(x, place.tmax_c, style, color=color, lw=2, label=mpl_text(label))
        if place.has("tmin"):
            ax_t.plot(x, place.tmin_c, style, color=color, lw=1.2, alpha=0.8)
        elif place.has("tmean"):
            ax_t.plot(x, place.tmean_c, ":", color=color, lw=1.2)
    ax_t.set_xticks(x, [m[0] for m in MONTH_LABELS])
    ax_t.set_ylabel("°C (thick: max, thin: min)")
    ax_t.set_title("Temperature")
    ax_t.grid(alpha=0.3)
    ax_t.legend(fontsize=7, loc="upper left")
    width = 0.8 / max(len(series), 1)
    for k, (place, label, color, _style) in enumerate(series):
        if place.has("precip"):
            ax_p.bar(x + (k - (len(series) - 1) / 2) * width, place.precip_mm, width,
                     color=color, alpha=0.85, label=mpl_text(label))
    ax_p.set_xticks(x, [m[0] for m in MONTH_LABELS])
    ax_p.set_ylabel("mm/month")
    ax_p.set_title("Precipitation")
    ax_p.grid(alpha=0.3, axis="y")
    if ax_p.get_legend_handles_labels()[0]:
        ax_p.legend(fontsize=7, loc="upper left")
    if fig is not None:
        fig.tight_layout()
    return fig if fig is not None else ax_t.figure


def ranking_chart(ranking, highlight: str | None = None, top: int = 12) -> Figure:
    """Sigma of the best candidates, with the novelty threshold."""
    table = ranking.table.head(top)
    if highlight and highlight not in set(table["name"]):
        extra = ranking.table[ranking.table["name"] == highlight]
        table = pd.concat([table, extra])
    table = table.iloc[::-1]
    fig = Figure(figsize=(7, 0.32 * len(table) + 1.2))
    ax = fig.subplots()
    colors = [
        COLORS["twin"] if highlight and name == highlight
        else ("#4d9221" if within else "#bababa")
        for name, within in zip(table["name"], table["within_threshold"], strict=True)
    ]
    labels = [mpl_text(f"{n}{'*' if e else ''} ({c})") for n, e, c in
              zip(table["name"], table["estimated"], table["country"], strict=True)]
    ax.barh(np.arange(len(table)), table["sigma"], color=colors)
    ax.set_yticks(np.arange(len(table)), labels, fontsize=8)
    ax.axvline(ranking.novelty_threshold, color="k", ls="--", lw=1)
    ax.text(ranking.novelty_threshold, len(table) - 0.4, " novelty threshold", fontsize=7)
    ax.set_xlabel("climate dissimilarity (sigma)")
    ax.set_title(mpl_text(f"Candidates for {ranking.target.name} — {ranking.horizon_label}"),
                 fontsize=10)
    fig.tight_layout()
    return fig


def analogue_map(ranking, highlight: str | None = None) -> Figure | None:
    """Candidates on a longitude/latitude plane coloured by sigma (no base map)."""
    table = ranking.table
    ok = np.isfinite(table["lat"]) & np.isfinite(table["lon"])
    if not ok.any():
        return None
    fig = Figure(figsize=(7, 4.2))
    ax = fig.subplots()
    sub = table[ok]
    sc = ax.scatter(sub["lon"], sub["lat"], c=np.clip(sub["sigma"], 0, 4), cmap="RdYlGn_r",
                    vmin=0, vmax=4, s=18, edgecolors="none")
    fig.colorbar(sc, ax=ax, label="sigma (clipped at 4)")
    target = ranking.target
    if math.isfinite(target.lat) and math.isfinite(target.lon):
        ax.plot(target.lon, target.lat, marker="*", color="k", ms=14)
        ax.annotate(mpl_text(target.name), (target.lon, target.lat), fontsize=8,
                    xytext=(4, 4), textcoords="offset points")
    if highlight:
        row = sub[sub["name"] == highlight]
        if not row.empty:
            ax.plot(row["lon"], row["lat"], marker="o", mfc="none", mec=COLORS["twin"], ms=12,
                    mew=2)
            ax.annotate(mpl_text(highlight), (row["lon"].iloc[0], row["lat"].iloc[0]),
                        fontsize=8, xytext=(4, -10), textcoords="offset points")
    ax.set_xlabel("longitude (°E)")
    ax.set_ylabel("latitude (°N)")
    ax.set_title("Where today's climate matches the target's future", fontsize=10)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def theme_series(comparison: Comparison, key: str) -> Figure | None:
    """Yearly indicators of one theme for both territories (None without data)."""
    theme = next(t for t in THEMES if t.key == key)
    columns = [i for i in theme.indicators
               if i.column in comparison.target_result or i.column in comparison.twin_result]
    if not columns:
        return None
    fig = Figure(figsize=(9, 2.6))
    axes = np.atleast_1d(fig.subplots(1, len(columns)))
    for ax, ind in zip(axes, columns, strict=True):
        for frame, name, color in (
            (comparison.target_result, comparison.target_name, COLORS["target_sim"]),
            (comparison.twin_result, comparison.twin_name, COLORS["twin"]),
        ):
            if ind.column in frame:
                s = frame[ind.column].dropna()
                ax.plot(s.index, s.to_numpy(), color=color, lw=1.5, label=mpl_text(name))
        ax.set_title(mpl_text(ind.label), fontsize=9)
        ax.set_ylabel(mpl_text(ind.unit), fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    return fig


def measures_chart(comparison: Comparison, top: int = 15) -> Figure | None:
    """Final adoption share of each measure in the twin and the target."""
    m = comparison.measures
    if m.empty:
        return None
    m = m.sort_values("twin_share", ascending=True, na_position="first").tail(top)
    fig = Figure(figsize=(7, 0.3 * len(m) + 1.2))
    ax = fig.subplots()
    y = np.arange(len(m))
    ax.barh(y + 0.2, m["twin_share"].fillna(0), 0.4, color=COLORS["twin"],
            label=mpl_text(comparison.twin_name))
    ax.barh(y - 0.2, m["target_share"].fillna(0), 0.4, color=COLORS["target_sim"],
            label=mpl_text(comparison.target_name))
    ax.set_yticks(y, [mpl_text(v) for v in m["label"]], fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_xlabel("adoption share at the end of the run")
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig
