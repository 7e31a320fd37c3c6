"""PV physics: pvlib's solar geometry against Duffie & Beckman's worked examples, and the two
pieces kept hand-written (Haurwitz clear sky, Erbs diffuse fraction) against pvlib's own."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pvlib
import pytest

from territoire_abm.climate.weather import (
    DAY_OF_YEAR,
    _clear_sky_ghi,
    _erbs_diffuse_fraction,
    _solar_geometry,
)

FEB_13, JULY_1 = 44, 182  # day of year (no leap day)


def zenith_deg(lat: float, doy: int, hour: int) -> float:
    cos_z, _, _ = _solar_geometry(lat)
    return float(np.rad2deg(np.arccos(cos_z[doy - 1, hour])))


def test_zenith_duffie_beckman_examples():
    """Duffie & Beckman (2013), worked examples of ch. 1, Madison (43° N): zenith 66.5° at
    9:30 solar time on 13 February, 79.6° at 18:30 on 1 July (hour h is h:30 solar time)."""
    assert zenith_deg(43.0, FEB_13, 9) == pytest.approx(66.5, abs=0.05)
    assert zenith_deg(43.0, JULY_1, 18) == pytest.approx(79.6, abs=0.05)


@pytest.mark.parametrize("lat", [-33.9, 0.0, 43.3, 48.9, 60.0])
def test_geometry_is_duffie_beckman_on_a_grid(lat):
    """The textbook formulas the engine used before pvlib (Cooper 1969 declination; D&B eqs.
    1.6.5 and 1.6.7 for a plane tilted 30° facing the equator — φ − β in the north, φ + β in
    the south; G_on eq. 1.4.1a, 1361 W/m²) on every hour of the year: equal to rounding."""
    cos_z, cos_i, g_on = _solar_geometry(lat)
    phi, beta = np.deg2rad(lat), np.deg2rad(30.0)
    decl = np.deg2rad(23.45) * np.sin(2.0 * np.pi * (284 + DAY_OF_YEAR) / 365.0)[:, None]
    omega = np.deg2rad(15.0 * (np.arange(24) + 0.5 - 12.0))[None, :]
    ref_z = np.sin(phi) * np.sin(decl) + np.cos(phi) * np.cos(decl) * np.cos(omega)
    tilted = phi - beta if lat >= 0 else phi + beta
    ref_i = np.sin(tilted) * np.sin(decl) + np.cos(tilted) * np.cos(decl) * np.cos(omega)
    up = ref_z > 1e-9
    np.testing.assert_allclose(cos_z, np.maximum(ref_z, 0.0), rtol=0, atol=1e-12)
    np.testing.assert_allclose(cos_i[up], np.maximum(ref_i, 0.0)[up], rtol=0, atol=1e-12)
    assert np.all(cos_i[~up] == 0.0)
    np.testing.assert_allclose(
        g_on[:, 0], 1361.0 * (1.0 + 0.033 * np.cos(2.0 * np.pi * DAY_OF_YEAR / 365.0)), rtol=1e-15)


def test_geometry_cached_and_read_only():
    first, again = _solar_geometry(43.3), _solar_geometry(43.3)
    assert all(a is b for a, b in zip(first, again, strict=True))
    with pytest.raises(ValueError):
        first[0][0, 0] = 1.0


def test_haurwitz_is_pvlibs_with_our_constant():
    """pvlib's clearsky.haurwitz uses exp(−0.059/cos z); ours −0.057 (Reno et al. 2012)."""
    zen = np.linspace(0.0, 89.9, 500)
    theirs = pvlib.clearsky.haurwitz(pd.Series(zen))["ghi"].to_numpy()
    cos_z = np.cos(np.deg2rad(zen))
    np.testing.assert_allclose(_clear_sky_ghi(cos_z), theirs * np.exp(0.002 / cos_z), rtol=1e-12)
    assert _clear_sky_ghi(np.array([0.0, -0.3])).tolist() == [0.0, 0.0]


def test_erbs_fraction_is_pvlibs_to_the_bit():
    """Given pvlib's clearness index, our Erbs polynomial gives pvlib's diffuse irradiance."""
    rng = np.random.default_rng(5)
    ghi = rng.uniform(0.0, 1100.0, 5000)
    zen = rng.uniform(0.0, 86.0, 5000)
    doy = rng.integers(1, 366, 5000)
    out = pvlib.irradiance.erbs(ghi, zen, doy)
    kt, dhi = out["kt"], out["dhi"]
    assert kt.min() < 0.22 < 0.8 < kt.max()  # all three branches are exercised
    np.testing.assert_array_equal(ghi * _erbs_diffuse_fraction(kt), dhi)


def test_command_line_does_not_import_pvlib():
    """pvlib (~0.1–0.3 s to import) is loaded on the first PV call, not by the CLI."""
    code = ("import sys, territoire_abm.cli, territoire_abm.climate.weather; "
            "print('pvlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_panels_face_the_equator_in_both_hemispheres():
    """A southern-hemisphere place gets the same yearly irradiance on its panels as its
    mirror in the north (declination is symmetric over a year); facing south it got far less."""
    from territoire_abm.climate.weather import _solar_geometry

    north = _solar_geometry(43.3)[1].sum()
    south = _solar_geometry(-43.3)[1].sum()
    assert south == pytest.approx(north, rel=0.01)
