"""Twinning for every French commune: gazetteer, estimates without chaining, LOO, CLI errors."""

from __future__ import annotations

import gzip
import io

import numpy as np
import pytest

from territoire_abm.climate.loo import leave_one_out, summarise
from territoire_abm.climate.normals import PlaceNormals, estimate_place, load_places
from territoire_abm.errors import UserError
from territoire_abm.twinning import cli
from territoire_abm.twinning.gazetteer import (
    GAZETTEER_PATH,
    communes_in,
    find_commune,
    load_gazetteer,
    name_key,
)

SEASON = np.cos(2 * np.pi * (np.arange(12) - 6) / 12)


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def station(name: str, lat: float, lon: float, alt: float, dt: float = 0.0,
            estimated: bool = False, period: str = "1991-2020") -> PlaceNormals:
    tmean = 13.0 + dt + 8.0 * SEASON
    return PlaceNormals(name=name, country="FR", lat=lat, lon=lon, altitude_m=alt,
                        population=1000.0, rurality="rural",
                        period=period, tmin_c=tmean - 5, tmax_c=tmean + 5, tmean_c=tmean,
                        precip_mm=np.full(12, 50.0), estimated=estimated,
                        kind="estimated" if estimated else "station")


# --------------------------------------------------------------------------- gazetteer


def test_gazetteer_covers_france_with_plausible_rows():
    frame = load_gazetteer()
    assert 34_000 < len(frame) < 36_000
    assert frame["insee"].is_unique
    metro = frame[~frame["departement"].str.startswith("97")]
    assert metro["lat"].between(41.3, 51.1).all() and metro["lon"].between(-5.2, 9.6).all()
    assert frame["altitude_m"].between(-450, 4800).all()
    assert GAZETTEER_PATH.stat().st_size < 2_000_000
    with gzip.open(GAZETTEER_PATH, "rt", encoding="utf-8") as handle:
        assert handle.readline().strip().startswith("insee,name,departement")


@pytest.mark.parametrize("query", ["Toulouse", "toulouse", "TOULOUSE", "31555"])
def test_find_commune_by_name_or_insee(query):
    c = find_commune(query)
    assert (c.insee, c.departement) == ("31555", "31")
    assert 43.5 < c.lat < 43.7 and 1.3 < c.lon < 1.6


def test_usual_spellings_match():
    assert name_key("St-Étienne") == name_key("saint etienne")
    assert find_commune("St-Etienne").insee == "42218"
    assert find_commune("Ste Maxime").name == "Sainte-Maxime"


def test_shared_name_lists_departements_and_can_be_chosen():
    with pytest.raises(UserError) as info:
        find_commune("Saint-Martin")
    message = str(info.value)
    assert "ambiguous" in message and "(32, INSEE 32389)" in message and "\n" not in message
    assert find_commune("Saint-Martin", departement="65").insee == "65392"


def test_typo_suggests_close_names():
    with pytest.raises(UserError, match="close names: Toulouse"):
        find_commune("Touluse")
    with pytest.raises(UserError, match="INSEE"):
        find_commune("99999")


def test_communes_of_a_departement():
    haute_garonne = communes_in("31")
    assert 550 < len(haute_garonne) < 620
    assert {c.departement for c in haute_garonne} == {"31"}
    with pytest.raises(UserError, match="departement"):
        communes_in("123")


# --------------------------------------------------------------------------- estimates


def test_estimate_never_uses_estimated_places():
    """An estimated neighbour is skipped even when it is the nearest."""
    real = station("Real", 43.0, 0.0, 0.0)
    fake = station("Fake", 43.0, 0.5, 0.0, dt=10.0, estimated=True, period="2091-2120")
    est = estimate_place("Here", 43.0, 0.6, 0.0, places=[real, fake])
    np.testing.assert_allclose(est.tmean_c, real.tmean_c)
    assert "Fake" not in est.notes and est.period == "1991-2020"
    with pytest.raises(UserError, match="never built from estimates"):
        estimate_place("Here", 43.0, 0.6, 0.0, places=[real, fake], sources=["Fake"])


