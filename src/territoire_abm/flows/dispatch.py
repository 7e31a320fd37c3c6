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
from dataclasses import dataclass

import numpy as np

from territoire_abm.errors import UserError
from territoire_abm.flows.dispatch_lp import lp_dispatch
from territoire_abm.flows.dispatch_rule import Problem, rule_dispatch

MODES = ("rule", "lp")
# ADEME Base Carbone/Base Empreinte, French grid electricity 2022 average (DOMAIN §3).
GRID_CO2_KG_PER_KWH = 0.052
FLOWS = ("load_kw", "flexible_shift_kw", "served_load_kw", "pv_kw", "hydro_kw", "biomass_kw",
         "import_kw", "export_kw", "charge_kw", "discharge_kw", "soc_kwh", "curtailed_kw",
         "unserved_kw")


def _check_range(field: str, value: float, low: float, high: float) -> None:
    if not (low <= value <= high):
        raise UserError(field, value, f"allowed: a number in [{low}, {high}]")


@dataclass(frozen=True)
class Assets:
    """Community assets dispatched each hour.

    Parameters
    ----------
    battery_capacity_kwh, battery_power_kw
        Usable energy and charge/discharge power of the community battery.
    battery_efficiency
        Round-trip (AC-AC) efficiency, split evenly between charge and discharge
        (``sqrt`` each way). 0.92 is the upper end of lithium-ion systems (80–92 %); NREL's
        storage cost projections assume 85 % (Cole & Karmakar 2023, NREL/TP-6A40-85332).
    battery_reserve_share
        Share of the capacity kept for outages: the rule never discharges below it outside
        outages; the LP pays ``Objective.reserve_weight`` per kWh·h below it.
    biomass_capacity_kw, biomass_cost_eur_per_kwh
        Dispatchable biomass unit (electric output) and its variable cost.
    flexible_share
        Share of each hour's load that may be moved to another hour of the same day
        (daily energy conserved).
    """

    battery_capacity_kwh: float = 0.0
    battery_power_kw: float = 0.0
    battery_efficiency: float = 0.92
    battery_reserve_share: float = 0.2
    biomass_capacity_kw: float = 0.0
    biomass_cost_eur_per_kwh: float = 0.08
    flexible_share: float = 0.0

    def __post_init__(self) -> None:
        _check_range("battery_capacity_kwh", self.battery_capacity_kwh, 0.0, np.inf)
        _check_range("battery_power_kw", self.battery_power_kw, 0.0, np.inf)
        _check_range("battery_efficiency", self.battery_efficiency, 1e-3, 1.0)
        _check_range("battery_reserve_share", self.battery_reserve_share, 0.0, 1.0)
        _check_range("biomass_capacity_kw", self.biomass_capacity_kw, 0.0, np.inf)
        _check_range("biomass_cost_eur_per_kwh", self.biomass_cost_eur_per_kwh, -np.inf, np.inf)
        _check_range("flexible_share", self.flexible_share, 0.0, 1.0)

    @property
    def reserve_kwh(self) -> float:
        """Energy kept for outages, kWh."""
        return self.battery_reserve_share * self.battery_capacity_kwh

    @property
    def one_way_efficiency(self) -> float:
        """Charge (and discharge) efficiency: square root of the round trip."""
        return float(np.sqrt(self.battery_efficiency))


@dataclass(frozen=True)
class Tariffs:
    """Grid prices, emission factors and connection limits, hourly.

    ``import_co2_kg_per_kwh`` may be a float (default: ADEME 2022 grid average 0.052
    kgCO2e/kWh). ``export_limit_kw`` (an addition to the first API) defaults to the import
    limit: one connection, same capacity both ways.
    """

    import_price_eur_per_kwh: np.ndarray
    export_price_eur_per_kwh: np.ndarray
    import_co2_kg_per_kwh: np.ndarray | float = GRID_CO2_KG_PER_KWH
    import_limit_kw: float = np.inf
    export_limit_kw: float | None = None

    def __post_init__(self) -> None:
        _check_range("import_limit_kw", self.import_limit_kw, 0.0, np.inf)
        if self.export_limit_kw is not None:
            _check_range("export_limit_kw", self.export_limit_kw, 0.0, np.inf)

    @property
    def export_cap_kw(self) -> float:
        """Export limit, kW (the import limit when not given)."""
        return self.import_limit_kw if self.export_limit_kw is None else self.export_limit_kw


