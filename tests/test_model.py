"""Tests of the territory model: Mesa agents over arrays, yearly indicators, determinism,
common random numbers for the weather, climate trends, controllers and the pure run."""

from __future__ import annotations

import concurrent.futures
import json
import multiprocessing

import mesa
import numpy as np
import pandas as pd
import pytest

from territoire_abm.agents.household import FirmAgent, HouseholdAgent
from territoire_abm.config.params import ENERGY_CLASSES, HEATING_SYSTEMS
from territoire_abm.config.validate import model_config
from territoire_abm.errors import UserError
from territoire_abm.governance.controllers import (
    ROLES,
    BehaviouralController,
    QueueController,
    RecordedController,
    Situation,
    check_decision,
)
from territoire_abm.run import DEFAULT_OUTCOMES, RunResult, simulate
from territoire_abm.territory.model import TerritoryModel

SMALL = {"households": 200, "farms": 4, "industry_firms": 2, "service_firms": 8}
SMALL_DOTTED = {f"territory.{key}": value for key, value in SMALL.items()}
CLIMATE_COLUMNS = ["warming_c", "tmean_c", "heat_wave_days", "hot_days_30", "hot_days_35",
                   "tropical_nights", "hdd", "cdd", "precip_mm", "drought_index",
                   "longest_dry_spell_days", "frost_days", "natural_low_flow_vcn10_m3s",
                   "natural_flow_jja_m3s", "pet_mm"]
# Gauge flow and restriction days respond to withdrawals, hence to levers (flows/basin.py).
KEY_COLUMNS = [*CLIMATE_COLUMNS, *DEFAULT_OUTCOMES, "energy_balance_residual_kwh",
               "water_balance_residual_m3", "population", "eges_t", "pv_kwp",
               "import_kwh", "water_demand_m3", "water_withdrawn_m3"]


def small_model(seed: int = 0, until: int = 2032, controller=None, **sections) -> TerritoryModel:
    """A 200-household territory run to ``until``; ``sections`` are nested config overrides."""
    data = {"territory": dict(SMALL), "seed": seed}
    for key, value in sections.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    model = TerritoryModel(model_config(data), controller=controller)
    model.simulate_until(until)
    return model


@pytest.fixture(scope="module")
def baseline() -> TerritoryModel:
    return small_model(seed=1, until=2034)


# --------------------------------------------------------------------------- building
def test_model_builds_with_its_populations():
    model = TerritoryModel(model_config({"territory": SMALL, "seed": 4}))
    assert isinstance(model, mesa.Model)
    assert model.year == 2025
    assert len(model.households) == 200 == len(model.household_agents)
    assert len(model.firms) == 14 == len(model.firm_agents)
    assert model.indicators().empty
    assert model.population == pytest.approx(float(model.households.persons.sum()))
    assert model.population > 200  # persons per household >= 1, most more


def test_model_accepts_plain_nested_data_and_validates_it():
    model = TerritoryModel({"territory": {"households": 30}, "seed": 2})
    assert len(model.household_agents) == 30
    with pytest.raises(UserError):
        TerritoryModel({"territory": {"households": -1}})


def test_households_and_firms_are_registered_mesa_agents():
    model = TerritoryModel(model_config({"territory": SMALL}))
    households = list(model.agents_by_type[HouseholdAgent])
    firms = list(model.agents_by_type[FirmAgent])
    assert len(households) == 200 and len(firms) == 14
    assert all(isinstance(agent, mesa.Agent) for agent in model.household_agents)
    ids = [agent.unique_id for agent in model.agents]
    assert len(ids) == len(set(ids))
    assert [agent.index for agent in model.household_agents] == list(range(200))


def test_agent_properties_read_and_write_the_arrays():
    model = TerritoryModel(model_config({"territory": SMALL}))
    agent = model.household_agents[17]
    before = model.households.trust.copy()
    agent.trust = 0.123
    assert model.households.trust[17] == pytest.approx(0.123)
    changed = np.flatnonzero(model.households.trust != before)
    assert changed.tolist() == [17]
    model.households.risk_heat[17] = 0.77
    assert agent.risk_heat == pytest.approx(0.77)
    assert isinstance(agent.risk_heat, float)
    agent.satisfaction = 0.2
    assert model.households.satisfaction[17] == pytest.approx(0.2)
    firm = model.firm_agents[3]
    firm.yield_factor = 0.5
    assert model.firms.yield_factor[3] == pytest.approx(0.5)


