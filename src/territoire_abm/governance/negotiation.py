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
from territoire_abm.governance.finance import debt_service_eur
from territoire_abm.governance.rules import TARGET_INDICATOR, weather_normalised
from territoire_abm.types import Commune

#: The groups that propose before the energy community recommends (residents, farmers,
#: businesses): each one's proposal adds a third of full support.
PROPOSING_GROUPS = 3
GROUP_WEIGHT = 1.0 / PROPOSING_GROUPS


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
    for role in ROLES[:PROPOSING_GROUPS]:
        decision = _ask(commune, controller, role, council_ids + community_ids, proposals, 0.0,
                        indicators)
        decisions[role] = decision
        for measure in decision.get("propose", []) or []:
            proposals[measure] = proposals.get(measure, 0.0) + GROUP_WEIGHT
    for measure, intensity in external_proposals.items():
        # A twin's working measure is a proposal on the table (seed 003), weighed as one
        # group's proposal times its intensity.
        proposals[measure] = proposals.get(measure, 0.0) + intensity / PROPOSING_GROUPS
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
    """Set this year's budget; return the yearly amount left for new commitments after the
    running costs of active measures and the service (interest and amortisation) of the debt.

    Capital is not paid from this amount in one year: it is borrowed over
    ``policy.loan_years`` (:func:`debt_service_eur`), and the council's rule checks the
    annuity against this amount and the loan against the borrowing room
    (:func:`borrowing_room_eur`).
    """
    state, policy = commune.council, commune.config.policy
    state.budget_eur = policy.budget_per_inhabitant_eur * commune.population
    committed = float(commune.council_portfolio.total(commune.year, commune.council_effects
                                                      .opex_eur_yr)[0])
    return max(0.0, state.budget_eur - committed - debt_service_eur(state.debt_eur, policy))


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
    """Fund adopted measures through the coordination mix; update the fund, budget and debt.

    Voluntary contributions go to a pooled fund that carries over from year to year; the
    reciprocity share of this year's capital is drawn from it, and what the fund lacks is
    advanced by the commune and repaid by later contributions (not a broken promise). State
    and Region grants pay ``policy.cofunding_share`` of municipal capital; the commune
    borrows its share over ``policy.loan_years``. Running costs, relief and debt service
    come from the yearly budget; when they would push the debt over its ceiling, the council
    stops its most expensive running measures (:func:`_enforce_ceiling`).
    """
    policy = commune.config.policy
    mix = coordination_effects(policy.coordination, policy.coordination_effects)
    state, year = commune.council, commune.year
    c_eff, k_eff = commune.council_effects, commune.community_effects
    adopt = np.array([m in council.get("adopt", []) for m in c_eff.ids])[None, :]
    invest = np.array([m in community.get("invest", []) for m in k_eff.ids])[None, :]
    council_capex = float((adopt * c_eff.capex_eur).sum())
    capex = council_capex + float((invest * k_eff.capex_eur).sum())
    cofunding = policy.cofunding_share * council_capex
    own_capex = capex - cofunding
    reciprocity_due = mix.contribution_share * own_capex
    shortfall = _draw_fund(state, contribution_eur, reciprocity_due)
    tariff_eur = mix.tariff_share * own_capex
    borrowed = mix.budget_share * own_capex + shortfall
    online = np.where(adopt, np.maximum(1, c_eff.lead_time_yr)[None, :], 0)
    if shortfall > policy.council.delay_shortfall_share * max(reciprocity_due, 1.0):
        online = np.where(adopt, online + 1, online)  # short of money: a year's delay
    commune.council_portfolio.adopt(adopt, year, online, np.broadcast_to(c_eff.lifetime_yr,
                                                                         adopt.shape))
    commune.community_portfolio.adopt(invest, year, np.where(invest, np.maximum(
        1, k_eff.lead_time_yr)[None, :], 0), np.broadcast_to(k_eff.lifetime_yr, invest.shape))
    _record_baselines(commune, council, indicators)
    dropped = [m for m in council.get("drop", []) if m in c_eff.ids]
    for measure in dropped:
        state.failed[measure] = year
    commune.council_portfolio.drop(np.array([m in dropped for m in c_eff.ids])[None, :], year)
    service = debt_service_eur(state.debt_eur, policy)
    amortised = state.debt_eur / policy.loan_years
    state.debt_eur += borrowed
    cut = _enforce_ceiling(commune, service)
    opex = float(commune.council_portfolio.total(year, c_eff.opex_eur_yr)[0])
    ceiling = policy.max_debt_per_inhabitant_eur * commune.population
    room = max(0.0, ceiling - state.debt_eur) + state.budget_eur - opex - service
    relief = min(relief_eur(commune), max(0.0, room))  # relief too stays under the ceiling
    balance = state.budget_eur - opex - relief - service
    state.debt_eur = max(0.0, state.debt_eur - amortised - balance)
    state.spent_eur = borrowed + opex + relief
    state.preparedness_eur += borrowed + opex
    state.relief_eur += relief
    kept = len(council.get("adopt", []))
    broken = len(dropped) + len(cut)
    state.promises_kept += kept
    state.promises_broken += broken
    summary = {
        "council_adopted": len(council.get("adopt", [])),
        "council_dropped": len(dropped),
        "council_cut_for_debt": len(cut),
        "community_invested": len(community.get("invest", [])),
        "capex_collective_eur": capex,
        "cofunding_eur": cofunding,
        "contributions_eur": contribution_eur,
        "fund_balance_eur": state.fund_eur,
        "tariff_surcharge_eur": tariff_eur,
        "budget_spent_eur": state.spent_eur,
        "debt_service_eur": service,
        "relief_eur": relief,
        "subsidies_eur": subsidies_eur,  # national schemes (MaPrimeRénov'), not the commune's
        "funding_shortfall_eur": shortfall,
    }
    return Outcome(summary=summary, kept=kept, broken=broken, tariff_eur=tariff_eur)


