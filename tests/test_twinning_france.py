"""Twinning for every French commune: gazetteer, estimates without chaining, LOO, CLI errors."""

from __future__ import annotations

import gzip
import io
import math

import numpy as np
import pandas as pd
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


# --------------------------------------------------------------------------- import-normals


def write_mensq(path, stations, years=range(1989, 2022), scale=1.0, drop_month=None):
    """A small file in Météo-France's MENSQ layout: known monthly values per station."""
    lines = ["NUM_POSTE;NOM_USUEL;LAT;LON;ALTI;AAAAMM;RR;QRR;TN;QTN;TX;QTX;TM;QTM"]
    for num, name, lat, lon, alt, base in stations:
        for y in years:
            for m in range(1, 13):
                if m == drop_month and y > 1995:
                    continue
                season = -math.cos(2 * math.pi * (m - 1) / 12)
                tm = base + 8 * season + (y - 2005) * 0.01
                lines.append(f"{num};{name};{lat};{lon};{alt};{y}{m:02d};{50 + m};1;"
                             f"{(tm - 5) * scale:.1f};1;{(tm + 5) * scale:.1f};1;"
                             f"{tm * scale:.1f};1")
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return path


NORD = [("59343001", "LILLE-LESQUIN", 50.57, 3.10, 47, 11.0),
        ("62160001", "BOULOGNE", 50.73, 1.60, 73, 11.2)]


def test_import_normals_averages_the_period_and_lille_then_runs(tmp_path):
    src = write_mensq(tmp_path / "MENSQ_59_previous-1950-2024.csv.gz", NORD)
    out = tmp_path / "mf.csv"
    code, text, err = run_cli("import-normals", str(src), f"out={out}")
    assert code == 0, err
    assert "2 stations" in text
    normals = pd.read_csv(out)
    lille = normals[normals["name"].str.startswith("Lille-Lesquin")].iloc[0]
    # 1991-2020 only: the year trend averages to (2005.5 - 2005)·0.01 = 0.005 °C
    assert lille["tmean_jan"] == pytest.approx(11.0 - 8 + 0.005, abs=0.06)
    assert lille["tmax_jul"] - lille["tmin_jul"] == pytest.approx(10.0, abs=0.01)
    assert lille["precip_mar"] == pytest.approx(53.0)
    assert lille["period"] == "1991-2020" and "Météo-France" in lille["source"]
    code, text, err = run_cli("find", "commune=Lille", f"normals={out}", "warming_level=4.0",
                              f"out={tmp_path / 'f'}")
    assert code == 0, err
    assert "Lille (estimated)" in text and "Lille-Lesquin" in text


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"scale": 10.0}, "tenths of °C"),
        ({"drop_month": 2}, "months missing"),
    ],
)
def test_import_normals_bad_files_are_one_line_exit_2(tmp_path, kwargs, expected):
    src = write_mensq(tmp_path / "MENSQ_59.csv.gz", NORD[:1], **kwargs)
    code, _, err = run_cli("import-normals", str(src), f"out={tmp_path / 'x.csv'}")
    assert code == 2 and expected in err and err.count("\n") == 1


def test_import_normals_refuses_kelvin_and_missing_columns(tmp_path):
    kelvin = tmp_path / "k.csv"
    kelvin.write_text("NUM_POSTE;NOM_USUEL;LAT;LON;ALTI;AAAAMM;TN\n1;X;45;5;100;199101;274.1\n",
                      encoding="utf-8")
    code, _, err = run_cli("import-normals", str(kelvin))
    assert code == 2 and "Kelvin" in err
    cols = tmp_path / "c.csv"
    cols.write_text("NUM_POSTE;AAAAMM;TN\n1;199101;4.1\n", encoding="utf-8")
    code, _, err = run_cli("import-normals", str(cols))
    assert code == 2 and "NOM_USUEL" in err and err.count("\n") == 1


# --------------------------------------------------------------------------- regional futures


def test_twin_own_future_scales_with_its_region():
    from territoire_abm.twinning.projection import FRANCE_RATIO, own_future, project

    fr = station("Here", 43.0, 1.0, 100.0)
    es = fr.replace(name="Alli", country="ES")
    gb = fr.replace(name="There", country="GB")
    proj = project(fr, scenario="tracc", warming_level_c=4.0)
    assert own_future(fr, proj).annual_delta_c == pytest.approx(proj.annual_delta_c)
    spain = own_future(es, proj)
    assert spain.annual_delta_c == pytest.approx(proj.annual_delta_c * 1.2 / FRANCE_RATIO)
    assert "MedECC" in spain.notes[0]
    unknown = own_future(gb, proj)
    assert any("no sourced ratio for GB" in n for n in unknown.notes)
    abroad = project(gb, scenario="tracc", warming_level_c=4.0)
    assert any("outside France" in n for n in abroad.notes)
    assert not any("outside France" in n for n in proj.notes)


def test_find_states_the_best_twins_own_future():
    from territoire_abm.climate.normals import place_normals
    from territoire_abm.twinning.ranking import find_twins

    r = find_twins(place_normals("Carbonne"), warming_level=4.0)
    assert any(f"{r.best['name']}'s own future" in n for n in r.notes)
