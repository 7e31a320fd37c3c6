"""Default behavioural rules of each deciding role (what the controller answers by default).

- Residents, farmers and businesses propose municipal and community measures that answer
  the hazards they perceive or suffered (DOMAIN §6; seed 000: proposals from each group).
- The energy community recommends and makes investments from its KPIs (DOMAIN §5).
- The council decides by archetype (reactive, rule-following, cost-benefit, public-sentiment;
  DOMAIN §6) under its budget, and by trial and error keeps measures whose indicator improved
  and drops those that did not (seed 000).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np

from territoire_abm.config.params import PV_YIELD_REFERENCE_KWH_PER_KWP
from territoire_abm.governance import plans
from territoire_abm.governance.controllers import Decision, Situation
from territoire_abm.governance.finance import borrowing_room_eur
from territoire_abm.indicators.emissions import council_avoided_t
from territoire_abm.types import Commune

HAZARD_THEMES = {"heat": ("heat", "social"), "drought": ("water", "drought", "extreme_events")}
# Order in which a rule-following council applies national guidance: the heat-wave plan
# (Code de l'action sociale L116-3 register), leak plans (décret 2012-97), awareness.
NATIONAL_GUIDANCE = ("heat_wave_plan", "water_network_leak_reduction", "awareness_campaign",
                     "public_street_lighting_led", "municipal_greening_cool_islands")


def _support(themes: tuple[str, ...], risk: np.ndarray,
             options: tuple[str, ...], effects) -> dict[str, float]:
    level = float(np.mean(risk)) if len(risk) else 0.0
    return {m: level for m, theme in zip(effects.ids, effects.themes, strict=True)
            if theme in themes and m in options}


def residents(situation: Situation, commune: Commune) -> Decision:
    """Propose council measures matching the hazards households perceive."""
    hh, effects = commune.households, commune.council_effects
    roles = commune.config.behaviour.roles
    support = _support(HAZARD_THEMES["heat"], hh.risk_heat, situation.options, effects)
    support.update(_support(HAZARD_THEMES["drought"], hh.risk_drought,
                            situation.options, effects))
    energy = float(np.mean(hh.prosocial & (hh.trust > roles.energy_trust_threshold))) \
        + roles.energy_support_base
    support.update({m: energy for m, t in zip(effects.ids, effects.themes, strict=True)
                    if t == "energy" and m in situation.options})
    return {"propose": sorted(m for m, s in support.items() if s >= roles.proposal_threshold),
            "contribute": None}


def farmers(situation: Situation, commune: Commune) -> Decision:
    """Farmers push for water supply when irrigation went unmet or yields fell."""
    roles = commune.config.behaviour.roles
    unmet = situation.indicators.get("unmet_water_share_agriculture", 0.0)
    crop_loss = 1.0 - situation.indicators.get("crop_yield_factor", 1.0)
    pressed = unmet > roles.farmer_unmet_threshold or crop_loss > roles.farmer_crop_loss_threshold
    water = [m for m, t in zip(commune.council_effects.ids, commune.council_effects.themes,
                               strict=True) if t in ("water", "extreme_events")]
    return {"propose": sorted(m for m in water if m in situation.options) if pressed else [],
            "contribute": None}


def businesses(situation: Situation, commune: Commune) -> Decision:
    """Firms ask for heat measures when productivity suffers."""
    threshold = commune.config.behaviour.roles.business_loss_threshold
    loss = situation.indicators.get("productivity_loss_share", 0.0)
    heat = [m for m, t in zip(commune.council_effects.ids, commune.council_effects.themes,
                              strict=True) if t == "heat"]
    pressed = loss > threshold
    return {"propose": sorted(m for m in heat if m in situation.options) if pressed else [],
            "contribute": None}


def energy_community(situation: Situation, commune: Commune) -> Decision:
    """Invest where the KPIs point: PV when self-sufficiency is low, storage when curtailing."""
    recommend = _recommendations(commune, situation)
    if not commune.community.formed:
        return {"invest": [], "mode": None, "recommend": recommend}
    roles = commune.config.behaviour.roles
    kpis = commune.community.last_kpis
    held = commune.community_portfolio.holds(situation.year)[0]
    invest = []
    for measure, has in zip(commune.community_effects.ids, held, strict=True):
        if has or measure not in situation.options:
            continue
        q = commune.community_effects.quantities
        column = commune.community_effects.index(measure)
        if q["pv_kwp_per_unit"][column] > 0 and kpis.get(
                "self_sufficiency_rate", 0) < roles.self_sufficiency_target:
            invest.append(measure)
        elif q["battery_kwh_per_unit"][column] > 0 and (
            kpis.get("curtailed_kwh", 0)
            > roles.curtailment_trigger_share * kpis.get("local_renewable_kwh", 1)
            or kpis.get("unserved_kwh", 0) > 0
        ):
            invest.append(measure)
    return {"invest": invest[:1], "mode": None, "recommend": recommend}


def _recommendations(commune: Commune, situation: Situation) -> list[str]:
    """Council energy measures the community recommends when imports dominate (seed 000:
    the optimiser advises the territory's investments)."""
    kpis = commune.community.last_kpis
    target = commune.config.behaviour.roles.self_sufficiency_target
    if kpis.get("self_sufficiency_rate", 1.0) >= target:
        return []
    effects = commune.council_effects
    held = commune.council_portfolio.holds(situation.year)[0]
    return [m for m, theme, has in zip(effects.ids, effects.themes, held, strict=True)
            if theme == "energy" and not has]


# --------------------------------------------------------------------------- council
def _estimated_benefit_eur(commune: Commune, indicators: dict[str, float]) -> np.ndarray:
    """Yearly benefit of each council measure from last year's damages (heuristic values of
    ``policy.council.value_*``)."""
    effects, values = commune.council_effects, commune.config.policy.council
    water_value = values.value_water_eur_per_m3
    heat = indicators.get("heat_stress_person_days", 0.0) * values.value_heat_person_day_eur
    unmet = indicators.get("unmet_water_m3", 0.0) * water_value
    covered = effects.quantities["population_covered_share"]
    heat_benefit = heat * covered * (1.0 - effects.factors["heat_stress_factor"])
    water_benefit = (
        np.minimum(effects.quantities["water_supply_m3_per_unit_yr"],
                   indicators.get("unmet_water_m3", 0.0)) * water_value
        + effects.quantities["leak_reduction_share"] * indicators.get(
            "network_losses_m3", 0.0) * water_value
        + unmet * (1.0 - effects.factors["water_demand_factor"])
    )
    energy_benefit = (
        -effects.quantities["electricity_demand_kwh_per_unit_yr"]
        * values.value_electricity_eur_per_kwh
        + effects.quantities["pv_kwp_per_unit"] * PV_YIELD_REFERENCE_KWH_PER_KWP
        * values.value_pv_eur_per_kwh
        # Transport and waste levers: emissions avoided at the policy's carbon price.
        + council_avoided_t(commune, indicators) * commune.config.policy.carbon_price_eur_per_t
    )
    awareness = effects.quantities["risk_perception_boost"] * (heat + unmet) \
        * values.awareness_benefit_share
    return heat_benefit + water_benefit + energy_benefit + awareness


def council(situation: Situation, commune: Commune) -> Decision:
    """Plan actions whose trigger fired first (governance/plans.py), then measures within the
    remaining budget, by archetype; drop failed trials.

    Multi-year financing: a measure is affordable when its yearly cost — the annuity of the
    commune's share of its capital (after State and Region grants) over the loan term, plus
    its running cost — fits in what the budget has left this year, and its loan fits under
    the debt ceiling. Measures whose trial failed are not tried again for
    ``policy.council.retry_after_years``.
    """
    planned = plans.plan_for_council(commune, situation)
    situation = replace(situation, budget_eur=situation.budget_eur - planned.spent_eur,
                        options=tuple(o for o in situation.options if o not in planned.adopt))
    effects, policy = commune.council_effects, commune.config.policy
    archetype = commune.council.archetype
    held = commune.council_portfolio.holds(situation.year)[0]
    candidates = [m for m, has in zip(effects.ids, held, strict=True)
                  if not has and m in situation.options
                  and not recently_failed(commune, m, situation.year)]
    annual_cost = effects.annualised_capex_eur(policy.discount_rate) + effects.opex_eur_yr
    benefit = _estimated_benefit_eur(commune, dict(situation.indicators))
    column = {m: i for i, m in enumerate(effects.ids)}
    ranked = _rank(archetype, candidates, situation, commune, benefit, annual_cost, column)
    loan, yearly = plans.measure_finance(effects, policy, council=True)
    room = borrowing_room_eur(commune) - planned.borrowed_eur
    adopt, spend, borrow = [], 0.0, 0.0
    for measure in ranked:
        i = column[measure]
        if spend + yearly[i] <= situation.budget_eur and borrow + loan[i] <= room:
            adopt.append(measure)
            spend += float(yearly[i])
            borrow += float(loan[i])
    decision = {"adopt": planned.adopt + adopt, "drop": trial_and_error_drops(commune, situation)}
    if planned.entries:
        decision["plan"] = planned.entries
    return decision


def recently_failed(commune: Commune, measure: str, year: int) -> bool:
    """True while a measure dropped after a failed trial waits to be tried again."""
    failed = commune.council.failed.get(measure)
    return failed is not None and year - failed < commune.config.policy.council.retry_after_years


def _rank(archetype: str, candidates: list[str], situation: Situation,
          commune: Commune, benefit: np.ndarray, annual_cost: np.ndarray,
          column: dict[str, int]) -> list[str]:
    if archetype == "cost_benefit":
        ratio = {m: benefit[column[m]] / max(annual_cost[column[m]], 1.0) for m in candidates}
        return sorted((m for m in candidates if ratio[m] > 1.0), key=lambda m: -ratio[m])
    if archetype == "reactive":
        events = commune.events
        themes = set()
        for hazard, happened in events.items():
            if happened:
                themes.update(HAZARD_THEMES[hazard])
        hit = [m for m in candidates if commune.council_effects.themes[column[m]] in themes]
        return sorted(hit, key=lambda m: commune.council_effects.capex_eur[column[m]])
    if archetype == "rule_following":
        return [m for m in NATIONAL_GUIDANCE if m in candidates]
    # public_sentiment: the most supported proposals first
    proposed = [m for m in candidates if situation.proposals.get(m, 0.0) > 0]
    return sorted(proposed, key=lambda m: -situation.proposals[m])


TARGET_INDICATOR = {"heat": "heat_stress_per_inhabitant", "social": "heat_stress_per_inhabitant",
                    "water": "unmet_water_share_households", "drought":
                    "unmet_water_share_agriculture", "extreme_events":
                    "unmet_water_share_agriculture", "energy": "emissions_t_per_inhabitant"}
# The weather index each target indicator is divided by before a trial is judged, so that a
# hotter or drier year is not taken for a failed measure (weather-normalised evaluation, as
# energy savings are normalised by degree days, e.g. IPMVP / ASHRAE Guideline 14).
WEATHER_DRIVER = {"heat_stress_per_inhabitant": "heat_wave_days",
                  "unmet_water_share_households": "restriction_days",
                  "unmet_water_share_agriculture": "restriction_days",
                  "emissions_t_per_inhabitant": "hdd"}


def weather_normalised(record: Mapping[str, float], indicator: str) -> float | None:
    """``indicator`` per unit of its weather driver (+ 1, so a calm year is not a zero
    division); the raw value when it has no driver; None when the record lacks it."""
    if indicator not in record:
        return None
    driver = WEATHER_DRIVER.get(indicator)
    if driver is None or driver not in record:
        return float(record[indicator])
    return float(record[indicator]) / (1.0 + max(0.0, float(record[driver])))


def trial_and_error_drops(commune: Commune, situation: Situation) -> list[str]:
    """Measures whose target indicator did not improve over the trial window (seed 000).

    Indicators move with the weather as well as with measures, so they are compared per unit
    of their weather driver (:func:`weather_normalised`), and a measure is dropped only when
    its indicator is clearly worse (by ``policy.council.drop_tolerance``, 10 %) than at
    adoption; rule-following councils keep mandated measures whatever the outcome. A dropped
    measure is remembered (``retry_after_years``) so it is not re-adopted the next year.
    """
    if commune.council.archetype == "rule_following":
        return []
    portfolio, effects = commune.council_portfolio, commune.council_effects
    window = commune.config.policy.council.trial_window_years
    tolerance = 1.0 + commune.config.policy.council.drop_tolerance
    drops = []
    history = commune.records
    for i, measure in enumerate(effects.ids):
        online = int(portfolio.online_year[0, i])
        if online < 0 or not portfolio.active(situation.year)[0, i]:
            continue
        if situation.year - online != window:
            continue
        indicator = TARGET_INDICATOR.get(effects.themes[i])
        baseline = commune.council.baselines.get(measure)
        if indicator is None or baseline is None:
            continue
        recent = [v for r in history[-window:]
                  if (v := weather_normalised(r, indicator)) is not None]
        if recent and np.mean(recent) > tolerance * baseline + 1e-9:
            drops.append(measure)
    return drops


RULES: dict[str, Any] = {
    "residents": residents,
    "farmers": farmers,
    "businesses": businesses,
    "energy_community": energy_community,
    "council": council,
}
