"""Yearly adoption decisions of households and firms, for all of them at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.special import expit

from territoire_abm.agents.behaviour import (
    DecisionInputs,
    adoption_probability,
    implementation_delay,
    lasting_years,
    threat_appraisal,
)
from territoire_abm.flows.demand import (
    HEAT_NEED_KWH_M2,
    HEATING_EFFICIENCY,
    heating_price_eur_per_kwh,
)
from territoire_abm.measures.effects import HEAT_PUMP_IDS

if TYPE_CHECKING:
    from territoire_abm.territory.model import TerritoryModel

HEAT_PUMP_REPLACES = {"heat_pump_air_water": (1, 2, 3), "heat_pump_air_air": (0,)}
GARDEN_MEASURES = ("garden_shade_trees", "rainwater_tank")
OWNER_ONLY_CAPEX_EUR = 2000.0  # structural works: the landlord decides, not the tenant
SUBSIDY_INCOME_THRESHOLD_EUR = 25000.0  # MaPrimeRénov' "modest" households get more
# Loi Climat et Résilience 2021: rentals of class G banned from 2025, F 2028, E 2034.
RENTAL_BAN = ((2025, 6), (2028, 5), (2034, 4))
RETROFIT_ID = "deep_retrofit_old_house"


def effective_subsidy(model: TerritoryModel, income_eur: np.ndarray) -> np.ndarray:
    """Share of a household's cost paid by public money; exchange mode scales the subsidy."""
    policy = model.config.policy
    base = policy.subsidy_rate * min(1.0, 3.0 * policy.coordination.exchange)
    return np.clip(np.where(income_eur < SUBSIDY_INCOME_THRESHOLD_EUR, 1.5, 0.8) * base, 0, 0.9)


def household_savings_eur(model: TerritoryModel, energy) -> np.ndarray:
    """Yearly saving (n, M) each measure would bring each household; negative = extra cost."""
    hh, effects = model.households, model.household_effects
    price = model.config.policy.electricity_price_eur_per_kwh
    fuel_price = heating_price_eur_per_kwh(hh.heating_system, price)
    heating_bill = energy.heating_final_kwh * fuel_price
    factors = effects.factors
    saving = heating_bill[:, None] * (1.0 - factors["heating_demand_factor"]
                                      * factors["fuel_demand_factor"])[None, :]
    saving -= effects.quantities["electricity_demand_kwh_per_unit_yr"][None, :] * price
    pv_value = 0.5 * (price + model.config.optimiser.export_price_eur_per_kwh) * 1300.0
    saving += effects.quantities["pv_kwp_per_unit"][None, :] * pv_value
    water_m3 = hh.persons * model.config.territory.drinking_water_l_per_person_day * 0.365
    saving += (water_m3[:, None] * (1.0 - factors["water_demand_factor"])[None, :]
               * model.config.policy.water_price_eur_per_m3)
    for measure_id in HEAT_PUMP_IDS:
        column = effects.index(measure_id)
        if column is not None:
            useful = hh.floor_area_m2 * HEAT_NEED_KWH_M2[hh.energy_class]
            saving[:, column] = heating_bill - useful / HEATING_EFFICIENCY[4] * price
    return saving


def household_eligibility(model: TerritoryModel, year: int) -> np.ndarray:
    hh, effects = model.households, model.household_effects
    eligible = ~model.household_portfolio.holds(year)
    owner_only = effects.capex_eur > OWNER_ONLY_CAPEX_EUR
    eligible &= ~owner_only[None, :] | hh.owner[:, None]
    for measure_id in GARDEN_MEASURES:
        column = effects.index(measure_id)
        if column is not None:
            eligible[:, column] &= hh.garden
    # Air-to-water pumps replace boilers (gas, oil, wood), air-to-air pumps electric
    # convectors (ADEME "Se chauffer mieux et moins cher" 2023).
    for measure_id, systems in HEAT_PUMP_REPLACES.items():
        column = effects.index(measure_id)
        if column is not None:
            eligible[:, column] &= np.isin(hh.heating_system, systems)
    column = effects.index("air_conditioning")
    if column is not None:
        eligible[:, column] &= ~model.has_cooling
    column = effects.index("rooftop_pv_household")
    if column is not None:
        eligible[:, column] &= model.rooftop_kwp == 0
    return eligible


