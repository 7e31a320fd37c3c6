"""Tests of climate twinning: data, estimation, projection, distances, ranking, CLI, outputs."""

from __future__ import annotations

import io
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from scipy.spatial import distance as scipy_distance

from territoire_abm.climate.normals import (
    DEFAULT_PLACES_PATH,
    MONTHS,
    PlaceNormals,
    estimate_place,
    load_places,
    normalise_name,
    place_normals,
)
from territoire_abm.errors import UserError
from territoire_abm.twinning import cli
from territoire_abm.twinning import distance as dist
from territoire_abm.twinning.book import transferability, write_book
from territoire_abm.twinning.build_data import build
from territoire_abm.twinning.candidates import CandidateSet
from territoire_abm.twinning.comparison import compare_territories
from territoire_abm.twinning.loaders import load_candidates, read_normals_csv
from territoire_abm.twinning.poster import write_poster
from territoire_abm.twinning.projection import project
from territoire_abm.twinning.ranking import NO_TWIN, find_twins
from territoire_abm.twinning.report import report_html, write_report

SEASON = np.cos(2 * np.pi * (np.arange(12) - 6) / 12)


def make_place(
    name: str,
    dt: float = 0.0,
    precip_factor: float = 1.0,
    *,
    population: float = 5000.0,
    altitude: float = 200.0,
    rurality: str = "rural",
    lat: float = 43.0,
    lon: float = 1.0,
    period: str = "1991-2020",
) -> PlaceNormals:
    """A synthetic place: a smooth temperate climate shifted by ``dt`` °C."""
    tmean = 13.0 + 8.0 * SEASON + dt
    return PlaceNormals(
        name=name, country="XX", lat=lat, lon=lon, altitude_m=altitude, population=population,
        rurality=rurality, period=period, tmin_c=tmean - 5.0, tmax_c=tmean + 6.0,
        tmean_c=tmean, precip_mm=np.full(12, 55.0) * precip_factor,
    )


def clone(place: PlaceNormals, name: str, **changes) -> PlaceNormals:
    """``place`` renamed (a candidate built by construction)."""
    return place.replace(name=name, period="1981-2010", notes="", **changes)


# --------------------------------------------------------------------------- data


def test_shipped_places_have_the_seed_pair_flagged_estimated():
    """Carbonne and Fuente Obejuna are shipped, complete, and flagged estimated."""
    places = load_places()
    names = [p.name for p in places]
    assert len(names) == len(set(names))
    for name in ("Carbonne", "Fuente Obejuna"):
        p = place_normals(name)
        assert p.estimated and "estimated" in p.notes
        assert all(p.has(v) for v in ("tmin", "tmax", "tmean", "precip"))
    carbonne = place_normals("carbonne")
    assert carbonne.population == 5737 and carbonne.rurality == "rural"
    assert carbonne.annual_precip == pytest.approx(640, abs=1)
    fuente = place_normals("FUENTEOVEJUNA")
    cordoba = place_normals("Cordoba Aeropuerto")
    # lapse rate −6.5 °C/km over 550 m
    assert fuente.tmax_c[6] == pytest.approx(cordoba.tmax_c[6] - 3.575, abs=0.02)
    montauban = place_normals("Montauban")
    assert carbonne.tmin_c[0] == pytest.approx(montauban.tmin_c[0] - 0.585, abs=0.02)


def test_shipped_places_csv_is_up_to_date():
    """data/places.csv is what build_data produces from climate_normals.csv."""
    shipped = pd.read_csv(DEFAULT_PLACES_PATH)
    rebuilt = build()
    assert list(shipped["name"]) == list(rebuilt["name"])
    for col in ("tmin_jan", "tmax_jul", "precip_may", "altitude_m", "population"):
        np.testing.assert_allclose(shipped[col], rebuilt[col], atol=0.01, equal_nan=True)


def test_unknown_place_lists_close_names_in_one_line():
    """A misspelt commune raises UserError naming close names."""
    with pytest.raises(UserError) as info:
        place_normals("Carbone")
    message = str(info.value)
    assert "commune" in message and "Carbonne" in message and "\n" not in message


def test_name_matching_ignores_case_and_accents():
    """Lookup is case- and accent-insensitive."""
    assert normalise_name("  Ávila ") == "avila"
    assert place_normals("avila").name == "Ávila"
    assert place_normals("LEON AEROPUERTO").name == "León Aeropuerto"


def test_estimate_place_applies_lapse_rate_and_inverse_distance():
    """Two stations equidistant at 0 and 1000 m agree once lapse-corrected."""
    low = make_place("Low", dt=0.0, altitude=0.0, lat=43.0, lon=0.0)
    high = make_place("High", dt=-6.5, altitude=1000.0, lat=43.0, lon=2.0)
    est = estimate_place("Middle", 43.0, 1.0, 500.0, places=[low, high])
    assert est.estimated and est.kind == "estimated"
    np.testing.assert_allclose(est.tmean_c, low.tmean_c - 3.25, atol=1e-9)
    assert "lapse" in est.notes and "Low" in est.notes and "High" in est.notes
    np.testing.assert_allclose(est.precip_mm, 55.0)
    near = estimate_place("Near", 43.0, 0.1, 0.0, places=[low, high])
    assert abs(near.tmean_c.mean() - low.tmean_c.mean()) < 0.1  # nearest dominates


