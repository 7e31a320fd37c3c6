"""Sobol indices (first, total, second order, with bootstrap confidence intervals).

Uses :func:`SALib.analyze.sobol.analyze` on a Sobol/Saltelli design.

References
----------
1. Sobol', I. M. (2001). Global sensitivity indices for nonlinear mathematical models and
   their Monte Carlo estimates. Mathematics and Computers in Simulation 55, 271–280.
   https://doi.org/10.1016/S0378-4754(00)00270-6
2. Saltelli, A. et al. (2010). Variance based sensitivity analysis of model output. Design
   and estimator for the total sensitivity index. Computer Physics Communications 181,
   259–270. https://doi.org/10.1016/j.cpc.2009.09.018
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from territoire_abm.experiments.analysis._salib import (
    check_seed,
    indices_over_time,
    outcome_xy,
)
from territoire_abm.experiments.analysis.results import Results

__all__ = ["SobolIndices", "analyze_sobol", "sobol_indices", "sobol_over_time"]


@dataclass
class SobolIndices:
    """First/total indices per parameter and, if computed, second-order pairs."""

    indices: pd.DataFrame  # index parameter; S1, S1_conf, ST, ST_conf
    second_order: pd.DataFrame | None  # columns parameter_1, parameter_2, S2, S2_conf


def analyze_sobol(
    problem: dict,
    y: np.ndarray,
    *,
    calc_second_order: bool = True,
    conf_level: float = 0.95,
    num_resamples: int = 1000,
    seed: int = 1,
) -> SobolIndices:
    """SALib's Sobol analysis as tables (arrays in, DataFrames out)."""
    from SALib.analyze import sobol

    res = sobol.analyze(problem, y, calc_second_order=calc_second_order, conf_level=conf_level,
                        num_resamples=num_resamples, seed=check_seed(seed),
                        print_to_console=False)
    names = problem["names"]
    table = pd.DataFrame({k: res[k] for k in ("S1", "S1_conf", "ST", "ST_conf")},
                         index=pd.Index(names, name="parameter"))
    second = None
    if calc_second_order:
        rows = []
        for i in range(len(names)):
            for j in range(i + 1, len(names)):
                rows.append((names[i], names[j], res["S2"][i, j], res["S2_conf"][i, j]))
        second = pd.DataFrame(rows, columns=["parameter_1", "parameter_2", "S2", "S2_conf"])
    return SobolIndices(table, second)


def sobol_indices(
    results: Results,
    outcome: str,
    *,
    year: int | None = None,
    policy: str | None = None,
    conf_level: float = 0.95,
    num_resamples: int = 1000,
    seed: int = 1,
) -> SobolIndices:
    """Sobol indices of a scalar outcome (or of a yearly indicator at ``year``)."""
    problem, _, y = outcome_xy(results, "sobol", outcome, year=year, policy=policy)
    return analyze_sobol(problem, y,
                         calc_second_order=bool(results.options.get("calc_second_order", True)),
                         conf_level=conf_level, num_resamples=num_resamples, seed=seed)


def sobol_over_time(
    results: Results,
    indicator: str,
    *,
    years: Iterable[int] | None = None,
    policy: str | None = None,
    conf_level: float = 0.95,
    num_resamples: int = 200,
    seed: int = 1,
) -> pd.DataFrame:
    """First and total indices of a yearly indicator, year by year (long table)."""
    second = bool(results.options.get("calc_second_order", True))
    return indices_over_time(
        results, "sobol", indicator,
        lambda problem, _, y: analyze_sobol(problem, y, calc_second_order=second,
                                            conf_level=conf_level, num_resamples=num_resamples,
                                            seed=seed).indices,
        years=years, policy=policy)
