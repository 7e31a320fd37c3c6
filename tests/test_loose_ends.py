"""Loose ends of the engine, each tested against the behaviour it must have (issue 13, item 1):
the exchange-mode tariff reaches the bills, irrigation pumping is charged, firms value PV at
the optimiser's export price, one reference PV yield."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from territoire_abm.agents import firms as firm_agents
from territoire_abm.agents import wellbeing
from territoire_abm.config.params import PV_YIELD_REFERENCE_KWH_PER_KWP
from territoire_abm.config.validate import model_config, with_overrides
from territoire_abm.flows import carbon, demand
from territoire_abm.indicators.emissions import energy_context
from territoire_abm.territory import year as year_steps
from territoire_abm.territory.model import TerritoryModel

SMALL = {"households": 200, "farms": 4, "industry_firms": 2, "service_firms": 8}
EXCHANGE = {"reciprocity": 0.0, "exchange": 1.0, "authority": 0.0}
SRC = Path(__file__).resolve().parents[1] / "src" / "territoire_abm"


def _bill_without_surcharge(model: TerritoryModel) -> np.ndarray:
    """This year's bills recomputed from the year's energy with no surcharge."""
    households = year_steps.household_state(model)
    copy = dataclasses.replace(households, arrays=dataclasses.replace(households.arrays))
    energy = model.last_energy.households
    prices = wellbeing.pathway_prices(model.config,
                                      energy_context(model.config, model.year - 1))
    wellbeing.update_bills(copy, model.config, energy, model.year - 1, 0.0, prices)
    wellbeing.add_hot_water_bill(copy.arrays, model.config, energy, prices)
    return copy.arrays.energy_bill_eur


@pytest.fixture(scope="module")
def exchange_model():
    model = TerritoryModel(model_config({
        "territory": SMALL, "seed": 1, "until": 2040,
        "policy": {"coordination": EXCHANGE, "council": {"archetype": "public_sentiment"},
                   "budget_per_inhabitant_eur": 400.0}}))
    return model


def test_exchange_surcharge_raises_next_years_mean_bill_by_the_recorded_tariff(exchange_model):
    """A year's tariff surcharge (exchange = 1: users pay all collective capex) is spread
    over next year's bills: the mean bill rises by exactly surcharge / households."""
    model, households = exchange_model, SMALL["households"]
    charged = 0
    while model.year <= model.config.until:
        surcharge = model.tariff_surcharge_eur
        model.step()
        extra = float(model.households.energy_bill_eur.mean()
                      - _bill_without_surcharge(model).mean())
        assert extra == pytest.approx(surcharge / households, rel=1e-9, abs=1e-9)
        assert model.tariff_surcharge_eur == model.last["tariff_surcharge_eur"]
        charged += surcharge > 0
    assert charged > 0, "the council never adopted anything: the test proves nothing"


def test_bills_rise_by_the_surcharge_per_household():
    model = TerritoryModel(model_config({"territory": SMALL, "until": 2025}))
    model.step()
    households = year_steps.household_state(model)
    energy = model.last_energy.households
    base = dataclasses.replace(households, arrays=dataclasses.replace(households.arrays))
    wellbeing.update_bills(base, model.config, energy, 2025, 0.0)
    wellbeing.update_bills(households, model.config, energy, 2025, 850_000.0)
    assert np.allclose(households.arrays.energy_bill_eur - base.arrays.energy_bill_eur,
                       850_000.0 / SMALL["households"])


def test_irrigation_delivered_to_farms_is_charged_in_the_pumping_energy():
    water = SimpleNamespace(
        withdrawal_river_m3=np.full(365, 10.0), withdrawal_groundwater_m3=np.full(365, 5.0),
        delivered_m3={"agriculture": np.full(365, 4.0), "industry": np.full(365, 100.0)})
    expected = (15.0 * 365 * carbon.WATER_KWH_PER_M3
                + 4.0 * 365 * demand.IRRIGATION_PUMPING_KWH_PER_M3)
    assert year_steps.water_pumping_kwh(water) == pytest.approx(expected)


def test_a_territory_with_irrigation_pumps_more_than_its_withdrawals_alone():
    model = TerritoryModel(model_config({"territory": SMALL, "until": 2026}))
    model.simulate_until()
    record = model.last
    assert record["water_withdrawn_m3"] > 0
    network_only = record["water_withdrawn_m3"] * carbon.WATER_KWH_PER_M3
    assert model.last_water_pumping_kwh > network_only


def test_firms_value_pv_at_the_optimisers_export_price():
    model = TerritoryModel(model_config({"territory": SMALL, "until": 2025}))
    model.step()
    firms, fuel = year_steps.firm_state(model), model.last_energy.firm_fuel_kwh
    pv = firms.effects.quantities["pv_kwp_per_unit"]
    assert (pv > 0).any()
    low = firm_agents.firm_benefit_eur(firms, model.config, fuel)
    high_config = with_overrides(model.config, {"optimiser.export_price_eur_per_kwh": 0.26})
    high = firm_agents.firm_benefit_eur(firms, high_config, fuel)
    gain = pv * PV_YIELD_REFERENCE_KWH_PER_KWP * (0.26 - model.config.optimiser
                                                  .export_price_eur_per_kwh)
    assert np.allclose(high - low, gain[None, :])


def test_the_reference_pv_yield_is_written_once():
    """1,300 kWh/kWp appears as a number only where PV_YIELD_REFERENCE_KWH_PER_KWP is set."""
    pattern = re.compile(r"(?<![\d.,])1300(\.0)?(?![\d])")
    hits = [str(path.relative_to(SRC)) for path in SRC.rglob("*.py")
            if any(pattern.search(line) and not line.lstrip().startswith("#")
                   for line in path.read_text(encoding="utf-8").splitlines()
                   if "PV_YIELD_REFERENCE_KWH_PER_KWP =" not in line)]
    assert not hits


def _water_year(**water) -> dict[str, float]:
    """One year of a territory whose network has almost no own source (no river intake,
    a 10 m³/day well field), so that drinking water depends on what it can import."""
    model = TerritoryModel(model_config({
        "territory": {**SMALL, "groundwater_m3_per_day": 10.0,
                      "river_withdrawal_cap_share": 0.0, "water": water},
        "until": 2025}))
    model.step()
    return model.last


def test_imported_water_is_a_parameter_and_is_drawn_when_local_sources_fall_short():
    """territory.water.import_capacity_m3_yr reaches the water balance: imports are drawn,
    recorded, and cut the drinking-water shortage; none is recorded by default."""
    without = _water_year()
    with_imports = _water_year(import_capacity_m3_yr=100_000.0)
    assert without["water_imported_m3"] == 0.0
    assert without["water_shortage_share_drinking"] > 0.5
    assert 0.0 < with_imports["water_imported_m3"] <= 100_000.0 + 1e-6
    assert (with_imports["water_shortage_share_drinking"]
            < without["water_shortage_share_drinking"] - 0.1)