def test_estimate_place_without_station_in_reach_is_a_user_error():
    """No station within the radius: one-line UserError."""
    with pytest.raises(UserError, match="outside the data.s domain"):
        estimate_place("Nowhere", -40.0, 170.0, 100.0, places=[make_place("A")])
    with pytest.raises(UserError, match="lat"):
        estimate_place("Bad", 123.0, 0.0, 100.0)


# --------------------------------------------------------------------------- projection


def test_projection_adds_seasonal_delta_relative_to_the_normals_period():
    """The delta is relative to the place's period and summer warms more than winter."""
    place = make_place("T")
    p = project(place, scenario="tracc", year=2050)
    assert p.annual_delta_c == pytest.approx(2.7 - 1.3)
    diff = p.future.tmax_c - place.tmax_c
    assert diff.mean() == pytest.approx(p.annual_delta_c)
    assert diff[6] > diff[0]
    older = project(place.replace(period="1981-2010"), scenario="tracc", year=2050)
    assert older.annual_delta_c == pytest.approx(2.7 - 0.9)
    level = project(place, scenario="tracc", warming_level_c=4.0)
    assert level.annual_delta_c == pytest.approx(4.0 - 1.3)
    with pytest.raises(UserError, match="horizon"):
        project(place, year=2300)
    with pytest.raises(UserError, match="warming_level"):
        project(place, warming_level_c=9.0)


# --------------------------------------------------------------------------- distances


def test_distances_match_references():
    """seuclidean matches scipy; Mahalanobis with diagonal cov equals it; sigma(1 dof) = d."""
    rng = np.random.default_rng(3)
    X, t, s = rng.normal(size=(50, 4)), rng.normal(size=4), rng.uniform(0.5, 2, 4)
    d = dist.seuclidean(X, t, s)
    ref = scipy_distance.cdist(X, t[None, :], "seuclidean", V=s**2)[:, 0]
    np.testing.assert_allclose(d, ref)
    np.testing.assert_allclose(dist.mahalanobis(X, t, np.diag(s**2)), d)
    cov = dist.covariance(s, dist.correlation(rng.normal(size=(200, 4))))
    ref_m = scipy_distance.cdist(X, t[None, :], "mahalanobis", VI=np.linalg.inv(cov))[:, 0]
    np.testing.assert_allclose(dist.mahalanobis(X, t, cov), ref_m)
    np.testing.assert_allclose(dist.sigma_dissimilarity(np.array([0.5, 1.0, 2.0]), 1),
                               [0.5, 1.0, 2.0], rtol=1e-9)
    sig = dist.sigma_dissimilarity(np.linspace(0, 10, 21), 4)
    assert np.all(np.diff(sig) > 0)
    assert dist.distance_for_sigma(float(dist.sigma_dissimilarity(np.array([3.0]), 4)[0]), 4) \
        == pytest.approx(3.0)
    assert np.isfinite(dist.sigma_dissimilarity(np.array([200.0]), 4)).all()


# --------------------------------------------------------------------------- ranking


@pytest.fixture()
def target() -> PlaceNormals:
    return make_place("Target")


def test_candidate_equal_to_projected_target_ranks_first(target):
    """A candidate whose climate is the target's 2050 climate ranks first at distance 0."""
    future = project(target, scenario="tracc", year=2050).future
    candidates = [
        clone(future, "Exact"),
        make_place("Same as today"),
        make_place("Much hotter", dt=6.0),
        make_place("Wetter", dt=1.4, precip_factor=1.8),
    ]
    for metric in ("seuclidean", "mahalanobis", "sigma"):
        for variables in ("ministry4", "seasonal", "monthly", "tmean4"):
            r = find_twins(target, candidates, horizon=2050, metric=metric,
                           variables=variables)
            best = r.best
            assert best["name"] == "Exact", (metric, variables)
            assert best["climate_distance"] == pytest.approx(0.0, abs=1e-9)
            assert best["sigma"] == pytest.approx(0.0, abs=1e-9)
            assert r.good and r.verdict.startswith("good twin")


