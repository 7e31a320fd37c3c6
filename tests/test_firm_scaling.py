"""Firms follow households by default, so per-inhabitant results do not hang on the size."""

from __future__ import annotations

import pytest

from territoire_abm.config.validate import model_config
from territoire_abm.run import simulate
from territoire_abm.territory.population import firm_counts


def test_default_territory_keeps_its_300_firms():
    assert firm_counts(model_config()) == (40, 30, 230)


def test_firms_scale_with_households_unless_switched_off():
    config = model_config({"territory": {"households": 10_000}})
    assert firm_counts(config) == (161, 121, 926)
    fixed = model_config({"territory": {"households": 10_000,
                                        "firms_scale_with_households": False}})
    assert firm_counts(fixed) == (40, 30, 230)
    given = model_config({"territory": {"households": 200, "farms": 4, "industry_firms": 2,
                                        "service_firms": 8}})
    assert firm_counts(given) == (4, 2, 8)


@pytest.fixture(scope="module")
def per_inhabitant():
    def emissions(households: int) -> float:
        result = simulate({"territory.households": households}, seed=0, until=2030,
                          outcomes=["emissions_t_per_inhabitant"])
        return result.scalars["emissions_t_per_inhabitant"]
    return emissions


@pytest.mark.parametrize("households", [500, 10_000])
def test_emissions_per_inhabitant_do_not_depend_on_household_count(per_inhabitant, households):
    default = per_inhabitant(2483)
    # before the scaling: 11.9 t at 500 households and 3.3 t at 10,000 against 4.8 t
    assert 1 / 1.2 < per_inhabitant(households) / default < 1.2
