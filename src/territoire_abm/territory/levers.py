"""Levers: the one entry point for changing a running model's world from outside.

A workshop facilitator (LittoSIM's "Leader" console, Becu et al. 2017) reacts to the players:
a heat wave or a drought is injected, prices jump, a subsidy rate or a measure's cost changes.
These functions are the documented way to do that on a :class:`TerritoryModel`; nothing else
should reach into the model to change it between years.

What a lever changes is saved with the state (``model.levers`` and the config), so a game
session that autosaves and resumes keeps its levers, and a replay can re-apply them:

- ``model.levers["forcing"]``: ``{year: {event: intensity}}`` — extreme events forced on top
  of the generated weather of ``year`` (:data:`EVENTS`);
- ``model.levers["cost_factors"]``: ``{measure id: factor}`` — a measure's investment cost
  multiplied (LittoSIM's "cost ±25 %" lever);
- parameters by dotted path (:data:`PARAMETERS`), validated like any config override.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import numpy as np

from territoire_abm.config.validate import with_overrides
from territoire_abm.errors import UserError

if TYPE_CHECKING:
    from territoire_abm.climate.weather import DailyWeather
    from territoire_abm.territory.model import TerritoryModel

# event -> (unit of its intensity, low, high, default)
EVENTS: dict[str, tuple[str, float, float, float]] = {
    "heat_wave": ("days", 3, 30, 10),  # consecutive days above both heat-wave thresholds
    "drought": ("share of Apr-Sep rain removed", 0.1, 1.0, 0.7),
    "outage": ("hours of grid outage", 1, 720, 48),
}
#: A forced heat wave: Tmax and Tmin at least this far above the heat-wave thresholds
#: (territory.heat_wave_tmax_c / _tmin_c), a marked episode like August 2003 (Tx 40 °C in
#: the Garonne plain against the 36 °C threshold; Météo-France), °C.
FORCED_HEAT_WAVE_EXCESS_C = (3.0, 1.5)
#: Allowed price-shock factors: from a fifth to five times today's prices (the 2022 crisis
#: raised wholesale prices about tenfold but regulated bills far less; CRE).
PRICE_SHOCK_RANGE = (0.2, 5.0)
#: Decimals kept of a shocked price, so that repeated shocks do not accumulate float noise.
PRICE_DECIMALS = 6
# Parameters a facilitator may change mid-run (dotted paths of config/params.py).
PARAMETERS = (
    "policy.subsidy_rate",
    "policy.carbon_price_eur_per_t",
    "policy.budget_per_inhabitant_eur",
    "policy.electricity_price_eur_per_kwh",
    "policy.water_price_eur_per_m3",
    "optimiser.peak_price_eur_per_kwh",
    "optimiser.offpeak_price_eur_per_kwh",
)
PRICE_PATHS = ("optimiser.peak_price_eur_per_kwh", "optimiser.offpeak_price_eur_per_kwh",
               "policy.electricity_price_eur_per_kwh")
HEAT_WAVE_START_DAY = 195  # mid-July, the heart of the French heat-wave season (Météo-France)
DRY_SEASON_DAYS = (90, 273)  # April to September (0-based day of year)
COST_FACTOR_RANGE = (0.1, 10.0)


def _store(model: TerritoryModel) -> dict[str, Any]:
    store = getattr(model, "levers", None)
    if store is None:
        store = model.levers = {}
    store.setdefault("forcing", {})
    store.setdefault("cost_factors", {})
    return store


# --------------------------------------------------------------------------- parameters
def parameter(model: TerritoryModel, path: str) -> Any:
    """Current value of a parameter by dotted path."""
    value: Any = model.config
    for part in path.split("."):
        value = getattr(value, part)
    return value


def set_parameter(model: TerritoryModel, path: str, value: Any) -> None:
    """Change one of :data:`PARAMETERS` from the next simulated year on (validated)."""
    if path not in PARAMETERS:
        raise UserError("lever.parameter", path, f"allowed: {', '.join(PARAMETERS)}")
    model.config = with_overrides(model.config, {path: value})
    if path.startswith("optimiser."):
        from territoire_abm.territory.year import tariffs

        model.tariffs = tariffs(model.config.optimiser)


def price_shock(model: TerritoryModel, factor: float) -> None:
    """Electricity prices (import tariffs and the household price) multiplied by ``factor``."""
    low, high = PRICE_SHOCK_RANGE
    if not isinstance(factor, (int, float)) or not low <= factor <= high:
        raise UserError("lever.price_shock", factor, f"a factor in [{low:g}, {high:g}]")
    for path in PRICE_PATHS:
        set_parameter(model, path, round(float(parameter(model, path)) * factor, PRICE_DECIMALS))


# --------------------------------------------------------------------------- events
def inject_event(model: TerritoryModel, event: str, year: int | None = None,
                 intensity: float | None = None) -> dict[str, float]:
    """Force ``event`` on ``year`` (the next simulated year by default); returns the forcing."""
    if event not in EVENTS:
        raise UserError("lever.event", event, f"allowed: {', '.join(EVENTS)}")
    unit, low, high, default = EVENTS[event]
    value = default if intensity is None else intensity
    if not isinstance(value, (int, float)) or not low <= value <= high:
        raise UserError(f"lever.{event}", value, f"allowed range [{low}, {high}] {unit}")
    year = model.year if year is None else int(year)
    if year < model.year:
        raise UserError("lever.year", year, f"a year not yet simulated (>= {model.year})")
    forcing = _store(model)["forcing"].setdefault(year, {})
    forcing[event] = float(value)
    return dict(forcing)


def forcing(model: TerritoryModel, year: int) -> dict[str, float]:
    """Events forced on ``year`` (empty when none)."""
    return dict(getattr(model, "levers", {}).get("forcing", {}).get(year, {}))


def force_weather(model: TerritoryModel, year: int, weather: DailyWeather) -> DailyWeather:
    """The year's weather with forced heat waves and droughts applied (called by the year).

    A heat wave lifts daily minima and maxima above the territory's heat-wave thresholds
    (Météo-France's departmental definition) for the forced number of days from mid-July; a
    drought removes a share of the April–September rain.
    """
    events = forcing(model, year)
    if not events:
        return weather
    tmin, tmax, precip = (weather.tmin_c.copy(), weather.tmax_c.copy(),
                          weather.precip_mm.copy())
    if "heat_wave" in events:
        territory = model.config.territory
        days = slice(HEAT_WAVE_START_DAY, HEAT_WAVE_START_DAY + int(events["heat_wave"]))
        excess_tmax, excess_tmin = FORCED_HEAT_WAVE_EXCESS_C
        tmax[days] = np.maximum(tmax[days], territory.heat_wave_tmax_c + excess_tmax)
        tmin[days] = np.maximum(tmin[days], territory.heat_wave_tmin_c + excess_tmin)
        precip[days] = 0.0
    if "drought" in events:
        first, last = DRY_SEASON_DAYS
        precip[first:last] *= 1.0 - events["drought"]
    return dataclasses.replace(weather, tmin_c=tmin, tmax_c=tmax, precip_mm=precip)


def forced_outage_hours(model: TerritoryModel, year: int) -> int:
    """Extra grid-outage hours forced on ``year`` (called by the dispatch stage)."""
    return int(forcing(model, year).get("outage", 0))


# --------------------------------------------------------------------------- costs
def set_measure_cost(model: TerritoryModel, measure: str, factor: float) -> None:
    """Multiply a measure's investment cost by ``factor`` (1 restores the catalogue's)."""
    if measure not in measure_costs(model):
        raise UserError("lever.measure", measure, "a measure id of the catalogue")
    low, high = COST_FACTOR_RANGE
    if not isinstance(factor, (int, float)) or not low <= factor <= high:
        raise UserError("lever.cost_factor", factor, f"allowed range [{low}, {high}]")
    _store(model)["cost_factors"][measure] = float(factor)
    refresh(model)


def refresh(model: TerritoryModel) -> None:
    """Re-apply cost factors to the measure tables (after a lever or a restored state)."""
    from territoire_abm.measures.effects import EffectTable
    from territoire_abm.territory.model import measures_for_group

    factors = _store(model)["cost_factors"]
    for group in ("household", "firm", "council", "community"):
        table = EffectTable.from_measures(measures_for_group(group))
        scale = np.array([factors.get(m, 1.0) for m in table.ids], dtype=float)
        if np.any(scale != 1.0):
            table = dataclasses.replace(table, capex_eur=table.capex_eur * scale)
            setattr(model, f"{group}_effects", table)
        elif any(m in factors for m in table.ids):
            setattr(model, f"{group}_effects", table)


def measure_costs(model: TerritoryModel) -> dict[str, float]:
    """Investment cost (EUR per adopter, levers applied) of every council and community
    measure, and of household and firm measures."""
    costs: dict[str, float] = {}
    for table in (model.household_effects, model.firm_effects, model.council_effects,
                  model.community_effects):
        costs.update({m: float(c) for m, c in zip(table.ids, table.capex_eur, strict=True)})
    return costs


def held_measures(model: TerritoryModel) -> frozenset[str]:
    """Council and community measures working or being built in ``model.year`` (the year the
    next decisions are for): adopting one again would pay for it again and restart its lead
    time, so the engine's own rules never do (``Portfolio.holds``)."""
    held: set[str] = set()
    for portfolio, table in ((model.council_portfolio, model.council_effects),
                             (model.community_portfolio, model.community_effects)):
        held.update(m for m, h in zip(table.ids, portfolio.holds(model.year)[0], strict=True)
                    if h)
    return frozenset(held)
