"""Known answers of the yearly phases on narrow state (negotiation, rules, elections,
adoption, accounts), and the vectorised adoption rule against its one-household twin."""

from __future__ import annotations

import copy
import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from territoire_abm.agents import adoption
from territoire_abm.agents.behaviour import DecisionInputs, adoption_probability, decide_one
from territoire_abm.config.params import ARCHETYPES, BehaviourConfig
from territoire_abm.config.validate import model_config
from territoire_abm.governance import elections, negotiation, rules
from territoire_abm.governance.controllers import Situation
from territoire_abm.indicators import accounts
from territoire_abm.territory import year as year_steps
from territoire_abm.territory.model import TerritoryModel
from territoire_abm.types import Impacts

TINY = {"households": 40, "farms": 2, "industry_firms": 1, "service_firms": 3}


@pytest.fixture
def model():
    """A tiny territory after one simulated year (so energy and records exist)."""
    m = TerritoryModel(model_config({"territory": TINY, "seed": 3, "until": 2025}))
    m.step()
    return m


def _commune(model, **config_sections):
    commune = year_steps.commune_state(model, model.year)
    if config_sections:
        data = model.resolved_config()
        for section, values in config_sections.items():
            data[section] = {**data[section], **values}
        commune = dataclasses.replace(commune, config=model_config(data))
    return commune


def _impacts(n: int, heat: float = 0.0) -> Impacts:
    return Impacts(0.0, np.full(n, heat), 1.0, 0.0, 0.0, {"households_outdoor": 0.0})


# --------------------------------------------------------------------------- negotiation
def test_available_budget_is_budget_minus_running_costs_and_debt_service(model):
    commune = _commune(model)
    commune.council.debt_eur = 10_000.0
    policy, population = commune.config.policy, commune.population
    committed = float(commune.council_portfolio.total(commune.year, commune.council_effects
                                                      .opex_eur_yr)[0])
    service = 10_000.0 * (policy.debt_interest_rate + 1.0 / policy.loan_years)
    expected = max(0.0, policy.budget_per_inhabitant_eur * population - committed - service)
    assert negotiation.available_budget(commune) == pytest.approx(expected)
    assert commune.council.budget_eur == policy.budget_per_inhabitant_eur * population


def test_contribution_shares_from_the_groups_replace_the_rule(model):
    hh, firms = model.households, model.firms
    settings_ = model.config.behaviour.cooperation
    decisions = {"residents": {"contribute": 1.0}, "businesses": {"contribute": 0.0}}
    total = negotiation.contributions(hh, firms, decisions, settings_, 0.3,
                                      np.random.default_rng(0))
    payers = hh.income_eur > settings_.min_income_eur
    assert (hh.contributes == payers).all() and not firms.contributes.any()
    assert total == payers.sum() * settings_.household_contribution_eur


@pytest.mark.parametrize("mix, tariff, budget", [
    ({"reciprocity": 0.0, "exchange": 1.0, "authority": 0.0}, 1.0, 0.0),
    ({"reciprocity": 0.0, "exchange": 0.0, "authority": 1.0}, 0.0, 1.0),
    ({"reciprocity": 0.0, "exchange": 0.25, "authority": 0.75}, 0.25, 0.75),
])
def test_collective_capex_is_split_by_the_coordination_mix(model, mix, tariff, budget):
    commune = _commune(model, policy={**model.resolved_config()["policy"], "coordination": mix})
    commune.council.debt_eur = 0.0
    commune.council.budget_eur = 0.0
    measure = "heat_wave_plan"
    capex = float(commune.council_effects.capex_eur[commune.council_effects.index(measure)])
    outcome = negotiation.implement(commune, {"adopt": [measure], "drop": []},
                                    {"invest": []}, 0.0, {})
    own_capex = capex * (1.0 - commune.config.policy.cofunding_share)  # grants pay the rest
    assert outcome.summary["cofunding_eur"] == pytest.approx(capex - own_capex)
    assert outcome.tariff_eur == pytest.approx(tariff * own_capex)
    assert outcome.summary["capex_collective_eur"] == pytest.approx(capex)
    opex = float(commune.council_portfolio.total(commune.year,
                                                 commune.council_effects.opex_eur_yr)[0])
    assert outcome.summary["budget_spent_eur"] == pytest.approx(
        budget * own_capex + opex + outcome.summary["relief_eur"])
    assert (outcome.kept, outcome.broken) == (1, 0)
    assert commune.council_portfolio.holds(commune.year)[0, commune.council_effects
                                                        .index(measure)]


