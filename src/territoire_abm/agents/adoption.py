"""Yearly adoption decisions of households, for all of them at once (firms:
:mod:`territoire_abm.agents.firms`).

The function takes the narrow state it uses (:class:`~territoire_abm.types.HouseholdState`),
records the adoptions in that state's portfolio and returns an
:class:`~territoire_abm.types.AdoptionResult`; it never sees the model.
"""

from __future__ import annotations

import numpy as np

from territoire_abm.agents.behaviour import (
    DecisionInputs,
    adoption_probability,
    implementation_delay,
    lasting_years,
    threat_appraisal,
)
from territoire_abm.config.params import (
    ENERGY_CLASSES,
    HEATING_SYSTEMS,
    PV_YIELD_REFERENCE_KWH_PER_KWP,
    ModelConfig,
)
from territoire_abm.flows.demand import (
    HEATING_EFFICIENCY,
    HouseholdEnergy,
    HouseholdPrices,
    heating_price_eur_per_kwh,
)
from territoire_abm.governance.coordination import coordination_effects
from territoire_abm.measures.effects import HEAT_PUMP_IDS
from territoire_abm.types import AdoptionResult, HouseholdState

HEAT_PUMP_REPLACES = {"heat_pump_air_water": (1, 2, 3), "heat_pump_air_air": (0,)}
HEAT_PUMP_SYSTEM = HEATING_SYSTEMS.index("heat_pump")
GARDEN_MEASURES = ("garden_shade_trees", "rainwater_tank")
TENANT_MEASURES = ("air_conditioning",)
# Loi Climat et Résilience 2021: rentals of class G banned from 2025, F 2028, E 2034.
RENTAL_BAN = ((2025, 6), (2028, 5), (2034, 4))
RETROFIT_ID = "deep_retrofit_old_house"
M3_PER_YR_PER_L_PER_DAY = 0.365  # 365 days / 1,000 L per m3


def effective_subsidy(config: ModelConfig, income_eur: np.ndarray) -> np.ndarray:
    """Share of a household's cost paid by public money (MaPrimeRénov' bands); the exchange
    share of the coordination mix decides how much of the subsidy rate reaches households."""
    policy, adoption = config.policy, config.behaviour.adoption
    reach = coordination_effects(policy.coordination, policy.coordination_effects).subsidy_reach
    base = policy.subsidy_rate * reach
    band = np.where(income_eur < adoption.modest_income_eur, adoption.modest_subsidy_multiplier,
                    adoption.other_subsidy_multiplier)
    return np.clip(band * base, 0, adoption.max_subsidy_share)


def household_savings_eur(hh: HouseholdState, config: ModelConfig,
                          energy: HouseholdEnergy, prices: HouseholdPrices | None = None
                          ) -> np.ndarray:
    """Yearly saving (n, M) each measure would bring each household at this year's prices
    (``prices``; the 2025 prices at the policy's electricity price when None); negative =
    extra cost."""
    arrays, effects = hh.arrays, hh.effects
    prices = HouseholdPrices(config.policy.electricity_price_eur_per_kwh) if prices is None \
        else prices
    price = prices.electricity_eur_per_kwh
    fuel_price = heating_price_eur_per_kwh(arrays.heating_system, price, prices.fuel_eur_per_kwh)
    heating_bill = energy.heating_final_kwh * fuel_price
    factors = effects.factors
    saving = heating_bill[:, None] * (1.0 - factors["heating_demand_factor"]
                                      * factors["fuel_demand_factor"])[None, :]
    saving -= effects.quantities["electricity_demand_kwh_per_unit_yr"][None, :] * price
    self_used = config.behaviour.adoption.pv_self_consumption_share
    pv_value = (self_used * (price + config.optimiser.export_price_eur_per_kwh)
                * PV_YIELD_REFERENCE_KWH_PER_KWP)
    saving += effects.quantities["pv_kwp_per_unit"][None, :] * pv_value
    water_m3 = (arrays.persons * config.territory.drinking_water_l_per_person_day
                * M3_PER_YR_PER_L_PER_DAY)
    saving += (water_m3[:, None] * (1.0 - factors["water_demand_factor"])[None, :]
               * config.policy.water_price_eur_per_m3)
    for measure_id in HEAT_PUMP_IDS:
        column = effects.index(measure_id)
        if column is not None:
            # The heat the household actually uses (prebound effect included), not the DPE
            # need: the pump delivers the same heat at its seasonal efficiency.
            useful = energy.heating_final_kwh * HEATING_EFFICIENCY[arrays.heating_system]
            saving[:, column] = heating_bill - useful / HEATING_EFFICIENCY[HEAT_PUMP_SYSTEM] * price
    return saving


def household_eligibility(hh: HouseholdState, config: ModelConfig, year: int) -> np.ndarray:
    """Which household may adopt which measure (n, M): not held yet, owners for structural
    works, gardens for garden measures, the heating system a heat pump replaces."""
    arrays, effects = hh.arrays, hh.effects
    eligible = ~hh.portfolio.holds(year)
    owner_only = effects.capex_eur > config.behaviour.adoption.owner_only_capex_eur
    # Air conditioning is not structural work: about half of the equipped French households
    # use mobile units, which a tenant buys without the landlord (ADEME 2021, La
    # climatisation de confort dans les bâtiments résidentiels et tertiaires, CODA
    # Stratégies survey of summer 2020).
    owner_only &= ~np.isin(np.array(effects.ids), TENANT_MEASURES)
    eligible &= ~owner_only[None, :] | arrays.owner[:, None]
    for measure_id in GARDEN_MEASURES:
        column = effects.index(measure_id)
        if column is not None:
            eligible[:, column] &= arrays.garden
    # Air-to-water pumps replace boilers (gas, oil, wood), air-to-air pumps electric
    # convectors (ADEME "Se chauffer mieux et moins cher" 2023).
    for measure_id, systems in HEAT_PUMP_REPLACES.items():
        column = effects.index(measure_id)
        if column is not None:
            eligible[:, column] &= np.isin(arrays.heating_system, systems)
    column = effects.index("air_conditioning")
    if column is not None:
        eligible[:, column] &= ~hh.has_cooling
    column = effects.index("rooftop_pv_household")
    if column is not None:
        eligible[:, column] &= hh.rooftop_kwp == 0
    return eligible


