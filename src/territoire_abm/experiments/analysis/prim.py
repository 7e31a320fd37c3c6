"""Scenario discovery with PRIM (Patient Rule Induction Method).

Wraps the EMA Workbench's maintained implementation
(:class:`ema_workbench.analysis.prim.Prim`) and returns plain tables. Two of its habits are
handled here: it silently drops an input column named ``scenario`` (our climate scenario
uncertainty), so columns are renamed before the call; and it emits pandas deprecation
warnings under pandas 3, which are silenced around the call only.

A *box* is a set of limits on the inputs; *coverage* is the share of all cases of interest
that fall in the box, *density* the share of cases of interest among the runs in the box.
Peeling trades coverage for density; :func:`discover` picks on the trajectory the box with
the highest coverage among those whose density reaches ``threshold``.

References
----------
1. Friedman, J. H., Fisher, N. I. (1999). Bump hunting in high-dimensional data.
   Statistics and Computing 9, 123–143. https://doi.org/10.1023/A:1008894516817
2. Bryant, B. P., Lempert, R. J. (2010). Thinking inside the box: a participatory,
   computer-assisted approach to scenario discovery. Technological Forecasting & Social
   Change 77, 34–49. https://doi.org/10.1016/j.techfore.2009.08.002
3. Kwakkel, J. H. (2017). The Exploratory Modeling Workbench. Environmental Modelling &
   Software 96, 239–250. https://doi.org/10.1016/j.envsoft.2017.06.054
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from territoire_abm.errors import UserError
from territoire_abm.experiments.analysis.results import Results

__all__ = ["PrimBox", "ScenarioDiscovery", "discover", "discover_scenarios"]


@dataclass
class PrimBox:
    """One box: its limits on the restricted inputs and its statistics."""

    limits: pd.DataFrame  # index input; columns min, max (numbers) or categories (list)
    coverage: float
    density: float
    mass: float
    res_dim: int
    trajectory_index: int

    def describe(self) -> str:
        parts = []
        for name, row in self.limits.iterrows():
            if isinstance(row["categories"], list):
                parts.append(f"{name} in {{{', '.join(map(str, row['categories']))}}}")
            else:
                parts.append(f"{row['min']:.4g} <= {name} <= {row['max']:.4g}")
        return " and ".join(parts) or "(whole space)"


@dataclass
class ScenarioDiscovery:
    """PRIM boxes found, with the peeling trajectory of each."""

    boxes: list[PrimBox]
    trajectories: list[pd.DataFrame]  # coverage, density, mass, res_dim per peeling step
    n: int
    n_cases: int
    inputs: list[str]
    ranges: dict[str, Any] = field(default_factory=dict)
    label: str = ""

    def boxes_table(self) -> pd.DataFrame:
        rows = []
        for i, box in enumerate(self.boxes):
            for name, row in box.limits.iterrows():
                rows.append({"box": i + 1, "input": name, "min": row["min"], "max": row["max"],
                             "categories": row["categories"], "coverage": box.coverage,
                             "density": box.density, "mass": box.mass})
        return pd.DataFrame(rows)


def _import_prim():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "ipyparallel not installed" and friends
        try:
            from ema_workbench.analysis import prim as ema_prim
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise UserError("method", "prim", "needs the EMA Workbench: pip install "
                            "'ema-workbench>=3.0'") from exc
    logging.getLogger("EMA").setLevel(logging.WARNING)
    return ema_prim


def _restricted(box_lim: pd.DataFrame, box_init: pd.DataFrame, safe: dict[str, str],
                categorical: set[str]) -> pd.DataFrame:
    rows = {}
    for col, name in safe.items():
        lo, hi = box_lim[col].iloc[0], box_lim[col].iloc[1]
        lo0, hi0 = box_init[col].iloc[0], box_init[col].iloc[1]
        if col in categorical:
            if set(lo) != set(lo0):
                rows[name] = {"min": np.nan, "max": np.nan, "categories": sorted(lo, key=str)}
        elif lo != lo0 or hi != hi0:
            rows[name] = {"min": float(lo), "max": float(hi), "categories": None}
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=["min", "max", "categories"])
    frame.index.name = "input"
    return frame


def discover(
    x: pd.DataFrame,
    y: np.ndarray | Sequence[bool],
    *,
    threshold: float = 0.8,
    max_boxes: int = 1,
    peel_alpha: float = 0.05,
    paste_alpha: float = 0.05,
    mass_min: float = 0.05,
    label: str = "",
) -> ScenarioDiscovery:
    """Find up to ``max_boxes`` PRIM boxes of the cases where ``y`` is true.

    ``x`` holds the inputs: floats (real), integers (discrete) or categoricals/strings.
    """
    y = np.asarray(y, dtype=bool)
    if len(y) != len(x):
        raise UserError("y", len(y), f"expected one value per row of x ({len(x)})")
    if not 0 < threshold <= 1:
        raise UserError("threshold", threshold, "expected a density in (0, 1]")
    n_cases = int(y.sum())
    if n_cases == 0 or n_cases == len(y):
        raise UserError("cases", n_cases, f"PRIM needs some but not all of the {len(y)} runs "
                        "to be cases of interest; change the threshold")
    ema_prim = _import_prim()
    safe = {f"x{i}": str(c) for i, c in enumerate(x.columns)}
    xs = x.copy().reset_index(drop=True)
    xs.columns = list(safe)
    categorical: set[str] = set()
    ranges: dict[str, Any] = {}
    for col, name in safe.items():
        s = xs[col]
        textual = isinstance(s.dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(s)
        if textual or s.dtype == object or pd.api.types.is_bool_dtype(s):
            xs[col] = pd.Categorical(s.astype(str))
            categorical.add(col)
            ranges[name] = sorted(xs[col].cat.categories, key=str)
        elif pd.api.types.is_integer_dtype(s):
            xs[col] = s.astype(np.int64)
            ranges[name] = (float(s.min()), float(s.max()))
        else:
            xs[col] = s.astype(np.float64)
            ranges[name] = (float(s.min()), float(s.max()))

    boxes: list[PrimBox] = []
    trajectories: list[pd.DataFrame] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas deprecations inside the workbench
        p = ema_prim.Prim(xs, y.astype(int), peel_alpha=peel_alpha, paste_alpha=paste_alpha,
                          mass_min=mass_min)
        for _ in range(max_boxes):
            box = p.find_box()
            if box is None:
                break
            traj = box.peeling_trajectory[["coverage", "density", "mass", "res_dim"]].astype(
                float).reset_index(drop=True)
            ok = traj.index[traj["density"] >= threshold]
            i = int(traj.loc[ok, "coverage"].idxmax()) if len(ok) else int(traj["density"].idxmax())
            box.select(i)
            limits = _restricted(box.box_lims[i], p.box_init, safe, categorical)
            row = traj.iloc[i]
            boxes.append(PrimBox(limits, float(row["coverage"]), float(row["density"]),
                                 float(row["mass"]), int(row["res_dim"]), i))
            trajectories.append(traj)
            if float(row["density"]) < threshold:
                break
    return ScenarioDiscovery(boxes, trajectories, len(y), n_cases, list(safe.values()), ranges,
                             label)


def discover_scenarios(
    results: Results,
    outcome: str,
    threshold: float,
    *,
    above: bool = True,
    year: int | None = None,
    policy: str | None = None,
    inputs: Sequence[str] | None = None,
    density: float = 0.8,
    max_boxes: int = 1,
    **kwargs: Any,
) -> ScenarioDiscovery:
    """Which uncertainties lead to ``outcome > threshold`` (or ``<`` with ``above=False``)?

    Inputs default to the uncertainties, plus ``policy`` when several policies were run and
    none is chosen. Every run is one case (replications are not averaged).
    """
    values = results.outcome(outcome, year=year)
    design = results.design.set_index("run_id")
    if policy is not None:
        if policy not in results.policies:
            raise UserError("policy", policy, f"choose one of: {', '.join(results.policies)}")
        design = design[design["policy"].astype(str) == policy]
    if inputs is None:
        inputs = list(results.uncertainties)
        if policy is None and len(results.policies) > 1:
            inputs.append("policy")
    unknown = [c for c in inputs if c not in design.columns]
    if unknown:
        raise UserError("inputs", unknown[0], f"design columns: {', '.join(results.parameters)}")
    v = values.reindex(design.index)
    keep = np.isfinite(v.to_numpy(dtype=float))
    x = design.loc[keep, list(inputs)]
    vv = v.to_numpy(dtype=float)[keep]
    y = vv > threshold if above else vv < threshold
    label = f"{outcome} {'>' if above else '<'} {threshold:g}" + (f" in {year}" if year else "")
    return discover(x, y, threshold=density, max_boxes=max_boxes, label=label, **kwargs)
