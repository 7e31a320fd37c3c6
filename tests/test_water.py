"""Water demand and allocation: known answers and conservation."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from territoire_abm.flows.demand import (
    CROP_COEFFICIENT,
    SOIL_RESERVE_MM,
    WaterDemand,
    irrigation_need_mm,
)
from territoire_abm.flows.water import allocate_water

DAYS = 365


def _demand(agriculture: np.ndarray) -> WaterDemand:
    return WaterDemand(np.full(DAYS, 800.0), np.zeros(DAYS), agriculture, np.full(DAYS, 50.0))


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
    result = allocate_water(_demand(agriculture), np.full(DAYS, -1),
                            river_available_m3=np.full(DAYS, 1e9), groundwater_m3_per_day=0,
                            other_supply_m3_per_day=0, network_loss_share=0.2,
                            household_compliance=1.0, irrigation_quota_m3=12_500.0)
    assert np.isclose(result.delivered_m3["agriculture"].sum(), 12_500.0)
    assert result.delivered_m3["agriculture"][:180].sum() == 0
    assert np.isclose(result.unmet_m3("agriculture").sum(), agriculture.sum() - 12_500.0)


@settings(max_examples=40, deadline=None)
@given(river=st.floats(0, 5e4), ground=st.floats(0, 5e3), loss=st.floats(0, 0.6),
       level=st.integers(-1, 3), quota=st.floats(0, 5e5), compliance=st.floats(0, 1))
def test_allocation_conserves_water_and_never_exceeds_demand(river, ground, loss, level, quota,
                                                             compliance):
    """Sources = deliveries + losses every day; deliveries within demand and supply."""
    agriculture = np.linspace(0.0, 3e4, DAYS)
    result = allocate_water(_demand(agriculture), np.full(DAYS, level),
                            river_available_m3=np.full(DAYS, river),
                            groundwater_m3_per_day=ground, other_supply_m3_per_day=100.0,
                            network_loss_share=loss, household_compliance=compliance,
                            irrigation_quota_m3=quota)
    assert result.balance_residual_m3() < 1e-6
    for sector, delivered in result.delivered_m3.items():
        assert (delivered >= -1e-9).all()
        assert (delivered <= result.demand_m3[sector] + 1e-9).all()
    assert (result.withdrawal_river_m3 <= river + 1e-6).all()
    assert result.delivered_m3["agriculture"].sum() <= quota + 1e-6