def households_decide(model: TerritoryModel, year: int, energy) -> np.ndarray:
    """Draw this year's household adoptions; record them; return the chosen (n, M) matrix."""
    hh, effects, behaviour = model.households, model.household_effects, model.config.behaviour
    rng = model.streams["behaviour"]
    threat = np.zeros((len(hh), len(effects)))
    delta = behaviour.risk.probability_weighting_delta
    heat = threat_appraisal(hh.risk_heat, model.hazard_frequency["heat"],
                            np.where(hh.elderly, 1.0, 0.6), delta)
    drought = threat_appraisal(hh.risk_drought, model.hazard_frequency["drought"],
                               np.where(hh.garden, 1.0, 0.4), delta)
    threat[:, effects.theme_mask("heat", "social")] = heat[:, None]
    threat[:, effects.theme_mask("water", "drought", "extreme_events")] = drought[:, None]
    subsidy = effective_subsidy(model, hh.income_eur)
    holds = model.household_portfolio.holds(year)
    inputs = DecisionInputs(
        threat=threat,
        net_cost_eur=effects.capex_eur[None, :] * (1.0 - subsidy[:, None]),
        annual_saving_eur=household_savings_eur(model, energy),
        lifetime_yr=effects.lifetime_yr,
        income_eur=hh.income_eur,
        owner=hh.owner,
        prosocial=hh.prosocial,
        neighbour_share=model.network_matrix @ holds.astype(float) / np.maximum(
            model.network_degree, 1)[:, None],
        knowledge=behaviour.twin_learning_weight * model.external_knowledge,
        eligible=household_eligibility(model, year),
        adaptation=np.array([k == "adaptation" for k in effects.kinds]),
    )
    reciprocity = model.config.policy.coordination.reciprocity
    probability = adoption_probability(inputs, behaviour, social_norm_boost=1.0 + reciprocity)
    chosen = rng.random(probability.shape) < probability
    chosen |= _rental_mandate(model, year, inputs.eligible, rng)
    online_in = implementation_delay(chosen, effects.lead_time_yr, behaviour.pmt.delay_years,
                                     model.streams["delays"])
    lasts = lasting_years(effects.lifetime_yr, effects.capex_eur,
                          behaviour.pmt.persistence_years)
    model.household_portfolio.adopt(chosen, year, online_in, np.broadcast_to(lasts, chosen.shape))
    model.subsidies_eur = float(np.sum(chosen * effects.capex_eur[None, :] * subsidy[:, None]))
    model.household_investment_eur = float(np.sum(chosen * effects.capex_eur[None, :]))
    return chosen


def _rental_mandate(model: TerritoryModel, year: int, eligible: np.ndarray,
                    rng: np.random.Generator) -> np.ndarray:
    """Authority mode: landlords of banned energy classes retrofit (enforcement ∝ authority)."""
    chosen = np.zeros_like(eligible)
    column = model.household_effects.index(RETROFIT_ID)
    if column is None:
        return chosen
    worst_allowed = 7
    for start, banned_class in RENTAL_BAN:
        if year >= start:
            worst_allowed = banned_class
    hh = model.households
    banned = ~hh.owner & (hh.energy_class >= worst_allowed)
    enforcement = 0.3 * model.config.policy.coordination.authority
    chosen[:, column] = banned & (rng.random(len(hh)) < enforcement)
    chosen[:, column] &= ~model.household_portfolio.holds(year)[:, column]
    return chosen


# --------------------------------------------------------------------------- firms
LARGE_ROOF_EMPLOYEES = 8.0  # small shops rent their premises or lack a large roof: estimate
VALUE_ADDED_EUR_PER_EMPLOYEE = 60000.0  # INSEE, non-financial firms: order of magnitude
FIRM_WATER_VALUE_EUR_PER_M3 = 2.0


def firms_decide(model: TerritoryModel, year: int, firm_fuel_kwh: np.ndarray,
                 firm_elec_kwh: np.ndarray) -> np.ndarray:
    """Firms adopt when the measure pays back within its lifetime (bounded rationality)."""
    firms, effects = model.firms, model.firm_effects
    rng = model.streams["behaviour"]
    price = model.config.policy.electricity_price_eur_per_kwh
    factors, quantities = effects.factors, effects.quantities
    hectares = firms.irrigated_ha + firms.rainfed_ha
    crop_loss_eur = hectares * (1.0 - firms.yield_factor) * 1500.0
    productivity_eur = firms.productivity_loss * firms.employees * VALUE_ADDED_EUR_PER_EMPLOYEE
    benefit = (
        crop_loss_eur[:, None] * (1.0 - factors["crop_heat_loss_factor"])[None, :]
        + (crop_loss_eur * (firms.irrigated_ha > 0))[:, None]
        * (1.0 - factors["irrigation_demand_factor"])[None, :]
        + productivity_eur[:, None] * (1.0 - factors["productivity_loss_factor"])[None, :]
        + (firm_fuel_kwh * 0.1)[:, None] * (1.0 - factors["fuel_demand_factor"])[None, :]
        - quantities["electricity_demand_kwh_per_unit_yr"][None, :] * price
        + quantities["pv_kwp_per_unit"][None, :] * 1300.0 * 0.13
        + quantities["water_supply_m3_per_unit_yr"][None, :] * FIRM_WATER_VALUE_EUR_PER_M3
    )
    del firm_elec_kwh
    eligible = model.firm_eligible[firms.sector] & ~model.firm_portfolio.holds(year)
    small_shop = (firms.sector == 2) & (firms.employees < LARGE_ROOF_EMPLOYEES)
    eligible &= ~(small_shop[:, None] & effects.large_roof[None, :])
    subsidy = model.config.policy.subsidy_rate * min(1.0, 3.0 * model.config.policy.coordination
                                                     .exchange)
    cost = np.maximum(effects.capex_eur * (1.0 - subsidy), 1.0)
    ratio = benefit * effects.lifetime_yr[None, :] / cost[None, :]
    rate = model.config.behaviour.pmt.base_adoption_rate
    probability = rate * expit((ratio - 1.0) / 0.3)
    chosen = eligible & (rng.random(probability.shape) < probability)
    online_in = np.where(chosen, np.maximum(1, effects.lead_time_yr[None, :]), 0)
    model.firm_portfolio.adopt(chosen, year, online_in,
                               np.broadcast_to(effects.lifetime_yr, chosen.shape))
    model.firm_investment_eur = float(np.sum(chosen * effects.capex_eur[None, :]))
    return chosen