def test_leave_one_out_recovers_a_smooth_field_exactly():
    """Stations on a pure lapse-rate field are estimated without error."""
    places = [station(f"S{i}", 43.0 + 0.1 * i, 0.1 * (i % 3), 100.0 * i, dt=-0.65 * i)
              for i in range(8)]
    summary = summarise(leave_one_out(places)).set_index("feature")
    assert summary.loc["tmean_annual", "estimable"] == 8
    assert summary.loc["tmean_annual", "mae"] < 1e-9
    assert summary.loc["precip_annual", "mae"] < 1e-9


def test_leave_one_out_on_shipped_stations_is_bounded():
    """The shipped stations' LOO error stays in the range docs/twinning.md quotes."""
    summary = summarise(leave_one_out(load_places())).set_index("feature")
    assert summary.loc["tmean_annual", "estimable"] >= 80
    assert 0.3 < summary.loc["tmean_annual", "mae"] < 1.2
    assert summary.loc["tmax_jul", "mae"] < 2.5


# --------------------------------------------------------------------------- command line


def test_any_commune_by_name_runs(tmp_path):
    code, out, err = run_cli("find", "commune=Toulouse", "warming_level=4.0",
                             f"out={tmp_path}")
    assert code == 0, err
    assert "Toulouse (estimated)" in out and "INSEE 31555" in out


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("find", "commune=Touluse"), "commune: got 'Touluse'; unknown commune; close names"),
        (("find", "commune=Saint-Martin"), "ambiguous"),
        (("find", "commune=Lille", "warming_level=4.0"), "outside the data's domain"),
        (("find", "commune=Saint-Martin", "departement=99"), "departement"),
    ],
)
def test_bad_commune_is_one_line_exit_2(args, field, tmp_path):
    code, out, err = run_cli(*args, f"out={tmp_path}")
    assert code == 2
    assert err.startswith("error: ") and field in err and err.count("\n") == 1


# --------------------------------------------------------------------------- départements


def test_gazetteer_keys_match_the_query_normalisation():
    frame = load_gazetteer()
    sample = frame.sample(2000, random_state=1)
    assert [name_key(n) for n in sample["name"]] == list(sample["key"])
    assert find_commune("Coeuvres-et-Valsery").name == "Cœuvres-et-Valsery"


def test_departement_ranking_table_and_map(tmp_path):
    from territoire_abm.twinning.departement import rank_departement

    result = rank_departement("82", warming_level=4.0)  # Tarn-et-Garonne, near Montauban
    table = result.table
    assert len(table) == len(communes_in("82"))
    ok = table[table["status"] == "ok"]
    assert len(ok) > 0.9 * len(table)
    assert (ok["sigma_1"] <= ok["sigma_2"] + 0.2 + 1e-9).all()  # ordering rule of find_twins
    # the département's best twin for Montauban agrees with find_twins on that commune
    from territoire_abm.twinning.ranking import find_twins
    from territoire_abm.twinning.targets import commune_normals

    c = find_commune("82121")
    single = find_twins(commune_normals(c, load_places()), warming_level=4.0)
    row = table.set_index("insee").loc["82121"]
    assert row["twin_1"].startswith(single.table.iloc[0]["name"])
    assert row["sigma_1"] == pytest.approx(single.table.iloc[0]["sigma"], abs=1e-3)
    paths = result.write(tmp_path)
    assert paths["map"].stat().st_size > 20_000
    assert paths["csv"].read_text(encoding="utf-8").startswith("insee,name")


def test_departement_outside_domain_is_listed_not_dropped(tmp_path):
    code, out, err = run_cli("find", "departement=2A", "warming_level=4.0", f"out={tmp_path}")
    assert code == 0, err
    assert "outside the data's domain" in out
    csv = (tmp_path / "departement_2A_twins.csv").read_text(encoding="utf-8")
    assert csv.count("\n") > 100


def test_bad_departement_is_one_line_exit_2(tmp_path):
    code, _, err = run_cli("find", "departement=100", f"out={tmp_path}")
    assert code == 2 and err.startswith("error: departement:") and err.count("\n") == 1
