"""Several territories in one run: river, grid and twinning links."""

import numpy as np
import pytest

from territoire_abm.errors import UserError
from territoire_abm.run import build_config
from territoire_abm.territory.model import TerritoryModel
from territoire_abm.territory.region import Link, Region


def _territory(name: str, seed: int = 3, **overrides) -> TerritoryModel:
    params = {"territory.households": 120, "territory.name": name, **overrides}
    return TerritoryModel(build_config(params, seed=seed, until=2032))


def test_upstream_withdrawals_reach_the_downstream_territory():
    """What the upstream commune takes from the river is missing downstream, day by day."""
    upstream = _territory("Amont", **{"territory.river_withdrawal_cap_share": 0.2})
    downstream = _territory("Aval")
    alone = _territory("Aval")
    Region([downstream, upstream], [Link("river", "Amont", "Aval")]).simulate_until(2030)
    alone.simulate_until(2030)
    assert np.allclose(downstream.upstream_withdrawal_m3s, upstream.river_withdrawal_m3s)
    assert upstream.river_withdrawal_m3s.sum() > 0
    linked, single = downstream.indicators(), alone.indicators()
    assert (linked["river_flow_min_m3s"] <= single["river_flow_min_m3s"] + 1e-9).all()
    assert (linked["river_flow_mean_m3s"] < single["river_flow_mean_m3s"]).all()
    assert (linked["restriction_days"] >= single["restriction_days"]).all()


def test_twinning_passes_adopted_measures_as_knowledge():
    """The target learns the twin's adoption shares, scaled by the exchange intensity."""
    target, twin = _territory("Cible"), _territory("Jumelle", seed=4)
    region = Region([target, twin], [Link("twinning", "Jumelle", "Cible", 0.5)])
    region.simulate_until(2030)
    shares = twin.household_portfolio.active(twin.year).mean(axis=0)
    assert np.allclose(target.external_knowledge, 0.5 * shares)
    assert np.allclose(twin.external_knowledge, 0.0)
    table = region.indicators()
    assert set(table["territory"]) == {"Cible", "Jumelle"}
    assert len(table) == 2 * 6


def test_grid_link_reports_exchanged_energy():
    no_firms = {"territory.farms": 0, "territory.industry_firms": 0,
                "territory.service_firms": 0}
    a = _territory("A", **{"optimiser.ground_pv_kwp": 3000.0, **no_firms})
    b = _territory("B")
    region = Region([a, b], [Link("grid", "A", "B")]).simulate_until(2026)
    key = "grid_exchange_kwh_A_B"
    assert all(key in row for row in region.exchanges)
    assert all(row[key] >= 0 for row in region.exchanges)
    assert max(row[key] for row in region.exchanges) > 0


def test_bad_links_are_rejected():
    a, b = _territory("A"), _territory("B")
    with pytest.raises(UserError):
        Region([a, b], [Link("river", "A", "B"), Link("river", "B", "A")])
    with pytest.raises(UserError):
        Link("canal", "A", "B")
    with pytest.raises(UserError):
        Region([a, b], [Link("twinning", "A", "C")])
