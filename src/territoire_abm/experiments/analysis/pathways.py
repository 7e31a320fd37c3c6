"""Adaptation pathways maps (metro-map style), after Haasnoot et al. (2013).

Each action has an adaptation tipping point (ATP) on the x-axis (a year, or a warming
level): beyond it, the action alone no longer meets the objective. A pathway is a
sequence of actions, each taking over at the previous one's ATP. The map draws one row
per action; a pathway runs along an action's row until its ATP, where a transfer station
(circle) leads to the next action. A bar ends a pathway that fails within the horizon; an
arrow marks one still meeting the objective at the horizon. Triggers (triangles) sit one
lead time before each transfer: the moment to decide, watched through signposts.

The ATPs come from simulations (:func:`actions_from_tipping`), under the usual assumption
of simple maps: an action's ATP does not depend on the actions taken before it.

References
----------
1. Haasnoot, M., Kwakkel, J. H., Walker, W. E., ter Maat, J. (2013). Dynamic adaptive
   policy pathways: a method for crafting robust decisions for a deeply uncertain world.
   Global Environmental Change 23(2), 485–498. https://doi.org/10.1016/j.gloenvcha.2012.12.006
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from territoire_abm.errors import UserError

__all__ = ["Action", "actions_from_tipping", "enumerate_pathways", "finish_figure",
           "plot_pathways", "style_metro_axes"]

_PALETTE = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d",
            "#1f78b4", "#b2df8a", "#fb9a99"]


@dataclass(frozen=True)
class Action:
    """An adaptation action and where it stops meeting the objective."""

    name: str
    tipping_point: float | None = None  # None: holds to the end of the horizon
    label: str | None = None
    lead_time: float = 0.0  # time (x units) needed to put it in place
    color: str | None = None

    @property
    def holds(self) -> bool:
        return self.tipping_point is None or not math.isfinite(self.tipping_point)

    def atp(self) -> float:
        return math.inf if self.holds else float(self.tipping_point)


def actions_from_tipping(summary: pd.DataFrame, *, column: str = "q50",
                         labels: Mapping[str, str] | None = None,
                         lead_times: Mapping[str, float] | None = None) -> list[Action]:
    """Actions from :func:`~.tipping.tipping_summary` (one row per policy/action)."""
    if column not in summary.columns:
        raise UserError("column", column, f"columns: {', '.join(summary.columns)}")
    actions = []
    for name, row in summary.iterrows():
        v = float(row[column])
        key = str(name)
        actions.append(Action(key, None if not math.isfinite(v) else v,
                              (labels or {}).get(key), (lead_times or {}).get(key, 0.0)))
    return actions


def enumerate_pathways(actions: Sequence[Action], *, start: str,
                       max_length: int = 3) -> list[tuple[str, ...]]:
    """All sequences from ``start`` where each next action tips later than the current one.

    A sequence stops when its last action holds to the horizon or ``max_length`` is reached.
    """
    by_name = {a.name: a for a in actions}
    if start not in by_name:
        raise UserError("start", start, f"actions: {', '.join(by_name)}")
    out: list[tuple[str, ...]] = []

    def extend(seq: tuple[str, ...]) -> None:
        last = by_name[seq[-1]]
        nexts = [a for a in actions if a.name not in seq and a.atp() > last.atp()]
        if last.holds or len(seq) >= max_length or not nexts:
            out.append(seq)
            return
        for a in nexts:
            extend((*seq, a.name))

    extend((start,))
    return out


def style_metro_axes(ax, labels: Sequence[str], *, x_range: tuple[float, float],
                     x_label: str, margin: float) -> None:
    """The metro maps' frame: one row per action (first on top), x from ``x_range`` with
    ``margin`` (share of the span) on the right for the arrows, a light vertical grid."""
    x0, x1 = x_range
    ax.set_yticks(range(len(labels)))
    ax.set_yticklabels(labels)
    ax.set_ylim(len(labels) - 0.4, -0.6)
    ax.set_xlim(x0, x1 + margin * (x1 - x0))
    ax.set_xlabel(x_label)
    ax.grid(axis="x", color="0.9", zorder=0)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0)


def finish_figure(fig, ax, *, title: str | None, path: str | Path | None) -> None:
    """Title, tight layout, and the PNG at ``path`` (150 dpi) when one is given."""
    if title:
        ax.set_title(title)
    fig.tight_layout()
    if path is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=150)


def _pathway_pieces(by_name: Mapping[str, Action], pathways: Sequence[Sequence[str]],
                    x_range: tuple[float, float]):
    """What the pathways draw, each piece once: segments along an action's row, transfers
    from one action to the next at its tipping point, and how each pathway ends (``bar``:
    fails within the horizon, ``arrow``: holds to it)."""
    x0, x1 = x_range
    segments: set[tuple[str, float, float]] = set()
    transfers: set[tuple[str, str, float]] = set()
    ends: set[tuple[str, float, str]] = set()
    for p in pathways:
        start = x0
        for k, name in enumerate(p):
            a = by_name[name]
            end = min(a.atp(), x1)
            if end > start:
                segments.add((name, start, end))
            if k + 1 < len(p):
                transfers.add((name, p[k + 1], end))
                start = end
            else:
                ends.add((name, end, "arrow" if a.atp() >= x1 else "bar"))
    return segments, transfers, ends


def _draw_transfers(ax, transfers, by_name: Mapping[str, Action], row: Mapping[str, int],
                    color: Mapping[str, str], x0: float) -> None:
    """Transfer stations (circles joined by a line in the next action's colour) and the
    trigger (triangle) one lead time before each."""
    # Long transfers first, so shorter ones (drawn over them) keep their own colour.
    for src, dst, x in sorted(transfers, key=lambda t: (t[2], -abs(row[t[1]] - row[t[0]]))):
        ax.plot([x, x], [row[src], row[dst]], color=color[dst], lw=2.5, zorder=1)
        for r in (row[src], row[dst]):
            ax.plot([x], [r], "o", ms=10, mfc="white", mec="black", mew=1.5, zorder=4)
        lead = by_name[dst].lead_time
        if lead > 0 and x - lead >= x0:
            ax.plot([x - lead], [row[src] - 0.28], "v", ms=8, color="black", zorder=5)


def _draw_ends(ax, ends, row: Mapping[str, int], color: Mapping[str, str],
               x_range: tuple[float, float]) -> None:
    """A bar where a pathway fails, an arrow past the horizon where it holds."""
    x1 = x_range[1]
    span = x1 - x_range[0]
    for name, x, kind in ends:
        if kind == "bar":
            ax.plot([x, x], [row[name] - 0.25, row[name] + 0.25], color="black", lw=3, zorder=5)
        else:
            ax.annotate("", xy=(x1 + 0.02 * span, row[name]), xytext=(x1 - 0.01 * span, row[name]),
                        arrowprops={"arrowstyle": "-|>", "color": color[name], "lw": 2})


def _pathways_legend(ax, signposts: Sequence[str]) -> None:
    """The key to the symbols, below the axis."""
    from matplotlib.lines import Line2D

    legend = [
        Line2D([], [], marker="o", ls="", mfc="white", mec="black", ms=9,
               label="transfer station"),
        Line2D([], [], marker="|", ls="", color="black", ms=12, mew=3,
               label="adaptation tipping point (end of pathway)"),
        Line2D([], [], marker="v", ls="", color="black", ms=8, label="trigger (decision point)"),
    ]
    ax.legend(handles=legend, loc="upper center", bbox_to_anchor=(0.5, -0.18 if not signposts
              else -0.14), ncol=3, frameon=False, fontsize=8)


def plot_pathways(
    actions: Sequence[Action],
    pathways: Sequence[Sequence[str]],
    *,
    x_range: tuple[float, float],
    x_label: str = "Year",
    title: str | None = None,
    signposts: Sequence[str] = (),
    path: str | Path | None = None,
):
    """Draw a metro-map pathways figure; returns the matplotlib Figure (saved if ``path``)."""
    from matplotlib.figure import Figure

    by_name = {a.name: a for a in actions}
    for p in pathways:
        for name in p:
            if name not in by_name:
                raise UserError("pathways", name, f"actions: {', '.join(by_name)}")
    used = [a for a in actions if any(a.name in p for p in pathways)]
    row = {a.name: i for i, a in enumerate(used)}
    color = {a.name: a.color or _PALETTE[i % len(_PALETTE)] for i, a in enumerate(used)}

    fig = Figure(figsize=(9, 1.2 + 0.7 * len(used) + (0.5 if signposts else 0)))
    ax = fig.add_subplot()
    segments, transfers, ends = _pathway_pieces(by_name, pathways, x_range)
    for name, s, e in sorted(segments, key=lambda t: (row[t[0]], t[1])):
        ax.plot([s, e], [row[name], row[name]], color=color[name], lw=5, solid_capstyle="butt",
                zorder=2)
    _draw_transfers(ax, transfers, by_name, row, color, x_range[0])
    _draw_ends(ax, ends, row, color, x_range)

    style_metro_axes(ax, [a.label or a.name for a in used], x_range=x_range, x_label=x_label,
                     margin=0.04)
    _pathways_legend(ax, signposts)
    if signposts:
        fig.text(0.01, 0.01, "Signposts: " + "; ".join(signposts), fontsize=8, va="bottom")
    finish_figure(fig, ax, title=title, path=path)
    return fig


def pathway_table(actions: Sequence[Action], pathways: Sequence[Sequence[str]],
                  *, horizon: float) -> pd.DataFrame:
    """One row per pathway: its actions and when (x) it stops meeting the objective."""
    by_name = {a.name: a for a in actions}
    rows = []
    for p in pathways:
        end = by_name[p[-1]].atp()
        rows.append({"pathway": " → ".join(p), "actions": len(p),
                     "fails_at": end if end < horizon else np.inf,
                     "holds_to_horizon": end >= horizon})
    return pd.DataFrame(rows)
