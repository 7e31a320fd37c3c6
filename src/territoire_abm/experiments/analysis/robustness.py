"""Robustness of policies across futures: regret and satisficing.

Definitions follow McPhail et al. (2018) and the Rhodium library:

* **Regret from the best policy** (Savage 1951; percentile form of Kasprzyk et al. 2013):
  in each future, how far a policy falls short of the best policy in that same future;
  summarised by a high percentile (default 90th) over futures. Needs the same futures for
  every policy — the design's common random numbers provide them.
* **Regret from a baseline future** (Rhodium's type 1, Herman et al. 2015): how much worse
  a policy does in each future than in a reference future (0 when it does better);
  optionally relative to the baseline value.
* **Satisficing, domain criterion** (Starr 1963): share of futures in which a policy meets
  every constraint (e.g. ``unmet_water_share_agriculture <= 0.1``).
* **Satisficing radius** (Rhodium's type 2, info-gap-like): distance in the normalised
  uncertainty space from a reference future to the nearest future where the policy fails;
  ``inf`` when no sampled future fails.

References
----------
1. McPhail, C. et al. (2018). Robustness metrics: how are they calculated, when should they
   be used and why do they give different results? Earth's Future 6, 169–191.
   https://doi.org/10.1002/2017EF000649
2. Herman, J. D. et al. (2015). How should robustness be defined for water systems
   planning under change? J. Water Resour. Plann. Manage. 141(10).
   https://doi.org/10.1061/(ASCE)WR.1943-5452.0000509
3. Kasprzyk, J. R. et al. (2013). Many objective robust decision making for complex
   environmental systems undergoing change. Environmental Modelling & Software 42, 55–71.
   https://doi.org/10.1016/j.envsoft.2012.12.007
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from territoire_abm.errors import UserError
from territoire_abm.experiments.analysis.results import Results

__all__ = [
    "Constraint",
    "parse_constraint",
    "performance_table",
    "regret",
    "regret_summary",
    "robustness_table",
    "satisficing",
    "satisficing_radius",
]

_OPS: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    "<=": operator.le, "<": operator.lt, ">=": operator.ge, ">": operator.gt,
}
_CONSTRAINT = re.compile(
    r"^\s*([A-Za-z_][\w.]*)\s*(<=|>=|<|>)\s*([-+]?[\d.]+(?:[eE][-+]?\d+)?)\s*$")
FUTURE = ("sample_id", "replication")


@dataclass(frozen=True)
class Constraint:
    """``outcome op value``, e.g. ``restriction_days <= 30``."""

    outcome: str
    op: str
    value: float

    def met(self, values: np.ndarray) -> np.ndarray:
        return _OPS[self.op](np.asarray(values, dtype=float), self.value)

    def __str__(self) -> str:
        return f"{self.outcome} {self.op} {self.value:g}"


def parse_constraint(text: str | Constraint) -> Constraint:
    """Parse ``"name <= 0.1"`` (operators ``<= < >= >``)."""
    if isinstance(text, Constraint):
        return text
    m = _CONSTRAINT.match(str(text))
    if not m:
        raise UserError("constraint", text, "expected 'outcome <= number' (or <, >=, >)")
    return Constraint(m.group(1), m.group(2), float(m.group(3)))


def performance_table(results: Results, outcome: str, *, year: int | None = None) -> pd.DataFrame:
    """Futures (sample_id, replication) × policies table of one outcome."""
    values = results.outcome(outcome, year=year)
    d = results.design
    frame = pd.DataFrame({"sample_id": d["sample_id"].to_numpy(),
                          "replication": d["replication"].to_numpy(),
                          "policy": d["policy"].astype(str).to_numpy(),
                          "value": values.reindex(d["run_id"]).to_numpy(dtype=float)})
    table = frame.pivot_table(index=list(FUTURE), columns="policy", values="value",
                              aggfunc="first", dropna=False)
    return table[[p for p in results.policies if p in table.columns]]


def regret(
    table: pd.DataFrame,
    *,
    maximise: bool,
    reference: str = "best",
    baseline_future: object | None = None,
    relative: bool = False,
) -> pd.DataFrame:
    """Regret of each policy (column) in each future (row); same shape as ``table``.

    ``reference="best"``: shortfall from the best policy in the same future.
    ``reference="baseline"``: deterioration from the policy's own value in
    ``baseline_future`` (a row label of ``table``), ``relative`` to that value if asked.
    Futures where some policy has no value (failed run) give NaN for ``"best"``.
    """
    values = table.astype(float)
    if reference == "best":
        complete = values.notna().all(axis=1)
        best = values.max(axis=1) if maximise else values.min(axis=1)
        out = values.rsub(best, axis=0) if maximise else values.sub(best, axis=0)
        return out.where(complete, np.nan)
    if reference == "baseline":
        if baseline_future is None or baseline_future not in values.index:
            raise UserError("baseline_future", baseline_future, "expected a future of the table")
        base = values.loc[baseline_future]
        worse = (base - values) if maximise else (values - base)
        worse = worse.clip(lower=0)
        if relative:
            worse = worse / base.abs().replace(0, np.nan)
        return worse
    raise UserError("reference", reference, "allowed: best, baseline")


def regret_summary(table: pd.DataFrame, *, maximise: bool, percentile: float = 90,
                   **kwargs: object) -> pd.DataFrame:
    """Per policy: regret at ``percentile`` over futures, maximum (minimax) and mean."""
    r = regret(table, maximise=maximise, **kwargs)
    return pd.DataFrame({
        f"regret_p{percentile:g}": r.quantile(percentile / 100, axis=0),
        "regret_max": r.max(axis=0),
        "regret_mean": r.mean(axis=0),
    })


def _met_all(frame: pd.DataFrame, constraints: Sequence[Constraint]) -> np.ndarray:
    ok = np.ones(len(frame), dtype=bool)
    for c in constraints:
        if c.outcome not in frame.columns:
            raise UserError("constraint", str(c), f"outcomes: {', '.join(map(str, frame.columns))}")
        values = frame[c.outcome].to_numpy(dtype=float)
        ok &= c.met(values) & np.isfinite(values)  # a failed run does not satisfy
    return ok


def satisficing(frame: pd.DataFrame, constraints: Sequence[str | Constraint],
                *, by: str = "policy") -> pd.Series:
    """Share of futures (rows) in which each policy meets every constraint."""
    cons = [parse_constraint(c) for c in constraints]
    ok = _met_all(frame, cons)
    return pd.Series(ok, index=frame.index).groupby(frame[by].to_numpy(), sort=False).mean() \
        .rename("satisficing")


def satisficing_radius(
    frame: pd.DataFrame,
    constraints: Sequence[str | Constraint],
    inputs: Sequence[str],
    *,
    reference: Mapping[str, float] | None = None,
    by: str = "policy",
) -> pd.Series:
    """Distance from ``reference`` to the nearest failing future, per policy.

    ``inputs`` name columns of ``frame`` in unit space ([0, 1] per uncertainty); the
    distance is divided by sqrt(len(inputs)) so it lies in [0, 1]. Default reference: the
    centre of the space.
    """
    cons = [parse_constraint(c) for c in constraints]
    ok = _met_all(frame, cons)
    ref = np.array([(reference or {}).get(i, 0.5) for i in inputs], dtype=float)
    pts = frame[list(inputs)].to_numpy(dtype=float)
    dist = np.sqrt(((pts - ref) ** 2).sum(axis=1)) / np.sqrt(max(1, len(inputs)))
    out = {}
    for policy, idx in pd.Series(np.arange(len(frame))).groupby(frame[by].to_numpy(),
                                                                sort=False):
        failing = ~ok[idx.to_numpy()]
        out[policy] = float(dist[idx.to_numpy()][failing].min()) if failing.any() else np.inf
    return pd.Series(out, name="satisficing_radius")


def robustness_table(
    results: Results,
    objectives: Mapping[str, str],
    constraints: Sequence[str | Constraint] = (),
    *,
    percentile: float = 90,
    year: int | None = None,
) -> pd.DataFrame:
    """Per policy: mean and percentile regret for each objective (``{"outcome": "min"|"max"}``)
    and, with constraints, satisficing share and radius."""
    parts = []
    for outcome, sense in objectives.items():
        if sense not in ("min", "max"):
            raise UserError(f"objectives.{outcome}", sense, "allowed: min, max")
        table = performance_table(results, outcome, year=year)
        summary = regret_summary(table, maximise=sense == "max", percentile=percentile)
        summary.insert(0, "mean", table.mean(axis=0))
        summary.columns = [f"{outcome}:{c}" for c in summary.columns]
        parts.append(summary)
    if constraints:
        names = sorted({parse_constraint(c).outcome for c in constraints})
        d = results.design
        frame = pd.DataFrame({"policy": d["policy"].astype(str).to_numpy()})
        for name in names:
            frame[name] = results.outcome(name, year=year).reindex(d["run_id"]).to_numpy()
        unit = results.unit()
        for u in results.uncertainties:
            frame[f"u:{u}"] = unit[u].reindex(d["run_id"]).to_numpy()
        sat = satisficing(frame, constraints)
        rad = satisficing_radius(frame, constraints, [f"u:{u}" for u in results.uncertainties])
        parts.append(pd.concat([sat, rad], axis=1))
    if not parts:
        raise UserError("objectives", objectives, "give at least one objective or constraint")
    out = pd.concat(parts, axis=1)
    out.index.name = "policy"
    return out
