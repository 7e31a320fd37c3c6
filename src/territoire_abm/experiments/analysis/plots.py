"""Figures for the analyses. Each function returns a matplotlib Figure and saves it when
given a path; none touches pyplot's global state, so they run headless and in workers."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "plot_indices",
    "plot_indices_over_time",
    "plot_morris",
    "plot_prim",
    "plot_robustness",
    "plot_second_order",
    "plot_tipping",
    "plot_trajectories",
]


def _figure(width: float = 7, height: float = 4):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height))


def _save(fig, path: str | Path | None):
    fig.tight_layout()
    if path is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=150)
    return fig


def plot_indices(table: pd.DataFrame, metrics: Sequence[str] = ("S1", "ST"), *,
                 title: str = "", path: str | Path | None = None):
    """Bars of sensitivity indices per parameter, with ``<metric>_conf`` error bars."""
    metrics = [m for m in metrics if m in table.columns]
    order = table.sort_values(metrics[-1], ascending=True).index
    fig = _figure(7, 0.8 + 0.35 * len(order))
    ax = fig.add_subplot()
    h = 0.8 / len(metrics)
    y = np.arange(len(order))
    for k, m in enumerate(metrics):
        conf = table.loc[order, f"{m}_conf"] if f"{m}_conf" in table.columns else None
        ax.barh(y + k * h - 0.4 + h / 2, table.loc[order, m], height=h, xerr=conf, label=m,
                capsize=2)
    ax.set_yticks(y)
    ax.set_yticklabels(order)
    ax.axvline(0, color="0.5", lw=0.8)
    ax.set_xlabel("index")
    ax.legend(loc="lower right")
    ax.set_title(title)
    return _save(fig, path)


def plot_second_order(second: pd.DataFrame, *, title: str = "",
                      path: str | Path | None = None):
    """Heat map of second-order Sobol indices."""
    names = list(dict.fromkeys([*second["parameter_1"], *second["parameter_2"]]))
    m = np.full((len(names), len(names)), np.nan)
    for _, r in second.iterrows():
        i, j = names.index(r["parameter_1"]), names.index(r["parameter_2"])
        m[i, j] = m[j, i] = r["S2"]
    fig = _figure(1.5 + 0.5 * len(names), 1.2 + 0.5 * len(names))
    ax = fig.add_subplot()
    im = ax.imshow(m, cmap="viridis")
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels(names, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(len(names)))
    ax.set_yticklabels(names, fontsize=8)
    fig.colorbar(im, ax=ax, label="S2")
    ax.set_title(title)
    return _save(fig, path)


def plot_morris(table: pd.DataFrame, *, title: str = "", path: str | Path | None = None):
    """mu* against sigma: far right = influential, high = non-linear or interacting."""
    fig = _figure(6, 4.5)
    ax = fig.add_subplot()
    ax.errorbar(table["mu_star"], table["sigma"], xerr=table.get("mu_star_conf"), fmt="o")
    for name, r in table.iterrows():
        ax.annotate(str(name), (r["mu_star"], r["sigma"]), fontsize=8, xytext=(4, 4),
                    textcoords="offset points")
    ax.set_xlabel("μ* (mean |elementary effect|)")
    ax.set_ylabel("σ (spread of effects)")
    ax.set_title(title)
    return _save(fig, path)


def plot_indices_over_time(long: pd.DataFrame, metric: str = "ST", *, top: int = 6,
                           title: str = "", path: str | Path | None = None):
    """Lines of one index per parameter over years, with confidence bands."""
    conf = f"{metric}_conf"
    ranking = long.groupby("parameter")[metric].mean().sort_values(ascending=False)
    fig = _figure(7.5, 4.2)
    ax = fig.add_subplot()
    for name in ranking.index[:top]:
        g = long[long["parameter"] == name].sort_values("year")
        ax.plot(g["year"], g[metric], label=name)
        if conf in g.columns:
            ax.fill_between(g["year"], g[metric] - g[conf], g[metric] + g[conf], alpha=0.2)
    ax.set_xlabel("year")
    ax.set_ylabel(metric)
    ax.legend(fontsize=8, ncol=2)
    ax.set_title(title)
    return _save(fig, path)


def plot_prim(discovery, *, title: str = "", path: str | Path | None = None):
    """Left: coverage/density trade-off of the first box's peeling trajectory (colour =
    restricted dimensions; star = chosen box). Right: the chosen box's limits relative to
    each input's range."""
    fig = _figure(11, 4.2)
    ax1, ax2 = fig.subplots(1, 2)
    if discovery.trajectories:
        t = discovery.trajectories[0]
        sc = ax1.scatter(t["coverage"], t["density"], c=t["res_dim"], cmap="viridis", s=18)
        fig.colorbar(sc, ax=ax1, label="restricted dimensions")
        b = discovery.boxes[0]
        ax1.plot([b.coverage], [b.density], "*", ms=16, mfc="none", mec="red", mew=1.5)
    ax1.set_xlabel("coverage")
    ax1.set_ylabel("density")
    ax1.set_title(f"PRIM trade-off: {discovery.label}", fontsize=9)
    if discovery.boxes:
        lim = discovery.boxes[0].limits
        for k, (name, r) in enumerate(lim.iterrows()):
            rng = discovery.ranges.get(name)
            if isinstance(r["categories"], list):
                ax2.plot([0, 1], [k, k], color="0.85", lw=8)
                ax2.text(0.5, k, ", ".join(map(str, r["categories"])), ha="center", va="center",
                         fontsize=8)
            else:
                lo, hi = rng if rng else (r["min"], r["max"])
                w = (hi - lo) or 1.0
                ax2.plot([0, 1], [k, k], color="0.85", lw=8)
                ax2.plot([(r["min"] - lo) / w, (r["max"] - lo) / w], [k, k], color="C3", lw=8)
                ax2.text(1.02, k, f"{r['min']:.3g} – {r['max']:.3g}", va="center", fontsize=8)
        ax2.set_yticks(range(len(lim)))
        ax2.set_yticklabels(lim.index)
        ax2.set_xlim(0, 1.35)
        ax2.set_ylim(len(lim) - 0.5, -0.5)
        b = discovery.boxes[0]
        ax2.set_title(f"box 1: coverage {b.coverage:.2f}, density {b.density:.2f}, "
                      f"mass {b.mass:.2f}", fontsize=9)
    ax2.set_xlabel("share of input range")
    if title:
        fig.suptitle(title)
    return _save(fig, path)