def _draw_fund(state: Any, contribution_eur: float, due_eur: float) -> float:
    """Pool this year's contributions, repay earlier advances, pay ``due_eur``; return the
    part of it the fund could not pay (advanced by the commune, to be repaid later)."""
    state.fund_eur += contribution_eur
    repaid = min(state.fund_eur, state.fund_arrears_eur)
    state.fund_eur -= repaid
    state.fund_arrears_eur -= repaid
    state.debt_eur = max(0.0, state.debt_eur - repaid)
    paid = min(state.fund_eur, due_eur)
    state.fund_eur -= paid
    shortfall = due_eur - paid
    state.fund_arrears_eur += shortfall
    return shortfall


def _enforce_ceiling(commune: Commune, service_eur: float) -> list[str]:
    """Stop running measures, most expensive first, while the year's running costs would
    take the debt over its ceiling; return the measures stopped."""
    policy, state, year = commune.config.policy, commune.council, commune.year
    c_eff, portfolio = commune.council_effects, commune.council_portfolio
    ceiling = policy.max_debt_per_inhabitant_eur * commune.population
    cut: list[str] = []
    active = portfolio.active(year)[0] & (c_eff.opex_eur_yr > 0)
    for column in np.argsort(-c_eff.opex_eur_yr):
        opex = float(portfolio.total(year, c_eff.opex_eur_yr)[0])
        deficit = opex + service_eur - state.budget_eur
        if state.debt_eur + max(0.0, deficit) <= ceiling + 1e-6:
            break
        if not active[column]:
            continue
        mask = np.zeros_like(active)[None, :]
        mask[0, column] = True
        portfolio.drop(mask, year)
        cut.append(c_eff.ids[column])
    return cut


def _record_baselines(commune: Commune, council: dict, indicators: Mapping[str, float]) -> None:
    """Each adopted measure's target indicator now, to judge the trial later."""
    c_eff = commune.council_effects
    for measure in council.get("adopt", []):
        theme = c_eff.themes[c_eff.ids.index(measure)]
        key = TARGET_INDICATOR.get(theme)
        value = weather_normalised(indicators, key) if key is not None else None
        if value is not None:
            commune.council.baselines[measure] = value


def relief_eur(commune: Commune) -> float:
    """Reactive and public-sentiment councils spend on relief after an event (Healy &
    Malhotra 2009): ``policy.council.relief_eur_per_inhabitant`` per event."""
    if commune.council.archetype not in ("reactive", "public_sentiment"):
        return 0.0
    per_inhabitant = commune.config.policy.council.relief_eur_per_inhabitant
    return per_inhabitant * commune.population * sum(bool(v) for v in commune.events.values())
