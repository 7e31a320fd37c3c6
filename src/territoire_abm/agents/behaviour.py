"""Household behaviour rules, vectorised over all households (DOMAIN §6).

- Risk perception: Haer et al. 2017 (Risk Analysis 37(10)): RP_t = (a·RP_{t−1} + b·I_exp +
  c·I_social)/(a+b+c); perceived probability p·10^(2·RP−1), weighted by Tversky–Kahneman's
  π(p) = p^δ/(p^δ+(1−p)^δ)^(1/δ).
- Adaptation measures: protection motivation theory (Rogers 1983; Erdlenbruch & Bonté 2018;
  Noll et al. 2022): threat appraisal × coping appraisal → intention → implementation delay →
  persistence.
- Mitigation measures: theory of planned behaviour (Ajzen 1991; Muelder & Filatova 2018):
  attitude, social norm (adopting neighbours), perceived behavioural control.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from territoire_abm.config.params import BehaviourConfig


def probability_weighting(p: np.ndarray, delta: float) -> np.ndarray:
    """Tversky & Kahneman (1992) probability weighting, δ = 0.69 (Haer et al. 2017)."""
    p = np.clip(p, 0.0, 1.0)
    numerator = p**delta
    return numerator / (numerator + (1.0 - p) ** delta) ** (1.0 / delta)


def update_risk_perception(
    risk: np.ndarray,
    experience: np.ndarray,
    social: np.ndarray,
    event: bool,
    config: BehaviourConfig,
    boost: np.ndarray | float = 0.0,
) -> np.ndarray:
    """One yearly update of risk perception in [0, 1] (Haer et al. 2017, eq. 1).

    In an event year memory counts little and experience a lot (a = 0.1, b = 1, c = 0); in a
    quiet year memory dominates and experience and social information count little
    (a = 1, b = 0.04, c ≤ 0.02). Awareness campaigns add ``boost``.
    """
    weights = config.risk
    if event:
        a, b, c = weights.event_memory_factor * weights.memory_weight, \
            weights.experience_weight, 0.0
    else:
        a = weights.memory_weight
        b = weights.no_event_experience_weight
        c = weights.quiet_social_factor * weights.social_weight
    updated = (a * risk + b * experience + c * social) / (a + b + c)
    return np.clip(updated + boost, 0.0, 1.0)


def threat_appraisal(risk: np.ndarray, hazard_probability: float, severity: np.ndarray,
                     delta: float) -> np.ndarray:
    """Perceived probability (scaled by risk perception, weighted) × severity, in [0, 1].

    Haer et al. 2017: perceived probability p·10^(2·RP−1), so RP = 0.5 perceives p itself
    and RP = 0 or 1 one tenth or ten times it.
    """
    perceived = np.clip(hazard_probability * 10.0 ** (2.0 * risk - 1.0), 0.0, 1.0)
    return probability_weighting(perceived, delta) * severity


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return expit(x)


@dataclass
class DecisionInputs:
    """What households weigh, as arrays (n households, M measures) or (n,)."""

    threat: np.ndarray  # (n, M): threat relevant to each measure's theme
    net_cost_eur: np.ndarray  # (n, M) upfront cost after subsidies
    annual_saving_eur: np.ndarray  # (n, M)
    lifetime_yr: np.ndarray  # (M,)
    income_eur: np.ndarray  # (n,)
    owner: np.ndarray  # (n,) bool
    prosocial: np.ndarray  # (n,) bool
    neighbour_share: np.ndarray  # (n, M) share of neighbours holding the measure
    knowledge: np.ndarray  # (M,) credibility gained from twins/neighbour territories, [0, 1]
    eligible: np.ndarray  # (n, M) bool
    adaptation: np.ndarray  # (M,) bool: PMT when True, TPB when False


def adoption_probability(inputs: DecisionInputs, config: BehaviourConfig,
                         social_norm_boost: float = 1.0) -> np.ndarray:
    """Yearly probability (n, M) that a household decides to adopt each measure.

    Adaptation measures follow PMT, the others TPB; each rule is computed only on its
    columns (the hot path of a year at 100,000 households).
    """
    pmt = config.pmt
    score = np.empty(inputs.net_cost_eur.shape)
    pmt_columns = np.flatnonzero(inputs.adaptation)
    tpb_columns = np.flatnonzero(~inputs.adaptation)
    if len(pmt_columns):
        score[:, pmt_columns] = _pmt_motivation(inputs, pmt_columns, config)
    if len(tpb_columns):
        score[:, tpb_columns] = _tpb_intention(inputs, tpb_columns, config, social_norm_boost)
    probability = pmt.base_adoption_rate * _sigmoid((score - pmt.intention_threshold)
                                                    / pmt.intention_slope)
    return np.where(inputs.eligible, probability, 0.0)


def _affordability(inputs: DecisionInputs, columns: np.ndarray, config: BehaviourConfig
                   ) -> np.ndarray:
    knowledge = inputs.knowledge[columns][None, :]
    # Seeing the measure work elsewhere lowers its perceived cost (seed 003).
    perceived_cost = inputs.net_cost_eur[:, columns] * (
        1.0 - config.pmt.knowledge_cost_discount * knowledge)
    return np.clip(1.0 - config.pmt.cost_sensitivity * perceived_cost
                   / inputs.income_eur[:, None], 0.0, 1.0)


def _pmt_motivation(inputs: DecisionInputs, columns: np.ndarray,
                    config: BehaviourConfig) -> np.ndarray:
    """PMT: coping = efficacy (raised by knowledge from twins), self-efficacy and
    affordability (Noll et al. 2022); motivation needs both threat and coping, and rises
    with the share of neighbours who already hold the measure (descriptive norm: van
    Valkengoed & Steg 2019, Nat. Clim. Change 9:158–163, among the factors most strongly
    associated with adaptation behaviour in 106 studies)."""
    pmt = config.pmt
    efficacy = np.clip(pmt.response_efficacy * (1.0 + inputs.knowledge[columns]), 0.0, 1.0)
    coping = (efficacy[None, :] + pmt.self_efficacy
              + _affordability(inputs, columns, config)) / 3.0
    motivation = np.sqrt(np.clip(inputs.threat[:, columns], 0, 1) * coping)
    if pmt.descriptive_norm_weight == 0.0:
        return motivation
    norm = np.clip(inputs.neighbour_share[:, columns], 0.0, 1.0)
    return np.clip(motivation + pmt.descriptive_norm_weight * norm, 0.0, 1.0)


def _tpb_intention(inputs: DecisionInputs, columns: np.ndarray, config: BehaviourConfig,
                   social_norm_boost: float) -> np.ndarray:
    """TPB: attitude (values and payback), social norm (neighbours, twins), control."""
    tpb = config.tpb
    cost = inputs.net_cost_eur[:, columns]
    saving = inputs.annual_saving_eur[:, columns]
    payback = np.divide(cost, saving, out=np.full(cost.shape, np.inf), where=saving > 0)
    economic = np.clip(1.0 - payback / inputs.lifetime_yr[columns][None, :], 0.0, 1.0)
    attitude = (tpb.attitude_base + tpb.attitude_prosocial * inputs.prosocial[:, None]
                + tpb.attitude_economic * economic)
    control = np.where(inputs.owner[:, None], 1.0, tpb.tenant_control) * _affordability(
        inputs, columns, config)
    norm = np.clip(inputs.neighbour_share[:, columns] * social_norm_boost
                   + inputs.knowledge[columns][None, :], 0.0, 1.0)
    return (tpb.attitude_weight * attitude + tpb.social_norm_weight * norm
            + tpb.control_weight * control)


def implementation_delay(chosen: np.ndarray, lead_time_yr: np.ndarray, delay_years: float,
                         rng: np.random.Generator) -> np.ndarray:
    """Years from decision to working measure: lead time + a Poisson behavioural delay.

    Erdlenbruch & Bonté 2018 find implementation delay among the most influential parameters.
    """
    online_in = np.zeros(chosen.shape, dtype=np.int64)
    rows, columns = np.nonzero(chosen)
    delay = rng.poisson(delay_years, size=len(rows))
    online_in[rows, columns] = np.maximum(1, lead_time_yr[columns] + delay)
    return online_in


def lasting_years(lifetime_yr: np.ndarray, capex_eur: np.ndarray,
                  persistence_years: float) -> np.ndarray:
    """Physical measures last their lifetime; behavioural ones (no capital) their persistence."""
    return np.where(capex_eur > 0, lifetime_yr, persistence_years)


def decide_one(threat: float, net_cost: float, saving: float, lifetime: float, income: float,
               owner: bool, prosocial: bool, neighbour_share: float, knowledge: float,
               adaptation: bool, config: BehaviourConfig, social_norm_boost: float = 1.0) -> float:
    """The same rule for one household and one measure, in plain Python.

    Used by the plain-Mesa benchmark (one method call per agent) and by tests that check the
    vectorised rule against it.
    """
    pmt, tpb = config.pmt, config.tpb
    perceived_cost = net_cost * (1.0 - pmt.knowledge_cost_discount * knowledge)
    affordability = min(1.0, max(0.0, 1.0 - pmt.cost_sensitivity * perceived_cost / income))
    efficacy = min(1.0, max(0.0, pmt.response_efficacy * (1.0 + knowledge)))
    coping = (efficacy + pmt.self_efficacy + affordability) / 3.0
    motivation = (min(1.0, max(0.0, threat)) * coping) ** 0.5
    motivation = min(1.0, motivation + pmt.descriptive_norm_weight
                     * min(1.0, max(0.0, neighbour_share)))
    payback = net_cost / saving if saving > 0 else float("inf")
    economic = min(1.0, max(0.0, 1.0 - payback / lifetime))
    attitude = tpb.attitude_base + tpb.attitude_prosocial * prosocial \
        + tpb.attitude_economic * economic
    control = (1.0 if owner else tpb.tenant_control) * affordability
    norm = min(1.0, max(0.0, neighbour_share * social_norm_boost + knowledge))
    intention = (tpb.attitude_weight * attitude + tpb.social_norm_weight * norm
                 + tpb.control_weight * control)
    score = motivation if adaptation else intention
    return pmt.base_adoption_rate / (1.0 + np.exp(-(score - pmt.intention_threshold)
                                                   / pmt.intention_slope))
