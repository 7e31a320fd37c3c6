"""Energy-community dispatch: the public front of the rule-based and LP dispatchers.

A territory's local production (rooftop and ground PV, run-of-river hydro, a dispatchable
biomass unit), a community battery and flexible demand are dispatched against the grid hour
by hour. One time step is one hour, so a power in kW held for a step is the same number of
kWh: every ``*_kw`` array below is also the energy of that hour in kWh.

Two modes share the same inputs and result:

* ``"rule"`` — greedy self-consumption baseline (:mod:`.dispatch_rule`);
* ``"lp"`` — rolling-horizon linear programme solved by HiGHS (:mod:`.dispatch_lp`).

The method, its parameters and its sources are described in ``docs/energy_community.md``.

References
----------
.. [1] Vázquez-Canteli J. R. et al. (2020). "CityLearn: Standardizing research in multi-agent
   reinforcement learning for demand response and urban energy management." arXiv:2012.10504
   (KPIs: cost, emissions, peak, load factor, ramping, unserved energy).
.. [2] Huangfu Q., Hall J. A. J. (2018). "Parallelizing the dual revised simplex method."
   Mathematical Programming Computation 10, 119–142 (HiGHS).
"""

from __future__ import annotations

import time

import numpy as np

from territoire_abm.errors import UserError
from territoire_abm.flows.dispatch_lp import lp_dispatch
from territoire_abm.flows.dispatch_rule import rule_dispatch
from territoire_abm.flows.dispatch_types import (  # noqa: F401  (re-exported)
    FLOWS,
    GRID_CO2_KG_PER_KWH,
    Assets,
    DispatchResult,
    Objective,
    Problem,
    Tariffs,
    _check_range,
)

MODES = ("rule", "lp")
DEFAULT_OBJECTIVE = Objective()


def _series(field: str, values: object, n: int | None) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if array.ndim == 0 and n is not None:
        array = np.full(n, float(array))
    if array.ndim != 1 or (n is not None and array.size != n):
        raise UserError(field, f"shape {array.shape}", f"allowed: one value per hour ({n})")
    if not np.all(np.isfinite(array)):
        raise UserError(field, "non-finite values", "allowed: finite numbers")
    return array


def _non_negative(field: str, values: object, n: int | None) -> np.ndarray:
    array = _series(field, values, n)
    if array.size and array.min() < 0:
        raise UserError(field, float(array.min()), "allowed: values >= 0")
    return array


def _check_windows(window_h: int, lookahead_h: int, forecast_error: float) -> None:
    if window_h < 24 or window_h % 24:
        raise UserError("window_h", window_h, "allowed: a positive multiple of 24 hours")
    if lookahead_h < 0 or lookahead_h % 24:
        raise UserError("lookahead_h", lookahead_h, "allowed: 0 or a multiple of 24 hours")
    _check_range("forecast_error", forecast_error, 0.0, 10.0)


def _problem(load_kw, pv_kw, hydro_kw, assets, tariffs, objective, outage_mask,
             critical_load_kw, soc0_kwh) -> Problem:
    load = _non_negative("load_kw", load_kw, None)
    n = load.size
    if n == 0 or n % 24:
        raise UserError("load_kw", f"{n} hours", "allowed: whole days (a multiple of 24 hours)")
    outage = np.zeros(n, bool) if outage_mask is None else np.asarray(outage_mask, bool)
    if outage.shape != (n,):
        raise UserError("outage_mask", f"shape {outage.shape}", f"allowed: shape ({n},)")
    critical = load if critical_load_kw is None else _non_negative(
        "critical_load_kw", critical_load_kw, n)
    soc0 = assets.reserve_kwh if soc0_kwh is None else float(soc0_kwh)
    _check_range("soc0_kwh", soc0, 0.0, assets.battery_capacity_kwh)
    return Problem(
        load_kw=load, pv_kw=_non_negative("pv_kw", pv_kw, n),
        hydro_kw=_non_negative("hydro_kw", hydro_kw, n), outage=outage, critical_kw=critical,
        import_price=_series("import_price_eur_per_kwh", tariffs.import_price_eur_per_kwh, n),
        export_price=_series("export_price_eur_per_kwh", tariffs.export_price_eur_per_kwh, n),
        import_co2=_non_negative("import_co2_kg_per_kwh", tariffs.import_co2_kg_per_kwh, n),
        import_limit_kw=float(tariffs.import_limit_kw),
        export_limit_kw=float(tariffs.export_cap_kw), assets=assets, objective=objective,
        soc0_kwh=soc0)


