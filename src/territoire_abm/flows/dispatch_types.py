"""Types shared by the dispatchers: assets, tariffs, objective, problem and result.

Kept below :mod:`.dispatch`, :mod:`.dispatch_rule` and :mod:`.dispatch_lp` so that the three
share them without importing one another in a circle. One time step is one hour: every
``*_kw`` array is also the energy of that hour in kWh.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from territoire_abm.errors import UserError

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


@dataclass(frozen=True)
class Problem:
    """Validated hourly inputs of one dispatch (built by :func:`.dispatch.dispatch`)."""

    load_kw: np.ndarray
    pv_kw: np.ndarray
    hydro_kw: np.ndarray
    outage: np.ndarray
    critical_kw: np.ndarray
    import_price: np.ndarray
    export_price: np.ndarray
    import_co2: np.ndarray
    import_limit_kw: float
    export_limit_kw: float
    assets: Assets
    objective: Objective
    soc0_kwh: float

    @property
    def local_kw(self) -> np.ndarray:
        """Local renewable production available, kW."""
        return self.pv_kw + self.hydro_kw

    @property
    def import_marginal_eur_per_kwh(self) -> np.ndarray:
        """Weighted price of one imported kWh under the objective (energy + CO2)."""
        obj = self.objective
        return obj.cost_weight * self.import_price + obj.co2_price_eur_per_t * self.import_co2 / 1e3