def household_threat(hh: HouseholdState, config: ModelConfig) -> np.ndarray:
    """Threat appraisal (n, M) of each household for each measure's theme."""
    arrays, effects, pmt = hh.arrays, hh.effects, config.behaviour.pmt
    threat = np.zeros((len(arrays), len(effects)))
    delta = config.behaviour.risk.probability_weighting_delta
    heat = threat_appraisal(arrays.risk_heat, hh.hazard_frequency["heat"],
                            np.where(arrays.elderly, pmt.heat_severity_elderly,
                                     pmt.heat_severity_other), delta)
    drought = threat_appraisal(arrays.risk_drought, hh.hazard_frequency["drought"],
                               np.where(arrays.garden, pmt.drought_severity_garden,
                                        pmt.drought_severity_no_garden), delta)
    threat[:, effects.theme_mask("heat", "social")] = heat[:, None]
    threat[:, effects.theme_mask("water", "drought", "extreme_events")] = drought[:, None]
    return threat


def decision_inputs(hh: HouseholdState, config: ModelConfig, year: int,
                    energy: HouseholdEnergy, subsidy: np.ndarray,
                    prices: HouseholdPrices | None = None) -> DecisionInputs:
    """Everything a household weighs this year, for every measure."""
    arrays, effects = hh.arrays, hh.effects
    holds = hh.portfolio.holds(year).astype(float)
    column = effects.index("air_conditioning")
    if column is not None:
        # Neighbours' air conditioning, whether fitted before the run or adopted in it.
        holds[:, column] = hh.has_cooling
    return DecisionInputs(
        threat=household_threat(hh, config),
        net_cost_eur=effects.capex_eur[None, :] * (1.0 - subsidy[:, None]),
        annual_saving_eur=household_savings_eur(hh, config, energy, prices),
        lifetime_yr=effects.lifetime_yr,
        income_eur=arrays.income_eur,
        owner=arrays.owner,
        prosocial=arrays.prosocial,
        neighbour_share=hh.network_matrix @ holds / np.maximum(
            hh.network_degree, 1)[:, None],
        knowledge=config.behaviour.twin_learning_weight * hh.external_knowledge,
        eligible=household_eligibility(hh, config, year),
        adaptation=np.array([k == "adaptation" for k in effects.kinds]),
    )


def households_decide(hh: HouseholdState, config: ModelConfig, year: int,
                      energy: HouseholdEnergy, rng: np.random.Generator,
                      delay_rng: np.random.Generator,
                      prices: HouseholdPrices | None = None) -> AdoptionResult:
    """Draw this year's household adoptions and record them in ``hh.portfolio``.

    ``rng`` is the behaviour stream (adoption and mandate draws), ``delay_rng`` the stream of
    implementation delays (drawn only for adopters); savings are judged at ``prices``.
    """
    effects, behaviour = hh.effects, config.behaviour
    policy = config.policy
    mix = coordination_effects(policy.coordination, policy.coordination_effects)
    subsidy = effective_subsidy(config, hh.arrays.income_eur)
    inputs = decision_inputs(hh, config, year, energy, subsidy, prices)
    probability = adoption_probability(inputs, behaviour,
                                       social_norm_boost=mix.social_norm_multiplier)
    chosen = rng.random(probability.shape) < probability
    chosen |= _rental_mandate(hh, year, mix.mandate_enforcement, rng)
    online_in = implementation_delay(chosen, effects.lead_time_yr, behaviour.pmt.delay_years,
                                     delay_rng)
    lasts = lasting_years(effects.lifetime_yr, effects.capex_eur,
                          behaviour.pmt.persistence_years)
    hh.portfolio.adopt(chosen, year, online_in, np.broadcast_to(lasts, chosen.shape))
    return AdoptionResult(
        chosen=chosen,
        investment_eur=float(np.sum(chosen * effects.capex_eur[None, :])),
        subsidies_eur=float(np.sum(chosen * effects.capex_eur[None, :] * subsidy[:, None])),
    )


def _rental_mandate(hh: HouseholdState, year: int, enforcement: float,
                    rng: np.random.Generator) -> np.ndarray:
    """Authority mode: landlords of banned energy classes retrofit (enforcement ∝ authority)."""
    chosen = np.zeros((len(hh.arrays), len(hh.effects)), dtype=bool)
    column = hh.effects.index(RETROFIT_ID)
    if column is None:
        return chosen
    worst_allowed = len(ENERGY_CLASSES)  # no class banned yet
    for start, banned_class in RENTAL_BAN:
        if year >= start:
            worst_allowed = banned_class
    arrays = hh.arrays
    banned = ~arrays.owner & (arrays.energy_class >= worst_allowed)
    chosen[:, column] = banned & (rng.random(len(arrays)) < enforcement)
    chosen[:, column] &= ~hh.portfolio.holds(year)[:, column]
    return chosen
