"""Firms' decisions (agents/firms.py): energy valued at the year's pathway prices, and a
decarbonisation programme that reaches the fuel-saving measures (issue 8, emissions)."""

from __future__ import annotations

import numpy as np
import pytest

from territoire_abm.agents import firms as firm_agents
from territoire_abm.config.validate import model_config
from territoire_abm.flows import pathways
from territoire_abm.territory import year as year_steps
from territoire_abm.territory.model import TerritoryModel

SMALL = {"households": 300, "farms": 5, "industry_firms": 6, "service_firms": 28}


def _stepped(pathway: str) -> TerritoryModel:
    model = TerritoryModel(model_config({"territory": SMALL, "until": 2025,
                                         "scenario": {"energy_pathway": pathway}}))
    model.step()
    return model


@pytest.mark.parametrize("pathway", ["snbc", "ame", "frozen"])
def test_firms_value_fuel_and_electricity_at_the_pathway_price_of_the_year(pathway):
    """It was a fixed 0.1 EUR/kWh whatever the year: the SNBC's rising fuel prices (ETS2,
    carbon value) never reached firms' choices, though firm fuel is their largest emission."""
    model = _stepped(pathway)
    firms, fuel = year_steps.firm_state(model), model.last_energy.firm_fuel_kwh
    config = model.config
    before = firm_agents.firm_benefit_eur(firms, config, fuel, 2025)
    after = firm_agents.firm_benefit_eur(firms, config, fuel, 2050)
    gas = pathways.context(pathway, 2050).gas_eur_per_kwh / pathways.context(
        pathway, 2025).gas_eur_per_kwh
    oil = pathways.context(pathway, 2050).fuel_oil_eur_per_kwh / pathways.context(
        pathway, 2025).fuel_oil_eur_per_kwh
    elec = pathways.context(pathway, 2050).electricity_eur_per_kwh / pathways.context(
        pathway, 2025).electricity_eur_per_kwh
    ratio = np.where(firms.arrays.sector == 0, oil, gas)
    base = config.behaviour.adoption.firm_fuel_price_eur_per_kwh
    saving = 1.0 - firms.effects.factors["fuel_demand_factor"]
    extra_kwh = firms.effects.quantities["electricity_demand_kwh_per_unit_yr"]
    expected = ((fuel * base * (ratio - 1.0))[:, None] * saving[None, :]
                - extra_kwh[None, :] * config.policy.electricity_price_eur_per_kwh
                * (elec - 1.0))
    np.testing.assert_allclose(after - before, expected, rtol=1e-9, atol=1e-6)
    heat_pump = firms.effects.index("industrial_heat_pump")
    industry = firms.arrays.sector == 1
    if pathway == "frozen":
        np.testing.assert_allclose(after, before)
    else:  # fuel dearer by more than electricity: switching pays more in 2050
        assert (after[industry, heat_pump] > before[industry, heat_pump]).all()


def test_the_decarbonisation_programme_lifts_only_fuel_saving_measures():
    config = model_config({"policy": {"firm_transition_support": 0.25}})
    factor = np.array([1.0, 0.6, 0.1, 1.0])
    rate = config.behaviour.adoption.firm_adoption_rate
    cap = firm_agents.adoption_cap(config, factor)
    assert cap[0] == cap[3] == rate
    assert cap[1] == cap[2] == pytest.approx(rate + 0.25 * (1 - rate))
    none = firm_agents.adoption_cap(model_config({}), factor)
    assert (none == rate).all()


def test_the_programme_cuts_industry_and_services_fuel():
    """With every firm weighing its fuel-saving measures each year, firm fuel falls further
    than at the firms' own 1 %/yr pace (same seed, SNBC prices)."""
    results = {}
    for support in (0.0, 1.0):
        model = TerritoryModel(model_config({
            "territory": SMALL, "until": 2040, "seed": 1,
            "policy": {"firm_transition_support": support, "subsidy_rate": 0.5}}))
        model.simulate_until(2040)
        results[support] = model.last
    for sector in ("industry_fuel", "services_fuel"):
        assert results[1.0][f"emissions_{sector}_t"] < 0.8 * results[0.0][f"emissions_{sector}_t"]
