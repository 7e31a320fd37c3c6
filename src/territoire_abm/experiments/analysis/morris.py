"""Morris elementary effects (screening), via :func:`SALib.analyze.morris.analyze`.

Effects are in outcome units per full range of each factor (inputs in unit space).

References
----------
1. Morris, M. D. (1991). Factorial sampling plans for preliminary computational
   experiments. Technometrics 33(2), 161–174. https://doi.org/10.1080/00401706.1991.10484804
2. Campolongo, F., Cariboni, J., Saltelli, A. (2007). An effective screening design for
   sensitivity analysis of large models. Environmental Modelling & Software 22, 1509–1518.
   https://doi.org/10.1016/j.envsoft.2006.10.004
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

__all__ = ["analyze_morris", "morris_indices", "morris_over_time"]


def analyze_morris(problem: dict, x: np.ndarray, y: np.ndarray, *, num_levels: int = 4,
                   conf_level: float = 0.95, num_resamples: int = 1000,
                   seed: int = 1) -> pd.DataFrame:
    """mu, mu_star, sigma, mu_star_conf per parameter, sorted by mu_star."""
    from SALib.analyze import morris

    res = morris.analyze(problem, x, y, num_resamples=num_resamples, conf_level=conf_level,
                         num_levels=num_levels, seed=check_seed(seed), print_to_console=False)
    table = pd.DataFrame({k: np.asarray(res[k], dtype=float)
                          for k in ("mu", "mu_star", "sigma", "mu_star_conf")},
                         index=pd.Index(problem["names"], name="parameter"))
    return table.sort_values("mu_star", ascending=False)


def morris_indices(results: Results, outcome: str, *, year: int | None = None,
                   policy: str | None = None, conf_level: float = 0.95,
                   num_resamples: int = 1000, seed: int = 1) -> pd.DataFrame:
    """Morris screening of a scalar outcome (or a yearly indicator at ``year``)."""
    problem, x, y = outcome_xy(results, "morris", outcome, year=year, policy=policy)
    return analyze_morris(problem, x, y, num_levels=int(results.options.get("num_levels", 4)),
                          conf_level=conf_level, num_resamples=num_resamples, seed=seed)


def morris_over_time(results: Results, indicator: str, *, years: Iterable[int] | None = None,
                     policy: str | None = None, seed: int = 1,
                     num_resamples: int = 200) -> pd.DataFrame:
    """Morris mu* and sigma for each year of a yearly indicator: long table with a ``year``
    column."""
    levels = int(results.options.get("num_levels", 4))
    return indices_over_time(
        results, "morris", indicator,
        lambda problem, x, y: analyze_morris(problem, x, y, num_levels=levels, seed=seed,
                                             num_resamples=num_resamples),
        years=years, policy=policy)
