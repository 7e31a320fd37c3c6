"""A run as a pure function: parameters + seed + wanted outcomes in, scalars and series out.

Picklable, no global state, no file written (DESIGN.md seam 3). Executors of experiments
(serial, local processes, Dask) only ever call :func:`simulate`.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from territoire_abm.config.params import ModelConfig
from territoire_abm.config.validate import with_overrides
from territoire_abm.errors import UserError

# Scalars reported when no outcomes are asked for: name -> (indicator, aggregation).
DEFAULT_OUTCOMES = (
    "heat_stress_person_days",
    "unmet_water_share_households",
    "unmet_water_share_agriculture",
    "unmet_water_share_industry",
    "restriction_days",
    "emissions_t_per_inhabitant",
    "self_sufficiency_rate",
    "trust_mean",
    "cooperation_rate",
    "satisfaction_mean",
    "debt_eur",
    "energy_poverty_share",
)
AGGREGATIONS = ("mean", "final", "max", "min", "sum")


@dataclass
class RunResult:
    """What one run returns."""

    scalars: dict[str, float]
    series: pd.DataFrame
    config: dict[str, Any] = field(default_factory=dict)


def build_config(params: Mapping[str, Any] | None = None, seed: int = 0,
                 until: int | None = None) -> ModelConfig:
    """Checked config from dotted overrides (``{"behaviour.pmt.delay_years": 3}``)."""
    overrides = dict(params or {})
    overrides["seed"] = int(seed)
    if until is not None:
        overrides["until"] = int(until)
    return with_overrides(ModelConfig(), overrides)


def check_outcomes(outcomes: Sequence[str]) -> None:
    """Reject an unknown aggregation before anything runs."""
    for outcome in outcomes:
        how = outcome.partition(":")[2] or "mean"
        if how not in AGGREGATIONS:
            raise UserError("outcomes", outcome,
                            f"aggregation after ':' must be one of {', '.join(AGGREGATIONS)}")


def summarise(series: pd.DataFrame, outcomes: Sequence[str]) -> dict[str, float]:
    """Scalars from yearly series. ``name`` is the mean over years; ``name:final`` (or max,
    min, sum) picks another aggregation."""
    check_outcomes(outcomes)
    scalars = {}
    for outcome in outcomes:
        name, _, how = outcome.partition(":")
        how = how or "mean"
        if name not in series.columns:
            close = difflib.get_close_matches(name, list(series.columns), n=3)
            raise UserError("outcomes", name, f"not an indicator; close names: "
                            f"{', '.join(close) or 'none'}")
        column = series[name]
        scalars[outcome] = float(column.iloc[-1] if how == "final" else getattr(column, how)())
    return scalars


def simulate(params: Mapping[str, Any] | None = None, seed: int = 0, *,
             until: int | None = None, outcomes: Sequence[str] | None = None,
             controller: Any = None) -> RunResult:
    """Run the territory model and return its outcomes.

    Parameters
    ----------
    params : dotted parameter paths to values, e.g. ``{"scenario": "ssp585",
        "territory.households": 1000}``; ``scenario`` and ``optimiser`` also accept a group
        option name.
    seed : master seed of the run.
    until : last simulated year (inclusive); the config's ``until`` otherwise.
    outcomes : indicator names (``name`` = mean over years, ``name:final`` etc.).
    controller : decision controller (default: behavioural).
    """
    from territoire_abm.territory.model import TerritoryModel

    check_outcomes(outcomes or DEFAULT_OUTCOMES)
    config = build_config(params, seed, until)
    model = TerritoryModel(config, controller=controller)
    model.simulate_until(config.until)
    series = model.indicators()
    scalars = summarise(series, outcomes or DEFAULT_OUTCOMES)
    return RunResult(scalars=scalars, series=series, config=model.resolved_config())
