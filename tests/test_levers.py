"""The engine's lever entry point (territory/levers.py): events, prices, costs, parameters."""

from __future__ import annotations

import pytest

from territoire_abm.errors import UserError
from territoire_abm.territory import levers
from territoire_abm.territory.model import TerritoryModel

SMALL = {"territory": {"households": 150}, "seed": 2}


def _pair():
    a, b = TerritoryModel(SMALL), TerritoryModel(SMALL)
    return a, b


def test_forced_events_show_in_the_year_and_only_there():
    forced, free = _pair()
    levers.inject_event(forced, "heat_wave", intensity=15)
    levers.inject_event(forced, "drought", intensity=0.9)
    levers.inject_event(forced, "outage", intensity=200)
    for model in (forced, free):
        model.simulate_until(2026)
    f, n = forced.indicators(), free.indicators()
    assert f.loc[2025, "heat_wave_days"] >= 15 > n.loc[2025, "heat_wave_days"]
    assert f.loc[2025, "precip_mm"] < n.loc[2025, "precip_mm"]
    assert f.loc[2025, "unserved_kwh"] > n.loc[2025, "unserved_kwh"]
    assert f.loc[2026, "precip_mm"] == pytest.approx(n.loc[2026, "precip_mm"])  # same weather


def test_levers_survive_state_round_trip():
    model = TerritoryModel(SMALL)
    levers.set_measure_cost(model, "cool_rooms", 1.25)
    levers.price_shock(model, 2.0)
    levers.inject_event(model, "heat_wave", year=2026)
    copy = TerritoryModel.from_state(model.get_state())
    assert levers.measure_costs(copy)["cool_rooms"] == pytest.approx(75_000)
    assert copy.config.optimiser.peak_price_eur_per_kwh == pytest.approx(0.54)
    model.simulate_until(2027)
    copy.simulate_until(2027)
    assert model.indicators().equals(copy.indicators())


@pytest.mark.parametrize("call", [
    lambda m: levers.inject_event(m, "meteor"),
    lambda m: levers.inject_event(m, "heat_wave", intensity=400),
    lambda m: levers.inject_event(m, "heat_wave", year=2000),
    lambda m: levers.set_measure_cost(m, "cool_rooms", 0.0),
    lambda m: levers.set_measure_cost(m, "teleporter", 1.0),
    lambda m: levers.set_parameter(m, "seed", 3),
    lambda m: levers.set_parameter(m, "policy.subsidy_rate", 3.0),
    lambda m: levers.price_shock(m, 50),
])
def test_bad_levers_are_user_errors(call):
    model = TerritoryModel(SMALL)
    before = model.get_state()
    with pytest.raises(UserError):
        call(model)
    assert model.levers == before["levers"]
    assert model.config.policy.subsidy_rate == before["config"]["policy"]["subsidy_rate"]
