"""Shared plumbing between results and SALib analysers."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd

from territoire_abm.errors import UserError
from territoire_abm.experiments.analysis.results import Results

# Which designs each analyser can read.
COMPATIBLE = {
    "sobol": ("sobol",),
    "morris": ("morris",),
    "fast": ("fast",),
    "pawn": ("lhs", "mc", "sobol", "morris", "fast"),
    "delta": ("lhs", "mc", "sobol", "morris", "fast"),
}


def check_seed(seed: int) -> int:
    # SALib's `if seed:` treats 0 as "no seed": bootstrap intervals would not repeat.
    if not isinstance(seed, int | np.integer) or isinstance(seed, bool) or seed < 1:
        raise UserError("seed", seed, "expected an integer >= 1 (SALib ignores seed 0)")
    return int(seed)


def check_design(results: Results, analysis: str) -> None:
    allowed = COMPATIBLE[analysis]
    if results.method not in allowed:
        raise UserError("method", analysis, f"needs a design made with design.method in "
                        f"({', '.join(allowed)}); this experiment used {results.method}")


def pick_policy(results: Results, policy: str | None) -> str:
    policies = results.policies
    if policy is None:
        if len(policies) > 1:
            raise UserError("policy", None, f"choose one of: {', '.join(policies)}")
        return policies[0]
    if policy not in policies:
        raise UserError("policy", policy, f"choose one of: {', '.join(policies)}")
    return policy


def salib_xy(
    results: Results,
    values: pd.Series,
    *,
    policy: str | None = None,
    complete: bool,
    analysis: str,
    outcome: str,
) -> tuple[dict[str, Any], np.ndarray, np.ndarray]:
    """SALib problem, X (unit space) and Y in design order, replications averaged.

    ``values`` is indexed by run_id. With ``complete`` every sample must have a value
    (Sobol, Morris and FAST estimators need the whole structured sample).
    """
    pol = pick_policy(results, policy)
    design = results.design
    rows = design[design["policy"].astype(str) == pol]
    y = values.reindex(rows["run_id"]).to_numpy(dtype=float)
    frame = pd.DataFrame({"sample_id": rows["sample_id"].to_numpy(), "y": y})
    per_sample = frame.groupby("sample_id", sort=True)["y"].mean()
    unit = results.unit().loc[rows["run_id"]]
    unit.index = rows["sample_id"].to_numpy()
    unit = unit[~unit.index.duplicated()].sort_index()
    x = unit.to_numpy(dtype=float)
    yv = per_sample.reindex(unit.index).to_numpy(dtype=float)
    missing = ~np.isfinite(yv)
    if missing.any():
        if complete:
            raise UserError(outcome, f"{int(missing.sum())} of {len(yv)} samples without a value",
                            f"{analysis} needs every sample of the design; inspect the failures "
                            "table, then resume with retry_failed=true")
        x, yv = x[~missing], yv[~missing]
    if len(yv) < 2:
        raise UserError(outcome, len(yv), f"{analysis} needs at least 2 samples with values")
    return results.problem, x, yv


# How each analyser names itself in messages, and whether it needs every sample of the
# design (structured samples: Sobol, Morris, FAST) or can drop runs without a value.
_NEEDS = {"sobol": ("Sobol", True), "morris": ("Morris", True), "fast": ("FAST", True),
          "pawn": ("PAWN", False), "delta": ("delta", False)}


def outcome_xy(results: Results, method: str, outcome: str, *, year: int | None = None,
               policy: str | None = None) -> tuple[dict[str, Any], np.ndarray, np.ndarray]:
    """SALib problem, X and Y of a scalar outcome (or a yearly indicator at ``year``) for
    the analyser ``method``, once the design is checked to suit it."""
    check_design(results, method)
    label, complete = _NEEDS[method]
    return salib_xy(results, results.outcome(outcome, year=year), policy=policy,
                    complete=complete, analysis=label, outcome=outcome)


def indices_over_time(
    results: Results,
    method: str,
    indicator: str,
    analyse: Callable[[dict[str, Any], np.ndarray, np.ndarray], pd.DataFrame],
    *,
    years: Iterable[int] | None = None,
    policy: str | None = None,
) -> pd.DataFrame:
    """``analyse(problem, x, y)`` for each year of a yearly indicator (long table with a
    ``year`` column), once the design is checked to suit the analyser ``method``."""
    check_design(results, method)
    label, complete = _NEEDS[method]

    def one(values: pd.Series) -> pd.DataFrame:
        problem, x, y = salib_xy(results, values, policy=policy, complete=complete,
                                 analysis=label, outcome=indicator)
        return analyse(problem, x, y)

    return over_time(results, indicator, one, years)


def over_time(
    results: Results,
    indicator: str,
    one_year: Callable[[pd.Series], pd.DataFrame],
    years: Iterable[int] | None = None,
) -> pd.DataFrame:
    """Apply an analyser to each year of a yearly indicator; long table with a year column."""
    wide = results.yearly(indicator)
    chosen = list(years) if years is not None else list(wide.columns)
    frames = []
    for year in chosen:
        if year not in wide.columns:
            raise UserError("year", year, f"years: {wide.columns.min()}..{wide.columns.max()}")
        values = wide[year].reindex(results.design["run_id"])
        if np.nanstd(values.to_numpy(dtype=float)) == 0:
            continue  # e.g. the first year, identical in every run: nothing to attribute
        table = one_year(values).reset_index()
        table.insert(0, "year", int(year))
        frames.append(table)
    if not frames:
        raise UserError(indicator, "constant", "the indicator does not vary across runs")
    return pd.concat(frames, ignore_index=True)
