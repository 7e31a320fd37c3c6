"""Tests of the climate package: scenarios, weather generator, indices, hydrology."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from territoire_abm.climate import (
    INDEX_KEYS,
    REFERENCE_WARMING_C,
    SCENARIO_NAMES,
    DailyWeather,
    daily_river_flow_m3s,
    delta_c,
    generate_year,
    get_scenario,
    hargreaves_pet_mm,
    heat_wave_mask,
    hourly_temperature_c,
    monthly_precip_factor,
    monthly_temperature_delta_c,
    reference_warming,
    resolve_reference_period,
    restriction_levels,
    solar_capacity_factor_hourly,
    thresholds_from_alert,
    yearly_indices,
)
from territoire_abm.climate.weather import MONTH_OF_DAY, daily_cycle
from territoire_abm.errors import UserError

# Montauban, Météo-France fiche climatique (probably 1991–2020)
TMIN = np.array([1.9, 2.2, 4.5, 6.9, 10.7, 14.1, 16.2, 15.9, 12.6, 9.6, 5.3, 2.6])
TMAX = np.array([9.2, 11.4, 15.1, 17.7, 21.8, 25.5, 28.3, 28.1, 24.8, 19.8, 13.1, 9.5])
PRECIP = np.array([51, 41, 47, 66, 75, 58, 39, 46, 46, 53, 52, 53], dtype=float)
LAT = 43.3
REF_WARMING = REFERENCE_WARMING_C["1991-2020"]
JJA, DJF = [5, 6, 7], [11, 0, 1]


def simulate(warming_c: float, n_years: int, seed: int) -> list[DailyWeather]:
    """n seeded years of Montauban-like weather at a France warming level."""
    d = warming_c - REF_WARMING
    dm, pf = monthly_temperature_delta_c(d), monthly_precip_factor(d)
    rng = np.random.default_rng(seed)
    return [
        generate_year(TMIN, TMAX, PRECIP, delta_c_monthly=dm, precip_factor_monthly=pf,
                      warming_c=warming_c, rng=rng)
        for _ in range(n_years)
    ]


@pytest.fixture(scope="module")
def ref_years() -> list[DailyWeather]:
    return simulate(REF_WARMING, 30, seed=101)


@pytest.fixture(scope="module")
def hot_years() -> list[DailyWeather]:
    return simulate(4.0, 30, seed=202)


def mean_index(years: list[DailyWeather], key: str, **kwargs: float) -> float:
    return float(np.mean([yearly_indices(w, **kwargs)[key] for w in years]))


# ---------------------------------------------------------------- scenarios

def test_tracc_anchors_reproduced():
    """TRACC: +2.0 (2030), +2.7 (2050), +4.0 (2100); 2020 at 1.7 (Ribes et al. 2022)."""
    tracc = get_scenario("tracc")
    assert [tracc.warming_at(y) for y in (2020, 2030, 2050, 2100)] == [1.7, 2.0, 2.7, 4.0]
    assert tracc.warming_at(2040) == pytest.approx(2.35)
    assert tracc.warming_at(2150) == 4.0  # held flat beyond the last anchor


@pytest.mark.parametrize(
    ("name", "globals_c"),
    [("ssp126", (1.5, 1.7, 1.8)), ("ssp245", (1.5, 2.0, 2.7)),
     ("ssp370", (1.5, 2.1, 3.6)), ("ssp585", (1.6, 2.4, 4.4))],
)
def test_ssp_anchors_are_ar6_times_four_thirds(name, globals_c):
    """SSP anchors are AR6 SPM Table 1 values × 4/3 at 2030, 2050, 2090."""
    scen = get_scenario(name)
    for year, g in zip((2030, 2050, 2090), globals_c, strict=True):
        assert scen.warming_at(year) == pytest.approx(g * 4 / 3, abs=1e-3)
    assert scen.warming_at(2100) == scen.warming_at(2090)


def test_all_scenarios_load_and_unknown_name_lists_allowed():
    """Every listed name loads; an unknown one raises a UserError naming the choices."""
    assert [get_scenario(n).name for n in SCENARIO_NAMES] == list(SCENARIO_NAMES)
    assert get_scenario("TRACC").name == "tracc"
    with pytest.raises(UserError, match="ssp245"):
        get_scenario("rcp85")


@pytest.mark.parametrize("name", SCENARIO_NAMES)
def test_year_at_warming_round_trips(name):
    """The year found reaches the level and the year before does not."""
    scen = get_scenario(name)
    for level in np.linspace(1.75, scen.max_warming_c(), 15):
        year = scen.year_at_warming(level)
        assert year is not None
        assert scen.warming_at(year) >= level - 1e-9
        assert scen.warming_at(year - 1) < level
    assert scen.year_at_warming(scen.max_warming_c() + 0.01) is None


def test_year_at_warming_hits_tracc_anchor_years():
    tracc = get_scenario("tracc")
    assert [tracc.year_at_warming(x) for x in (2.0, 2.7, 4.0)] == [2030, 2050, 2100]


def test_reference_warming_periods_and_fallback():
    """Known periods, spelling variants, and the documented 1991-2020 fallback."""
    assert reference_warming("1976-2005") == 0.7
    assert reference_warming("1991–2020 (stated)") == 1.3
    assert reference_warming("1981-2010") == pytest.approx(0.9)
    assert resolve_reference_period("unstated (probably 1991-2020)") == ("1991-2020", True)
    assert resolve_reference_period("unstated") == ("1991-2020", False)
    assert resolve_reference_period("1951-1980") == ("1991-2020", False)
    assert reference_warming("") == 1.3


def test_history_consistent_with_reference_periods():
    """The observed part of the trajectory averages to each period's reference warming."""
    tracc = get_scenario("tracc")
    for period, value in REFERENCE_WARMING_C.items():
        if period == "1961-1990":
            continue  # before the first anchor the trajectory is held flat
        start, end = (int(x) for x in period.split("-"))
        mean = np.mean([tracc.warming_at(y) for y in range(start, end + 1)])
        assert mean == pytest.approx(value, abs=0.1), period


