"""History matching: rule out parameter values whose runs cannot match published figures.

For a parameter vector x and a published figure z_j (grounding table row j), the
implausibility is

    I_j(x) = |E[f_j(x)] − z_j| / sqrt(V_obs,j + V_ens,j(x) + V_disc,j)

where E[f_j(x)] is the mean over seeds of the model's value, V_obs,j the variance of the
published figure (its low–high range read as ± 2 standard deviations), V_ens,j(x) the
variance of that mean over seeds (weather and population draws), and V_disc,j a model
discrepancy (a share of z_j). x is *non-implausible* when max_j I_j(x) ≤ 3 (Pukelsheim's
three-sigma rule), the cut-off of Craig et al. (1997), Vernon, Goldstein & Bower (2010,
Bayesian Analysis 5(4):619–670) and, for agent-based models, Andrianakis et al. (2015,
PLOS Computational Biology 11(1):e1003968). Waves refocus the design on the non-implausible
box. The design is a Latin hypercube (scipy.stats.qmc).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import qmc

from territoire_abm.validation.grounding import GroundingRow, model_value

CUTOFF = 3.0
DISCREPANCY_SHARE = 0.05


@dataclass(frozen=True)
class Uncertain:
    """A parameter to calibrate: dotted path and the range explored."""

    path: str
    low: float
    high: float
    integer: bool = False


def design(parameters: Sequence[Uncertain], samples: int, seed: int) -> pd.DataFrame:
    """A Latin hypercube of ``samples`` points over the parameters' ranges."""
    try:
        sampler = qmc.LatinHypercube(d=len(parameters), rng=np.random.default_rng(seed))
    except TypeError:  # scipy < 1.15 names it ``seed``
        sampler = qmc.LatinHypercube(d=len(parameters), seed=np.random.default_rng(seed))
    unit = sampler.random(samples)
    low = np.array([p.low for p in parameters])
    high = np.array([p.high for p in parameters])
    points = qmc.scale(unit, low, high) if np.all(high > low) else low + unit * (high - low)
    table = pd.DataFrame(points, columns=[p.path for p in parameters])
    for p in parameters:
        if p.integer:
            table[p.path] = table[p.path].round().astype(int)
    return table


def target(row: GroundingRow) -> tuple[float, float]:
    """Published value and its variance (range read as ± 2 standard deviations)."""
    low = row.low if math.isfinite(row.low) else row.central
    high = row.high if math.isfinite(row.high) else row.central
    centre = row.central if math.isfinite(row.central) else 0.5 * (low + high)
    return centre, ((high - low) / 4.0) ** 2


def implausibility(rows: Sequence[GroundingRow], runs: Mapping[int, pd.DataFrame],
                   discrepancy_share: float = DISCREPANCY_SHARE) -> dict[str, float]:
    """I_j for each row readable from the runs (one run per seed, same parameters)."""
    result = {}
    for row in rows:
        values = np.array([model_value(row, series) for series in runs.values()])
        values = values[np.isfinite(values)]
        if not len(values):
            continue
        centre, v_obs = target(row)
        v_ens = float(values.var(ddof=1)) / len(values) if len(values) > 1 else 0.0
        v_disc = (discrepancy_share * centre) ** 2
        scale = math.sqrt(v_obs + v_ens + v_disc) or 1e-12
        result[row.indicator] = abs(float(values.mean()) - centre) / scale
    return result


def accepted_ranges(samples: pd.DataFrame, parameters: Sequence[Uncertain],
                    defaults: Mapping[str, float], cutoff: float = CUTOFF) -> pd.DataFrame:
    """Per parameter: explored range, non-implausible range and whether the default is in it."""
    accepted = samples[samples["max_implausibility"] <= cutoff]
    lines = []
    for p in parameters:
        values = accepted[p.path]
        low = float(values.min()) if len(values) else math.nan
        high = float(values.max()) if len(values) else math.nan
        default = float(defaults[p.path])
        lines.append({
            "parameter": p.path, "explored_low": p.low, "explored_high": p.high,
            "accepted_low": low, "accepted_high": high, "accepted_points": len(values),
            "default": default,
            "default_inside": bool(len(values)) and low <= default <= high,
        })
    return pd.DataFrame(lines)


def refocus(parameters: Sequence[Uncertain], ranges: pd.DataFrame) -> list[Uncertain]:
    """The next wave's ranges: the non-implausible box (unchanged when nothing was kept)."""
    by_path = ranges.set_index("parameter")
    result = []
    for p in parameters:
        low, high = by_path.loc[p.path, ["accepted_low", "accepted_high"]]
        if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
            result.append(p)
        else:
            result.append(Uncertain(p.path, float(low), float(high), p.integer))
    return result
