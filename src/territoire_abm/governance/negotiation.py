"""The yearly negotiation: adoptions, proposals, the council's decision, cost sharing,
contributions, trust and elections (DESIGN.md step 8; seed 000).

Cost sharing follows the three coordination modes of seed 000, whose mix is a parameter:
- reciprocity: voluntary contributions of conditional co-operators (Fischbacher, Gächter &
  Fehr 2001, Economics Letters 71: about half of people contribute if others do);
- exchange: users pay through tariffs (a surcharge on the water or electricity bill);
- authority: the municipal budget pays (taxes), and rules bind (rental retrofit mandate).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from territoire_abm.agents.adoption import firms_decide, households_decide
from territoire_abm.governance import elections
from territoire_abm.governance.controllers import ROLES, Situation, check_decision
from territoire_abm.governance.rules import TARGET_INDICATOR

if TYPE_CHECKING:
    from territoire_abm.territory.model import TerritoryModel

HOUSEHOLD_CONTRIBUTION_EUR = 30.0  # yearly voluntary contribution: estimate (unconfirmed)
FIRM_CONTRIBUTION_EUR = 300.0
DEBT_INTEREST = 0.03  # French communes' average borrowing rate 2024 (unconfirmed)
MEMBERSHIP_RATE = 0.15  # yearly joining probability near a leader: estimate (unconfirmed)


def negotiate(model: TerritoryModel, year: int, indices: dict[str, float],
              impacts: Any) -> dict[str, Any]:
    """Run this year's decisions; return a summary for the indicator record."""
    energy = model.last_energy
    households_decide(model, year, energy.households)
    firms_decide(model, year, energy.firm_fuel_kwh, energy.firm_electricity_kwh)
    _community_membership(model, year)
    indicators = dict(model.last_partial)
    decisions: dict[str, dict] = {}
    proposals: dict[str, float] = {}
    for role in ROLES[:3]:
        options = tuple(model.council_effects.ids) + tuple(model.community_effects.ids)
        decision = _ask(model, year, role, options, proposals, 0.0, indicators)
        decisions[role] = decision
        for measure in decision.get("propose", []) or []:
            proposals[measure] = proposals.get(measure, 0.0) + 1.0 / 3.0
    for measure, intensity in model.external_council_knowledge.items():
        # A twin's working measure is a proposal on the table (seed 003).
        proposals[measure] = proposals.get(measure, 0.0) + intensity / 3.0
    community = _ask(model, year, "energy_community", tuple(model.community_effects.ids)
                     + tuple(model.council_effects.ids),
                     proposals, 0.0, indicators)
    decisions["energy_community"] = community
    for measure in community.get("recommend", []) or []:
        proposals[measure] = proposals.get(measure, 0.0) + 1.0 / 3.0
    model.dispatch_mode = community.get("mode")
    budget = _available_budget(model)
    council = _ask(model, year, "council", tuple(model.council_effects.ids), proposals,
                   budget, indicators)
    decisions["council"] = council
    model.decision_log[year] = decisions
    contribution = _contributions(model, decisions)
    summary = _implement(model, year, council, community, contribution, indicators)
    summary.update(elections.maybe_hold(model, year, impacts))
    return summary


def _ask(model: TerritoryModel, year: int, role: str, options: tuple[str, ...],
         proposals: dict[str, float], budget: float, indicators: dict[str, float]) -> dict:
    situation = Situation(year=year, role=role, options=options, proposals=dict(proposals),
                          budget_eur=budget, indicators=indicators)
    return check_decision(situation, model.controller.decide(situation, model))


def _available_budget(model: TerritoryModel) -> float:
    """What is left of this year's budget after running costs and interest, plus a
    twentieth of the remaining borrowing room (debt stays under its ceiling)."""
    state, policy = model.council.state, model.config.policy
    population = model.population
    state.budget_eur = policy.budget_per_inhabitant_eur * population
    committed = float(model.council_portfolio.total(model.year, model.council_effects
                                                    .opex_eur_yr)[0])
    free = state.budget_eur - committed - DEBT_INTEREST * state.debt_eur
    room = max(0.0, policy.max_debt_per_inhabitant_eur * population - state.debt_eur)
    return max(0.0, free + 0.05 * room)


def _community_membership(model: TerritoryModel, year: int) -> None:
    """Leaders recruit prosocial, trusting neighbours; members drop out (Ghorbani 2020)."""
    hh, settings = model.households, model.config.behaviour.community
    rng = model.streams["governance"]
    near_leader = model.network_matrix @ hh.leader.astype(float) > 0
    joins = (~hh.member & (hh.prosocial | hh.leader) & (near_leader | hh.leader)
             & (hh.trust > 0.4) & (rng.random(len(hh)) < MEMBERSHIP_RATE))
    leaves = hh.member & ~hh.leader & (rng.random(len(hh)) < settings.dropout_rate
                                       * (1.5 - hh.satisfaction))
    hh.member = (hh.member | joins) & ~leaves
    state = model.community.state
    firms = model.firms
    joining = rng.random(len(firms)) < MEMBERSHIP_RATE  # drawn every year (same stream use)
    if state.formed:
        firms.member |= firms.prosocial & joining
    state.members = int(hh.member.sum() + firms.member.sum())
    if not state.formed and hh.leader.any() and state.members >= settings.min_members:
        state.formed, state.formed_year = True, year


