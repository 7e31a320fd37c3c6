"""Borgonovo's moment-independent delta (and S1), via :func:`SALib.analyze.delta.analyze`.

Slow on large samples (minutes for 4,096 points): prefer PAWN for quick looks.

References
----------
1. Borgonovo, E. (2007). A new uncertainty importance measure. Reliability Engineering &
   System Safety 92(6), 771–784. https://doi.org/10.1016/j.ress.2006.04.015
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

__all__ = ["analyze_delta", "delta_indices", "delta_over_time"]


def analyze_delta(problem: dict, x: np.ndarray, y: np.ndarray, *, conf_level: float = 0.95,
                  num_resamples: int = 100, seed: int = 1) -> pd.DataFrame:
    """``delta`` is SALib's ``delta_raw`` (Borgonovo's estimator with plain bootstrap);
    ``delta_balanced`` resamples evenly across input bins (SALib >= 1.5)."""
    from SALib.analyze import delta

    # SALib refuses names ending in _raw/_balanced/_step/_conf: analyse under neutral names.
    neutral = {**problem, "names": [f"p{i}" for i in range(problem["num_vars"])]}
    res = delta.analyze(neutral, x, y, num_resamples=num_resamples, conf_level=conf_level,
                        seed=check_seed(seed), print_to_console=False)
    columns = {"delta": "delta_raw", "delta_conf": "delta_raw_conf",
               "delta_balanced": "delta_balanced", "delta_balanced_conf": "delta_balanced_conf",
               "S1": "S1", "S1_conf": "S1_conf"}
    return pd.DataFrame({k: np.asarray(res[v], dtype=float) for k, v in columns.items()},
                        index=pd.Index(problem["names"], name="parameter"))


def delta_indices(results: Results, outcome: str, *, year: int | None = None,
                  policy: str | None = None, num_resamples: int = 100,
                  seed: int = 1) -> pd.DataFrame:
    """Borgonovo delta and S1 of a scalar outcome (or a yearly indicator at ``year``),
    one row per factor; any sampled design (no SALib sampler needed)."""
    problem, x, y = outcome_xy(results, "delta", outcome, year=year, policy=policy)
    return analyze_delta(problem, x, y, num_resamples=num_resamples, seed=seed)


def delta_over_time(results: Results, indicator: str, *, years: Iterable[int] | None = None,
                    policy: str | None = None, num_resamples: int = 50,
                    seed: int = 1) -> pd.DataFrame:
    """Delta and S1 for each year of a yearly indicator: long table with a ``year`` column."""
    return indices_over_time(
        results, "delta", indicator,
        lambda problem, x, y: analyze_delta(problem, x, y, num_resamples=num_resamples,
                                            seed=seed),
        years=years, policy=policy)