def test_physical_match_never_beats_a_clear_climate_match(target):
    """Physically identical but climatically far loses; near-ties go to the closer town."""
    future = project(target, scenario="tracc", year=2050).future
    climate_match = clone(future, "Climate match", population=3_000_000, altitude_m=1500.0,
                          rurality="urban")
    physical_match = clone(future, "Physical match").replace(
        tmin_c=future.tmin_c + 1.5, tmax_c=future.tmax_c + 1.5, tmean_c=future.tmean_c + 1.5)
    r = find_twins(target, [physical_match, climate_match], horizon=2050, physical_weight=1.0)
    assert list(r.table["name"]) == ["Climate match", "Physical match"]
    gap = r.table["sigma"].iloc[1] - r.table["sigma"].iloc[0]
    assert gap > 1.0  # a clear climate difference: physical_weight 1 cannot close it
    assert r.table["within_threshold"].all()
    # Near tie (sigma difference < physical_weight): the physically closer town goes first.
    near = clone(future, "Near twin, similar town").replace(
        tmean_c=future.tmean_c + 0.05, tmin_c=future.tmin_c + 0.05, tmax_c=future.tmax_c + 0.05)
    r2 = find_twins(target, [climate_match, near], horizon=2050, physical_weight=0.2)
    assert r2.best["name"] == "Near twin, similar town"
    assert abs(r2.table["sigma"].iloc[0] - r2.table["sigma"].iloc[1]) < 0.2
    r3 = find_twins(target, [climate_match, near], horizon=2050, physical_weight=0.0)
    assert r3.best["name"] == "Climate match"


def test_no_candidate_within_threshold_gives_no_good_twin(target):
    """Candidates all far away: the verdict says there is no good twin at this horizon."""
    r = find_twins(target, [make_place("Tropic", dt=9.0), make_place("Arctic", dt=-9.0)],
                   horizon=2050)
    assert not r.good
    assert r.verdict.startswith(NO_TWIN)
    assert NO_TWIN in r.to_text()
    assert not r.table["within_threshold"].any()


def test_weights_decide_between_two_different_mismatches(target):
    """Weighting a variable makes the candidate that matches it win."""
    future = project(target, scenario="tracc", year=2050).future
    winter = future.tmin_c.copy()
    winter[0] += 3.0
    summer = future.tmax_c.copy()
    summer[6] += 3.0
    bad_winter = clone(future, "Bad winter", tmin_c=winter)
    bad_summer = clone(future, "Bad summer", tmax_c=summer)
    r = find_twins(target, [bad_winter, bad_summer], horizon=2050, weights="tmin_jan:5")
    assert r.best["name"] == "Bad summer"
    r = find_twins(target, [bad_winter, bad_summer], horizon=2050,
                   weights={"tmax_jul": 5, "tmin_jan": 1})
    assert r.best["name"] == "Bad winter"
    with pytest.raises(UserError, match="weights"):
        find_twins(target, [bad_winter], horizon=2050, weights="tmax_aug:2")
    with pytest.raises(UserError, match="weights"):
        find_twins(target, [bad_winter], horizon=2050, weights="tmean=2")


def test_candidates_missing_a_variable_are_ranked_on_what_they_have(target):
    """A candidate without tmax is ranked on its other features, and says so; one with a
    single feature of the set is excluded with the reason recorded."""
    partial = make_place("No tmax").replace(tmax_c=np.full(12, np.nan))
    bare = make_place("Tmean only").replace(tmax_c=np.full(12, np.nan),
                                            tmin_c=np.full(12, np.nan),
                                            precip_mm=np.full(12, np.nan))
    r = find_twins(target, [make_place("Full", dt=1.0), partial, bare], horizon=2050)
    assert set(r.table["name"]) == {"Full", "No tmax"}
    row = r.table.set_index("name").loc["No tmax"]
    assert row["features_used"] == "tmean, tmin_jan, precip"
    assert np.isnan(row["d_tmax_jul_c"])
    assert any("No tmax: ranked on tmean, tmin_jan, precip only" in n for n in r.notes)
    assert r.excluded.iloc[0]["reason"] == "no tmin_jan, tmax_jul, precip"
    with pytest.raises(UserError, match="tmin_jan"):
        find_twins(target, [bare], horizon=2050)


def test_interannual_years_give_a_covariance(target):
    """With per-year values the sigma metric uses the target's interannual covariance."""
    rng = np.random.default_rng(5)
    years = {v: target.monthly(v) + rng.normal(0, 1.0, (30, 12)) for v in ("tmin", "tmax",
                                                                           "tmean")}
    years["precip"] = target.precip_mm * rng.lognormal(0, 0.3, (30, 12))
    with_years = target.replace(interannual_years=years)
    r = find_twins(with_years, [make_place("A", dt=1.0), make_place("B", dt=3.0)],
                   horizon=2050, metric="sigma")
    assert "interannual" in r.covariance_source
    assert r.best["name"] == "A"


