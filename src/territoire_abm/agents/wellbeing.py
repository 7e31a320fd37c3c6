"""Household state updates of the year: bills, energy poverty, satisfaction and trust.

These were computed inside the indicators and the negotiation; they are steps of the year of
their own (territory/year.py) so that indicators only read the state.
"""

from __future__ import annotations

import numpy as np

from territoire_abm.agents.arrays import HouseholdArrays, Network
from territoire_abm.config.params import CooperationConfig, ModelConfig, SatisfactionConfig
from territoire_abm.flows.demand import HEATING_IS_ELECTRIC, HouseholdEnergy, HouseholdPrices
from territoire_abm.flows.demand import heating_price_eur_per_kwh as heating_price
from territoire_abm.indicators.household_energy import energy_poor
from territoire_abm.types import HouseholdState, Impacts

M3_PER_YR_PER_L_PER_DAY = 0.365  # 365 days / 1,000 L per m3


def household_prices(config: ModelConfig, prices: HouseholdPrices | None) -> HouseholdPrices:
    """``prices`` (the year's, from the national pathway), or the 2025 prices at the policy's
    electricity price when none are given."""
    return HouseholdPrices(config.policy.electricity_price_eur_per_kwh) if prices is None \
        else prices


def pathway_prices(config: ModelConfig, ctx) -> HouseholdPrices:
    """Household prices of a year of the national energy pathway (``ctx``: a
    :class:`~territoire_abm.flows.pathways.EnergyContext`); the policy's electricity price
    scales the pathway's electricity price (its default, 0.25 EUR/kWh, keeps it)."""
    return HouseholdPrices.of_year(config.policy.electricity_price_eur_per_kwh,
                                   ctx.electricity_eur_per_kwh, ctx.gas_eur_per_kwh,
                                   ctx.wood_eur_per_kwh, ctx.fuel_oil_eur_per_kwh)


def update_bills(hh: HouseholdState, config: ModelConfig, energy: HouseholdEnergy, year: int,
                 surcharge_eur: float = 0.0, prices: HouseholdPrices | None = None) -> None:
    """This year's energy and water bills of each household, EUR/yr.

    ``surcharge_eur`` is the exchange-mode tariff surcharge (the users' share of collective
    investments), spread evenly over households. ``prices`` are the year's retail prices
    (the national energy pathway's, territory/year.py).
    """
    arrays = hh.arrays
    prices = household_prices(config, prices)
    price = prices.electricity_eur_per_kwh
    heating_fuel = np.where(HEATING_IS_ELECTRIC[arrays.heating_system], 0.0,
                            energy.heating_final_kwh * heating_price(
                                arrays.heating_system, price, prices.fuel_eur_per_kwh))
    per_household = surcharge_eur / max(len(arrays), 1)
    arrays.energy_bill_eur = energy.electricity_kwh * price + heating_fuel + per_household
    litres = config.territory.drinking_water_l_per_person_day
    saving = hh.portfolio.factor(year, hh.effects.factors["water_demand_factor"])
    arrays.water_bill_eur = (arrays.persons * litres * M3_PER_YR_PER_L_PER_DAY * saving
                             * config.policy.water_price_eur_per_m3)


def add_hot_water_bill(arrays: HouseholdArrays, config: ModelConfig,
                       energy: HouseholdEnergy, prices: HouseholdPrices | None = None) -> None:
    """Add the boilers' hot-water fuel to the energy bill (electric hot water is already in
    the electricity)."""
    prices = household_prices(config, prices)
    arrays.energy_bill_eur = arrays.energy_bill_eur + energy.hot_water_fuel_kwh * \
        heating_price(arrays.heating_system, prices.electricity_eur_per_kwh,
                      prices.fuel_eur_per_kwh)


def update_energy_poverty(arrays: HouseholdArrays) -> None:
    """ONPE TEE_3D: housing-energy spending above 8 % of income, in the three lowest deciles
    of income per consumption unit (indicators/household_energy.py)."""
    arrays.energy_poor = energy_poor(arrays.energy_bill_eur, arrays.income_eur, arrays.persons)


def update_satisfaction(arrays: HouseholdArrays, impacts: Impacts,
                        settings: SatisfactionConfig) -> None:
    """Satisfaction drifts toward this year's comfort: heat harm, bill burden, restrictions."""
    harm = np.clip(impacts.heat_stress_by_household / np.maximum(arrays.persons, 1)
                   / settings.heat_scale_days, 0, 1)
    burden = np.clip((arrays.energy_bill_eur + arrays.water_bill_eur) / arrays.income_eur
                     / settings.bill_burden_share, 0, 1)
    restricted = impacts.unmet_share["households_outdoor"]
    comfort = (1.0 - settings.heat_weight * harm - settings.bill_weight * burden
               - settings.restriction_weight * restricted * arrays.garden)
    rate = settings.adjustment_rate
    arrays.satisfaction = np.clip((1.0 - rate) * arrays.satisfaction + rate * comfort,
                                  0.0, 1.0)


def update_trust(arrays: HouseholdArrays, network: Network, learning_rate: float,
                 settings: CooperationConfig, kept: int, broken: int, tariff_eur: float) -> None:
    """Trust moves toward 1 when commitments are kept and toward 0 when broken (seed 000:
    actors must become predictable to one another), falls with the tariff burden, and is
    pulled toward the neighbours' trust."""
    if kept + broken > 0:
        target = kept / (kept + broken)
        arrays.trust += learning_rate * (target - arrays.trust)
    burden = tariff_eur / max(len(arrays), 1) / np.maximum(arrays.income_eur, 1.0)
    arrays.trust = np.clip(arrays.trust - settings.tariff_trust_sensitivity * burden, 0.0, 1.0)
    pull = settings.neighbour_trust_weight
    arrays.trust = np.clip((1.0 - pull) * arrays.trust
                           + pull * network.neighbour_mean(arrays.trust), 0, 1)
