"""PAWN density-based indices, via :func:`SALib.analyze.pawn.analyze`.

Works on any random or quasi-random design (LHS, Monte Carlo, Sobol...); failed runs are
left out.

References
----------
1. Pianosi, F., Wagener, T. (2015). A simple and efficient method for global sensitivity
   analysis based on cumulative distribution functions. Environmental Modelling & Software
   67, 1–11. https://doi.org/10.1016/j.envsoft.2015.01.004
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from territoire_abm.experiments.analysis._salib import (
    check_seed,
    indices_over_time,
    outcome_xy,
)
from territoire_abm.experiments.analysis.results import Results

__all__ = ["analyze_pawn", "pawn_indices", "pawn_over_time"]


def analyze_pawn(problem: dict, x: np.ndarray, y: np.ndarray, *, slices: int = 10,
                 seed: int = 1) -> pd.DataFrame:
    """PAWN indices (KS statistics over ``slices`` conditional slices: minimum, mean,
    median, maximum, CV) of SALib's :func:`SALib.analyze.pawn.analyze`, one row per factor."""
    from SALib.analyze import pawn

    res = pawn.analyze(problem, x, y, S=slices, seed=check_seed(seed), print_to_console=False)
    return pd.DataFrame({k: np.asarray(res[k], dtype=float)
                         for k in ("minimum", "mean", "median", "maximum", "CV")},
                        index=pd.Index(problem["names"], name="parameter"))


def pawn_indices(results: Results, outcome: str, *, year: int | None = None,
                 policy: str | None = None, slices: int = 10, seed: int = 1) -> pd.DataFrame:
    """PAWN indices of a scalar outcome (or a yearly indicator at ``year``); any sampled
    design."""
    problem, x, y = outcome_xy(results, "pawn", outcome, year=year, policy=policy)
    return analyze_pawn(problem, x, y, slices=slices, seed=seed)


def pawn_over_time(results: Results, indicator: str, *, years: Iterable[int] | None = None,
                   policy: str | None = None, slices: int = 10, seed: int = 1) -> pd.DataFrame:
    """PAWN indices for each year of a yearly indicator: long table with a ``year`` column."""
    return indices_over_time(
        results, "pawn", indicator,
        lambda problem, x, y: analyze_pawn(problem, x, y, slices=slices, seed=seed),
        years=years, policy=policy)
