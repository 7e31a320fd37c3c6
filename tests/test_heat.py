"""Indoor overheating and heat deaths: comfort limit, measures against their sources."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from territoire_abm.config.params import ModelConfig
from territoire_abm.impacts import heat

HEAT = ModelConfig().territory.heat
HOURS = np.arange(8760)
DAY = HOURS // 24
HEAT_WAVE = (DAY >= 190) & (DAY < 200)
OPTIONS = {"offset_c": HEAT.comfort_offset_c, "internal_rise_c": HEAT.internal_rise_c,
           "time_constant_h": HEAT.time_constant_h,
           "cooling_setpoint_c": HEAT.cooling_setpoint_c}


def _summer(tmax_hot: float = 37.0) -> tuple[np.ndarray, np.ndarray]:
    """Hourly outdoor temperature (summer days 16–28 °C, a 10-day heat wave 21–``tmax_hot``)
    and clear-sky PV output per kWp (peak 0.8)."""
    tmax = np.where(HEAT_WAVE, tmax_hot, 28.0)
    tmin = np.where(HEAT_WAVE, 21.0, 16.0)
    hour = HOURS % 24
    outdoor = tmin + (tmax - tmin) * 0.5 * (1 - np.cos(2 * np.pi * (hour - 6) / 24))
    sun = 0.8 * np.clip(np.sin(np.pi * (hour - 6) / 13), 0, None) * ((hour >= 6) & (hour <= 19))
    return outdoor, sun


def _dwellings(n: int = 1, solar: float = 7.0, green: float = 0.0, fans: float = 0.0,
               cooled: bool = False) -> heat.DwellingHeat:
    return heat.DwellingHeat(np.full(n, solar), np.full(n, green), np.full(n, fans),
                             np.full(n, cooled))


def test_comfort_limit_is_en16798_category_two():
    """θ_up = 0.33·θ_rm + 18.8 + 3 with θ_rm the running mean (α = 0.8), bounded 10–30 °C."""
    steady = heat.comfort_upper_limit_c(np.full(365, 20.0))
    assert steady == pytest.approx(0.33 * 20 + 18.8 + 3)
    cold = heat.comfort_upper_limit_c(np.full(365, 0.0))
    assert cold == pytest.approx(0.33 * 10 + 18.8 + 3)


def test_cool_roof_lowers_the_peak_within_santamouris_range():
    """Santamouris 2014 (Solar Energy 103): cool roofs lower peak indoor temperature of
    non-air-conditioned buildings by 1.2–3.3 K; a class-E house in a heat wave."""
    outdoor, sun = _summer()
    rise = HEAT.solar_rise_c_by_class["E"]
    indoor = heat.indoor_temperature_c(
        outdoor, sun / heat.SUN_PEAK_KW_PER_KWP,
        np.array([rise, rise * (1 - HEAT.cool_roof_solar_cut)]), np.zeros(2),
        internal_rise_c=HEAT.internal_rise_c, time_constant_h=HEAT.time_constant_h)
    drop = indoor[0, HEAT_WAVE].max() - indoor[1, HEAT_WAVE].max()
    assert 1.2 - 0.05 <= drop <= 3.3


def test_fans_shift_the_comfort_limit_by_en16798_air_speed_allowance():
    """EN 16798-1 / ASHRAE 55: 0.6 m/s raises the limit 1.2 K, i.e. the same degree-hours
    as a dwelling whose indoor air is 1.2 K cooler (local greening of 1.2 K, the limit
    unchanged); and strictly fewer than without fans in a heat wave."""
    outdoor, sun = _summer()
    with_fans, _ = heat.overheating_degree_hours(outdoor, sun, _dwellings(fans=1.2), **OPTIONS)
    without, _ = heat.overheating_degree_hours(outdoor, sun, _dwellings(), **OPTIONS)
    assert without[0] > with_fans[0] > 0
    limit_shift = heat.overheating_degree_hours(outdoor, sun, _dwellings(green=1.2), **OPTIONS)
    assert with_fans[0] == pytest.approx(limit_shift[0][0], rel=0.02)


def test_greening_cools_by_bowler_and_lowers_overheating():
    """Bowler et al. 2010: green spaces 0.94 K cooler; indoor follows 1:1 (linear model)."""
    outdoor, sun = _summer()
    args = dict(internal_rise_c=HEAT.internal_rise_c, time_constant_h=HEAT.time_constant_h)
    indoor = heat.indoor_temperature_c(outdoor, sun / 0.8, np.array([7.0, 7.0]),
                                       np.array([0.0, HEAT.greening_cooling_c]), **args)
    np.testing.assert_allclose(indoor[0] - indoor[1], HEAT.greening_cooling_c)
    plain, _ = heat.overheating_degree_hours(outdoor, sun, _dwellings(), **OPTIONS)
    green, _ = heat.overheating_degree_hours(
        outdoor, sun, _dwellings(green=HEAT.greening_cooling_c), **OPTIONS)
    assert 0 < green[0] < plain[0]


def test_shading_and_cooling_lower_overheating_and_old_dwellings_overheat_more():
    outdoor, sun = _summer()
    dwellings = heat.DwellingHeat(
        np.array([HEAT.solar_rise_c_by_class["G"], HEAT.solar_rise_c_by_class["B"],
                  HEAT.solar_rise_c_by_class["G"] * (1 - HEAT.shading_solar_cut),
                  HEAT.solar_rise_c_by_class["G"]]),
        np.zeros(4), np.zeros(4), np.array([False, False, False, True]))
    dh, hours = heat.overheating_degree_hours(outdoor, sun, dwellings, **OPTIONS)
    assert dh[0] > dh[1] > 0           # class G vs class B
    assert dh[2] < dh[0]               # external shading
    assert dh[3] == 0 and hours[3] == 0  # cooled to 26 °C, below the limit


@settings(max_examples=25, deadline=None)
@given(hot=st.floats(25, 44), solar=st.floats(0, 12), extra=st.floats(0, 5))
def test_overheating_is_monotone_in_heat_and_sun(hot, solar, extra):
    """Hotter weather or more sun never lowers degree-hours; values are finite, ≥ 0."""
    outdoor, sun = _summer(hot)
    base, hours = heat.overheating_degree_hours(outdoor, sun, _dwellings(solar=solar), **OPTIONS)
    more_sun, _ = heat.overheating_degree_hours(outdoor, sun, _dwellings(solar=solar + extra),
                                                **OPTIONS)
    assert np.isfinite(base).all() and (base >= 0).all() and (hours <= 153 * 24).all()
    assert more_sun[0] >= base[0] - 1e-3


def test_heat_deaths_follow_baccini_slope():
    """Deaths = daily baseline × 3.12 %/°C × Σ(Tmax − 29.4)+ × protection."""
    tmax = np.full(365, 25.0)
    tmax[200:205] = 35.4  # 5 days, 6 °C above the threshold
    deaths = heat.heat_deaths(tmax, 100_000, 1.0, deaths_per_1000_yr=9.4,
                              rr_per_c=0.0312, threshold_c=29.4)
    assert deaths == pytest.approx(100_000 * 9.4e-3 / 365 * 0.0312 * 30)
    assert heat.heat_deaths(tmax, 100_000, 0.5, deaths_per_1000_yr=9.4, rr_per_c=0.0312,
                            threshold_c=29.4) == pytest.approx(deaths / 2)


def test_many_dwelling_types_at_once_match_one_dwelling_at_a_time():
    """The vectorised pass over every dwelling type gives, bit for bit, what each dwelling
    computed alone gives (same float32 operations in the same order)."""
    outdoor, sun = _summer(39.0)
    rng = np.random.default_rng(3)
    n = 60
    dwellings = heat.DwellingHeat(
        rng.choice([3.0, 5.5, 7.0, 9.0], n), rng.choice([0.0, HEAT.greening_cooling_c], n),
        rng.choice([0.0, HEAT.fan_comfort_gain_c], n), rng.random(n) < 0.3)
    dh, hours = heat.overheating_degree_hours(outdoor, sun, dwellings, **OPTIONS)
    for i in range(n):
        one = heat.DwellingHeat(*(np.array([getattr(dwellings, f)[i]]) for f in (
            "solar_rise_c", "green_cooling_c", "comfort_gain_c", "cooled")))
        dh_one, hours_one = heat.overheating_degree_hours(outdoor, sun, one, **OPTIONS)
        assert dh[i].tobytes() == dh_one[0].tobytes() and hours[i] == hours_one[0]
    assert dh.max() > 0  # the heat wave overheats some dwellings: the comparison bites
