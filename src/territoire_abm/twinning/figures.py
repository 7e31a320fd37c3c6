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
from matplotlib.ticker import ScalarFormatter

from territoire_abm.climate.normals import MONTHS
from territoire_abm.i18n import Translator, localise_number
from territoire_abm.twinning.comparison import THEMES, Comparison
from territoire_abm.twinning.render import (
    comparison_horizon,
    horizon_text,
    indicator_label,
    measure_name,
    phrase,
    translator,
)

COLORS = {"now": "#7f7f7f", "future": "#e07b00", "twin": "#b2182b", "target_sim": "#2166ac"}
MONTH_LABELS = [m.capitalize() for m in MONTHS]


def mpl_text(text: object) -> str:
    """User text made safe for matplotlib (a '$' would start mathtext)."""
    return str(text).replace("$", r"\$")


def _texts(t: Translator | None) -> Translator:
    return t or translator("en")


class _LocalFormatter(ScalarFormatter):
    """Tick labels with the language's decimal separator (fr: 0,5)."""

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang

    def __call__(self, x, pos=None):
        return localise_number(super().__call__(x, pos), self.lang)


def _localise_ticks(axes, t: Translator) -> None:
    """Number ticks of ``axes`` written the ``t`` way (years keep no separator)."""
    if t.lang == "en":
        return
    for ax in axes:
        for axis in (ax.xaxis, ax.yaxis):
            if isinstance(axis.get_major_formatter(), ScalarFormatter):
                axis.set_major_formatter(_LocalFormatter(t.lang))


def to_png_base64(fig: Figure, dpi: int = 110) -> str:
    """The figure as a base64 PNG string (for a data: URI)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def climograph(comparison: Comparison, fig: Figure | None = None, axes=None,
               t: Translator | None = None) -> Figure:
    """Monthly temperatures and precipitation: target now, target future, twin."""
    t = _texts(t)
    if axes is None:
        fig = fig or Figure(figsize=(9, 3.6))
        ax_t, ax_p = fig.subplots(1, 2)
    else:
        ax_t, ax_p = axes
    x = np.arange(12)
    series = [
        (comparison.target, t("figure.now", place=comparison.target_name), COLORS["now"],
         "--"),
        (comparison.target_future,
         f"{comparison.target_name} {comparison_horizon(t, comparison)}".strip(),
         COLORS["future"], "-"),
        (comparison.twin, t("figure.now", place=comparison.twin_name), COLORS["twin"], "-"),
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
    ax_t.set_ylabel(t("figure.temperature_axis"))
    ax_t.set_title(t("figure.temperature"))
    ax_t.grid(alpha=0.3)
    ax_t.legend(fontsize=7, loc="upper left")
    width = 0.8 / max(len(series), 1)
    for k, (place, label, color, _style) in enumerate(series):
        if place.has("precip"):
            ax_p.bar(x + (k - (len(series) - 1) / 2) * width, place.precip_mm, width,
                     color=color, alpha=0.85, label=mpl_text(label))
    ax_p.set_xticks(x, [m[0] for m in MONTH_LABELS])
    ax_p.set_ylabel(t("figure.precipitation_axis"))
    ax_p.set_title(t("figure.precipitation"))
    ax_p.grid(alpha=0.3, axis="y")
    if ax_p.get_legend_handles_labels()[0]:
        ax_p.legend(fontsize=7, loc="upper left")
    _localise_ticks((ax_t, ax_p), t)
    if fig is not None:
        fig.tight_layout()
    return fig if fig is not None else ax_t.figure


def ranking_chart(ranking, highlight: str | None = None, top: int = 12,
                  t: Translator | None = None) -> Figure:
    """Sigma of the best candidates, with the novelty threshold."""
    t = _texts(t)
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
    ax.text(ranking.novelty_threshold, len(table) - 0.4, t("figure.novelty_threshold"),
            fontsize=7)
    ax.set_xlabel(t("figure.sigma_axis"))
    horizon = horizon_text(t, ranking.horizon_label, ranking.projection)
    ax.set_title(mpl_text(t("figure.candidates_for", target=ranking.target.name,
                            horizon=horizon)), fontsize=10)
    _localise_ticks(fig.axes, t)
    fig.tight_layout()
    return fig


def analogue_map(ranking, highlight: str | None = None,
                 t: Translator | None = None) -> Figure | None:
    """Candidates on a longitude/latitude plane coloured by sigma (no base map)."""
    t = _texts(t)
    table = ranking.table
    ok = np.isfinite(table["lat"]) & np.isfinite(table["lon"])
    if not ok.any():
        return None
    fig = Figure(figsize=(7, 4.2))
    ax = fig.subplots()
    sub = table[ok]
    sc = ax.scatter(sub["lon"], sub["lat"], c=np.clip(sub["sigma"], 0, 4), cmap="RdYlGn_r",
                    vmin=0, vmax=4, s=18, edgecolors="none")
    fig.colorbar(sc, ax=ax, label=t("figure.sigma_clipped"))
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
    ax.set_xlabel(t("figure.longitude"))
    ax.set_ylabel(t("figure.latitude"))
    ax.set_title(t("figure.map_title"), fontsize=10)
    ax.grid(alpha=0.3)
    _localise_ticks(fig.axes, t)
    fig.tight_layout()
    return fig


def theme_series(comparison: Comparison, key: str,
                 t: Translator | None = None) -> Figure | None:
    """Yearly indicators of one theme for both territories (None without data)."""
    t = _texts(t)
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
        ax.set_title(mpl_text(indicator_label(t, ind.column, ind.label)), fontsize=9)
        ax.set_ylabel(mpl_text(phrase(t, "unit", ind.unit)), fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7)
    _localise_ticks(axes, t)
    fig.tight_layout()
    return fig


def measures_chart(comparison: Comparison, top: int = 15,
                   t: Translator | None = None) -> Figure | None:
    """Final adoption share of each measure in the twin and the target."""
    t = _texts(t)
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
    ax.set_yticks(y, [mpl_text(measure_name(t, mid, v))
                     for mid, v in zip(m["measure_id"], m["label"], strict=True)], fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_xlabel(t("figure.adoption_axis"))
    ax.legend(fontsize=8, loc="lower right")
    _localise_ticks(fig.axes, t)
    fig.tight_layout()
    return fig
