"""Yearly adoption decisions of firms (farms, industry, services), for all of them at once.

Firms do not use the households' protection-motivation rule but a payback heuristic: a
measure is weighed by the yearly benefit it would bring over its lifetime against its cost
after subsidy. Energy is valued at the prices of the year on the scenario's national pathway
(``data/energy_pathways.csv``, :mod:`territoire_abm.flows.pathways`): the 2025 prices of the
parameters scaled by the pathway's price against 2025 — heating oil for farms' non-road
diesel, gas for industry and services, electricity for electricity. A decarbonisation
programme (``policy.firm_transition_support``: energy audits and advisers bringing a share of
firms each year to weigh their fuel-saving measures; Anderson & Newell 2004) lifts the yearly
cap of the fuel-saving measures.

The function takes the narrow state it uses (:class:`~territoire_abm.types.FirmState`),
records the adoptions in its portfolio and returns an
:class:`~territoire_abm.types.AdoptionResult`; it never sees the model.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from territoire_abm.config.params import PV_YIELD_REFERENCE_KWH_PER_KWP, ModelConfig
from territoire_abm.flows import pathways
from territoire_abm.governance.coordination import coordination_effects
from territoire_abm.types import AdoptionResult, FirmState

#: Pathway price each sector's fuel follows (index = sector: farm, industry, services):
#: farms burn non-road diesel, taxed and priced as heating oil; industry and services mostly
#: gas (SDES, energy balance of industry and the tertiary sector).
SECTOR_FUEL_PRICE = ("fuel_oil_eur_per_kwh", "gas_eur_per_kwh", "gas_eur_per_kwh")


def firm_prices(config: ModelConfig, year: int) -> tuple[np.ndarray, float]:
    """Fuel price of each sector (farm, industry, services) and the electricity price firms
    see in ``year``, EUR/kWh: the 2025 parameters times the pathway's price against 2025."""
    scenario, adoption = config.scenario, config.behaviour.adoption
    fuel = np.array([adoption.firm_fuel_price_eur_per_kwh
                     * pathways.price_ratio(scenario, year, field)
                     for field in SECTOR_FUEL_PRICE])
    electricity = config.policy.electricity_price_eur_per_kwh * pathways.price_ratio(
        scenario, year, "electricity_eur_per_kwh")
    return fuel, electricity


def firm_benefit_eur(firms: FirmState, config: ModelConfig, firm_fuel_kwh: np.ndarray,
                     year: int = pathways.BASE_YEAR) -> np.ndarray:
    """Yearly benefit (n, M) each measure would bring each firm in ``year``, EUR: avoided crop
    and productivity losses, fuel and electricity saved at the year's pathway prices, PV
    output sold at the optimiser's export price, water supplied."""
    arrays, effects, adoption = firms.arrays, firms.effects, config.behaviour.adoption
    fuel_price, price = firm_prices(config, year)
    factors, quantities = effects.factors, effects.quantities
    hectares = arrays.irrigated_ha + arrays.rainfed_ha
    crop_loss_eur = hectares * (1.0 - arrays.yield_factor) * config.territory.crop_value_eur_per_ha
    productivity_eur = (arrays.productivity_loss * arrays.employees
                        * adoption.value_added_eur_per_employee)
    benefit = (
        crop_loss_eur[:, None] * (1.0 - factors["crop_heat_loss_factor"])[None, :]
        + (crop_loss_eur * (arrays.irrigated_ha > 0))[:, None]
        * (1.0 - factors["irrigation_demand_factor"])[None, :]
        + productivity_eur[:, None] * (1.0 - factors["productivity_loss_factor"])[None, :]
        + (firm_fuel_kwh * fuel_price[arrays.sector])[:, None]
        * (1.0 - factors["fuel_demand_factor"])[None, :]
        - quantities["electricity_demand_kwh_per_unit_yr"][None, :] * price
        + quantities["pv_kwp_per_unit"][None, :] * PV_YIELD_REFERENCE_KWH_PER_KWP
        * config.optimiser.export_price_eur_per_kwh
        + quantities["water_supply_m3_per_unit_yr"][None, :]
        * adoption.firm_water_value_eur_per_m3
    )
    return benefit


def adoption_cap(config: ModelConfig, fuel_demand_factor: np.ndarray) -> np.ndarray:
    """Largest yearly probability (M,) that a firm adopts each measure: the firms' own rate,
    lifted for fuel-saving measures by the share of firms a decarbonisation programme brings
    to decide each year (``policy.firm_transition_support``)."""
    rate = config.behaviour.adoption.firm_adoption_rate
    support = config.policy.firm_transition_support
    saves_fuel = fuel_demand_factor < 1.0
    return np.where(saves_fuel, rate + support * (1.0 - rate), rate)


def firms_decide(firms: FirmState, config: ModelConfig, year: int, firm_fuel_kwh: np.ndarray,
                 rng: np.random.Generator) -> AdoptionResult:
    """Firms adopt when the measure pays back within its lifetime (bounded rationality)."""
    arrays, effects, adoption = firms.arrays, firms.effects, config.behaviour.adoption
    benefit = firm_benefit_eur(firms, config, firm_fuel_kwh, year)
    eligible = firms.eligible[arrays.sector] & ~firms.portfolio.holds(year)
    small_shop = (arrays.sector == 2) & (arrays.employees < adoption.firm_large_roof_employees)
    eligible &= ~(small_shop[:, None] & effects.large_roof[None, :])
    policy = config.policy
    reach = coordination_effects(policy.coordination, policy.coordination_effects).subsidy_reach
    subsidy = policy.subsidy_rate * reach
    cost = np.maximum(effects.capex_eur * (1.0 - subsidy), 1.0)
    ratio = benefit * effects.lifetime_yr[None, :] / cost[None, :]
    cap = adoption_cap(config, effects.factors["fuel_demand_factor"])
    probability = cap[None, :] * expit((ratio - 1.0) / adoption.firm_payback_slope)
    chosen = eligible & (rng.random(probability.shape) < probability)
    online_in = np.where(chosen, np.maximum(1, effects.lead_time_yr[None, :]), 0)
    firms.portfolio.adopt(chosen, year, online_in,
                          np.broadcast_to(effects.lifetime_yr, chosen.shape))
    return AdoptionResult(chosen=chosen,
                          investment_eur=float(np.sum(chosen * effects.capex_eur[None, :])))