def test_agent_labels_match_the_arrays():
    model = TerritoryModel(model_config({"territory": SMALL}))
    for agent in model.household_agents[:50]:
        assert agent.persona in model.persona_names
        assert agent.persona == model.persona_names[model.households.persona[agent.index]]
        assert agent.heating_system == HEATING_SYSTEMS[model.households.heating_system[
            agent.index]]
        assert agent.energy_class in ENERGY_CLASSES
        assert agent.measures == []  # nothing adopted before the first year
    assert set(model.persona_names) == set(model.config.territory.personae)


def test_neighbourhood_is_symmetric_and_not_self():
    model = TerritoryModel(model_config({"territory": SMALL}))
    for agent in model.household_agents[:40]:
        neighbours = agent.neighbours
        assert neighbours, "small world: everyone has neighbours"
        assert agent not in neighbours
        for other in neighbours:
            assert agent in other.neighbours


def test_agent_table_is_one_row_per_household(baseline):
    table = baseline.agent_table()
    assert len(table) == 200
    assert table["household"].tolist() == list(range(200))
    assert (table["year"] == baseline.year).all()
    np.testing.assert_array_equal(table["trust"].to_numpy(), baseline.households.trust)
    assert set(table["persona"]) <= set(baseline.persona_names)


def test_record_agents_keeps_one_agent_table_per_year():
    model = small_model(until=2027, record_agents=True)
    assert [table["year"].iloc[0] for table in model.agent_records] == [2025, 2026, 2027]
    assert all(len(table) == 200 for table in model.agent_records)


# --------------------------------------------------------------------------- indicators
def test_indicators_one_row_per_year_without_gaps(baseline):
    table = baseline.indicators()
    assert table.index.name == "year"
    assert table.index.tolist() == list(range(2025, 2035))
    assert baseline.year == 2035
    for column in KEY_COLUMNS:
        assert column in table.columns, column
        assert table[column].notna().all(), column
        assert np.isfinite(table[column].to_numpy(dtype=float)).all(), column
    assert (table["population"] == baseline.population).all()


def test_only_the_vote_share_may_be_missing_and_only_outside_elections(baseline):
    table = baseline.indicators()
    with_nan = set(table.columns[table.isna().any()])
    assert with_nan <= {"incumbent_vote_share"}
    elections = table["election"] == 1
    assert elections.any()  # 2026 and 2032 are election years
    assert table.loc[elections, "incumbent_vote_share"].between(0, 1).all()
    assert table.loc[~elections, "incumbent_vote_share"].isna().all()


def test_continuing_a_run_equals_one_long_run():
    whole = small_model(seed=5, until=2031)
    split = small_model(seed=5, until=2027)
    split.simulate_until(2031)
    pd.testing.assert_frame_equal(whole.indicators(), split.indicators())
    assert split.simulate_until(2030).year == 2032  # nothing left to do


# --------------------------------------------------------------------------- determinism
def test_same_seed_gives_identical_tables_byte_for_byte(tmp_path):
    first = small_model(seed=7, until=2033).indicators()
    second = small_model(seed=7, until=2033).indicators()
    assert first.equals(second)
    first.to_parquet(tmp_path / "a.parquet")
    second.to_parquet(tmp_path / "b.parquet")
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()


def test_same_seed_same_agents_and_decisions():
    first, second = small_model(seed=8, until=2030), small_model(seed=8, until=2030)
    assert first.agent_table().equals(second.agent_table())
    assert first.decision_log == second.decision_log


def test_different_seed_gives_a_different_run():
    first = small_model(seed=1, until=2030).indicators()
    second = small_model(seed=2, until=2030).indicators()
    assert not first.equals(second)
    assert not first["tmean_c"].equals(second["tmean_c"])


def _series_in_subprocess(seed: int) -> pd.DataFrame:
    return simulate(SMALL_DOTTED, seed=seed, until=2028).series


def test_same_seed_identical_in_another_process():
    here = _series_in_subprocess(3)
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as pool:
        there = pool.submit(_series_in_subprocess, 3).result(timeout=120)
    pd.testing.assert_frame_equal(here, there, check_exact=True)