def test_relief_is_per_inhabitant_per_event_for_reacting_councils(model):
    commune = dataclasses.replace(_commune(model), events={"heat": True, "drought": True})
    per = commune.config.policy.council.relief_eur_per_inhabitant
    commune.council.archetype = "reactive"
    assert negotiation.relief_eur(commune) == pytest.approx(per * commune.population * 2)
    commune.council.archetype = "cost_benefit"
    assert negotiation.relief_eur(commune) == 0.0


# --------------------------------------------------------------------------- rules
def test_farmers_propose_water_measures_only_when_pressed(model):
    commune = _commune(model)
    options = tuple(commune.council_effects.ids)
    pressed = Situation(2026, "farmers", options,
                        indicators={"unmet_water_share_agriculture": 0.2})
    calm = Situation(2026, "farmers", options, indicators={"unmet_water_share_agriculture": 0.0,
                                                           "crop_yield_factor": 1.0})
    water = {m for m, t in zip(commune.council_effects.ids, commune.council_effects.themes,
                               strict=True) if t in ("water", "extreme_events")}
    assert set(rules.farmers(pressed, commune)["propose"]) == water
    assert rules.farmers(calm, commune)["propose"] == []


def test_a_trial_is_dropped_when_its_indicator_worsened_beyond_the_tolerance(model):
    commune = _commune(model)
    effects = commune.council_effects
    measure = "heat_wave_plan"
    column = effects.index(measure)
    window = commune.config.policy.council.trial_window_years
    adopt = np.zeros((1, len(effects.ids)), dtype=bool)
    adopt[0, column] = True
    commune.council_portfolio.adopt(adopt, 2026, np.where(adopt, 1, 0),
                                    np.broadcast_to(effects.lifetime_yr, adopt.shape))
    commune.council.baselines[measure] = 1.0
    situation = Situation(2027 + window, "council", tuple(effects.ids))
    key = rules.TARGET_INDICATOR[effects.themes[column]]
    worse = dataclasses.replace(commune, records=[{key: 1.2}] * window)
    same = dataclasses.replace(commune, records=[{key: 1.05}] * window)
    assert rules.trial_and_error_drops(worse, situation) == [measure]
    assert rules.trial_and_error_drops(same, situation) == []


# --------------------------------------------------------------------------- elections
def test_voters_judge_the_term_through_a_logistic_of_their_utility(model):
    """Unchanged satisfaction and neutral trust leave only the incumbency advantage; a
    satisfaction gain over the term adds its weight (retrospective voting)."""
    commune = _commune(model)
    hh, n = commune.households, len(commune.households)
    voting = commune.config.behaviour.voting
    commune.council.relief_eur = commune.council.preparedness_eur = 0.0
    commune.council.term_satisfaction = 0.5
    hh.satisfaction, hh.trust = np.full(n, 0.5), np.full(n, 0.5)

    def logistic(utility: float) -> float:
        return 1.0 / (1.0 + np.exp(-voting.slope * utility))

    assert elections.vote_share(commune, _impacts(n)) == pytest.approx(
        logistic(voting.incumbency_advantage))
    hh.satisfaction = np.full(n, 1.0)
    assert elections.vote_share(commune, _impacts(n)) == pytest.approx(
        logistic(voting.incumbency_advantage + voting.satisfaction_weight * 0.5))
    assert elections.vote_share(commune, _impacts(n), swing=-10.0) < 0.5


def test_a_defeated_council_is_replaced_by_another_archetype(model):
    commune = dataclasses.replace(_commune(model), year=2032)
    hh, n = commune.households, len(commune.households)
    hh.satisfaction, hh.trust = np.zeros(n), np.zeros(n)
    before = commune.council.archetype
    result = elections.maybe_hold(commune, _impacts(n, heat=50.0), np.random.default_rng(1))
    assert result["election"] == 1 and result["incumbent_vote_share"] < 0.5
    assert commune.council.archetype != before and commune.council.elections_lost == 1
    off = dataclasses.replace(commune, year=2033)
    assert elections.maybe_hold(off, _impacts(n), np.random.default_rng(1))["election"] == 0


