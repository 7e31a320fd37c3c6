"""FAO-56 Penman–Monteith: FAO's worked example, agreement with pyet, response to warming."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from territoire_abm.climate.checks import simulated_years
from territoire_abm.climate.evapotranspiration import (
    extraterrestrial_radiation_mj,
    penman_monteith_mm,
    saturation_vapour_pressure_kpa,
)


def test_fao56_example_18_brussels_6_july():
    """FAO-56 Example 18 (Uccle, 50°48'N, 100 m, 6 July): Ra 41.09, Rs 22.07 MJ/m²/day,
    ea 1.409 kPa, u2 2.078 m/s → ET0 = 3.9 mm/day."""
    doy, lat = np.array([187]), 50.8
    ra = extraterrestrial_radiation_mj(lat, doy)
    assert ra[0] == pytest.approx(41.09, abs=0.01)
    daylength = 24 / np.pi * np.arccos(-np.tan(np.deg2rad(lat)) * np.tan(
        0.409 * np.sin(2 * np.pi * 187 / 365 - 1.39)))
    rs = (0.25 + 0.5 * 9.25 / daylength) * ra
    assert rs[0] == pytest.approx(22.07, abs=0.02)
    ea = 0.5 * (saturation_vapour_pressure_kpa(12.3) * 0.84
                + saturation_vapour_pressure_kpa(21.5) * 0.63)
    assert ea == pytest.approx(1.409, abs=0.002)
    et0 = penman_monteith_mm(np.array([12.3]), np.array([21.5]), lat_deg=lat, elevation_m=100,
                             wind_m_s=2.078, day_of_year=doy, rs_mj=rs, ea_kpa=ea)
    assert et0[0] == pytest.approx(3.9, abs=0.05)


@settings(max_examples=25, deadline=None)
@given(tmin=st.floats(-5, 25), spread=st.floats(2, 20), wind=st.floats(0.5, 6),
       lat=st.floats(35, 55), elevation=st.floats(0, 1500))
def test_agrees_with_pyet(tmin, spread, wind, lat, elevation):
    """Same inputs, same answer as pyet's pm_fao56 (Vremec et al. 2024, GMD 17:7083)."""
    pyet = pytest.importorskip("pyet")
    idx = pd.date_range("2001-01-01", periods=365)
    tmin_s = pd.Series(tmin + 8 * np.sin(2 * np.pi * (idx.dayofyear - 110) / 365), idx)
    tmax_s = tmin_s + spread
    ra = extraterrestrial_radiation_mj(lat, idx.dayofyear.to_numpy())
    rs = 0.16 * np.sqrt(spread) * ra
    ea = saturation_vapour_pressure_kpa(tmin_s.to_numpy())
    theirs = pyet.pm_fao56((tmin_s + tmax_s) / 2, wind, rs=pd.Series(rs, idx), tmax=tmax_s,
                           tmin=tmin_s, ea=pd.Series(ea, idx), elevation=elevation,
                           lat=np.deg2rad(lat))
    ours = penman_monteith_mm(tmin_s.to_numpy(), tmax_s.to_numpy(), lat_deg=lat,
                              elevation_m=elevation, wind_m_s=wind)
    np.testing.assert_allclose(ours, theirs.to_numpy(), rtol=0.02, atol=0.02)


def test_pet_rises_about_a_fifth_at_plus_four():
    """France +4 °C against 1976–2005: Météo-France (2024) gives PET about +20 %."""
    past = np.mean([pet.sum() for _, pet, _ in simulated_years(0.7, 120, seed=2)])
    future = np.mean([pet.sum() for _, pet, _ in simulated_years(4.0, 120, seed=3)])
    assert 1.15 < future / past < 1.25


def test_summer_flows_fall_as_explore2_says():
    """Explore2 (INRAE/OIEau 2024): summer flows in the South-West −40 to −50 % at the end of
    the century under RCP8.5; we accept −35 to −55 % for sampling (120 years)."""
    summer = slice(151, 243)
    past = np.mean([f[summer].mean() for _, _, f in simulated_years(0.7, 120, seed=2)])
    future = np.mean([f[summer].mean() for _, _, f in simulated_years(4.0, 120, seed=3)])
    assert -0.55 < future / past - 1 < -0.35