def _contributions(model: TerritoryModel, decisions: dict[str, dict]) -> float:
    """Voluntary contributions this year (reciprocity), EUR; sets who contributed."""
    hh, firms = model.households, model.firms
    rng = model.streams["governance"]
    last_rate = model.last.get("cooperation_rate", 0.3)
    conditional = rng.random(len(hh)) < 0.5
    residents_share = decisions["residents"].get("contribute")
    willing = hh.prosocial | (conditional & (last_rate >= 0.3) & (hh.trust >= 0.45))
    household_draw, firm_draw = rng.random(len(hh)), rng.random(len(firms))
    if residents_share is not None:
        willing = household_draw < residents_share
    hh.contributes = willing & (hh.income_eur > 12000)
    firm_share = decisions["businesses"].get("contribute")
    firm_willing = firms.prosocial | (rng.random(len(firms)) < 0.3 * last_rate / 0.3)
    if firm_share is not None:
        firm_willing = firm_draw < firm_share
    firms.contributes = firm_willing
    return float(hh.contributes.sum() * HOUSEHOLD_CONTRIBUTION_EUR
                 + firms.contributes.sum() * FIRM_CONTRIBUTION_EUR)


def _implement(model: TerritoryModel, year: int, council: dict, community: dict,
               contribution_eur: float, indicators: dict[str, float]) -> dict[str, Any]:
    """Fund adopted measures through the coordination mix; update budget, debt and trust."""
    mix = model.config.policy.coordination
    state = model.council.state
    c_eff, k_eff = model.council_effects, model.community_effects
    adopt = np.array([m in council.get("adopt", []) for m in c_eff.ids])[None, :]
    invest = np.array([m in community.get("invest", []) for m in k_eff.ids])[None, :]
    capex = float((adopt * c_eff.capex_eur).sum() + (invest * k_eff.capex_eur).sum())
    reciprocity_due = mix.reciprocity * capex
    shortfall = max(0.0, reciprocity_due - contribution_eur)
    tariff_eur = mix.exchange * capex
    budget_paid = mix.authority * capex + shortfall
    online = np.where(adopt, np.maximum(1, c_eff.lead_time_yr)[None, :], 0)
    if shortfall > 0.5 * max(reciprocity_due, 1.0):
        online = np.where(adopt, online + 1, online)  # short of money: a year's delay
    model.council_portfolio.adopt(adopt, year, online, np.broadcast_to(c_eff.lifetime_yr,
                                                                       adopt.shape))
    model.community_portfolio.adopt(invest, year, np.where(invest, np.maximum(
        1, k_eff.lead_time_yr)[None, :], 0), np.broadcast_to(k_eff.lifetime_yr, invest.shape))
    for measure in council.get("adopt", []):
        theme = c_eff.themes[c_eff.ids.index(measure)]
        key = TARGET_INDICATOR.get(theme)
        if key is not None and key in indicators:
            state.baselines[measure] = indicators[key]
    dropped = [m for m in council.get("drop", []) if m in c_eff.ids]
    drop_mask = np.array([m in dropped for m in c_eff.ids])[None, :]
    model.council_portfolio.drop(drop_mask, year)
    opex = float(model.council_portfolio.total(year, c_eff.opex_eur_yr)[0])
    subsidies = model.subsidies_eur  # national schemes (MaPrimeRénov'), not the commune's
    relief = _relief(model, year)
    spent = budget_paid + opex + relief
    interest = DEBT_INTEREST * state.debt_eur
    balance = state.budget_eur - spent - interest
    state.debt_eur = max(0.0, state.debt_eur - balance)
    state.spent_eur = spent
    preparedness = budget_paid + opex
    state.preparedness_eur += preparedness
    state.relief_eur += relief
    kept = len(council.get("adopt", [])) - (1 if shortfall > 0 else 0)
    broken = len(dropped) + (1 if shortfall > 0 else 0)
    state.promises_kept += max(0, kept)
    state.promises_broken += broken
    _update_trust(model, kept, broken, tariff_eur)
    return {
        "council_adopted": len(council.get("adopt", [])),
        "council_dropped": len(dropped),
        "community_invested": len(community.get("invest", [])),
        "capex_collective_eur": capex,
        "contributions_eur": contribution_eur,
        "tariff_surcharge_eur": tariff_eur,
        "budget_spent_eur": spent,
        "relief_eur": relief,
        "subsidies_eur": subsidies,
        "funding_shortfall_eur": shortfall,
    }


def _relief(model: TerritoryModel, year: int) -> float:
    """Reactive and public-sentiment councils spend on relief after an event (Healy &
    Malhotra 2009): 5 EUR per inhabitant per event: estimate (unconfirmed)."""
    events = getattr(model, "events", {})
    if model.council.archetype not in ("reactive", "public_sentiment"):
        return 0.0
    return 5.0 * model.population * sum(bool(v) for v in events.values())


def _update_trust(model: TerritoryModel, kept: int, broken: int, tariff_eur: float) -> None:
    """Trust moves toward 1 when commitments are kept and toward 0 when broken (seed 000:
    actors must become predictable to one another)."""
    hh = model.households
    rate = model.config.behaviour.trust_learning_rate
    if kept + broken > 0:
        target = kept / (kept + broken)
        hh.trust += rate * (target - hh.trust)
    burden = tariff_eur / max(len(hh), 1) / np.maximum(hh.income_eur, 1.0)
    hh.trust = np.clip(hh.trust - 5.0 * burden, 0.0, 1.0)
    hh.trust = np.clip(0.9 * hh.trust + 0.1 * model.network.neighbour_mean(hh.trust), 0, 1)