def test_delta_reproduces_meteo_france_plus_4():
    """France at +4 °C is +3.3 °C over 1976-2005 (14.2 vs 10.9 °C, Météo-France)."""
    assert delta_c("tracc", year=2100, reference_period="1976-2005") == pytest.approx(3.3)
    assert delta_c("tracc", warming_level_c=2.7) == pytest.approx(1.4)
    assert delta_c(get_scenario("ssp245"), year=2005) == pytest.approx(0.0)


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"year": 2050, "warming_level_c": 2.7}, {"year": 1900}, {"year": 2151},
     {"warming_level_c": 4.5}, {"warming_level_c": 0.0}],
)
def test_delta_rejects_bad_requests(kwargs):
    with pytest.raises(UserError):
        delta_c("tracc", **kwargs)


@pytest.mark.parametrize("annual", [-1.0, 0.0, 0.7, 2.8, 3.3, 5.0])
def test_monthly_temperature_delta_mean_and_seasonality(annual):
    monthly = monthly_temperature_delta_c(annual)
    assert monthly.shape == (12,)
    assert monthly.mean() == pytest.approx(annual, abs=1e-12)
    if annual > 0:
        assert monthly[JJA].mean() > monthly[DJF].mean()


def test_summer_warms_one_degree_more_than_winter_at_plus_four():
    monthly = monthly_temperature_delta_c(3.3)
    assert monthly[JJA].mean() - monthly[DJF].mean() == pytest.approx(1.0, abs=1e-9)


