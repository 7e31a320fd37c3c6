"""Depth and recovery time of shocks (heat wave, drought, grid outage) from a run's series.

Resilience as the depth of the drop of a performance indicator after a shock and the time
to recover to the pre-shock level (Bruneau et al. 2003, Earthquake Spectra 19(4), the
"resilience triangle"; Linkov & Trump 2019). A shock year is a year whose hazard indicator
is in the top decile of the run (at least the hazard's minimum); the baseline is the mean of
the preceding ``baseline_years``; recovery is the first later year back within ``tolerance``
of the baseline.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# shock -> (hazard column, minimum to count as a shock, performance column, higher is better)
SHOCKS = {
    "heat_wave": ("heat_wave_days", 3.0, "satisfaction_mean", True),
    "drought": ("restriction_days_alerte_renforcee", 5.0, "crop_yield_factor", True),
    "outage": ("unserved_kwh", 1.0, "critical_served_share", True),
}


def shock_table(series: pd.DataFrame, *, baseline_years: int = 3, tolerance: float = 0.05,
                quantile: float = 0.9) -> pd.DataFrame:
    """One row per detected shock: year, hazard, depth (share lost) and recovery years."""
    rows = []
    for shock, (hazard, minimum, performance, higher_better) in SHOCKS.items():
        if hazard not in series or performance not in series:
            continue
        values = series[hazard].to_numpy(dtype=float)
        threshold = max(minimum, float(np.quantile(values, quantile)))
        for position in np.flatnonzero(values >= threshold):
            rows.append(_one_shock(series, shock, hazard, performance, higher_better,
                                   int(position), baseline_years, tolerance))
    columns = ["shock", "year", "hazard", "hazard_value", "performance", "baseline", "value",
               "depth", "recovery_years"]
    return pd.DataFrame(rows, columns=columns)


def _one_shock(series: pd.DataFrame, shock: str, hazard: str, performance: str,
               higher_better: bool, position: int, baseline_years: int,
               tolerance: float) -> dict[str, float | str]:
    perf = series[performance].to_numpy(dtype=float)
    sign = 1.0 if higher_better else -1.0
    start = max(0, position - baseline_years)
    baseline = float(np.mean(perf[start:position])) if position > start else float(
        perf[position])
    value = float(perf[position])
    depth = sign * (baseline - value) / abs(baseline) if baseline else 0.0
    recovery = np.nan
    if depth <= tolerance:
        recovery = 0.0
    else:
        for later in range(position + 1, len(perf)):
            if sign * (baseline - perf[later]) / abs(baseline) <= tolerance:
                recovery = float(later - position)
                break
    return {"shock": shock, "year": int(series.index[position]), "hazard": hazard,
            "hazard_value": float(series[hazard].iloc[position]), "performance": performance,
            "baseline": baseline, "value": value, "depth": max(0.0, depth),
            "recovery_years": recovery}