def plot_robustness(table: pd.DataFrame, columns: Sequence[str] | None = None, *,
                    title: str = "", path: str | Path | None = None):
    """One bar panel per robustness metric, policies on the y-axis."""
    columns = list(columns or table.columns)
    fig = _figure(3.2 * len(columns), 0.9 + 0.35 * len(table))
    axes = np.atleast_1d(fig.subplots(1, len(columns), sharey=True))
    y = np.arange(len(table))
    for ax, col in zip(axes, columns, strict=True):
        vals = table[col].replace(np.inf, np.nan)
        ax.barh(y, vals, color="C0")
        ax.set_title(col, fontsize=8)
    axes[0].set_yticks(y)
    axes[0].set_yticklabels(table.index, fontsize=8)
    if title:
        fig.suptitle(title)
    return _save(fig, path)


def plot_trajectories(series: pd.DataFrame, indicator: str, groups: pd.Series | None = None, *,
                      band: tuple[float, float] = (0.1, 0.9), title: str = "",
                      path: str | Path | None = None):
    """Median and a quantile band of a yearly indicator, per group (e.g. policy).

    ``series`` is the long series table (run_id, year, indicator...); ``groups`` maps
    run_id to a group label.
    """
    s = series[["run_id", "year", indicator]].copy()
    s["group"] = s["run_id"].map(groups) if groups is not None else "all"
    fig = _figure(7.5, 4.2)
    ax = fig.add_subplot()
    for k, (name, g) in enumerate(s.groupby("group", sort=False)):
        q = g.groupby("year")[indicator].quantile([band[0], 0.5, band[1]]).unstack()
        ax.plot(q.index, q[0.5], color=f"C{k % 10}", label=str(name))
        ax.fill_between(q.index, q[band[0]], q[band[1]], color=f"C{k % 10}", alpha=0.15)
    ax.set_xlabel("year")
    ax.set_ylabel(indicator)
    ax.legend(fontsize=8)
    ax.set_title(title)
    return _save(fig, path)


def plot_tipping(points: pd.DataFrame, x: str = "year", *, by: str = "policy", title: str = "",
                 path: str | Path | None = None):
    """Distribution of tipping points per group; runs that never tip shown as a count."""
    groups = list(dict.fromkeys(points[by]))
    fig = _figure(7, 0.9 + 0.45 * len(groups))
    ax = fig.add_subplot()
    for k, gname in enumerate(groups):
        g = points[points[by] == gname]
        v = g.loc[g["tipped"], x].to_numpy(dtype=float)
        jitter = (np.arange(len(v)) % 7 - 3) * 0.04
        ax.plot(v, np.full(len(v), k) + jitter, "o", alpha=0.5, ms=4, color=f"C{k % 10}")
        if len(v):
            ax.plot([np.median(v)], [k], "|", ms=18, mew=2.5, color="black")
        never = int((~g["tipped"]).sum())
        if never:
            ax.annotate(f"{never} never", (1.0, k), xycoords=("axes fraction", "data"),
                        fontsize=8, ha="right", va="bottom")
    ax.set_yticks(range(len(groups)))
    ax.set_yticklabels(groups, fontsize=8)
    ax.set_xlabel(x)
    ax.set_title(title)
    return _save(fig, path)