def test_crises_favour_reactive_and_public_sentiment_challengers():
    rng = np.random.default_rng(0)
    draws = [elections.challenger("cost_benefit", True, 4.0, rng) for _ in range(3000)]
    counts = {a: draws.count(a) for a in ARCHETYPES}
    assert counts["cost_benefit"] == 0
    assert counts["reactive"] > 3 * counts["rule_following"]  # expected ratio 4


# --------------------------------------------------------------------------- adoption
def test_effective_subsidy_follows_the_income_bands_and_the_exchange_share(model):
    config = model.config
    adoption_cfg, policy = config.behaviour.adoption, config.policy
    reach = min(1.0, policy.coordination_effects.exchange_subsidy_gain
                * policy.coordination.exchange)
    income = np.array([adoption_cfg.modest_income_eur - 1, adoption_cfg.modest_income_eur])
    expected = np.array([adoption_cfg.modest_subsidy_multiplier,
                         adoption_cfg.other_subsidy_multiplier]) * policy.subsidy_rate * reach
    assert np.allclose(adoption.effective_subsidy(config, income), expected)


def test_households_never_adopt_what_they_are_not_eligible_for(model):
    households = year_steps.household_state(model)
    eligible = adoption.household_eligibility(households, model.config, model.year)
    result = adoption.households_decide(households, model.config, model.year,
                                        model.last_energy.households,
                                        np.random.default_rng(0), np.random.default_rng(1))
    mandate = households.effects.index(adoption.RETROFIT_ID)
    free_choice = np.delete(result.chosen, mandate, axis=1)
    assert not (free_choice & ~np.delete(eligible, mandate, axis=1)).any()
    assert result.investment_eur == pytest.approx(
        float(np.sum(result.chosen * households.effects.capex_eur[None, :])))


# --------------------------------------------------------------------------- accounts
def test_indicators_only_read_the_state(model):
    households, firms = year_steps.household_state(model), year_steps.firm_state(model)
    commune = _commune(model)
    before = copy.deepcopy((households.arrays.as_dict(), firms.arrays.as_dict(),
                            dataclasses.asdict(commune.council),
                            dataclasses.asdict(commune.community)))
    record = accounts.year_record(commune, households, firms, dict(model.last), {}, None)
    after = (households.arrays.as_dict(), firms.arrays.as_dict(),
             dataclasses.asdict(commune.council), dataclasses.asdict(commune.community))
    for old, new in zip(before[:2], after[:2], strict=True):
        assert all(np.array_equal(old[k], new[k]) for k in old)
    assert before[2:] == after[2:]
    assert record["trust_mean"] == pytest.approx(float(model.households.trust.mean()))
    assert record["community_members"] == float(commune.community.members)


# --------------------------------------------------------------------------- decide_one
@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_vectorised_rule_agrees_with_decide_one(seed):
    """The production rule (all households at once) equals the one-household rule."""
    rng = np.random.default_rng(seed)
    n, m = 7, 5
    inputs = DecisionInputs(
        threat=rng.random((n, m)), net_cost_eur=rng.uniform(0, 20000, (n, m)),
        annual_saving_eur=rng.uniform(-200, 2000, (n, m)),
        lifetime_yr=rng.uniform(1, 40, m), income_eur=rng.uniform(8000, 90000, n),
        owner=rng.random(n) < 0.6, prosocial=rng.random(n) < 0.4,
        neighbour_share=rng.random((n, m)), knowledge=rng.random(m) * 0.5,
        eligible=np.ones((n, m), dtype=bool), adaptation=rng.random(m) < 0.5)
    config, boost = BehaviourConfig(), float(rng.uniform(1, 2))
    # The descriptive norm of adaptation measures, off by default, on here half the time.
    weight = float(rng.uniform(0, 1)) if rng.random() < 0.5 else 0.0
    config = dataclasses.replace(config, pmt=dataclasses.replace(
        config.pmt, descriptive_norm_weight=weight))
    vectorised = adoption_probability(inputs, config, social_norm_boost=boost)
    for i in range(n):
        for j in range(m):
            one = decide_one(inputs.threat[i, j], inputs.net_cost_eur[i, j],
                             inputs.annual_saving_eur[i, j], inputs.lifetime_yr[j],
                             inputs.income_eur[i], bool(inputs.owner[i]),
                             bool(inputs.prosocial[i]), inputs.neighbour_share[i, j],
                             inputs.knowledge[j], bool(inputs.adaptation[j]), config, boost)
            assert abs(vectorised[i, j] - one) < 1e-9
