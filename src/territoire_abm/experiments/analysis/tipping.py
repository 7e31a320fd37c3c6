"""Adaptation tipping points detected in yearly series.

An adaptation tipping point (ATP) is the moment an action stops meeting its objective
(Kwadijk et al. 2010; Haasnoot et al. 2013). Here: the first year from which an indicator
breaks its threshold for ``persistence`` consecutive years (one bad year need not mean the
action has failed). The ATP can be read on the calendar (``year``) or on another yearly
series of the same run, e.g. ``warming_c`` to express it as a warming level.

References
----------
1. Kwadijk, J. C. J. et al. (2010). Using adaptation tipping points to prepare for climate
   change and sea level rise. WIREs Climate Change 1, 729–740. https://doi.org/10.1002/wcc.64
2. Haasnoot, M. et al. (2013). Dynamic adaptive policy pathways. Global Environmental Change
   23(2), 485–498. https://doi.org/10.1016/j.gloenvcha.2012.12.006
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from territoire_abm.errors import UserError
from territoire_abm.experiments.analysis.results import Results

__all__ = ["first_tipping_index", "tipping_points", "tipping_summary"]


def first_tipping_index(values: Sequence[float] | np.ndarray, threshold: float, *,
                        above: bool = True, persistence: int = 1) -> int | None:
    """Index of the first of ``persistence`` consecutive values beyond ``threshold``.

    ``above=True``: the objective is ``value <= threshold`` and fails when the value goes
    above. NaN counts as not failing. ``None`` when the objective holds to the end.
    """
    if persistence < 1:
        raise UserError("persistence", persistence, "expected an integer >= 1")
    v = np.asarray(values, dtype=float)
    fail = (v > threshold) if above else (v < threshold)
    if len(fail) < persistence:
        return None
    run = np.convolve(fail.astype(int), np.ones(persistence, dtype=int), mode="valid")
    hits = np.flatnonzero(run == persistence)
    return int(hits[0]) if len(hits) else None


def tipping_points(
    results: Results,
    indicator: str,
    threshold: float,
    *,
    above: bool = True,
    persistence: int = 1,
    x: str | None = None,
) -> pd.DataFrame:
    """Tipping point of every run: columns run_id, sample_id, policy, replication, tipped,
    year and (with ``x``) the value of series ``x`` in that year (e.g. warming_c)."""
    series = results.series(columns=[indicator] + ([x] if x else []))
    if indicator not in series.columns:
        raise UserError("indicator", indicator,
                        f"yearly indicators: {', '.join(results.series_names()) or 'none'}")
    if x and x not in series.columns:
        raise UserError("x", x, f"yearly indicators: {', '.join(results.series_names())}")
    rows = []
    for run_id, g in series.groupby("run_id", sort=True):
        i = first_tipping_index(g[indicator].to_numpy(), threshold, above=above,
                                persistence=persistence)
        year = float(g["year"].iloc[i]) if i is not None else np.nan
        row = {"run_id": int(run_id), "tipped": i is not None, "year": year}
        if x:
            row[x] = float(g[x].iloc[i]) if i is not None else np.nan
        rows.append(row)
    out = pd.DataFrame(rows)
    d = results.design[["run_id", "sample_id", "policy", "replication"]]
    out = d.merge(out, on="run_id", how="inner")
    out["policy"] = out["policy"].astype(str)
    return out


def tipping_summary(points: pd.DataFrame, *, by: str = "policy", x: str = "year",
                    quantiles: Sequence[float] = (0.1, 0.5, 0.9)) -> pd.DataFrame:
    """Share of runs tipping and quantiles of the tipping point per group.

    Runs that never tip count as tipping beyond the horizon (+inf), so a median of ``inf``
    means most runs hold to the end.
    """
    rows = {}
    for key, g in points.groupby(by, sort=False):
        v = np.where(g["tipped"], g[x].to_numpy(dtype=float), np.inf)
        row = {"runs": len(g), "share_tipped": float(g["tipped"].mean())}
        for q in quantiles:
            row[f"q{int(round(q * 100))}"] = float(np.quantile(v, q, method="lower"))
        rows[key] = row
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = by
    return out