def dispatch(load_kw: np.ndarray, pv_kw: np.ndarray, hydro_kw: np.ndarray, assets: Assets,
             tariffs: Tariffs, *, mode: str = "rule", objective: Objective = DEFAULT_OBJECTIVE,
             outage_mask: np.ndarray | None = None, critical_load_kw: np.ndarray | None = None,
             window_h: int = 168, lookahead_h: int = 24, forecast_error: float = 0.0,
             rng: np.random.Generator | None = None,
             soc0_kwh: float | None = None) -> DispatchResult:
    """Dispatch one period (normally a year, 8760 h) of community energy, hour by hour.

    Parameters
    ----------
    load_kw, pv_kw, hydro_kw
        Hourly demand and available PV and hydro production, kW (= kWh per hour). The length
        must be whole days.
    assets, tariffs, objective
        See :class:`Assets`, :class:`Tariffs`, :class:`Objective`.
    mode
        ``"rule"`` (greedy baseline) or ``"lp"`` (rolling-horizon HiGHS LP).
    outage_mask
        True where the grid is unavailable: no import, no export.
    critical_load_kw
        Load that must survive an outage (default: the whole load); used by the KPIs.
    window_h, lookahead_h
        LP only: hours committed per solve and extra hours seen ahead (multiples of 24).
    forecast_error
        LP only: relative standard deviation of the multiplicative error on load, PV and hydro
        seen by each solve; the plan is then settled against the actual values.
    rng
        Generator for the forecast errors (default ``np.random.default_rng(0)``: reproducible).
    soc0_kwh
        Initial state of charge (default: the reserve).

    Returns
    -------
    DispatchResult

    Raises
    ------
    UserError
        For a wrong mode, series that are not whole days or not one value per hour,
        negative load or production, windows that are not whole days, ``soc0_kwh`` outside
        ``[0, capacity]``.
    """
    if mode not in MODES:
        raise UserError("mode", mode, f"allowed: {', '.join(MODES)}")
    _check_windows(window_h, lookahead_h, forecast_error)
    problem = _problem(load_kw, pv_kw, hydro_kw, assets, tariffs, objective, outage_mask,
                       critical_load_kw, soc0_kwh)
    start = time.perf_counter()
    if mode == "rule":
        flows = rule_dispatch(problem)
    else:
        flows = lp_dispatch(problem, window_h=window_h, lookahead_h=lookahead_h,
                            forecast_error=forecast_error,
                            rng=np.random.default_rng(0) if rng is None else rng)
    seconds = time.perf_counter() - start
    return DispatchResult(load_kw=problem.load_kw, pv_kw=problem.pv_kw,
                          hydro_kw=problem.hydro_kw, mode=mode, solve_seconds=seconds,
                          assets=assets, outage_mask=problem.outage,
                          critical_load_kw=problem.critical_kw, **flows)


def window_peaks_kw(import_kw: np.ndarray, window_h: int) -> np.ndarray:
    """Peak import of each consecutive window of ``window_h`` hours (last one may be short)."""
    starts = np.arange(0, import_kw.size, window_h)
    return np.maximum.reduceat(import_kw, starts)


def objective_value(result: DispatchResult, tariffs: Tariffs,
                    objective: Objective = DEFAULT_OBJECTIVE, *, window_h: int = 168) -> float:
    """Evaluate the LP objective on any dispatch result, €, so rule and LP compare fairly.

    ``cost_weight·(import cost − export revenue + biomass cost) + peak_weight·Σ window peaks
    + CO2 price·import CO2 + reserve_weight·Σ shortfall below the reserve outside outages
    + VOLL·unserved energy``.
    """
    n = result.import_kw.size
    price = _series("import_price_eur_per_kwh", tariffs.import_price_eur_per_kwh, n)
    export_price = _series("export_price_eur_per_kwh", tariffs.export_price_eur_per_kwh, n)
    co2 = _series("import_co2_kg_per_kwh", tariffs.import_co2_kg_per_kwh, n)
    energy = (result.import_kw @ price - result.export_kw @ export_price
              + result.biomass_kw.sum() * result.assets.biomass_cost_eur_per_kwh)
    shortfall = np.maximum(result.assets.reserve_kwh - result.soc_kwh, 0.0)[~result.outage_mask]
    return float(objective.cost_weight * energy
                 + objective.peak_weight_eur_per_kw * window_peaks_kw(result.import_kw,
                                                                       window_h).sum()
                 + objective.co2_price_eur_per_t * (result.import_kw @ co2) / 1000.0
                 + objective.reserve_weight * shortfall.sum()
                 + objective.voll_eur_per_kwh * result.unserved_kw.sum())