def test_carbonne_2050_tracc_finds_mediterranean_twins():
    """Carbonne in 2050 (TRACC) gets a ranked list of Mediterranean candidates, flagged
    estimated (CHELSA points ranked on the variables they have since issue 12)."""
    r = find_twins(place_normals("Carbonne"), scenario="tracc", horizon=2050)
    top = r.table.head(10)
    assert top["country"].isin(["ES", "FR", "IT", "PT", "GR", "TR", "HR", "CY", "MT"]).all()
    full = top[top["features_used"] == "all"]
    assert (full["country"] == "ES").sum() >= 3
    assert r.good and top["within_threshold"].all()
    assert r.projection.annual_delta_c == pytest.approx(1.4)
    assert "Fuente Obejuna" in set(r.table["name"])
    assert any("Carbonne: estimated" in n for n in r.notes)
    assert any("periods differ" in n for n in r.notes)
    for col in ("sigma", "physical_distance", "differs_most", "population", "altitude_m",
                "rurality", "estimated", "d_tmax_jul_c", "d_precip_pct"):
        assert col in r.table.columns
    hot = find_twins(place_normals("Carbonne"), scenario="tracc", warming_level=4.0)
    assert hot.projection.annual_delta_c == pytest.approx(2.7)
    assert hot.target_future.tmax_c[6] > r.target_future.tmax_c[6]
    assert hot.table["tmean_c"].head(5).mean() > top["tmean_c"].head(5).mean() + 1.0


@pytest.mark.parametrize("metric", ["seuclidean", "mahalanobis", "sigma"])
@pytest.mark.parametrize("variables", ["ministry4", "seasonal", "monthly", "tmean4",
                                       "tmean,tmax_jja,precip_jja"])
def test_metric_and_variable_options_run_on_shipped_data(metric, variables):
    """Every metric and variable set ranks the shipped candidates."""
    r = find_twins(place_normals("Carbonne"), horizon=2050, metric=metric, variables=variables)
    assert len(r.table) > 50
    assert r.table["sigma"].is_monotonic_increasing or not r.table["within_threshold"].all()
    assert np.isfinite(r.table["sigma"]).all()


def test_bad_options_are_user_errors(target):
    """Unknown metric, variables or physical weight: UserError."""
    with pytest.raises(UserError, match="metric"):
        find_twins(target, [make_place("A")], metric="cosine")
    with pytest.raises(UserError, match="variables"):
        find_twins(target, [make_place("A")], variables="humidity")
    with pytest.raises(UserError, match="physical_weight"):
        find_twins(target, [make_place("A")], physical_weight=3.0)


