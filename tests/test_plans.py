"""Adaptive plans: parsing and validation, signposts and triggers, the council's decisions,
parameter changes in force at the right year, exact replays and saved state."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from territoire_abm.cli import main
from territoire_abm.config.validate import model_config
from territoire_abm.errors import UserError
from territoire_abm.governance import plans
from territoire_abm.governance.controllers import RecordedController
from territoire_abm.territory.model import TerritoryModel

SMALL = {"households": 150, "farms": 4, "industry_firms": 2, "service_firms": 6}
INDICATORS = {"unmet_water_share_agriculture", "restriction_days_crise", "warming_c",
              "self_sufficiency_rate", "debt_eur"}


def action(**overrides):
    base = {"id": "subsidies", "kind": "subsidy", "value": 0.6,
            "signpost": "unmet_water_share_agriculture", "threshold": 0.1}
    return {**base, **overrides}


def parse(*actions):
    return plans.parse_plan({"name": "t", "actions": list(actions)}, indicators=INDICATORS)


def run(plan: str | dict, until: int = 2040, seed: int = 2, controller=None,
        scenario: str = "ssp585") -> TerritoryModel:
    spec = {"name": plan} if isinstance(plan, str) else plan
    config = model_config({"territory": dict(SMALL), "seed": seed, "until": until,
                           "scenario": {"name": scenario}, "policy": {"plan": spec}})
    return TerritoryModel(config, controller=controller).simulate_until(until)


# --------------------------------------------------------------------------- validation
@pytest.mark.parametrize("bad, field, words", [
    (action(kind="measure", measure="moat"), "actions.subsidies.measure", "unknown action"),
    (action(kind="dig"), "actions.subsidies.kind", "allowed: measure"),
    (action(signpost="unmet_water"), "actions.subsidies.signpost", "unknown indicator"),
    (action(role="mayor"), "actions.subsidies.role", "unknown role"),
    (action(kind="community", measure="community_battery", role="council", threshold=2.0),
     "actions.subsidies.threshold", "trigger out of range"),
    (action(signpost="restriction_days_crise", threshold=400), "actions.subsidies.threshold",
     "trigger out of range"),
    (action(value=1.5), "actions.subsidies.value", "policy.subsidy_rate"),
    (action(kind="water_rule", parameter="policy.subsidy_rate"), "actions.subsidies.parameter",
     "one of"),
    (action(mean_years=0), "actions.subsidies.mean_years", "allowed range"),
    (action(lead_time_years=-1), "actions.subsidies.lead_time_years", "allowed range"),
    (action(after=["subsidies"]), "actions.subsidies.after", "cycle"),
    (action(after=["ghost"]), "actions.subsidies.after", "unknown action"),
    (action(colour="red"), "actions.subsidies.colour", "unknown key"),
])
def test_bad_plans_are_one_clear_error(bad, field, words):
    with pytest.raises(UserError) as error:
        parse(bad)
    assert error.value.field == f"policy.plan.{field}"
    assert words in str(error.value) and "\n" not in str(error.value)


def test_a_cycle_through_several_actions_is_named():
    a = action(id="a", after=["c"])
    b = action(id="b", after=["a"])
    c = action(id="c", after=["b"])
    with pytest.raises(UserError, match="cycle: a → c → b → a|cycle: .* → a"):
        parse(a, b, c)


def test_duplicate_ids_and_empty_plans_are_refused():
    with pytest.raises(UserError, match="distinct"):
        parse(action(), action())
    with pytest.raises(UserError, match="non-empty list"):
        plans.parse_plan({"name": "t", "actions": []}, indicators=INDICATORS)


def test_every_named_plan_is_valid_and_uses_real_indicators():
    names = plans.plan_names()
    assert {"water_saving", "water_adaptive", "energy_community"} <= set(names)
    for name in names:
        plan = plans.parse_plan(plans.load_plan_data(name))
        assert plan.actions and all(a.signpost.indicator in plans.known_indicators()
                                    for a in plan.actions)


def test_named_plan_and_thresholds_as_levers_in_the_config():
    config = model_config({"policy": {"plan": {"name": "water_adaptive",
                                               "thresholds": {"reservoirs": 0.2}}}})
    plan = plans.resolve_plan(config.policy.plan)
    assert plan.action("reservoirs").trigger.threshold == 0.2
    assert plan.action("saving_subsidies").trigger.threshold != 0.2
    with pytest.raises(UserError, match="policy.plan.thresholds.moat"):
        model_config({"policy": {"plan": {"name": "water_adaptive", "thresholds": {"moat": 1}}}})
    with pytest.raises(UserError, match="policy.plan.name"):
        model_config({"policy": {"plan": {"name": "no_such_plan"}}})
    assert plans.resolve_plan(model_config().policy.plan) is None


@pytest.mark.parametrize("override, field", [
    ("policy.plan.name=no_such_plan", "policy.plan.name"),
    ("+policy.plan.thresholds.moat=0.1", "policy.plan.thresholds.moat"),
])
def test_cli_bad_plan_is_one_line_and_exit_2(capsys, override, field):
    code = main(["policy.plan.name=water_saving", override, "until=2026", "quiet=true",
                 "territory.households=10"] if "thresholds" in override else
                [override, "until=2026", "quiet=true"])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.startswith(f"error: {field}: got") and "\n" not in err


# --------------------------------------------------------------------------- signposts
@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=12), st.integers(1, 6),
       st.booleans())
def test_signpost_is_the_moving_mean_of_the_last_known_years(values, k, current_known):
    history = [{"x": v} for v in values[:-1]]
    current = {"x": values[-1]} if current_known else {}
    known = values if current_known else values[:-1]
    got = plans.Signpost("x", k).value(history, current)
    if len(known) < k:
        assert got is None
    else:
        assert got == pytest.approx(float(np.mean(known[-k:])), abs=1e-9)


def test_trigger_directions_and_missing_values():
    assert plans.Trigger(0.1).fires(0.2) and not plans.Trigger(0.1).fires(0.1)
    assert plans.Trigger(0.3, "below").fires(0.2) and not plans.Trigger(0.3, "below").fires(0.4)
    assert not plans.Trigger(0.1).fires(None) and not plans.Trigger(0.1).fires(float("nan"))


# --------------------------------------------------------------------------- deciding
def _decide(plan, year, history, budget=1e9, held=()):
    return plans.council_plan(plan, year, history, {}, held,
                              {"treated_wastewater_reuse": 180_000.0}, budget)


def _after(history, year, entries):
    """The records the engine would write after a year whose council decided ``entries``."""
    log = {year: {"council": {"plan": entries}}}
    for record in history:
        for e in record.get("_entries", []):
            log.setdefault(record["year"], {"council": {"plan": []}})["council"]["plan"].append(e)
    fields = plans.record_fields(log, year)
    return {**history[-1], **fields, "year": year, "_entries": entries}


def test_actions_fire_in_order_after_their_predecessors_and_once():
    plan = parse(action(id="first", threshold=0.1),
                 action(id="second", kind="measure", measure="treated_wastewater_reuse",
                        threshold=0.2, after=["first"]))
    history = [{"year": 2029, "unmet_water_share_agriculture": 0.25}]
    d1 = _decide(plan, 2030, history)
    assert [e["action"] for e in d1.entries] == ["first", "second"]
    assert d1.adopt == ["treated_wastewater_reuse"] and d1.spent_eur == 180_000.0
    history.append(_after(history, 2030, d1.entries))
    assert history[-1]["plan_actions_mask"] == 3 and history[-1]["plan_actions_taken"] == 2
    assert _decide(plan, 2031, history).entries == []  # taken once
    blocked = parse(action(id="first", threshold=0.5),
                    action(id="second", threshold=0.2, after=["first"]))
    assert _decide(blocked, 2030, history[:1]).entries == []  # waits for its predecessor


def test_over_budget_action_is_deferred_once_then_taken_when_affordable():
    plan = parse(action(id="reuse", kind="measure", measure="treated_wastewater_reuse",
                        threshold=0.1))
    history = [{"year": 2029, "unmet_water_share_agriculture": 0.3}]
    d = _decide(plan, 2030, history, budget=50_000)
    assert d.entries[0]["status"] == "deferred" and "over budget" in d.entries[0]["why"]
    assert d.adopt == [] and d.spent_eur == 0
    history.append({**_after(history, 2030, d.entries), "unmet_water_share_agriculture": 0.0})
    assert history[-1]["plan_actions_armed"] == 1 and history[-1]["plan_actions_mask"] == 0
    assert _decide(plan, 2031, history, budget=50_000).entries == []  # armed: silent retry
    d = _decide(plan, 2031, history, budget=500_000)  # no need to cross the trigger again
    assert d.entries[0]["status"] == "applied" and "armed in 2030" in d.entries[0]["why"]


def test_parameter_changes_come_into_force_after_the_lead_time():
    log = {2030: {"council": {"plan": [{"action": "a", "kind": "subsidy", "status": "applied",
                                        "target": "policy.subsidy_rate", "value": 0.6,
                                        "effective": 2033}]}}}
    assert plans.parameter_changes(log, 2032) == {}
    assert plans.parameter_changes(log, 2033) == {"policy.subsidy_rate": 0.6}


# --------------------------------------------------------------------------- in a run
@pytest.fixture(scope="module")
def adaptive() -> TerritoryModel:
    return run("water_adaptive", until=2040)


def test_a_plan_changes_the_run_and_the_log_says_when_and_why(adaptive):
    entries = [(year, e) for year, d in adaptive.decision_log.items()
               for e in d["council"].get("plan", [])]
    assert entries, "some trigger fired under SSP5-8.5"
    for year, e in entries:
        assert e["why"] and e["effective"] > year
        if e["status"] == "applied" and "armed" not in e["why"]:
            above = e["signpost_value"] > e["threshold"]
            assert above == (e["direction"] == "above")
    subsidy = [(y, e) for y, e in entries if e["action"] == "saving_subsidies"]
    if subsidy:
        assert adaptive.config.policy.subsidy_rate == 0.6
    baseline = run("none", until=2040)
    assert not baseline.indicators().equals(adaptive.indicators())
    assert baseline.config.policy.subsidy_rate == 0.3


def test_plan_measures_are_adopted_by_the_council(adaptive):
    adopted = [e["target"] for d in adaptive.decision_log.values()
               for e in d["council"].get("plan", [])
               if e["status"] == "applied" and e["kind"] == "measure"]
    for measure in adopted:
        assert any(measure in d["council"]["adopt"] for d in adaptive.decision_log.values())


def test_replay_of_a_planned_run_is_exact_even_without_the_plan(adaptive):
    log = json.loads(json.dumps(adaptive.decision_log))
    for plan in ("water_adaptive", "none"):
        replay = run(plan, until=2040, controller=RecordedController(log))
        pd.testing.assert_frame_equal(adaptive.indicators(), replay.indicators(),
                                      check_exact=True)


def test_saved_state_mid_plan_continues_identically():
    first = run("water_adaptive", until=2031)
    restored = TerritoryModel.from_state(first.get_state())
    first.simulate_until(2038)
    restored.simulate_until(2038)
    pd.testing.assert_frame_equal(first.indicators(), restored.indicators(), check_exact=True)


def test_community_investment_from_the_council_plan():
    model = run("energy_community", until=2030)
    invested = [e for d in model.decision_log.values() for e in d["council"].get("plan", [])
                if e["kind"] == "community" and e["status"] == "applied"]
    assert invested, "self-sufficiency starts far below 30 %"
    held = model.community_portfolio.holds(model.year)[0]
    for e in invested:
        assert held[model.community_effects.index(e["target"])]


def test_shipped_indicator_names_are_those_of_a_run():
    """data/indicator_names.txt is current (python -m territoire_abm.territory.indicator_names)."""
    from territoire_abm.territory.indicator_names import indicator_names_of_a_run

    assert plans.known_indicators() == frozenset(indicator_names_of_a_run())


def test_plan_investments_are_financed_as_an_annuity_like_the_councils_own():
    """A plan's measure costs the year's budget the annuity of the commune's loan plus its
    running cost (it used to take the whole capital, leaving the council nothing that year)."""
    from territoire_abm.governance import rules
    from territoire_abm.governance.controllers import Situation
    from territoire_abm.governance.finance import annuity_factor
    from territoire_abm.run import build_config
    from territoire_abm.territory.year import commune_state

    reuse = action(id="reuse", kind="measure", measure="treated_wastewater_reuse", threshold=0.1)
    config = build_config({"territory.households": 300, "policy.plan.name": "none",
                           "policy.plan.actions": [reuse]}, 0)
    model = TerritoryModel(config)
    commune = commune_state(model, 2026)
    commune.records.append({"year": 2025, "unmet_water_share_agriculture": 0.3})
    policy, effects = config.policy, commune.council_effects
    column = effects.index("treated_wastewater_reuse")
    loan = effects.capex_eur[column] * (1.0 - policy.cofunding_share)
    yearly = loan * annuity_factor(policy.debt_interest_rate, policy.loan_years) \
        + effects.opex_eur_yr[column]
    assert yearly < effects.capex_eur[column] / 5
    situation = Situation(year=2026, role="council", options=tuple(effects.ids), proposals={},
                          budget_eur=yearly + 1.0, indicators={})
    planned = plans.plan_for_council(commune, situation)
    assert planned.adopt == ["treated_wastewater_reuse"]
    assert planned.spent_eur == pytest.approx(yearly)
    assert planned.borrowed_eur == pytest.approx(loan)
    decision = rules.council(situation, commune)
    assert "treated_wastewater_reuse" in decision["adopt"]
    # Short of its yearly cost, the action waits (deferred), however large the debt room.
    short = plans.plan_for_council(commune, Situation(
        year=2026, role="council", options=tuple(effects.ids), proposals={},
        budget_eur=yearly - 1.0, indicators={}))
    assert short.adopt == [] and short.entries[0]["status"] == "deferred"
