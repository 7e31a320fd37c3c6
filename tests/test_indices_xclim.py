"""Our yearly climate indices against xclim's (Bourgault et al. 2023, JOSS 8:5415) where the
definitions match, and a known answer where they do not (the Météo-France heat wave).

xclim is a test-time cross-check only: docs/climate.md §3 says why the engine keeps numpy.
"""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
import xclim.indices as xi
from xclim.core.units import convert_units_to
from xclim.indices.helpers import extraterrestrial_solar_radiation

from territoire_abm.climate import (
    DailyWeather,
    generate_year,
    hargreaves_pet_mm,
    heat_wave_mask,
    monthly_precip_factor,
    monthly_temperature_delta_c,
    yearly_indices,
)
from territoire_abm.climate.indices import extraterrestrial_radiation_mm
from territoire_abm.climate.normals import place_normals

N_YEARS = 15


def years_at(warming_c: float, seed: int) -> list[DailyWeather]:
    """Years of the default commune's shipped normals (1991–2020) at a France warming level."""
    normals = place_normals("Carbonne")
    d = warming_c - 1.3
    rng = np.random.default_rng(seed)
    return [generate_year(normals.tmin_c, normals.tmax_c, normals.precip_mm,
                          delta_c_monthly=monthly_temperature_delta_c(d),
                          precip_factor_monthly=monthly_precip_factor(d), warming_c=warming_c,
                          rng=rng) for _ in range(N_YEARS)]


@pytest.fixture(scope="module")
def years() -> list[DailyWeather]:
    """Cold, reference and hot years: every index takes both zero and non-zero values."""
    return years_at(0.15, 11) + years_at(1.3, 12) + years_at(5.0, 13)


def series(values: np.ndarray, units: str) -> xr.DataArray:
    """Consecutive 365-day years as one daily series on xclim's no-leap calendar."""
    time = xr.date_range("2001-01-01", periods=values.size, freq="D", calendar="noleap",
                         use_cftime=True)
    return xr.DataArray(values, dims="time", coords={"time": time}, attrs={"units": units})


def test_matching_indices_equal_xclims(years):
    """Hot days (Tx > 30, > 35 °C), tropical nights (Tn > 20), frost days (Tn < 0), HDD base
    18 °C, CDD base 22 °C on the daily mean (Tn + Tx)/2, longest run of days < 1 mm."""
    tn = series(np.concatenate([w.tmin_c for w in years]), "degC")
    tx = series(np.concatenate([w.tmax_c for w in years]), "degC")
    tas = series(np.concatenate([w.tmean_c for w in years]), "degC")
    pr = series(np.concatenate([w.precip_mm for w in years]), "mm/d")
    theirs = {
        "hot_days_30": xi.tx_days_above(tx, "30 degC"),
        "hot_days_35": xi.tx_days_above(tx, "35 degC"),
        "tropical_nights": xi.tn_days_above(tn, "20 degC"),
        "frost_days": xi.frost_days(tn),
        "hdd": xi.heating_degree_days(tas, "18 degC"),
        "cdd": xi.cooling_degree_days(tas, "22 degC"),
        "longest_dry_spell_days": xi.maximum_consecutive_dry_days(pr, "1 mm/d"),
    }
    ours = [yearly_indices(w, pet_mm_daily=np.zeros(365)) for w in years]
    for key, value in theirs.items():
        mine = np.array([row[key] for row in ours])
        np.testing.assert_allclose(mine, value.values, rtol=1e-12, atol=0, err_msg=key)
        assert np.ptp(mine) > 0, key  # not a constant: the comparison can fail
    for key in ("hot_days_35", "tropical_nights", "frost_days"):  # zero and non-zero years
        assert min(row[key] for row in ours) == 0 < max(row[key] for row in ours), key


@pytest.mark.parametrize("lat", [-45.0, 0.0, 43.3, 60.0])
def test_extraterrestrial_radiation_is_xclims_one_day_apart(lat):
    """FAO-56 eqs. 21–25 take the day angle 2πJ/365 with J = 1 on 1 January; xclim's
    "simple" method takes 2π(J − 1)/365 and obliquity 0.4091 rad (FAO: 0.409). With FAO's
    solar constant and the day shifted, the two agree to 0.13 %."""
    ra = extraterrestrial_solar_radiation(
        series(np.zeros(365), "1").time, xr.DataArray(lat, attrs={"units": "degrees_north"}),
        solar_constant="0.0820 MJ m-2 min-1", method="simple")
    theirs = 0.408 * convert_units_to(ra, "MJ m-2 d-1").values
    ours = extraterrestrial_radiation_mm(lat)
    np.testing.assert_allclose(ours[:-1], theirs[1:], rtol=2e-3)


def test_hargreaves_equation_is_xclims(years):
    """Hargreaves & Samani 1985 (xclim's "HG85"), each divided by its own Ra: xclim's Ra
    (Spencer 1971, 1361 W/m²) differs from FAO-56's by up to 5 % on a day at 43° N."""
    w = years[20]
    lat = xr.DataArray(43.3, attrs={"units": "degrees_north"})
    pet = xi.potential_evapotranspiration(tasmin=series(w.tmin_c, "degC"),
                                          tasmax=series(w.tmax_c, "degC"), lat=lat,
                                          method="HG85")
    ra = extraterrestrial_solar_radiation(pet.time, lat)
    theirs_ra = 0.408 * convert_units_to(ra, "MJ m-2 d-1").values
    theirs = convert_units_to(pet, "mm/d", context="hydro").values / theirs_ra
    ours = hargreaves_pet_mm(w, 43.3) / extraterrestrial_radiation_mm(43.3)
    np.testing.assert_allclose(ours, theirs, rtol=1e-9)


def test_heat_wave_is_not_xclims_daily_exceedance():
    """Météo-France's heat wave uses 3-day MEANS of Tn and Tx (IBMn, IBMx); xclim's
    heat_wave_total_length needs each day above both thresholds. Tx 33, 37, 36 °C and Tn 21 °C
    against 20/34 °C: one heat wave of 3 days for Météo-France, none for xclim."""
    tmax = np.full(365, 25.0)
    tmax[199:202] = [33.0, 37.0, 36.0]
    tmin = np.full(365, 15.0)
    tmin[199:202] = 21.0
    w = DailyWeather(tmin_c=tmin, tmax_c=tmax, precip_mm=np.zeros(365))
    assert np.flatnonzero(heat_wave_mask(w, 20.0, 34.0)).tolist() == [199, 200, 201]
    theirs = xi.heat_wave_total_length(series(tmin, "degC"), series(tmax, "degC"),
                                       thresh_tasmin="20 degC", thresh_tasmax="34 degC",
                                       window=3, op=">=")
    assert theirs.values.tolist() == [0]