def test_ranking_10000_candidates():
    """10,000 candidates are all ranked (the speed figure is benchmarks/bench_twinning.py's)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from bench_twinning import synthetic_candidates

    cands = synthetic_candidates(10_000)
    target = place_normals("Carbonne")
    r = find_twins(target, cands, horizon=2050, metric="mahalanobis")
    assert len(r.table) == 10_000
    assert list(r.table["rank"]) == list(range(1, 10_001))


# --------------------------------------------------------------------------- loaders


def _wide_row(name: str, dt: float = 0.0) -> dict:
    p = make_place(name, dt)
    row = {"name": name, "country": "ES", "lat": 40.0, "lon": -3.0, "altitude_m": 600}
    for v in ("tmin", "tmax", "precip"):
        for i, m in enumerate(MONTHS):
            row[f"{v}_{m}"] = float(p.monthly(v)[i])
    return row


def test_user_csv_wide_and_long_layouts(tmp_path):
    """A wide CSV (comma or semicolon) and a long CSV with Kelvin variables load."""
    path = tmp_path / "mine.csv"
    pd.DataFrame([_wide_row("Villa"), _wide_row("Pueblo", 2.0)]).to_csv(path, index=False)
    places = read_normals_csv(path)
    assert [p.name for p in places] == ["Villa", "Pueblo"]
    assert places[0].has("tmean")  # derived from (tmin + tmax) / 2
    semi = tmp_path / "semi.csv"
    pd.DataFrame([_wide_row("Villa")]).to_csv(semi, index=False, sep=";")
    assert read_normals_csv(semi)[0].tmax_c[6] == pytest.approx(places[0].tmax_c[6])
    long_rows = []
    p = make_place("Aldea")
    for var, values in (("tmin_K", p.tmin_c + 273.15), ("tmax_C", p.tmax_c),
                        ("precip_mm", p.precip_mm)):
        long_rows.append({"name": "Aldea", "variable": var,
                          **{m: float(values[i]) for i, m in enumerate(MONTHS)}})
    long = tmp_path / "long.csv"
    pd.DataFrame(long_rows).to_csv(long, index=False)
    aldea = read_normals_csv(long)[0]
    np.testing.assert_allclose(aldea.tmin_c, p.tmin_c, atol=1e-9)
    cs = load_candidates(long)
    assert isinstance(cs, CandidateSet) and len(cs) == 1


def test_user_csv_missing_column_names_the_column(tmp_path):
    """Missing name / month columns and bad values give a UserError naming the column."""
    rows = [_wide_row("Villa")]
    frame = pd.DataFrame(rows)
    frame.drop(columns=["name"]).to_csv(tmp_path / "a.csv", index=False)
    with pytest.raises(UserError) as info:
        read_normals_csv(tmp_path / "a.csv")
    assert info.value.field == "name"
    frame.drop(columns=["tmax_dec"]).to_csv(tmp_path / "b.csv", index=False)
    with pytest.raises(UserError) as info:
        read_normals_csv(tmp_path / "b.csv")
    assert info.value.field == "tmax_dec"
    frame.assign(tmax_jul="hot").to_csv(tmp_path / "c.csv", index=False)
    with pytest.raises(UserError) as info:
        read_normals_csv(tmp_path / "c.csv")
    assert info.value.field == "tmax_jul"
    frame.assign(tmax_july=1).to_csv(tmp_path / "d.csv", index=False)
    with pytest.raises(UserError) as info:
        read_normals_csv(tmp_path / "d.csv")
    assert info.value.field == "tmax_july"
    frame[["name", "country"]].to_csv(tmp_path / "e.csv", index=False)
    with pytest.raises(UserError, match="columns"):
        read_normals_csv(tmp_path / "e.csv")


def test_user_csv_in_kelvin_is_detected(tmp_path):
    """Temperatures around 290 are refused with a Kelvin hint."""
    row = _wide_row("Villa")
    for m in MONTHS:
        row[f"tmax_{m}"] += 273.15
    pd.DataFrame([row]).to_csv(tmp_path / "k.csv", index=False)
    with pytest.raises(UserError, match="Kelvin") as info:
        read_normals_csv(tmp_path / "k.csv")
    assert info.value.field.startswith("tmax_")
    row = _wide_row("Villa")
    for m in MONTHS:
        row[f"precip_{m}"] = 2e-5
    pd.DataFrame([row]).to_csv(tmp_path / "p.csv", index=False)
    with pytest.raises(UserError, match="units"):
        read_normals_csv(tmp_path / "p.csv")


def _grid_dataset(n_years: int = 0) -> xr.Dataset:
    lat = np.array([40.0, 41.0, 42.0])
    lon = np.array([-3.0, -2.0, -1.0, 0.0])
    base = make_place("grid")
    steps = 12 * n_years if n_years else 12
    rng = np.random.default_rng(0)
    shift = (np.arange(3)[:, None] + np.arange(4)[None, :]) * 0.5  # warmer to the SE
    months = np.arange(steps) % 12
    noise = rng.normal(0, 0.8, (steps, 3, 4)) if n_years else 0.0
    tas = base.tmean_c[months][:, None, None] + shift[None] + noise + 273.15
    pr = np.full((steps, 3, 4), 55.0) / (86400.0 * 30.0)
    coords = {"lat": lat, "lon": lon}
    if n_years:
        coords["time"] = pd.date_range("1991-01-01", periods=steps, freq="MS")
    else:
        coords["month"] = np.arange(1, 13)
    dim = "time" if n_years else "month"
    return xr.Dataset(
        {
            "tasmin": ((dim, "lat", "lon"), tas - 5.0, {"units": "K"}),
            "tasmax": ((dim, "lat", "lon"), tas + 6.0, {"units": "K"}),
            "pr": ((dim, "lat", "lon"), pr, {"units": "kg m-2 s-1"}),
        },
        coords=coords,
    )


def test_netcdf_climatology_roundtrip_and_units(tmp_path):
    """A synthetic gridded climatology in K and kg m-2 s-1 loads in °C and mm/month."""
    path = tmp_path / "clim.nc"
    _grid_dataset().to_netcdf(path)
    cs = load_candidates(path)
    assert len(cs) == 12 and set(cs.kinds) == {"grid"}
    base = make_place("grid")
    first = cs.place(0)
    np.testing.assert_allclose(first.tmin_c, base.tmean_c - 5.0, atol=1e-6)
    np.testing.assert_allclose(first.precip_mm[:2], [55.0 * 31 / 30, 55.0 * 28 / 30], rtol=1e-6)
    assert "converted from K" in first.notes
    # the cell equal to the target's future ranks first
    target = make_place("Target")
    future = project(target, scenario="tracc", year=2050).future
    shift = future.tmean_c.mean() - base.tmean_c.mean()
    cells = cs.monthly["tmean"].mean(axis=1) - base.tmean_c.mean()
    r = find_twins(target, cs, horizon=2050, variables="tmean,tmax_jul,tmin_jan")
    assert r.best["name"] == cs.names[int(np.argmin(np.abs(cells - shift)))]


def test_netcdf_year_series_gives_normals_and_variability(tmp_path):
    """Monthly series of whole years give normals and per-year values."""
    path = tmp_path / "series.nc"
    _grid_dataset(n_years=5).to_netcdf(path)
    cs = load_candidates(path)
    assert cs.years is not None and cs.years["tmin"].shape == (5, 12, 12)
    assert cs.periods[0] == "1991-1995"
    cell = cs.place(0)
    r = find_twins(cell.replace(name="cell target"), cs, horizon=2050, metric="sigma")
    assert "interannual" in r.covariance_source


def test_netcdf_kelvin_without_units_is_a_user_error(tmp_path):
    """Kelvin values without a units attribute are refused with a hint; unknown units too."""
    ds = _grid_dataset()
    for name in ("tasmin", "tasmax"):
        ds[name].attrs.pop("units")
    ds.to_netcdf(tmp_path / "nounits.nc")
    with pytest.raises(UserError, match="Kelvin"):
        load_candidates(tmp_path / "nounits.nc")
    ds = _grid_dataset()
    ds["pr"].attrs["units"] = "furlongs"
    ds.to_netcdf(tmp_path / "bad.nc")
    with pytest.raises(UserError, match="units"):
        load_candidates(tmp_path / "bad.nc")
    with pytest.raises(UserError, match="candidates"):
        load_candidates(tmp_path / "file.xlsx")


# --------------------------------------------------------------------------- comparison


def synthetic_results(hot: float, coop: float, measures: dict[str, float], seed: int = 1,
                      drop: tuple[str, ...] = ()) -> pd.DataFrame:
    """Per-year indicators like the engine's, for 2025–2050."""
    rng = np.random.default_rng(seed)
    years = np.arange(2025, 2051)
    n = len(years)
    data = {
        "hot_days_35": hot + rng.normal(0, 1, n),
        "heat_wave_days": hot / 2 + rng.normal(0, 1, n),
        "heat_stress_person_days": hot * 300 + rng.normal(0, 10, n),
        "unmet_water_share_households": np.full(n, 0.02),
        "unmet_water_share_agriculture": np.full(n, 0.2),
        "unmet_water_share_industry": np.full(n, 0.05),
        "restriction_days": np.full(n, 30.0),
        "cooperation_rate": np.full(n, coop),
        "trust_mean": np.full(n, 0.5),
        "satisfaction_mean": np.full(n, 0.6),
        "emissions_t_per_inhabitant": np.linspace(6, 4, n),
    }
    for mid, share in measures.items():
        data[f"measures_adopted_share_{mid}"] = np.linspace(0, share, n)
    frame = pd.DataFrame(data, index=pd.Index(years, name="year"))
    return frame.drop(columns=list(drop))