def test_precip_factor_calibration_south_west():
    """At +3.3 °C: JJA −20 %, DJF +10 %, Montauban annual a few % lower."""
    factor = monthly_precip_factor(3.3)
    assert factor[JJA].mean() == pytest.approx(0.80, abs=1e-9)
    assert factor[DJF].mean() == pytest.approx(1.10, abs=1e-9)
    annual_change = (PRECIP * factor).sum() / PRECIP.sum() - 1.0
    assert -0.08 < annual_change < -0.02
    np.testing.assert_array_equal(monthly_precip_factor(0.0), np.ones(12))


# ---------------------------------------------------------------- weather generator

def test_daily_cycle_preserves_monthly_means():
    daily = daily_cycle(TMAX)
    means = np.array([daily[MONTH_OF_DAY == m].mean() for m in range(12)])
    np.testing.assert_allclose(means, TMAX, atol=1e-10)
    assert np.abs(np.diff(daily)).max() < 0.5  # smooth: no monthly steps


def test_same_seed_same_year_different_seed_different():
    a, b, c = (simulate(3.0, 2, seed=s) for s in (7, 7, 8))
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x.tmax_c, y.tmax_c)
        np.testing.assert_array_equal(x.tmin_c, y.tmin_c)
        np.testing.assert_array_equal(x.precip_mm, y.precip_mm)
    assert not np.array_equal(a[0].tmax_c, c[0].tmax_c)
    assert not np.array_equal(a[0].precip_mm, c[0].precip_mm)


def test_weather_is_physical(ref_years, hot_years):
    for w in ref_years + hot_years:
        assert w.tmin_c.shape == w.tmax_c.shape == w.precip_mm.shape == (365,)
        assert np.all(w.tmin_c <= w.tmax_c)
        assert np.all(w.precip_mm >= 0)
        assert np.all(w.precip_mm[w.precip_mm > 0] >= 1.0)
        np.testing.assert_allclose(w.tmean_c, (w.tmin_c + w.tmax_c) / 2)


@pytest.mark.parametrize(("warming", "fixture"), [(REF_WARMING, "ref_years"), (4.0, "hot_years")])
def test_monthly_means_match_normals_plus_delta(warming, fixture, request):
    """30 years: monthly temperature within 0.6 °C, precipitation within 30 % (annual 10 %)."""
    years = request.getfixturevalue(fixture)
    d = warming - REF_WARMING
    tmax = np.array([w.tmax_c for w in years])
    tmin = np.array([w.tmin_c for w in years])
    precip = np.array([w.precip_mm for w in years])
    dm, pf = monthly_temperature_delta_c(d), monthly_precip_factor(d)
    for m in range(12):
        days = MONTH_OF_DAY == m
        assert tmax[:, days].mean() == pytest.approx(TMAX[m] + dm[m], abs=0.6)
        assert tmin[:, days].mean() == pytest.approx(TMIN[m] + dm[m], abs=0.6)
        assert precip[:, days].sum(axis=1).mean() == pytest.approx(PRECIP[m] * pf[m], rel=0.3)
    assert precip.sum(axis=1).mean() == pytest.approx((PRECIP * pf).sum(), rel=0.1)


def test_daily_temperature_variability_and_persistence(ref_years):
    """Anomaly sd 2.5–4 °C and lag-1 autocorrelation ≈ 0.7 (Richardson 1981)."""
    anomalies = np.array([w.tmax_c - daily_cycle(TMAX) for w in ref_years])
    assert 2.5 < anomalies.std() < 4.0
    lag1 = np.mean([np.corrcoef(a[:-1], a[1:])[0, 1] for a in anomalies])
    assert 0.6 < lag1 < 0.8


def test_generator_rejects_bad_normals():
    rng = np.random.default_rng(0)
    ok = {"delta_c_monthly": np.zeros(12), "precip_factor_monthly": np.ones(12),
          "warming_c": 1.3, "rng": rng}
    with pytest.raises(UserError):
        generate_year(TMIN[:11], TMAX, PRECIP, **ok)
    with pytest.raises(UserError):
        generate_year(TMAX, TMIN, PRECIP, **ok)
    with pytest.raises(UserError):
        generate_year(TMIN, TMAX, -PRECIP, **ok)
    with pytest.raises(UserError):
        generate_year(TMIN, TMAX, PRECIP, **(ok | {"warming_c": float("nan")}))


