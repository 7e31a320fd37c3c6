"""The yearly negotiation: community membership, proposals, the council's decision, cost
sharing and contributions (DESIGN.md step 8; seed 000).

Cost sharing follows the three coordination modes of seed 000, whose mix is a parameter and
whose effects are mapped in one place (:mod:`territoire_abm.governance.coordination`):
- reciprocity: voluntary contributions of conditional co-operators (Fischbacher, Gächter &
  Fehr 2001, Economics Letters 71: about half of people contribute if others do);
- exchange: users pay through tariffs (a surcharge on the electricity bill);
- authority: the municipal budget pays (taxes), and rules bind (rental retrofit mandate).

The phase sees the commune's narrow state (:class:`~territoire_abm.types.Commune`), never the
model. Trust and elections are separate steps of the year, after it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from territoire_abm.agents.arrays import FirmArrays, HouseholdArrays
from territoire_abm.agents.institutions import CommunityState
from territoire_abm.config.params import CommunityConfig, CooperationConfig
from territoire_abm.governance import plans
from territoire_abm.governance.controllers import ROLES, Controller, Situation, check_decision
from territoire_abm.governance.coordination import coordination_effects
from territoire_abm.governance.rules import TARGET_INDICATOR
from territoire_abm.types import Commune

GROUP_WEIGHT = 1.0 / 3.0  # each of the three groups' proposals adds a third of full support


@dataclass
class Outcome:
    """What the negotiation decided and paid this year."""

    decisions: dict[str, dict] = field(default_factory=dict)
    dispatch_mode: str | None = None
    summary: dict[str, Any] = field(default_factory=dict)  # fields of the indicator record
    kept: int = 0  # promises kept this year (adopted measures funded)
    broken: int = 0  # promises broken (dropped measures, funding shortfall)
    tariff_eur: float = 0.0  # collective capex added to users' bills (exchange mode)


def negotiate(commune: Commune, controller: Controller, firms: FirmArrays,
              indicators: Mapping[str, float], external_proposals: Mapping[str, float],
              last_cooperation_rate: float | None, rng: np.random.Generator,
              subsidies_eur: float = 0.0) -> Outcome:
    """Ask every role, then fund and record what was decided (``subsidies_eur``: national
    subsidies paid on this year's household adoptions, reported with the funding)."""
    decisions = ask_roles(commune, controller, dict(indicators), external_proposals)
    contribution = contributions(commune.households, firms, decisions,
                                 commune.config.behaviour.cooperation, last_cooperation_rate,
                                 rng)
    community = plans.merge_community(decisions["energy_community"], decisions["council"])
    outcome = implement(commune, decisions["council"], community, contribution, indicators,
                        subsidies_eur)
    outcome.decisions = decisions
    outcome.dispatch_mode = decisions["energy_community"].get("mode")
    return outcome


def ask_roles(commune: Commune, controller: Controller, indicators: dict[str, float],
              external_proposals: Mapping[str, float]) -> dict[str, dict]:
    """The groups propose, the community recommends, the council decides within budget."""
    council_ids = tuple(commune.council_effects.ids)
    community_ids = tuple(commune.community_effects.ids)
    decisions: dict[str, dict] = {}
    proposals: dict[str, float] = {}
    for role in ROLES[:3]:
        decision = _ask(commune, controller, role, council_ids + community_ids, proposals, 0.0,
                        indicators)
        decisions[role] = decision
        for measure in decision.get("propose", []) or []:
            proposals[measure] = proposals.get(measure, 0.0) + GROUP_WEIGHT
    for measure, intensity in external_proposals.items():
        # A twin's working measure is a proposal on the table (seed 003).
        proposals[measure] = proposals.get(measure, 0.0) + intensity / 3.0
    community = _ask(commune, controller, "energy_community", community_ids + council_ids,
                     proposals, 0.0, indicators)
    decisions["energy_community"] = community
    for measure in community.get("recommend", []) or []:
        proposals[measure] = proposals.get(measure, 0.0) + GROUP_WEIGHT
    budget = available_budget(commune)
    decisions["council"] = _ask(commune, controller, "council", council_ids, proposals, budget,
                                indicators)
    return decisions


def _ask(commune: Commune, controller: Controller, role: str, options: tuple[str, ...],
         proposals: dict[str, float], budget: float, indicators: dict[str, float]) -> dict:
    situation = Situation(year=commune.year, role=role, options=options,
                          proposals=dict(proposals), budget_eur=budget, indicators=indicators)
    return check_decision(situation, controller.decide(situation, commune))


def available_budget(commune: Commune) -> float:
    """Set this year's budget; return what is left after running costs and interest, plus a
    share of the remaining borrowing room (debt stays under its ceiling)."""
    state, policy = commune.council, commune.config.policy
    population = commune.population
    state.budget_eur = policy.budget_per_inhabitant_eur * population
    committed = float(commune.council_portfolio.total(commune.year, commune.council_effects
                                                      .opex_eur_yr)[0])
    free = state.budget_eur - committed - policy.debt_interest_rate * state.debt_eur
    room = max(0.0, policy.max_debt_per_inhabitant_eur * population - state.debt_eur)
    return max(0.0, free + policy.yearly_borrowing_share * room)


def community_membership(hh: HouseholdArrays, firms: FirmArrays, community: CommunityState,
                         network_matrix: Any, settings: CommunityConfig, year: int,
                         rng: np.random.Generator) -> None:
    """Leaders recruit prosocial, trusting neighbours; members drop out (Ghorbani 2020)."""
    near_leader = network_matrix @ hh.leader.astype(float) > 0
    joins = (~hh.member & (hh.prosocial | hh.leader) & (near_leader | hh.leader)
             & (hh.trust > settings.join_trust_threshold)
             & (rng.random(len(hh)) < settings.join_rate))
    leaves = hh.member & ~hh.leader & (rng.random(len(hh)) < settings.dropout_rate
                                       * (settings.dropout_satisfaction_offset
                                          - hh.satisfaction))
    hh.member = (hh.member | joins) & ~leaves
    joining = rng.random(len(firms)) < settings.join_rate  # drawn every year (same stream use)
    if community.formed:
        firms.member |= firms.prosocial & joining
    community.members = int(hh.member.sum() + firms.member.sum())
    if not community.formed and hh.leader.any() and community.members >= settings.min_members:
        community.formed, community.formed_year = True, year


def contributions(hh: HouseholdArrays, firms: FirmArrays, decisions: Mapping[str, dict],
                  settings: CooperationConfig, last_rate: float | None,
                  rng: np.random.Generator) -> float:
    """Voluntary contributions this year (reciprocity), EUR; sets who contributed.

    Prosocial households contribute; conditional co-operators do when last year's cooperation
    rate and their trust are high enough (Fischbacher et al. 2001). A ``contribute`` share in
    the residents' or businesses' decision replaces the behavioural rule.
    """
    last_rate = settings.initial_cooperation_rate if last_rate is None else last_rate
    conditional = rng.random(len(hh)) < settings.conditional_share
    residents_share = decisions["residents"].get("contribute")
    willing = hh.prosocial | (conditional & (last_rate >= settings.cooperation_threshold)
                              & (hh.trust >= settings.trust_threshold))
    household_draw, firm_draw = rng.random(len(hh)), rng.random(len(firms))
    if residents_share is not None:
        willing = household_draw < residents_share
    hh.contributes = willing & (hh.income_eur > settings.min_income_eur)
    firm_share = decisions["businesses"].get("contribute")
    firm_willing = firms.prosocial | (rng.random(len(firms)) < settings.firm_rate * last_rate
                                      / settings.initial_cooperation_rate)
    if firm_share is not None:
        firm_willing = firm_draw < firm_share
    firms.contributes = firm_willing
    return float(hh.contributes.sum() * settings.household_contribution_eur
                 + firms.contributes.sum() * settings.firm_contribution_eur)


def implement(commune: Commune, council: dict, community: dict, contribution_eur: float,
              indicators: Mapping[str, float], subsidies_eur: float = 0.0) -> Outcome:
    """Fund adopted measures through the coordination mix; update budget and debt."""
    policy = commune.config.policy
    mix = coordination_effects(policy.coordination, policy.coordination_effects)
    state, year = commune.council, commune.year
    c_eff, k_eff = commune.council_effects, commune.community_effects
    adopt = np.array([m in council.get("adopt", []) for m in c_eff.ids])[None, :]
    invest = np.array([m in community.get("invest", []) for m in k_eff.ids])[None, :]
    capex = float((adopt * c_eff.capex_eur).sum() + (invest * k_eff.capex_eur).sum())
    reciprocity_due = mix.contribution_share * capex
    shortfall = max(0.0, reciprocity_due - contribution_eur)
    tariff_eur = mix.tariff_share * capex
    budget_paid = mix.budget_share * capex + shortfall
    online = np.where(adopt, np.maximum(1, c_eff.lead_time_yr)[None, :], 0)
    if shortfall > policy.council.delay_shortfall_share * max(reciprocity_due, 1.0):
        online = np.where(adopt, online + 1, online)  # short of money: a year's delay
    commune.council_portfolio.adopt(adopt, year, online, np.broadcast_to(c_eff.lifetime_yr,
                                                                         adopt.shape))
    commune.community_portfolio.adopt(invest, year, np.where(invest, np.maximum(
        1, k_eff.lead_time_yr)[None, :], 0), np.broadcast_to(k_eff.lifetime_yr, invest.shape))
    _record_baselines(commune, council, indicators)
    dropped = [m for m in council.get("drop", []) if m in c_eff.ids]
    drop_mask = np.array([m in dropped for m in c_eff.ids])[None, :]
    commune.council_portfolio.drop(drop_mask, year)
    opex = float(commune.council_portfolio.total(year, c_eff.opex_eur_yr)[0])
    relief = relief_eur(commune)
    spent = budget_paid + opex + relief
    interest = policy.debt_interest_rate * state.debt_eur
    balance = state.budget_eur - spent - interest
    state.debt_eur = max(0.0, state.debt_eur - balance)
    state.spent_eur = spent
    state.preparedness_eur += budget_paid + opex
    state.relief_eur += relief
    kept = len(council.get("adopt", [])) - (1 if shortfall > 0 else 0)
    broken = len(dropped) + (1 if shortfall > 0 else 0)
    state.promises_kept += max(0, kept)
    state.promises_broken += broken
    summary = {
        "council_adopted": len(council.get("adopt", [])),
        "council_dropped": len(dropped),
        "community_invested": len(community.get("invest", [])),
        "capex_collective_eur": capex,
        "contributions_eur": contribution_eur,
        "tariff_surcharge_eur": tariff_eur,
        "budget_spent_eur": spent,
        "relief_eur": relief,
        "subsidies_eur": subsidies_eur,  # national schemes (MaPrimeRénov'), not the commune's
        "funding_shortfall_eur": shortfall,
    }
    return Outcome(summary=summary, kept=kept, broken=broken, tariff_eur=tariff_eur)


def _record_baselines(commune: Commune, council: dict, indicators: Mapping[str, float]) -> None:
    """Each adopted measure's target indicator now, to judge the trial later."""
    c_eff = commune.council_effects
    for measure in council.get("adopt", []):
        theme = c_eff.themes[c_eff.ids.index(measure)]
        key = TARGET_INDICATOR.get(theme)
        if key is not None and key in indicators:
            commune.council.baselines[measure] = indicators[key]


def relief_eur(commune: Commune) -> float:
    """Reactive and public-sentiment councils spend on relief after an event (Healy &
    Malhotra 2009): ``policy.council.relief_eur_per_inhabitant`` per event."""
    if commune.council.archetype not in ("reactive", "public_sentiment"):
        return 0.0
    per_inhabitant = commune.config.policy.council.relief_eur_per_inhabitant
    return per_inhabitant * commune.population * sum(bool(v) for v in commune.events.values())