@pytest.fixture()
def comparison():
    target = place_normals("Carbonne")
    twin = place_normals("Fuente Obejuna")
    ranking = find_twins(target, horizon=2050)
    t = synthetic_results(3, 0.3, {"green_schoolyards": 0.1, "drip_irrigation": 0.2})
    w = synthetic_results(25, 0.5, {"green_schoolyards": 0.6, "drip_irrigation": 0.8,
                                    "heatwave_alert_plan": 0.9, "siesta_hours": 0.4}, seed=2,
                          drop=("unmet_water_share_industry",))
    return compare_territories(t, w, target, twin, ranking=ranking)


def test_compare_territories_organises_the_four_themes(comparison):
    """Indicators land in the seed's four themes; missing columns are listed, not invented."""
    assert [t.theme.key for t in comparison.themes] == ["heat", "extremes", "water", "social"]
    heat = comparison.theme("heat").indicators.set_index("indicator")
    assert heat.loc["hot_days_35", "better"] == "target"
    assert heat.loc["hot_days_35", "twin_mean"] > heat.loc["hot_days_35", "target_mean"]
    assert "heat_stress_person_days_per_1000" in heat.index
    social = comparison.theme("social").indicators.set_index("indicator")
    assert social.loc["cooperation_rate", "better"] == "twin"
    water = comparison.theme("water")
    assert "unmet_water_m3" in water.missing
    industry = water.indicators.set_index("indicator").loc["unmet_water_share_industry"]
    assert math.isnan(industry["twin_mean"]) and industry["better"] == "n/a"
    themes = dict(zip(comparison.measures["measure_id"], comparison.measures["theme"],
                      strict=True))
    assert themes == {"drip_irrigation": "water", "green_schoolyards": "heat",
                      "heatwave_alert_plan": "extremes", "siesta_hours": "other"}
    assert comparison.climate.loc["July max. temperature (°C)", "twin_minus_future"] > 0
    assert comparison.twin_sigma() is not None
    assert any("Fuente Obejuna: estimated" in n for n in comparison.notes)


def test_compare_territories_is_graceful_with_sparse_input():
    """A year column, few indicators or no results at all still give a comparison."""
    t = pd.DataFrame({"year": [2030, 2031], "hot_days_35": [1.0, 2.0]})
    w = pd.DataFrame({"year": [2030, 2031], "trust_mean": [0.4, 0.5]})
    c = compare_territories(t, w)
    assert c.target_name == "target" and c.climate.empty
    heat = c.theme("heat").indicators
    assert heat["twin_mean"].isna().all()
    empty = compare_territories(None, None, "Carbonne", "Fuente Obejuna")
    assert not empty.has_results and empty.to_frame().empty
    with pytest.raises(UserError):
        compare_territories("not a frame", None)


