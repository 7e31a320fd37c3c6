"""Extended FAST first and total indices, via :func:`SALib.analyze.fast.analyze`.

References
----------
1. Saltelli, A., Tarantola, S., Chan, K. P.-S. (1999). A quantitative model-independent
   method for global sensitivity analysis of model output. Technometrics 41(1), 39–56.
   https://doi.org/10.1080/00401706.1999.10485594
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable

import numpy as np
import pandas as pd

from territoire_abm.experiments.analysis._salib import (
    check_seed,
    indices_over_time,
    outcome_xy,
)
from territoire_abm.experiments.analysis.results import Results

__all__ = ["analyze_fast", "fast_indices", "fast_over_time"]


def analyze_fast(problem: dict, y: np.ndarray, *, m: int = 4, conf_level: float = 0.95,
                 num_resamples: int = 100, seed: int = 1) -> pd.DataFrame:
    """S1, ST and bootstrap intervals. SALib warns that FAST bootstrap intervals are
    unreliable (SALib#649): treat ``*_conf`` as indicative; that warning is not repeated."""
    from SALib.analyze import fast

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="FAST confidence intervals",
                                category=UserWarning)
        res = fast.analyze(problem, y, M=m, num_resamples=num_resamples, conf_level=conf_level,
                           seed=check_seed(seed), print_to_console=False)
    return pd.DataFrame({k: np.asarray(res[k], dtype=float)
                         for k in ("S1", "S1_conf", "ST", "ST_conf")},
                        index=pd.Index(problem["names"], name="parameter"))


def fast_indices(results: Results, outcome: str, *, year: int | None = None,
                 policy: str | None = None, conf_level: float = 0.95,
                 num_resamples: int = 100, seed: int = 1) -> pd.DataFrame:
    """eFAST indices of a scalar outcome (or a yearly indicator at ``year``)."""
    problem, _, y = outcome_xy(results, "fast", outcome, year=year, policy=policy)
    return analyze_fast(problem, y, m=int(results.options.get("M", 4)), conf_level=conf_level,
                        num_resamples=num_resamples, seed=seed)


def fast_over_time(results: Results, indicator: str, *, years: Iterable[int] | None = None,
                   policy: str | None = None, seed: int = 1) -> pd.DataFrame:
    """eFAST S1 and ST for each year of a yearly indicator: long table with a ``year``
    column."""
    m = int(results.options.get("M", 4))
    return indices_over_time(
        results, "fast", indicator,
        lambda problem, _, y: analyze_fast(problem, y, m=m, seed=seed),
        years=years, policy=policy)
