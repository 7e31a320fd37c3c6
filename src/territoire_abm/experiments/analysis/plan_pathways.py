"""Adaptation pathways built from adaptive plans simulated inside the model.

Each run of a sweep follows one plan (``policy.plan.name``); its yearly series
``plan_actions_mask`` says which of the plan's actions have been taken (bit *i* for the
*i*-th action of the plan), so the year each trigger fired — and the warming then — is read
from the run itself, not assumed. From many runs across scenarios and weather seeds:

* **trigger times** (:func:`trigger_times`, :func:`trigger_summary`): when each action's
  signpost crossed its trigger, and the spread of that moment across futures — the
  signposts' timing distribution;
* **adaptation tipping points** (:func:`plan_tipping`, :func:`action_tipping`): the warming
  at which the objective fails (``persistence`` years running), the action then in force,
  and for each action the warming level where the objective fails in most futures with it
  in force (``inf``: in most futures the plan moved on, or the objective held);
* the **metro map** (:func:`plot_plan_pathways`): one row per action, one line per plan,
  transfer stations where the actions actually took effect (median over the runs where they
  did), triggers (triangles, with their 10–90 % spread) one lead time earlier, and a bar
  where the plan's objective fails in most futures (an arrow when it holds to the horizon).

Robustness (regret, satisficing) per plan is the usual table with plans as policies
(:func:`~territoire_abm.experiments.analysis.robustness.robustness_table`).

References
----------
1. Haasnoot, M. et al. (2013). Dynamic adaptive policy pathways. Global Environmental
   Change 23(2), 485–498. https://doi.org/10.1016/j.gloenvcha.2012.12.006
2. Kwakkel, J. H., Haasnoot, M., Walker, W. E. (2015). Developing dynamic adaptive policy
   pathways: a computer-assisted approach. Climatic Change 132, 373–386.
   https://doi.org/10.1007/s10584-014-1210-4
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from territoire_abm.errors import UserError
from territoire_abm.experiments.analysis.pathways import finish_figure, style_metro_axes
from territoire_abm.experiments.analysis.results import Results
from territoire_abm.experiments.analysis.tipping import tipping_points

__all__ = ["action_tipping", "plan_of_runs", "plan_pathways", "plan_tipping",
           "plot_plan_pathways", "trigger_summary", "trigger_times"]

MASK = "plan_actions_mask"
PLAN_COLUMN = "policy.plan.name"
START = "current"
_PALETTE = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d",
            "#1f78b4"]


def plan_of_runs(results: Results) -> pd.Series:
    """Plan name of every run (``none`` when the sweep did not set one), by run_id."""
    design = results.design.set_index("run_id")
    if PLAN_COLUMN in design.columns:
        return design[PLAN_COLUMN].fillna("none").astype(str)
    return pd.Series("none", index=design.index)


def _plans(names: Sequence[str]) -> dict[str, Any]:
    from territoire_abm.governance.plans import NO_PLAN, load_plan_data, parse_plan

    return {n: parse_plan(load_plan_data(n)) for n in dict.fromkeys(names) if n != NO_PLAN}


def trigger_times(results: Results, *, x: str = "warming_c") -> pd.DataFrame:
    """One row per run and plan action: fired, trigger year, effect year and ``x`` then."""
    series = results.series(columns=[MASK, x])
    for column in (MASK, x):
        if column not in series.columns:
            raise UserError("indicator", column, "the sweep must keep this yearly series "
                            "(list it under outcomes)")
    plan_of = plan_of_runs(results)
    plans = _plans(plan_of.unique())
    policy_of = results.design.set_index("run_id")["policy"].astype(str)
    rows = []
    for run_id, g in series.groupby("run_id", sort=True):
        plan = plans.get(plan_of.get(run_id, "none"))
        if plan is None:
            continue
        years, mask = g["year"].to_numpy(), g[MASK].to_numpy(dtype=np.int64)
        xs = dict(zip(years, g[x].to_numpy(dtype=float), strict=True))
        for i, action in enumerate(plan.actions):
            hit = np.flatnonzero(mask & (1 << i))
            year = int(years[hit[0]]) if len(hit) else None
            effect = None if year is None else year + max(1, action.lead_time_years)
            rows.append({"run_id": int(run_id), "policy": policy_of[run_id], "plan": plan.name,
                         "action": action.id, "order": i, "fired": year is not None,
                         "year": np.nan if year is None else year,
                         "x": xs.get(year, np.nan) if year is not None else np.nan,
                         "effect_year": np.nan if effect is None else effect,
                         "x_effect": xs.get(effect, np.nan) if effect is not None else np.nan})
    return pd.DataFrame(rows, columns=["run_id", "policy", "plan", "action", "order", "fired",
                                       "year", "x", "effect_year", "x_effect"])


def trigger_summary(times: pd.DataFrame, quantiles: Sequence[float] = (0.1, 0.5, 0.9)
                    ) -> pd.DataFrame:
    """Per plan and action: share of runs where it fired and quantiles of the trigger's year
    and ``x`` over those runs (the signposts' timing distribution)."""
    rows = []
    for (plan, action), g in times.groupby(["plan", "action"], sort=False):
        fired = g[g["fired"]]
        row = {"plan": plan, "action": action, "order": int(g["order"].iloc[0]),
               "runs": len(g), "share_fired": float(g["fired"].mean())}
        for q in quantiles:
            tag = f"q{int(round(q * 100))}"
            for column, name in (("year", "year"), ("x", "x"), ("x_effect", "x_effect")):
                values = fired[column].dropna()
                row[f"{name}_{tag}"] = float(values.quantile(q)) if len(values) else np.nan
        rows.append(row)
    return pd.DataFrame(rows).set_index(["plan", "action"]) if rows else pd.DataFrame()


def plan_tipping(results: Results, indicator: str, threshold: float, *, above: bool = True,
                 persistence: int = 1, x: str = "warming_c",
                 times: pd.DataFrame | None = None) -> pd.DataFrame:
    """Tipping point of every run with its plan and the action in force when it tipped
    (the last one taken by then; ``current`` when none was)."""
    points = tipping_points(results, indicator, threshold, above=above,
                            persistence=persistence, x=x)
    points["plan"] = points["run_id"].map(plan_of_runs(results)).to_numpy()
    times = trigger_times(results, x=x) if times is None else times
    fired = times[times["fired"]]
    state = []
    for run_id, year in zip(points["run_id"], points["year"], strict=True):
        taken = fired[(fired["run_id"] == run_id) & (fired["year"] < year)] \
            if math.isfinite(year) else fired[fired["run_id"] == run_id]
        state.append(taken.sort_values("year")["action"].iloc[-1] if len(taken) else START)
    points["in_force"] = state
    return points


def action_tipping(points: pd.DataFrame, times: pd.DataFrame, *, x: str = "warming_c"
                   ) -> pd.DataFrame:
    """Per plan and action (``current`` first): runs that reached it, share of those that
    failed with it in force, and the warming where the objective fails in most futures with
    it in force (median; ``inf`` when most moved on or held)."""
    rows = []
    for plan, g in points.groupby("plan", sort=False):
        actions = [START] + list(dict.fromkeys(
            times.loc[times["plan"] == plan].sort_values("order")["action"]))
        for action in actions:
            if action == START:
                reached = g["run_id"]
            else:
                t = times[(times["plan"] == plan) & (times["action"] == action) & times["fired"]]
                reached = t["run_id"]
            sub = g[g["run_id"].isin(reached)]
            failed = sub["tipped"] & (sub["in_force"] == action)
            values = np.where(failed, sub[x].to_numpy(dtype=float), np.inf)
            rows.append({"plan": plan, "action": action, "runs_reaching": len(sub),
                         "share_failing_in_force": float(failed.mean()) if len(sub) else np.nan,
                         "atp_q50": float(np.quantile(values, 0.5, method="lower"))
                         if len(sub) else np.nan})
    return pd.DataFrame(rows).set_index(["plan", "action"])


def plan_pathways(points: pd.DataFrame, summary: pd.DataFrame, *, x: str = "warming_c",
                  min_share: float = 0.5) -> pd.DataFrame:
    """One row per plan: its typical pathway (actions taken in at least ``min_share`` of the
    runs, in the order they took effect), where each took effect (median ``x``), and where
    the objective fails in most futures (``inf``: holds to the horizon in most)."""
    rows = []
    for plan, g in points.groupby("plan", sort=False):
        values = np.where(g["tipped"], g[x].to_numpy(dtype=float), np.inf)
        atp = float(np.quantile(values, 0.5, method="lower"))
        steps = []
        if plan in summary.index.get_level_values("plan"):
            s = summary.loc[plan]
            s = s[s["share_fired"] >= min_share].sort_values("x_effect_q50")
            steps = [(a, float(r["x_q50"]), float(r["x_effect_q50"]), float(r["x_q10"]),
                      float(r["x_q90"])) for a, r in s.iterrows()]
        rows.append({"plan": plan, "pathway": " → ".join([START, *[a for a, *_ in steps]]),
                     "steps": steps, "share_tipped": float(g["tipped"].mean()),
                     "fails_at_q50": atp, "runs": len(g)})
    return pd.DataFrame(rows).set_index("plan")


def _draw_plan(ax, plan: str, p: pd.Series, *, row: Mapping[str, int], color: str, dy: float,
               x_range: tuple[float, float]) -> None:
    """One plan's line (offset ``dy`` from the rows): along each action until the next one
    takes effect (transfer circles), its trigger one lead time earlier with the 10–90 %
    spread, and a bar where the objective fails in most futures (an arrow if it holds)."""
    x0, x1 = x_range
    span = x1 - x0
    end = min(p["fails_at_q50"], x1)
    start, current = x0, START
    for action, trig, effect, lo, hi in p["steps"]:
        effect = min(max(effect if math.isfinite(effect) else trig, start), end)
        ax.plot([start, effect], [row[current] + dy] * 2, color=color, lw=3.5,
                solid_capstyle="butt", zorder=2)
        ax.plot([effect, effect], [row[current] + dy, row[action] + dy], color=color,
                lw=2, zorder=1)
        for r in (row[current], row[action]):
            ax.plot([effect], [r + dy], "o", ms=8, mfc="white", mec=color, mew=1.5,
                    zorder=4)
        if math.isfinite(trig):
            ax.plot([trig], [row[current] + dy - 0.22], "v", ms=7, color=color, zorder=5)
            if math.isfinite(lo) and math.isfinite(hi) and hi > lo:
                ax.plot([lo, hi], [row[current] + dy - 0.22] * 2, color=color, lw=1,
                        alpha=0.7, zorder=5)
        start, current = effect, action
    ax.plot([start, end], [row[current] + dy] * 2, color=color, lw=3.5,
            solid_capstyle="butt", zorder=2, label=plan)
    if p["fails_at_q50"] < x1:
        ax.plot([end, end], [row[current] + dy - 0.2, row[current] + dy + 0.2],
                color="black", lw=3, zorder=5)
    else:
        ax.annotate("", xy=(x1 + 0.03 * span, row[current] + dy),
                    xytext=(x1 - 0.005 * span, row[current] + dy),
                    arrowprops={"arrowstyle": "-|>", "color": color, "lw": 2})


def _plan_legends(ax) -> None:
    """The plans' colours (lower left) and the key to the symbols (below the axis)."""
    from matplotlib.lines import Line2D

    plan_legend = ax.legend(loc="lower left", frameon=True, framealpha=0.9, fontsize=8,
                            title="plan")
    ax.add_artist(plan_legend)
    keys = [
        Line2D([], [], marker="v", ls="-", color="0.3", ms=7, lw=1,
               label="trigger fired (median, 10–90 % of runs)"),
        Line2D([], [], marker="o", ls="", mfc="white", mec="0.3", ms=8,
               label="transfer: action in effect (median)"),
        Line2D([], [], marker="|", ls="", color="black", ms=12, mew=3,
               label="objective fails in most futures"),
    ]
    ax.legend(handles=keys, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3,
              frameon=False, fontsize=8)


def plot_plan_pathways(pathways: pd.DataFrame, *, x_range: tuple[float, float],
                       x_label: str = "warming (°C, vs pre-industrial)", title: str = "",
                       labels: Mapping[str, str] | None = None,
                       path: str | Path | None = None):
    """Metro map of plans simulated inside the model (see the module docstring)."""
    from matplotlib.figure import Figure

    actions = [START] + list(dict.fromkeys(a for steps in pathways["steps"]
                                           for a, *_ in steps))
    row = {a: i for i, a in enumerate(actions)}
    n = len(pathways)
    fig = Figure(figsize=(9.5, 1.6 + 0.75 * len(actions)))
    ax = fig.add_subplot()
    for k, (plan, p) in enumerate(pathways.iterrows()):
        _draw_plan(ax, plan, p, row=row, color=_PALETTE[k % len(_PALETTE)],
                   dy=(k - (n - 1) / 2) * 0.1, x_range=x_range)
    style_metro_axes(ax, [(labels or {}).get(a, a.replace("_", " ")) for a in actions],
                     x_range=x_range, x_label=x_label, margin=0.05)
    _plan_legends(ax)
    finish_figure(fig, ax, title=title, path=path)
    return fig


def _number(key: str, value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise UserError(key, value, "expected a number") from None


def run_plan_pathways(results: Results, args: Any, out: Path) -> list[Path]:
    """``analyse … method=plan_pathways indicator= threshold= [direction=] [persistence=]
    [x=warming_c] [x_range=lo,hi] [where=col:value]``: tables and the metro map."""
    indicator = args.get("indicator") or args.get("outcome", required=True)
    threshold = _number("threshold", args.get("threshold", required=True))
    direction = args.get("direction", "above")
    if direction not in ("above", "below"):
        raise UserError("direction", direction, "allowed: above, below")
    x = args.get("x", "warming_c")
    persistence = int(_number("persistence", args.get("persistence", 1)))
    times = trigger_times(results, x=x)
    points = plan_tipping(results, indicator, threshold, above=direction == "above",
                          persistence=persistence, x=x, times=times)
    where = args.get("where")
    if where:
        column, _, value = where.partition(":")
        if column not in results.design.columns:
            raise UserError("where", where, "expected <design column>:<value>")
        keep = set(results.design.loc[results.design[column].astype(str) == value, "run_id"])
        points, times = points[points["run_id"].isin(keep)], times[times["run_id"].isin(keep)]
        if points.empty:
            raise UserError("where", where, "no run matches")
    summary = trigger_summary(times)
    atp = action_tipping(points, times, x=x)
    paths = plan_pathways(points, summary, x=x)
    xs = results.series(columns=[x])[x]
    text = args.get("x_range", f"{xs.min():.2f},{xs.max():.2f}")
    lo, hi = (_number("x_range", v) for v in (text.split(",") + [""])[:2])
    out.mkdir(parents=True, exist_ok=True)
    stem = f"plan_pathways_{indicator}"
    figure = out / f"{stem}.png"
    sense = "<=" if direction == "above" else ">="
    plot_plan_pathways(paths, x_range=(lo, hi), path=figure,
                       title=f"Plans simulated with in-run triggers: {indicator} {sense} "
                             f"{threshold:g}")
    files = [figure]
    for table, name in ((times, "triggers_runs"), (summary, "triggers"),
                        (atp, "action_tipping"), (paths.drop(columns="steps"), "")):
        path = out / f"{stem}{'_' + name if name else ''}.csv"
        table.to_csv(path, index=not table.index.equals(pd.RangeIndex(len(table))))
        files.append(path)
    print(summary.round(3).to_string())
    print(atp.round(3).to_string())
    print(paths.drop(columns="steps").round(3).to_string())
    return files