def test_best_practice_book_ranks_by_transferability(comparison, tmp_path):
    """Adopted, relevant, not-yet-done measures come first; the factors are shown."""
    table = transferability(comparison)
    assert list(table["rank"]) == list(range(1, len(table) + 1))
    assert table["transferability"].is_monotonic_decreasing
    first = table.iloc[0]
    assert first["measure_id"] in ("heatwave_alert_plan", "drip_irrigation")
    assert (table["transferability"] <= table["twin_share"] + 1e-12).all()
    siesta = table.set_index("measure_id").loc["siesta_hours"]
    assert siesta["relevance"] == pytest.approx(0.5)
    catalogue = pd.DataFrame({"measure_id": ["drip_irrigation"], "feasibility": [0.0],
                              "label": ["Drip irrigation of orchards"]})
    with_cat = transferability(comparison, catalogue).set_index("measure_id")
    assert with_cat.loc["drip_irrigation", "transferability"] == 0.0
    assert with_cat.loc["drip_irrigation", "label"] == "Drip irrigation of orchards"
    paths = write_book(comparison, tmp_path)
    for path in paths.values():
        assert path.stat().st_size > 100


def test_report_poster_and_book_are_written(comparison, tmp_path):
    """The HTML report is self-contained with figures; poster PNG/PDF are non-empty."""
    report = write_report(comparison, tmp_path)
    text = report.read_text(encoding="utf-8")
    assert text.count("data:image/png;base64,") >= 4
    assert "http://" not in text and "https://" not in text and "<script" not in text
    for key in ("Urban strategies against heat", "Measures against extreme events",
                "Water management and usage conflicts", "Social behaviours", "estimated"):
        assert key in text
    paths = write_poster(comparison, tmp_path)
    assert paths["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert paths["pdf"].read_bytes()[:5] == b"%PDF-"
    assert paths["png"].stat().st_size > 20_000


def test_user_text_is_escaped_in_html(tmp_path):
    """A commune named with <script> appears escaped in the report and the book."""
    evil = make_place("<script>alert('x')</script> & $Co$")
    twin = make_place("Twin <b>", dt=1.4)
    ranking = find_twins(evil, [twin, make_place("Other", dt=5)], horizon=2050)
    t = synthetic_results(3, 0.3, {"<img src=x onerror=alert(1)>": 0.2})
    w = synthetic_results(9, 0.4, {"<img src=x onerror=alert(1)>": 0.7}, seed=3)
    c = compare_territories(t, w, evil, twin, ranking=ranking)
    page = report_html(c)
    assert "<script>" not in page and "<img src=x" not in page and "<b>" not in page
    assert "&lt;script&gt;" in page
    book = (write_book(c, tmp_path)["html"]).read_text(encoding="utf-8")
    assert "<script>" not in book and "<img src=x" not in book and "&lt;script&gt;" in book
    assert write_poster(c, tmp_path)["png"].stat().st_size > 0  # '$' does not break mathtext


# --------------------------------------------------------------------------- CLI


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_cli_find_prints_and_writes_the_ranking(tmp_path):
    """`twin find commune=Carbonne horizon=2050 scenario=tracc` prints and writes the table."""
    code, out, err = run_cli("find", "commune=Carbonne", "horizon=2050", "scenario=tracc",
                             f"out={tmp_path}")
    assert code == 0, err
    assert "verdict:" in out and "estimated" in out and "Girona" in out
    table = pd.read_csv(tmp_path / "twin_ranking.csv")
    assert table["rank"].iloc[0] == 1 and len(table) > 50
    assert (tmp_path / "twin_ranking.json").is_file()
    code, out, _ = run_cli("twin", "find", "commune=Fuente", "Obejuna", "warming_level=4.0",
                           "variables=seasonal", "metric=sigma", "weights=tmax_jja:2", "top=3",
                           f"out={tmp_path / 'b'}")
    assert code == 0 and "Climate twins of Fuente Obejuna" in out


def test_cli_find_estimates_a_commune_from_coordinates(tmp_path):
    """A commune not shipped is estimated from lat/lon/altitude and says so."""
    code, out, err = run_cli("find", "commune=Muret", "lat=43.46", "lon=1.33", "altitude=170",
                             "population=25000", f"out={tmp_path}")
    assert code == 0, err
    assert "Muret (estimated)" in out and "lapse" in out


def test_cli_find_with_user_candidates_file(tmp_path):
    """candidates=<csv> ranks the user's own places."""
    target = place_normals("Carbonne")
    future = project(target, scenario="tracc", year=2050).future
    rows = [_wide_row("Far", 8.0)]
    exact = {"name": "Exact twin"}
    for v in ("tmin", "tmax", "precip"):
        for i, m in enumerate(MONTHS):
            exact[f"{v}_{m}"] = float(future.monthly(v)[i])
    rows.append(exact)
    path = tmp_path / "mine.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    code, out, err = run_cli("find", "commune=Carbonne", f"candidates={path}",
                             f"out={tmp_path / 'o'}")
    assert code == 0, err
    table = pd.read_csv(tmp_path / "o" / "twin_ranking.csv")
    assert table["name"].iloc[0] == "Exact twin"
    assert table["sigma"].iloc[0] < 0.01


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        (("find", "commune=Carbone"), "commune"),
        (("find", "commune=Carbonne", "metric=cosine"), "metric"),
        (("find", "commune=Carbonne", "variables=humidity"), "variables"),
        (("find", "commune=Nowhere", "lat=43.4", "lon=1.3"), "altitude"),
        (("report", "target=Carbonne", "twin=Atlantis"), "twin"),
        (("find", "commune=Carbonne", "horizon=2300"), "horizon"),
        (("find", "commune=Carbonne", "horizon=2050", "warming_level=3"), "warming_level"),
        (("find", "commune=Carbonne", "warming_level=7"), "warming_level"),
        (("find", "commune=Carbonne", "scenario=rcp99"), "scenario"),
        (("find", "commune=Carbonne", "weights=foo:1"), "weights"),
        (("find", "commune=Carbonne", "top=many"), "top"),
        (("find", "commune=Carbonne", "colour=red"), "argument"),
        (("find", "commune=Carbonne", "candidates=/nonexistent.csv"), "candidates"),
        (("explode",), "command"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_code_2(argv, field):
    """Every user mistake: one line on stderr naming the field, exit code 2."""
    code, out, err = run_cli(*argv)
    assert code == 2
    assert err.startswith("error: ") and err.count("\n") == 1
    assert field in err
    if field == "commune":
        assert "Carbonne" in err  # suggestion of a close name


def test_cli_compare_runs_the_engine(tmp_path):
    """compare simulates both territories with the engine and writes their tables."""
    code, out, err = run_cli("compare", "target=Carbonne", "twin=Fuente Obejuna",
                             "until=2030", "households=150", f"out={tmp_path / 'e'}")
    assert code == 0, err
    target = pd.read_csv(tmp_path / "e" / "target_indicators.csv", index_col=0)
    twin = pd.read_csv(tmp_path / "e" / "twin_indicators.csv", index_col=0)
    assert list(target.index) == list(range(2025, 2031)) == list(twin.index)
    # Fuente Obejuna is hotter than Carbonne under the same scenario
    assert twin["hot_days_35"].mean() > target["hot_days_35"].mean()
    code, _, err = run_cli("compare", "target=Carbonne", "twin=Fuente Obejuna",
                           "exchange=1.5")
    assert code == 2 and "exchange" in err


def test_cli_compare_with_a_stand_in_engine(monkeypatch, tmp_path):
    """compare and report work on any result tables given by run_compare."""

    def fake_run(target, twin, **kwargs):
        return (synthetic_results(3, 0.3, {"drip_irrigation": 0.2}),
                synthetic_results(20, 0.5, {"drip_irrigation": 0.8}, seed=2))

    monkeypatch.setattr(cli, "run_compare", fake_run)
    code, out, err = run_cli("compare", "target=Carbonne", "twin=Fuente Obejuna",
                             f"out={tmp_path}")
    assert code == 0, err
    assert "Urban strategies against heat" in out
    assert (tmp_path / "target_indicators.csv").is_file()
    code, out, err = run_cli("report", "target=Carbonne", "twin=Fuente Obejuna",
                             f"results={tmp_path}", f"out={tmp_path / 'r'}")
    assert code == 0, err
    for name in ("twin_report.html", "twin_poster.png", "twin_poster.pdf",
                 "best_practice_book.html", "best_practice_book.md"):
        assert (tmp_path / "r" / name).stat().st_size > 0
    book = (tmp_path / "r" / "best_practice_book.md").read_text(encoding="utf-8")
    assert "Irrigation au goutte-à-goutte" in book  # French by default (lang=fr)


def test_engine_measure_columns_and_catalogue_are_used():
    """adopted_share_/council_has_ columns are read; catalogue labels, themes, flags used."""
    from territoire_abm.twinning.comparison import engine_catalogue

    catalogue = engine_catalogue()
    if not catalogue:
        pytest.skip("no engine measure catalogue")
    flagged = next((m for m, e in catalogue.items() if e["maladaptation"]), None)
    plain = next((m for m, e in catalogue.items()
                  if not e["maladaptation"] and e["theme"] == "heat"), None)
    if flagged is None or plain is None:
        pytest.skip("catalogue without a flagged and a plain heat measure")
    years = pd.Index([2030, 2031], name="year")
    twin = pd.DataFrame({f"adopted_share_{flagged}": [0.5, 0.8],
                         f"council_has_{plain}": [0.0, 0.8]}, index=years)
    target = pd.DataFrame({f"adopted_share_{flagged}": [0.0, 0.0]}, index=years)
    c = compare_territories(target, twin, "Carbonne", "Fuente Obejuna")
    measures = c.measures.set_index("measure_id")
    assert measures.loc[plain, "label"] == catalogue[plain]["label"]
    assert measures.loc[plain, "theme"] == "heat"
    assert measures.loc[flagged, "maladaptation"]
    book = transferability(c).set_index("measure_id")
    assert book.loc[flagged, "transferability"] < book.loc[plain, "transferability"]
    assert "maladaptation" in book.loc[flagged, "why"]