@dataclass(frozen=True)
class Objective:
    """Explicit multi-criteria weights of the LP (and of the common evaluation).

    A cost-only objective makes a battery do grid arbitrage and raises the import peak by
    about 55 % (DOMAIN §5): peak charge, CO2 price, reserve and no grid charging are explicit.
    ``voll_eur_per_kwh`` (an addition to the first API) prices unserved energy: 3 €/kWh is
    the former harmonised maximum clearing price of the EU day-ahead market (3,000 €/MWh), a
    low value of lost load; French adequacy studies use about 20 €/kWh.
    """

    cost_weight: float = 1.0
    peak_weight_eur_per_kw: float = 5.0
    co2_price_eur_per_t: float = 100.0
    reserve_weight: float = 0.01
    allow_grid_charging: bool = False
    voll_eur_per_kwh: float = 3.0

    def __post_init__(self) -> None:
        _check_range("cost_weight", self.cost_weight, 0.0, np.inf)
        _check_range("peak_weight_eur_per_kw", self.peak_weight_eur_per_kw, 0.0, np.inf)
        _check_range("co2_price_eur_per_t", self.co2_price_eur_per_t, 0.0, np.inf)
        _check_range("reserve_weight", self.reserve_weight, 0.0, np.inf)
        _check_range("voll_eur_per_kwh", self.voll_eur_per_kwh, 0.0, np.inf)


@dataclass
class DispatchResult:
    """Hourly flows of one dispatch; every array has one value per hour (kW == kWh).

    Energy balance each hour::

        pv + hydro + biomass + import + discharge + unserved
            == served_load + charge + export + curtailed

    ``served_load_kw`` is the demand after flexible shifting (``load_kw + flexible_shift_kw``);
    the part of it that could not be met is ``unserved_kw`` (see :attr:`met_load_kw`).
    ``flexible_shift_kw`` is positive where load was moved in, negative where moved out, and
    sums to zero over each day. ``soc_kwh`` is the state of charge at the end of each hour.
    """

    load_kw: np.ndarray
    flexible_shift_kw: np.ndarray
    served_load_kw: np.ndarray
    pv_kw: np.ndarray
    hydro_kw: np.ndarray
    biomass_kw: np.ndarray
    import_kw: np.ndarray
    export_kw: np.ndarray
    charge_kw: np.ndarray
    discharge_kw: np.ndarray
    soc_kwh: np.ndarray
    curtailed_kw: np.ndarray
    unserved_kw: np.ndarray
    mode: str
    solve_seconds: float
    assets: Assets
    outage_mask: np.ndarray
    critical_load_kw: np.ndarray

    @property
    def met_load_kw(self) -> np.ndarray:
        """Demand actually supplied, kW."""
        return self.served_load_kw - self.unserved_kw

    def balance_residual_kwh(self) -> float:
        """Largest hourly energy-balance error, kWh (must be ~0)."""
        supply = (self.pv_kw + self.hydro_kw + self.biomass_kw + self.import_kw
                  + self.discharge_kw + self.unserved_kw)
        use = self.served_load_kw + self.charge_kw + self.export_kw + self.curtailed_kw
        return float(np.max(np.abs(supply - use)))

    def totals(self) -> dict[str, float]:
        """Annual energy of each flow, kWh (keys ``<flow>_kwh``), plus ``flexible_moved_kwh``
        (energy moved in), ``final_soc_kwh`` and ``peak_import_kw``."""
        out = {name.removesuffix("_kw") + "_kwh": float(getattr(self, name).sum())
               for name in FLOWS if name not in ("soc_kwh", "flexible_shift_kw")}
        out["flexible_moved_kwh"] = float(np.maximum(self.flexible_shift_kw, 0.0).sum())
        out["final_soc_kwh"] = float(self.soc_kwh[-1])
        out["peak_import_kw"] = float(self.import_kw.max())
        return out


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
             tariffs: Tariffs, *, mode: str = "rule", objective: Objective = Objective(),
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


def objective_value(result: DispatchResult, tariffs: Tariffs, objective: Objective = Objective(),
                    *, window_h: int = 168) -> float:
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
