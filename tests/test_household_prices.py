"""Household bills follow the national energy pathway's retail prices over time (issue 8):
data/energy_pathways.csv gives electricity, gas, heating-oil and log prices per year and
pathway; the bills and the savings households weigh use the year's prices."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from territoire_abm.agents import wellbeing
from territoire_abm.config.validate import model_config
from territoire_abm.flows import demand, pathways
from territoire_abm.indicators.emissions import energy_context
from territoire_abm.territory import year as year_steps
from territoire_abm.territory.model import TerritoryModel

SMALL = {"households": 300, "farms": 4, "industry_firms": 2, "service_firms": 8}


def _run(pathway: str, until: int = 2050) -> TerritoryModel:
    model = TerritoryModel(model_config({"territory": SMALL, "seed": 3, "until": until,
                                         "scenario": {"energy_pathway": pathway}}))
    model.simulate_until(until)
    return model


def _bills_at(model: TerritoryModel, prices: demand.HouseholdPrices | None) -> np.ndarray:
    """The last year's bills recomputed from its energy at ``prices``."""
    households = year_steps.household_state(model)
    copy = dataclasses.replace(households, arrays=dataclasses.replace(households.arrays))
    energy = model.last_energy.households
    wellbeing.update_bills(copy, model.config, energy, model.year - 1, 0.0, prices)
    wellbeing.add_hot_water_bill(copy.arrays, model.config, energy, prices)
    return copy.arrays.energy_bill_eur


def test_lever_default_gives_the_pathways_own_prices_and_scales_electricity():
    ctx = pathways.context("snbc", 2050)
    config = model_config({})
    prices = wellbeing.pathway_prices(config, ctx)
    assert prices.electricity_eur_per_kwh == pytest.approx(ctx.electricity_eur_per_kwh)
    systems = np.arange(5)
    fuel = demand.heating_price_eur_per_kwh(systems, prices.electricity_eur_per_kwh,
                                            prices.fuel_eur_per_kwh)
    assert fuel.tolist() == pytest.approx([ctx.electricity_eur_per_kwh, ctx.gas_eur_per_kwh,
                                           ctx.wood_eur_per_kwh, ctx.fuel_oil_eur_per_kwh,
                                           ctx.electricity_eur_per_kwh])
    dearer = wellbeing.pathway_prices(
        model_config({"policy": {"electricity_price_eur_per_kwh": 0.30}}), ctx)
    assert dearer.electricity_eur_per_kwh == pytest.approx(
        ctx.electricity_eur_per_kwh * 0.30 / 0.25)
    # 2025 rows of the pathways are the former constant prices: nothing moves in 2025.
    start = wellbeing.pathway_prices(config, pathways.context("snbc", 2025))
    assert start.electricity_eur_per_kwh == pytest.approx(0.25)
    assert start.fuel_eur_per_kwh == pytest.approx(demand.FUEL_PRICE_EUR_PER_KWH)


@pytest.fixture(scope="module")
def snbc_and_frozen():
    return _run("snbc"), _run("frozen")


def test_a_pathway_with_higher_2050_prices_raises_2050_bills(snbc_and_frozen):
    """SNBC prices in 2050 (electricity 0.28, gas 0.17, oil 0.20 EUR/kWh) against 2025's held
    (0.25, 0.12, 0.13): the mean 2050 bill is clearly higher, by more than adoption noise."""
    snbc, frozen = snbc_and_frozen
    assert pathways.context("snbc", 2050).electricity_eur_per_kwh > \
        pathways.context("frozen", 2050).electricity_eur_per_kwh
    bill_snbc = snbc.indicators().loc[2050, "energy_bill_mean_eur"]
    bill_frozen = frozen.indicators().loc[2050, "energy_bill_mean_eur"]
    assert bill_snbc > 1.08 * bill_frozen


def test_the_years_bills_are_priced_at_the_years_pathway_prices(snbc_and_frozen):
    snbc, _ = snbc_and_frozen
    year = snbc.year - 1
    prices = wellbeing.pathway_prices(snbc.config, energy_context(snbc.config, year))
    surcharge = snbc.households.energy_bill_eur - _bills_at(snbc, prices)
    # What remains is the exchange-mode surcharge, the same for every household.
    assert np.ptp(surcharge) == pytest.approx(0.0, abs=1e-6)
    at_2025_prices = _bills_at(snbc, None)
    assert _bills_at(snbc, prices).mean() > 1.05 * at_2025_prices.mean()