@pytest.mark.parametrize("levers", [
    {"policy": {"subsidy_rate": 0.9}},
    {"policy": {"council": {"archetype": "rule_following"}, "budget_per_inhabitant_eur": 500.0}},
    {"policy": {"coordination": {"reciprocity": 0.0, "exchange": 0.0, "authority": 1.0}}},
])
def test_weather_is_independent_of_policy_levers(baseline, levers):
    other = small_model(seed=1, until=2034, **levers)
    base_table, other_table = baseline.indicators(), other.indicators()
    pd.testing.assert_frame_equal(base_table[CLIMATE_COLUMNS], other_table[CLIMATE_COLUMNS],
                                  check_exact=True)
    assert not base_table.equals(other_table), "the lever must change something"


# --------------------------------------------------------------------------- climate trends
@pytest.fixture(scope="module")
def century_runs() -> dict[tuple[str, int], pd.DataFrame]:
    runs = {}
    for scenario in ("tracc", "ssp126", "ssp585"):
        for seed in (0, 1, 2):
            result = simulate({"territory.households": 40, "territory.farms": 1,
                               "territory.industry_firms": 1, "territory.service_firms": 1,
                               "scenario": scenario}, seed=seed, until=2100)
            runs[scenario, seed] = result.series
    return runs


def test_tracc_reaches_four_degrees_in_2100(century_runs):
    for seed in (0, 1, 2):
        series = century_runs["tracc", seed]
        assert series.loc[2100, "warming_c"] == pytest.approx(4.0)
        assert series["warming_c"].is_monotonic_increasing
        assert series.loc[2025, "warming_c"] < 2.0


def test_heat_waves_grow_over_the_century(century_runs):
    for seed in (0, 1, 2):
        series = century_runs["tracc", seed]
        early = series.loc[2025:2045, "heat_wave_days"].mean()
        late = series.loc[2080:2100, "heat_wave_days"].mean()
        assert late > early, (seed, early, late)
        assert series.loc[2080:2100, "tmean_c"].mean() > series.loc[2025:2045, "tmean_c"].mean()


def test_ssp585_hotter_than_ssp126(century_runs):
    for seed in (0, 1, 2):
        high, low = century_runs["ssp585", seed], century_runs["ssp126", seed]
        assert high.loc[2090, "warming_c"] > low.loc[2090, "warming_c"]
        assert high.loc[2080:2100, "tmean_c"].mean() > low.loc[2080:2100, "tmean_c"].mean()
        assert high.loc[2080:2100, "heat_wave_days"].mean() > \
            low.loc[2080:2100, "heat_wave_days"].mean()


# --------------------------------------------------------------------------- controllers
def test_recorded_controller_replays_a_run_exactly():
    original = small_model(seed=3, until=2036, policy={"council": {"archetype": "reactive"}})
    assert original.indicators()["council_adopted"].sum() > 0, "something to replay"
    replay = small_model(seed=3, until=2036, policy={"council": {"archetype": "reactive"}},
                         controller=RecordedController(original.decision_log,
                                                       fallback=_Refuse()))
    pd.testing.assert_frame_equal(original.indicators(), replay.indicators(), check_exact=True)
    assert replay.decision_log == original.decision_log


def test_replay_from_json_decision_log():
    original = small_model(seed=4, until=2033, policy={"council": {"archetype": "reactive"}})
    log = json.loads(json.dumps(original.decision_log))  # as decisions.json stores it
    assert all(isinstance(year, str) for year in log)
    replay = small_model(seed=4, until=2033, policy={"council": {"archetype": "reactive"}},
                         controller=RecordedController(log, fallback=_Refuse()))
    assert original.indicators().equals(replay.indicators())


def test_recorded_decisions_override_the_behaviour():
    """A log recorded under one archetype imposes its council decisions on another."""
    source = small_model(seed=2, until=2034, policy={"council": {"archetype": "rule_following"}})
    adopted = source.indicators()["council_adopted"]
    assert adopted.sum() > 0
    own = small_model(seed=2, until=2034)  # cost_benefit by default
    council_only = {year: {"council": roles["council"]}
                    for year, roles in source.decision_log.items()}
    forced = small_model(seed=2, until=2034, controller=RecordedController(council_only))
    assert forced.indicators()["council_adopted"].equals(adopted)
    assert not own.indicators()["council_adopted"].equals(adopted)
    for year, roles in forced.decision_log.items():
        assert roles["council"] == source.decision_log[year]["council"]


