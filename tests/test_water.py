"""Water: demand, the basin's daily loop (levels from flows and withdrawals, support
reservoir, stocks), restricted vs shortage, sector-specific supplies."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from territoire_abm.climate.hydrology import restriction_levels
from territoire_abm.config.params import ModelConfig
from territoire_abm.flows.basin import SUPPORT_SEASON, Stocks
from territoire_abm.flows.demand import (
    CROP_COEFFICIENT,
    SOIL_RESERVE_MM,
    WaterDemand,
    irrigation_need_mm,
)
from territoire_abm.flows.water import (
    Supplies,
    basin_rules,
    local_supply,
    restricted_share,
    shortage_share,
    territory_water_year,
)

DAYS = 365
TERRITORY = ModelConfig().territory
SUMMER = (np.arange(DAYS) >= 150) & (np.arange(DAYS) < 270)


def _demand(agriculture: np.ndarray, outdoor: float = 0.0) -> WaterDemand:
    return WaterDemand(np.full(DAYS, 800.0), np.full(DAYS, outdoor), agriculture,
                       np.full(DAYS, 50.0))


def _dry_flow(low_m3s: float = 40.0) -> np.ndarray:
    """A dry year at the gauge: 200 m³/s in winter falling to ``low_m3s`` in summer."""
    season = 0.5 * (1.0 + np.cos(2.0 * np.pi * (np.arange(DAYS) - 20) / DAYS))
    return low_m3s + (200.0 - low_m3s) * season


def _no_support():
    territory = ModelConfig().territory
    territory.water.support_capacity_hm3 = 0.0
    return territory


def _run(demand, flow, *, supplies=None, quota=None, loss=0.2, rules=None, stocks=None,
         territory=TERRITORY, rain=None):
    rain = np.full(DAYS, 1.0) if rain is None else rain
    supplies = supplies or Supplies()
    supply = local_supply(territory, supplies, rain, rain, loss, quota)
    rules = rules or basin_rules(territory, 1.0)
    stocks = stocks or Stocks(support_hm3=territory.water.support_capacity_hm3,
                              aquifer_m3=0.5 * territory.water.aquifer_capacity_m3,
                              farm_reservoir_m3=supplies.farm_capacity_m3,
                              tank_m3=supplies.tank_capacity_m3)
    return territory_water_year(demand, flow, rules, supply, stocks)


def test_irrigation_need_is_the_seasonal_balance_less_the_soil_reserve():
    """Dry season: need = Σ Kc·PET − reserve, and nothing outside May–September."""
    pet = np.full(DAYS, 5.0)
    need = irrigation_need_mm(pet, np.zeros(DAYS))
    assert np.isclose(need.sum(), (CROP_COEFFICIENT * pet).sum() - SOIL_RESERVE_MM)
    assert need[CROP_COEFFICIENT == 0].sum() == 0
    wet = irrigation_need_mm(pet, np.full(DAYS, 20.0))
    assert wet.sum() == 0


def test_quota_stops_irrigation_once_used():
    """With plenty of water, delivered irrigation is exactly the quota when need exceeds it."""
    agriculture = np.where(np.arange(DAYS) // 30 == 6, 1000.0, 0.0)
    result = _run(_demand(agriculture), np.full(DAYS, 500.0), quota=12_500.0)
    assert np.isclose(result.delivered_m3["agriculture"].sum(), 12_500.0)
    assert result.delivered_m3["agriculture"][:180].sum() == 0
    assert np.isclose(result.unmet_m3("agriculture").sum(), agriculture.sum() - 12_500.0)


def test_levels_follow_the_gauge_of_the_days_before():
    """Without withdrawals or support, the decided level of day t is the level of the
    trailing 10-day minimum up to day t − 1 (the national guide's statistic)."""
    territory = ModelConfig().territory
    territory.water.basin_territory_equivalents = 0.0
    territory.water.support_capacity_hm3 = 0.0
    flow = _dry_flow(25.0)
    result = _run(_demand(np.zeros(DAYS)), flow, territory=territory)
    expected = restriction_levels(flow, **dict(zip(
        ("vigilance_m3s", "alert_m3s", "reinforced_m3s", "crisis_m3s"),
        basin_rules(territory, 1.0).thresholds_m3s, strict=True)))
    np.testing.assert_allclose(result.gauge_m3s, flow)
    assert result.levels[0] == -1
    np.testing.assert_array_equal(result.levels[1:], expected[:-1])


def test_saving_irrigation_water_lowers_restriction_days_in_a_dry_year():
    """The lever the issue asked for: less withdrawal → higher gauge flow → fewer days
    under alert, because the level is decided from the flow after withdrawals (support
    reservoir empty, as after a dry spring)."""
    flow = _dry_flow(40.0)
    thirsty = np.where(SUMMER, 9000.0, 0.0)
    days = {}
    for factor in (1.0, 0.6):
        result = _run(_demand(thirsty * factor), flow, territory=_no_support())
        days[factor] = int(np.sum(result.levels >= 1))
    assert days[1.0] > 0
    assert days[0.6] < days[1.0]


def test_a_stricter_authorised_volume_lowers_restriction_days():
    """An allocation rule (the OUGC's authorised volume) acts on the same feedback."""
    flow = _dry_flow(40.0)
    thirsty = np.where(SUMMER, 9000.0, 0.0)
    loose = _run(_demand(thirsty), flow, quota=1e9, territory=_no_support())
    strict = _run(_demand(thirsty), flow, quota=0.4 * thirsty.sum(), territory=_no_support())
    assert np.sum(strict.levels >= 1) < np.sum(loose.levels >= 1)


def test_support_depends_on_the_reservoir_stock():
    """Releases stop when the reservoir is empty: a half-filled reservoir gives fewer
    support days and more restriction days (Garonne 2016, 2023)."""
    flow = _dry_flow(35.0)
    demand = _demand(np.where(SUMMER, 3000.0, 0.0))
    territory = ModelConfig().territory
    territory.water.support_fill_share = 0.0
    rules = basin_rules(territory, 1.0)
    full = _run(demand, flow, rules=rules, stocks=Stocks(54.0, 7e5))
    low = _run(demand, flow, rules=rules, stocks=Stocks(15.0, 7e5))
    released_low = low.release_m3s.sum() * 86400 / 1e6
    assert released_low == pytest.approx(15.0, rel=1e-6)
    assert full.release_m3s.sum() > low.release_m3s.sum()
    assert full.release_m3s.max() <= territory.water.support_max_release_m3s + 1e-9
    assert np.all(full.release_m3s[~SUPPORT_SEASON] == 0)
    assert np.sum(low.levels >= 1) > np.sum(full.levels >= 1)


def test_garden_cuts_are_restricted_not_shortage():
    """Under alerte renforcée gardens are banned: that is a restriction, not a shortage."""
    territory = _no_support()
    territory.water.basin_territory_equivalents = 0.0
    result = _run(_demand(np.zeros(DAYS), outdoor=100.0), np.full(DAYS, 29.0),
                  territory=territory)
    assert np.all(result.levels[1:] == 2)
    assert restricted_share(result, "households_outdoor") > 0.9
    assert shortage_share(result, "households_outdoor") == pytest.approx(0.0, abs=1e-12)
    assert shortage_share(result, "households_indoor") == pytest.approx(0.0, abs=1e-12)


def test_farm_reservoirs_serve_farms_only():
    """With the river and aquifer closed, farm reservoir water irrigates but never reaches
    the taps; rainwater tanks water gardens only."""
    territory = ModelConfig().territory
    territory.river_withdrawal_cap_share = 0.0
    territory.groundwater_m3_per_day = 0.0
    territory.water.basin_territory_equivalents = 0.0
    supplies = Supplies(farm_capacity_m3=50_000.0, tank_capacity_m3=500.0)
    result = _run(_demand(np.where(SUMMER, 1000.0, 0.0), outdoor=10.0), np.full(DAYS, 300.0),
                  supplies=supplies, territory=territory, rain=np.zeros(DAYS))
    assert result.delivered_m3["households_indoor"].sum() == 0.0
    assert result.delivered_m3["industry"].sum() == 0.0
    assert result.delivered_m3["agriculture"].sum() == pytest.approx(50_000.0)
    assert result.delivered_m3["households_outdoor"].sum() == pytest.approx(500.0)
    assert shortage_share(result, "households_indoor") == 1.0


@settings(max_examples=30, deadline=None)
@given(low=st.floats(1.0, 150.0), agriculture=st.floats(0, 5e4), loss=st.floats(0, 0.6),
       equivalents=st.floats(0, 200), farm=st.floats(0, 1e5), tank=st.floats(0, 1e3),
       support=st.floats(0, 54.0), aquifer=st.floats(0, 1.5e6), rain=st.floats(0, 20),
       quota=st.floats(0, 5e6), reuse=st.floats(0, 1e5))
def test_stocks_stay_in_range_and_water_balance_closes(low, agriculture, loss, equivalents,
                                                       farm, tank, support, aquifer, rain,
                                                       quota, reuse):
    """Every day: sources = deliveries + losses; deliveries within what was allowed, and
    allowed within demand; every stock within [0, capacity] and its year's balance closes."""
    territory = ModelConfig().territory
    territory.water.basin_territory_equivalents = equivalents
    supplies = Supplies(farm_capacity_m3=farm, tank_capacity_m3=tank, reuse_m3_yr=reuse)
    rain_mm = np.where(np.arange(DAYS) % 7 == 0, rain, 0.0)
    start = Stocks(support, aquifer, farm * 0.5, tank * 0.5)
    result = _run(_demand(np.where(SUMMER, agriculture, 0.0), outdoor=20.0), _dry_flow(low),
                  supplies=supplies, loss=loss, territory=territory, rain=rain_mm,
                  quota=quota, stocks=start)
    assert result.balance_residual_m3() < 1e-6
    for sector, delivered in result.delivered_m3.items():
        assert (delivered >= -1e-9).all()
        assert (delivered <= result.allowed_m3[sector] + 1e-6).all()
        assert (result.allowed_m3[sector] <= result.demand_m3[sector] + 1e-9).all()
    caps = {"support_hm3": 54.0, "aquifer_m3": territory.water.aquifer_capacity_m3,
            "farm_reservoir_m3": farm, "tank_m3": tank}
    for name, series in result.stock_series.items():
        assert series.min() >= -1e-6 and series.max() <= caps[name] + 1e-6, name
    assert (result.gauge_m3s >= 0).all()
    assert result.delivered_m3["agriculture"].sum() <= quota + 1e-6
    end = result.stocks_end
    tank_in = rain_mm.sum() * tank / territory.water.rainwater_tank_fill_mm
    assert end.tank_m3 == pytest.approx(
        start.tank_m3 + tank_in - result.sources_m3["tank"].sum() - result.spill_m3["tank"],
        abs=1e-6)
    recharge = 0.75 * rain_mm.sum() * territory.water.aquifer_recharge_area_km2 * 1e3
    start_aquifer = min(aquifer, territory.water.aquifer_capacity_m3)
    assert end.aquifer_m3 == pytest.approx(
        start_aquifer + recharge - result.sources_m3["aquifer"].sum()
        - result.aquifer_drained_m3 - result.spill_m3["aquifer"], abs=1e-3)
    assert end.support_hm3 * 1e6 == pytest.approx(
        support * 1e6 - result.release_m3s.sum() * 86400
        + np.sum(np.where(SUPPORT_SEASON, 0.0, 0.012 * _dry_flow(low) * 86400))
        - result.spill_m3["support"], rel=1e-9, abs=1e-3)


def test_in_the_model_a_stricter_authorised_volume_lowers_restriction_days():
    """Wired through the yearly model: same weather and natural flow, fewer days under alert
    when farms may withdraw less (2026–2027 are dry years for seed 0)."""
    from territoire_abm.run import simulate

    base = {"territory.households": 40, "territory.farms": 40, "territory.industry_firms": 1,
            "territory.service_firms": 1}
    runs = {quota: simulate({**base, "territory.irrigation_quota_m3_per_ha": quota}, seed=0,
                            until=2028).series for quota in (2500.0, 800.0)}
    loose, strict = runs[2500.0], runs[800.0]
    assert (loose["natural_low_flow_vcn10_m3s"] == strict["natural_low_flow_vcn10_m3s"]).all()
    assert loose["restriction_days"].sum() > 0
    assert strict["restriction_days"].sum() < loose["restriction_days"].sum()
    assert (strict["restriction_days"] <= loose["restriction_days"]).all()