@settings(max_examples=40, deadline=None)
@given(
    tmin0=st.floats(-15.0, 25.0),
    amplitude=st.floats(0.0, 15.0),
    dtr=st.floats(0.0, 20.0),
    precip=st.lists(st.floats(0.0, 400.0), min_size=12, max_size=12),
    delta=st.floats(-3.0, 7.0),
    warming=st.floats(0.0, 8.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_generator_never_breaks(tmin0, amplitude, dtr, precip, delta, warming, seed):
    """For random normals: no NaN, precip >= 0, Tmin <= Tmax, deterministic."""
    tmin = tmin0 + amplitude * np.sin(np.arange(12) / 12 * 2 * np.pi)
    args = (tmin, tmin + dtr, np.array(precip))
    kwargs = {"delta_c_monthly": monthly_temperature_delta_c(delta),
              "precip_factor_monthly": monthly_precip_factor(delta), "warming_c": warming}
    w = generate_year(*args, rng=np.random.default_rng(seed), **kwargs)
    for arr in (w.tmin_c, w.tmax_c, w.precip_mm):
        assert np.all(np.isfinite(arr))
    assert np.all(w.precip_mm >= 0)
    assert np.all(w.tmin_c <= w.tmax_c)
    again = generate_year(*args, rng=np.random.default_rng(seed), **kwargs)
    np.testing.assert_array_equal(w.tmax_c, again.tmax_c)
    index = yearly_indices(w)
    assert all(np.isfinite(v) for v in index.values())


# ---------------------------------------------------------------- emergent extremes

def test_hot_days_and_heat_waves_grow_with_warming(ref_years, hot_years):
    """Montauban-like: a few Tx>35 days now, several (>= 8) at France +4 °C;
    heat-wave days grow about tenfold (Météo-France 2024)."""
    tx35_ref, tx35_hot = (mean_index(y, "hot_days_35") for y in (ref_years, hot_years))
    hw_ref, hw_hot = (mean_index(y, "heat_wave_days") for y in (ref_years, hot_years))
    assert 0.5 <= tx35_ref <= 6.0
    assert tx35_hot >= 8.0 and tx35_hot >= 3.0 * tx35_ref
    assert hw_hot >= 5.0 * max(hw_ref, 0.5)
    assert mean_index(hot_years, "frost_days") < 0.5 * mean_index(ref_years, "frost_days")
    assert mean_index(hot_years, "tropical_nights") > mean_index(ref_years, "tropical_nights")
    assert mean_index(hot_years, "cdd") > mean_index(ref_years, "cdd")
    assert mean_index(hot_years, "hdd") < mean_index(ref_years, "hdd")


def test_hot_days_monotone_over_warming_levels():
    levels = (1.3, 2.7, 4.0)
    tx35 = [mean_index(simulate(x, 30, seed=5), "hot_days_35") for x in levels]
    assert tx35[0] < tx35[1] < tx35[2]


def test_dry_spells_lengthen_with_warming(ref_years, hot_years):
    assert (mean_index(hot_years, "longest_dry_spell_days")
            > mean_index(ref_years, "longest_dry_spell_days"))


# ---------------------------------------------------------------- indices

def test_indices_keys_exact(ref_years):
    assert tuple(yearly_indices(ref_years[0])) == INDEX_KEYS
    assert len(INDEX_KEYS) == 12


def test_drought_index_near_zero_for_reference_negative_when_hot_dry(ref_years, hot_years):
    ref, hot = (mean_index(y, "drought_index") for y in (ref_years, hot_years))
    assert abs(ref) < 0.5
    assert hot < -0.5
    assert mean_index(hot_years, "pet_mm") > mean_index(ref_years, "pet_mm")


def constant_weather(tmin: float, tmax: float, precip: float = 0.0) -> DailyWeather:
    full = np.full(365, 1.0)
    return DailyWeather(tmin_c=tmin * full, tmax_c=tmax * full, precip_mm=precip * full)


def test_heat_wave_mask_needs_three_days():
    w = constant_weather(15.0, 28.0)
    assert not heat_wave_mask(w, 20.0, 34.0).any()
    w.tmin_c[200:203], w.tmax_c[200:203] = 22.0, 37.0
    mask = heat_wave_mask(w, 20.0, 34.0)
    assert np.flatnonzero(mask).tolist() == [200, 201, 202]
    w.tmax_c[202] = 28.0  # 3-day mean Tmax = 34.0 still reaches the threshold
    assert heat_wave_mask(w, 20.0, 34.0).sum() == 3
    w.tmax_c[202] = 27.0
    assert heat_wave_mask(w, 20.0, 34.0).sum() == 0


def test_known_answer_indices():
    w = constant_weather(10.0, 20.0, precip=0.0)
    w.precip_mm[::10] = 5.0  # rain every 10th day: dry spells of 9 days, last one 4
    index = yearly_indices(w)
    assert index["longest_dry_spell_days"] == 9
    assert index["precip_mm"] == pytest.approx(37 * 5.0)
    assert index["hdd"] == pytest.approx(365 * 3.0)
    assert index["cdd"] == 0.0
    assert index["tmean_c"] == pytest.approx(15.0)
    assert index["frost_days"] == 0 and index["hot_days_30"] == 0


def test_hargreaves_pet_plausible():
    """Hargreaves PET for a Toulouse-like summer day is a few mm; winter < 1.5 mm."""
    pet = hargreaves_pet_mm(constant_weather(16.0, 29.0), LAT)
    assert 4.0 < pet[190] < 7.0
    winter = hargreaves_pet_mm(constant_weather(2.0, 9.0), LAT)
    assert winter[10] < 1.5


# ---------------------------------------------------------------- hourly temperature and PV

def test_hourly_temperature_hits_daily_extremes(ref_years):
    w = ref_years[0]
    hourly = hourly_temperature_c(w)
    assert hourly.shape == (8760,)
    by_day = hourly.reshape(365, 24)
    np.testing.assert_allclose(by_day[:, 6], w.tmin_c)
    np.testing.assert_allclose(by_day[:, 15], w.tmax_c)
    assert hourly.min() >= w.tmin_c.min() - 1e-9 and hourly.max() <= w.tmax_c.max() + 1e-9


def test_pv_yield_haute_garonne(ref_years):
    """1,250–1,350 kWh/kWp/yr at 43.3° N (DOMAIN §4); zero at night; <= 1 kW/kWp."""
    rng = np.random.default_rng(3)
    profiles = np.array([solar_capacity_factor_hourly(LAT, w, rng) for w in ref_years[:10]])
    assert profiles.shape == (10, 8760)
    assert 1250 <= profiles.sum(axis=1).mean() <= 1350
    by_hour = profiles.reshape(10, 365, 24)
    assert np.all(by_hour[:, :, [0, 1, 2, 22, 23]] == 0)
    assert profiles.max() <= 1.0 and profiles.min() >= 0.0
    july, december = by_hour[:, 181:212].sum(), by_hour[:, 334:365].sum()
    assert july > 1.5 * december


def test_pv_deterministic_and_lower_on_wet_days(ref_years):
    w = ref_years[1]
    a = solar_capacity_factor_hourly(LAT, w, np.random.default_rng(1))
    b = solar_capacity_factor_hourly(LAT, w, np.random.default_rng(1))
    np.testing.assert_array_equal(a, b)
    daily = a.reshape(365, 24).sum(axis=1)
    wet = w.precip_mm >= 1.0
    assert daily[wet].mean() < 0.7 * daily[~wet].mean()


# ---------------------------------------------------------------- hydrology

def run_flows(years: list[DailyWeather], seed: int) -> np.ndarray:
    rng, state, flows = np.random.default_rng(seed), None, []
    for w in years:
        flow, state = daily_river_flow_m3s(w, mean_flow_m3s=190.0, pet_mm_daily=None,
                                           state=state, rng=rng)
        flows.append(flow)
    return np.array(flows)


def test_reference_flow_mean_and_low_flow_season(ref_years):
    """q_ref is calibrated on the default place's 1991–2020 normals: 190 m³/s there;
    Montauban-like weather (hotter, drier) gives less."""
    from territoire_abm.climate.checks import simulated_years

    default_place = np.array([f for _, _, f in simulated_years(1.3, 60, seed=5)])
    assert default_place.mean() == pytest.approx(190.0, rel=0.1)
    flows = run_flows(ref_years, seed=1)
    assert flows.shape == (30, 365)
    assert np.all(flows > 0) and np.all(np.isfinite(flows))
    assert 0.7 * 190.0 < flows.mean() < 1.1 * 190.0
    spring = flows[:, MONTH_OF_DAY < 5].mean()
    late_summer = flows[:, (MONTH_OF_DAY == 7) | (MONTH_OF_DAY == 8)].mean()
    assert late_summer < 0.6 * spring


def test_summer_flow_drops_under_warming(ref_years, hot_years):
    """Explore2: summer flows −15 % to −50 % at the end of the century (RCP8.5)."""
    ref, hot = run_flows(ref_years, seed=1), run_flows(hot_years, seed=1)
    summer = slice(151, 243)  # June–August
    change = hot[:, summer].mean() / ref[:, summer].mean() - 1.0
    assert -0.5 < change < -0.15


def test_flow_determinism_and_state(ref_years):
    w = ref_years[2]
    a, sa = daily_river_flow_m3s(w, mean_flow_m3s=190.0, state=0.5, rng=np.random.default_rng(4))
    b, sb = daily_river_flow_m3s(w, mean_flow_m3s=190.0, state=0.5, rng=np.random.default_rng(4))
    np.testing.assert_array_equal(a, b)
    assert sa == sb and np.isfinite(sa)
    c, _ = daily_river_flow_m3s(w, mean_flow_m3s=190.0, state=2.0, rng=np.random.default_rng(4))
    assert c[:30].mean() > a[:30].mean()  # a fuller groundwater store gives more flow
    with pytest.raises(UserError):
        daily_river_flow_m3s(w, mean_flow_m3s=0.0, rng=np.random.default_rng(4))


def test_restriction_levels_thresholds():
    """Levels on a 10-day trailing minimum; defaults from the Garonne (alert 38 m³/s)."""
    for flow, level in [(100.0, -1), (45.0, 0), (37.0, 1), (30.0, 2), (20.0, 3)]:
        levels = restriction_levels(np.full(365, flow))
        assert levels.dtype == np.int8 and levels.shape == (365,)
        assert np.all(levels == level), flow
    flow = np.full(365, 100.0)
    flow[100] = 20.0  # one day of crisis flow keeps crise for 10 days
    levels = restriction_levels(flow)
    assert np.flatnonzero(levels == 3).tolist() == list(range(100, 110))
    assert thresholds_from_alert(38.0)["crisis_m3s"] == pytest.approx(22.8)
    with pytest.raises(UserError):
        restriction_levels(flow, vigilance_m3s=30.0, alert_m3s=38.0)


@settings(max_examples=50, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    extra=st.floats(0.0, 100.0),
)
def test_restriction_levels_monotone_in_flow(seed, extra):
    """More water never means stricter restrictions."""
    flow = np.random.default_rng(seed).lognormal(np.log(45.0), 0.5, 365)
    low, high = restriction_levels(flow), restriction_levels(flow + extra)
    assert np.all(high <= low)
    assert set(np.unique(low)) <= {-1, 0, 1, 2, 3}