class _Refuse:
    """Fallback that fails the test if a replay ever needs it."""

    def decide(self, situation, model):
        raise AssertionError(f"no recorded decision for {situation.role} in {situation.year}")


@pytest.mark.parametrize("measure", ["stormwater_retention_basin", "treated_wastewater_reuse",
                                     "cool_rooms"])
def test_queue_controller_council_adoption_comes_online_after_lead_time(measure):
    queue = QueueController()
    model = TerritoryModel(model_config({
        "territory": SMALL, "seed": 6, "until": 2034,
        # rule-following councils neither adopt these measures themselves nor drop them;
        # the municipal budget pays everything, so funding never delays the measure, and the
        # debt ceiling is out of reach, so running costs never stop it; no election before
        # 2034 replaces the council
        "policy": {"council": {"archetype": "rule_following", "first_election_year": 2040},
                   "coordination": {"reciprocity": 0.0, "exchange": 0.0, "authority": 1.0},
                   "max_debt_per_inhabitant_eur": 20000.0},
    }), controller=queue)
    column = model.council_effects.ids.index(measure)
    lead = max(1, int(model.council_effects.lead_time_yr[column]))
    decided = 2027
    model.simulate_until(decided - 1)
    queue.submit("council", {"adopt": [measure], "drop": []})
    model.simulate_until(2034)
    assert model.decision_log[decided]["council"] == {"adopt": [measure], "drop": []}
    assert not queue.pending
    online = decided + lead
    assert not model.council_portfolio.active(online - 1)[0, column]
    assert model.council_portfolio.active(online)[0, column]
    has = model.indicators()[f"council_has_{measure}"]
    # the record of a year reports what the council holds for the coming year
    assert (has.loc[:online - 2] == 0).all()
    assert (has.loc[online - 1:] == 1).all()
    assert model.indicators().loc[decided, "council_adopted"] == 1


def test_queue_controller_falls_back_and_checks_roles():
    queue = QueueController()
    with pytest.raises(UserError) as caught:
        queue.submit("mayor", {"adopt": []})
    assert caught.value.field == "role" and "council" in str(caught.value)
    plain = small_model(seed=9, until=2028)
    queued = small_model(seed=9, until=2028, controller=queue)
    assert plain.indicators().equals(queued.indicators())


def test_queue_controller_rejects_an_unknown_measure_when_the_year_runs():
    queue = QueueController()
    model = TerritoryModel(model_config({"territory": SMALL}), controller=queue)
    queue.submit("council", {"adopt": ["teleporter"]})
    with pytest.raises(UserError, match="teleporter"):
        model.step()


def _situation(role: str = "council") -> Situation:
    return Situation(year=2030, role=role, options=("cool_rooms", "heat_wave_plan"))


def test_check_decision_rejects_unknown_measure():
    with pytest.raises(UserError) as caught:
        check_decision(_situation(), {"adopt": ["cool_rooms", "moon_base"]})
    error = caught.value
    assert error.field == "decision.council.adopt" and error.value == "moon_base"
    assert "cool_rooms" in str(error) and "\n" not in str(error)


@pytest.mark.parametrize(("decision", "field"), [
    ({"adopt": [], "veto": ["cool_rooms"]}, "decision.council.veto"),
    ({"propose": ["nuclear"]}, "decision.council.propose"),
    ({"invest": ["nuclear"]}, "decision.council.invest"),
    ({"contribute": 1.5}, "decision.council.contribute"),
    ({"contribute": "half"}, "decision.council.contribute"),
    ({"mode": "quantum"}, "decision.council.mode"),
])
def test_check_decision_rejects_bad_decisions(decision, field):
    with pytest.raises(UserError) as caught:
        check_decision(_situation(), decision)
    assert caught.value.field == field


def test_check_decision_returns_a_copy_of_a_valid_decision():
    decision = {"adopt": ["heat_wave_plan"], "drop": [], "contribute": 0.5, "mode": "lp"}
    checked = check_decision(_situation(), decision)
    assert checked == decision and checked is not decision


def test_behavioural_controller_answers_every_role():
    model = small_model(seed=0, until=2026)
    controller = BehaviouralController()
    assert set(controller.rules) == set(ROLES)
    assert set(model.decision_log[2025]) == set(ROLES)
    for role, decision in model.decision_log[2025].items():
        assert check_decision(Situation(2025, role, tuple(model.council_effects.ids)
                                        + tuple(model.community_effects.ids)), decision)


# --------------------------------------------------------------------------- pure run
def test_simulate_returns_requested_scalars():
    outcomes = ["trust_mean", "trust_mean:final", "heat_wave_days:max",
                "heat_wave_days:min", "restriction_days:sum", "debt_eur:final"]
    result = simulate({**SMALL_DOTTED, "scenario": "ssp245"}, seed=2, until=2031,
                      outcomes=outcomes)
    assert isinstance(result, RunResult)
    series = result.series
    assert series.index.tolist() == list(range(2025, 2032))
    assert list(result.scalars) == outcomes
    assert result.scalars["trust_mean"] == pytest.approx(series["trust_mean"].mean())
    assert result.scalars["trust_mean:final"] == series["trust_mean"].iloc[-1]
    assert result.scalars["heat_wave_days:max"] == series["heat_wave_days"].max()
    assert result.scalars["heat_wave_days:min"] == series["heat_wave_days"].min()
    assert result.scalars["restriction_days:sum"] == series["restriction_days"].sum()
    assert all(isinstance(value, float) for value in result.scalars.values())
    assert result.config["scenario"]["name"] == "ssp245"
    assert result.config["seed"] == 2
    assert result.config["territory"]["households"] == 200


def test_simulate_default_outcomes_and_same_as_the_model():
    result = simulate(SMALL_DOTTED, seed=1, until=2034)
    assert set(result.scalars) == set(DEFAULT_OUTCOMES)
    assert all(np.isfinite(value) for value in result.scalars.values())
    model = small_model(seed=1, until=2034)
    assert result.series.equals(model.indicators())


def test_simulate_is_pure_and_repeatable():
    params = dict(SMALL_DOTTED)
    first = simulate(params, seed=11, until=2029, outcomes=["eges_t:final"])
    second = simulate(params, seed=11, until=2029, outcomes=["eges_t:final"])
    assert params == SMALL_DOTTED  # the caller's mapping is not mutated
    assert first.scalars == second.scalars
    assert first.series.equals(second.series)


def test_simulate_rejects_bad_parameters_and_outcomes():
    with pytest.raises(UserError) as caught:
        simulate({"territory.households": -5}, seed=0, until=2026)
    assert caught.value.field == "territory.households"
    with pytest.raises(UserError):
        simulate({"scenario": "ssp999"}, seed=0, until=2026)
    with pytest.raises(UserError, match="no_such_indicator"):
        simulate(SMALL_DOTTED, seed=0, until=2025, outcomes=["no_such_indicator"])


def test_simulate_rejects_an_unknown_aggregation_clearly():
    with pytest.raises((KeyError, ValueError), match="average"):
        simulate(SMALL_DOTTED, seed=0, until=2025, outcomes=["trust_mean:average"])


def test_territory_without_firms_runs():
    result = simulate({"territory.households": 50, "territory.farms": 0,
                       "territory.industry_firms": 0, "territory.service_firms": 0},
                      seed=0, until=2026)
    assert len(result.series) == 2
    assert (result.series.filter(like="adopted_share_process") == 0).all().all()


def test_levers_do_not_shift_the_shared_random_streams():
    """Common random numbers: a behaviour or policy lever changes what is decided, not how many
    values the shared streams draw, so their states stay equal year after year."""
    from territoire_abm.run import build_config
    from territoire_abm.territory.model import TerritoryModel

    models = [TerritoryModel(build_config({"territory.households": 150,
                                           "behaviour.pmt.delay_years": delay,
                                           "policy.subsidy_rate": subsidy}, seed=5, until=2034))
              for delay, subsidy in ((0.5, 0.0), (4.0, 0.7))]
    for model in models:
        model.simulate_until(2034)
    first, second = models
    assert not first.indicators().equals(second.indicators())
    for name in ("weather", "hydrology", "behaviour", "governance", "dispatch"):
        assert (first.streams[name].bit_generator.state
                == second.streams[name].bit_generator.state), name
