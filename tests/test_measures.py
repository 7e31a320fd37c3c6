"""Tests of the measures catalogue (data, validation, economics)."""

from __future__ import annotations

import csv
import dataclasses
import math
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from territoire_abm.errors import UserError
from territoire_abm.measures import (
    ADOPTERS,
    COLUMNS,
    FACTOR_COLUMNS,
    KINDS,
    THEMES,
    UNITS,
    Measure,
    annualised_capex_eur,
    annualised_embodied_kgco2e,
    capital_recovery_factor,
    catalogue_frame,
    load_catalogue,
    measures_for,
    validate,
)

REPO = Path(__file__).resolve().parents[1]
SHIPPED_CSV = REPO / "src" / "territoire_abm" / "data" / "measures.csv"
DOCS = REPO / "docs" / "measures.md"

# Measures the project brief asks the catalogue to contain.
REQUIRED_IDS = {
    "deep_retrofit_old_house",
    "cool_roof_light_walls",
    "garden_shade_trees",
    "municipal_greening_cool_islands",
    "rooftop_pv_household",
    "ground_mounted_pv",
    "community_battery",
    "heat_pump_air_water",
    "air_conditioning",
    "cool_rooms",
    "heat_wave_plan",
    "water_saving_devices",
    "rainwater_tank",
    "drip_irrigation",
    "drought_tolerant_crops",
    "treated_wastewater_reuse",
    "water_network_leak_reduction",
    "stormwater_retention_basin",
    "farm_hill_reservoir",
    "shifted_working_hours",
    "awareness_campaign",
    "process_heat_recovery",
    "led_efficient_equipment",
    "biomass_district_heating",
    "smart_thermostat",
    "agrivoltaics",
}


@pytest.fixture(scope="module")
def catalogue() -> dict[str, Measure]:
    return load_catalogue()


def _shipped_rows() -> list[dict[str, str]]:
    with SHIPPED_CSV.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _write(path: Path, rows: list[dict[str, str]], columns: list[str] | None = None) -> Path:
    columns = list(COLUMNS) if columns is None else columns
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


# --------------------------------------------------------------------------- shipped data


def test_shipped_catalogue_loads_with_enough_measures(catalogue):
    assert len(catalogue) >= 24
    assert all(isinstance(m, Measure) for m in catalogue.values())
    assert list(catalogue) == [row["id"] for row in _shipped_rows()]


def test_required_measures_present(catalogue):
    assert REQUIRED_IDS <= set(catalogue), REQUIRED_IDS - set(catalogue)


def test_csv_header_is_exactly_the_schema():
    with SHIPPED_CSV.open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    assert tuple(header) == COLUMNS


@pytest.mark.parametrize("adopter", ADOPTERS)
def test_every_adopter_role_has_at_least_two_measures(catalogue, adopter):
    assert len(measures_for(adopter, catalogue)) >= 2


def test_both_adaptation_and_mitigation_present(catalogue):
    kinds = {m.kind for m in catalogue.values()}
    assert {"adaptation", "mitigation"} <= kinds
    assert {m.theme for m in catalogue.values()} == set(THEMES)


def test_every_row_has_a_source_and_estimates_give_reasons(catalogue):
    for m in catalogue.values():
        assert m.source.strip(), m.id
        assert m.name.strip() and m.name_fr.strip(), m.id
        if m.has_unconfirmed_values:
            # "estimate (unconfirmed)" alone is not enough: the reasoning must follow.
            assert len(m.source) > 60, m.id


def test_values_physically_sensible(catalogue):
    for m in catalogue.values():
        for column in FACTOR_COLUMNS:
            assert 0.0 <= getattr(m, column) <= 2.0, (m.id, column)
        assert m.lifetime_yr > 0, m.id
        assert m.lead_time_yr >= 0 and isinstance(m.lead_time_yr, int), m.id
        assert m.units_per_adopter > 0, m.id
        assert m.capex_eur_per_unit >= 0 and m.opex_eur_per_unit_yr >= 0, m.id
        assert m.embodied_kgco2e_per_unit >= 0, m.id
        assert m.pv_kwp_per_unit >= 0 and m.battery_kwh_per_unit >= 0, m.id
        assert m.water_supply_m3_per_unit_yr >= 0, m.id
        for share in ("leak_reduction_share", "risk_perception_boost", "population_covered_share"):
            assert 0.0 <= getattr(m, share) <= 1.0, (m.id, share)
        assert m.kind in KINDS and m.theme in THEMES and m.unit in UNITS, m.id
        assert set(m.adopters) <= set(ADOPTERS) and m.adopters, m.id
        assert m.lifetime_yr <= 60, m.id  # no asset in the catalogue outlives a network pipe


def test_units_consistent_with_effects(catalogue):
    for m in catalogue.values():
        if m.pv_kwp_per_unit > 0:
            assert m.unit == "kWp" and m.pv_kwp_per_unit == 1, m.id
        if m.battery_kwh_per_unit > 0:
            assert m.unit == "kWh_storage" and m.battery_kwh_per_unit == 1, m.id
        if m.unit == "kWp":
            assert m.pv_kwp_per_unit > 0, m.id
        if m.leak_reduction_share > 0:
            assert m.adopters == ("council",), m.id
    # Typical sizes the engine relies on.
    assert catalogue["rooftop_pv_household"].units_per_adopter == 3
    assert catalogue["ground_mounted_pv"].units_per_adopter * 1 <= 3000  # 3 MW ACC cap


def test_council_measures_cover_a_share_of_inhabitants(catalogue):
    for m in catalogue.values():
        if m.adopters == ("council",) and m.heat_stress_factor < 1:
            assert m.population_covered_share < 1, m.id
    plan = catalogue["heat_wave_plan"]
    assert plan.heat_stress_factor < 1 and 0 < plan.population_covered_share < 0.5
    assert catalogue["awareness_campaign"].risk_perception_boost > 0


def test_air_conditioning_is_flagged_maladaptive(catalogue):
    ac = catalogue["air_conditioning"]
    assert ac.heat_stress_factor < 1  # it does protect the occupants ...
    assert ac.electricity_demand_kwh_per_unit_yr > 0  # ... at the cost of electricity
    assert ac.embodied_kgco2e_per_unit > 0  # and refrigerant
    assert ac.maladaptation_risk
    flagged = {m.id for m in catalogue.values() if m.maladaptation_risk}
    assert "ceiling_fans" not in flagged and "external_solar_shading" not in flagged


def test_heat_pump_swaps_fuel_for_electricity(catalogue):
    hp = catalogue["heat_pump_air_water"]
    assert hp.fuel_demand_factor < 1 and hp.electricity_demand_kwh_per_unit_yr > 0
    assert catalogue["heat_pump_air_air"].electricity_demand_kwh_per_unit_yr < 0
    assert catalogue["efficient_motors_vsd"].electricity_demand_kwh_per_unit_yr < 0


def test_direction_of_main_effects(catalogue):
    assert catalogue["deep_retrofit_old_house"].heating_demand_factor < 0.6
    assert catalogue["drip_irrigation"].irrigation_demand_factor < 1
    assert catalogue["drought_tolerant_crops"].crop_heat_loss_factor < 1
    assert catalogue["rainwater_tank"].water_supply_m3_per_unit_yr > 0
    assert catalogue["treated_wastewater_reuse"].water_supply_m3_per_unit_yr > 0
    assert catalogue["water_network_leak_reduction"].leak_reduction_share > 0
    assert catalogue["shifted_working_hours"].productivity_loss_factor < 1
    assert catalogue["water_saving_devices"].water_demand_factor < 1


def test_measures_for_filters_and_rejects_unknown_role(catalogue):
    households = measures_for("household")
    assert households and all("household" in m.adopters for m in households)
    assert "air_conditioning" in {m.id for m in households}
    assert "cool_rooms" not in {m.id for m in households}
    with pytest.raises(UserError) as err:
        measures_for("landlord")
    assert "landlord" in str(err.value) and "household" in str(err.value)


def test_catalogue_frame_matches_schema(catalogue):
    frame = catalogue_frame()
    assert list(frame.columns) == list(COLUMNS)
    assert len(frame) == len(catalogue)
    assert frame.loc["rooftop_pv_household", "adopters"] == "household"
    assert frame["lifetime_yr"].gt(0).all()
    # The frame round-trips through validate.
    assert validate(frame) == catalogue


def test_load_is_cached_but_returns_independent_dicts(catalogue):
    first = load_catalogue()
    first.pop("air_conditioning")
    assert "air_conditioning" in load_catalogue()
    assert load_catalogue()["heat_wave_plan"] is catalogue["heat_wave_plan"]


def test_measures_are_immutable(catalogue):
    with pytest.raises(dataclasses.FrozenInstanceError):
        catalogue["air_conditioning"].capex_eur_per_unit = 0  # type: ignore[misc]


def test_docs_list_every_measure(catalogue):
    text = DOCS.read_text(encoding="utf-8")
    for measure_id in catalogue:
        assert f"`{measure_id}`" in text, measure_id
    assert "maladapt" in text.lower()


# --------------------------------------------------------------------------- user catalogues


def test_user_csv_copy_loads(tmp_path):
    path = _write(tmp_path / "mine.csv", _shipped_rows()[:3])
    loaded = load_catalogue(path)
    assert len(loaded) == 3


def test_missing_column_raises_user_error(tmp_path):
    columns = [c for c in COLUMNS if c != "lifetime_yr"]
    path = _write(tmp_path / "bad.csv", _shipped_rows(), columns)
    with pytest.raises(UserError) as err:
        load_catalogue(path)
    message = str(err.value)
    assert "header row" in message and "lifetime_yr" in message
    assert "\n" not in message


def test_unknown_column_raises_user_error(tmp_path):
    rows = _shipped_rows()
    for row in rows:
        row["lifetme_yr"] = "1"
    path = _write(tmp_path / "bad.csv", rows, [*COLUMNS, "lifetme_yr"])
    with pytest.raises(UserError, match="lifetme_yr"):
        load_catalogue(path)


def test_negative_lifetime_names_row_id_column_and_value(tmp_path):
    rows = _shipped_rows()
    rows[4]["lifetime_yr"] = "-3"
    path = _write(tmp_path / "bad.csv", rows)
    with pytest.raises(UserError) as err:
        load_catalogue(path)
    message = str(err.value)
    assert "row 5" in message
    assert rows[4]["id"] in message
    assert "lifetime_yr" in message and "-3" in message and "> 0" in message
    assert err.value.field.endswith("lifetime_yr")


def test_unknown_adopter_names_row_and_column(tmp_path):
    rows = _shipped_rows()
    rows[1]["adopters"] = "household|landlord"
    path = _write(tmp_path / "bad.csv", rows)
    with pytest.raises(UserError) as err:
        load_catalogue(path)
    message = str(err.value)
    assert rows[1]["id"] in message and "adopters" in message and "landlord" in message
    assert "council" in message  # the allowed roles are listed


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("heat_stress_factor", "2.5", "[0, 2]"),
        ("water_demand_factor", "-0.1", "[0, 2]"),
        ("capex_eur_per_unit", "-10", ">= 0"),
        ("lead_time_yr", "1.5", "whole number"),
        ("lead_time_yr", "-1", "whole number"),
        ("population_covered_share", "1.2", "[0, 1]"),
        ("kind", "adaption", "adaptation"),
        ("theme", "fire", "extreme_events"),
        ("unit", "house", "dwelling"),
        ("units_per_adopter", "0", "> 0"),
        ("opex_eur_per_unit_yr", "cheap", ">= 0"),
        ("embodied_kgco2e_per_unit", "nan", ">= 0"),
        ("source", "", "non-empty"),
    ],
)
def test_bad_values_rejected(tmp_path, column, value, expected):
    rows = _shipped_rows()
    rows[2][column] = value
    path = _write(tmp_path / "bad.csv", rows)
    with pytest.raises(UserError) as err:
        load_catalogue(path)
    message = str(err.value)
    assert column in message and expected in message and rows[2]["id"] in message


def test_duplicate_and_malformed_ids_rejected():
    rows = _shipped_rows()
    with pytest.raises(UserError, match="unique"):
        validate([rows[0], rows[1], dict(rows[0])])
    bad = dict(rows[0], id="Heat Pump")
    with pytest.raises(UserError, match="snake_case"):
        validate([bad])


def test_negative_electricity_is_allowed():
    row = dict(_shipped_rows()[0], electricity_demand_kwh_per_unit_yr="-500")
    assert validate([row])[row["id"]].electricity_demand_kwh_per_unit_yr == -500


def test_empty_catalogue_rejected(tmp_path):
    path = _write(tmp_path / "empty.csv", [])
    with pytest.raises(UserError, match="no rows"):
        load_catalogue(path)
    with pytest.raises(UserError):
        validate([])


def test_missing_path_rejected(tmp_path):
    with pytest.raises(UserError, match="existing CSV"):
        load_catalogue(tmp_path / "nope.csv")


def test_semicolon_decimal_comma_csv_from_a_french_spreadsheet(tmp_path):
    rows = _shipped_rows()[:2]
    for row in rows:
        for column in FACTOR_COLUMNS:
            row[column] = row[column].replace(".", ",")
    path = tmp_path / "excel.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(COLUMNS), delimiter=";")
        writer.writeheader()
        writer.writerows(rows)
    loaded = load_catalogue(path)
    assert loaded[rows[0]["id"]].heating_demand_factor == pytest.approx(0.35)


def test_user_file_reloaded_after_edit(tmp_path):
    rows = _shipped_rows()[:2]
    path = _write(tmp_path / "mine.csv", rows)
    assert load_catalogue(path)[rows[0]["id"]].capex_eur_per_unit == 45000
    rows[0]["capex_eur_per_unit"] = "40000.5"
    _write(path, rows)
    assert load_catalogue(path)[rows[0]["id"]].capex_eur_per_unit == 40000.5


def test_validate_accepts_dataframe_and_reports_row():
    frame = pd.DataFrame(_shipped_rows())
    frame.loc[3, "lifetime_yr"] = "0"
    with pytest.raises(UserError) as err:
        validate(frame, source="my frame")
    assert "my frame row 4" in str(err.value)


# --------------------------------------------------------------------------- economics


def _measure(capex: float, lifetime: float, embodied: float = 0.0) -> Measure:
    return Measure(
        id="test",
        name="test",
        name_fr="test",
        kind="mitigation",
        theme="energy",
        adopters=("household",),
        unit="dwelling",
        units_per_adopter=1.0,
        capex_eur_per_unit=capex,
        opex_eur_per_unit_yr=0.0,
        lifetime_yr=lifetime,
        lead_time_yr=0,
        embodied_kgco2e_per_unit=embodied,
        source="test",
    )


def test_annualised_capex_known_answer():
    # 1,000 EUR over 10 years at 4 %: CRF = 0.04 * 1.04^10 / (1.04^10 - 1) = 0.123291
    assert annualised_capex_eur(_measure(1000, 10), 0.04) == pytest.approx(123.29, abs=0.005)
    assert annualised_capex_eur(_measure(1000, 10), 0.0) == pytest.approx(100.0)
    assert annualised_capex_eur(_measure(1000, 10), 0.04, units=3) == pytest.approx(369.87, 1e-4)


def test_annualised_capex_of_shipped_pv(catalogue):
    pv = catalogue["rooftop_pv_household"]
    per_adopter = annualised_capex_eur(pv, units=pv.units_per_adopter)
    assert per_adopter == pytest.approx(2700 * 3 * capital_recovery_factor(0.04, 30))


def test_annualised_capex_rejects_bad_inputs():
    with pytest.raises(UserError):
        annualised_capex_eur(_measure(1000, 10), discount_rate=-1.5)
    with pytest.raises(UserError):
        annualised_capex_eur(_measure(1000, 10), units=-1)
    with pytest.raises(UserError):
        capital_recovery_factor(0.04, 0)


def test_annualised_embodied_is_linear_over_lifetime(catalogue):
    assert annualised_embodied_kgco2e(_measure(0, 30, 1500)) == pytest.approx(50.0)
    battery = catalogue["community_battery"]
    assert annualised_embodied_kgco2e(battery, units=500) == pytest.approx(80 * 500 / 15)


@given(
    rate=st.floats(min_value=0.0, max_value=0.2),
    years=st.integers(min_value=1, max_value=60),
    capex=st.floats(min_value=1.0, max_value=1e7),
)
def test_annuity_repays_the_capital(rate, years, capex):
    """The present value of the yearly payments equals the capital (definition of the CRF)."""
    payment = annualised_capex_eur(_measure(capex, years), rate)
    present_value = sum(payment / (1 + rate) ** t for t in range(1, years + 1))
    assert math.isclose(present_value, capex, rel_tol=1e-9)
    assert payment >= capex / years - 1e-9  # discounting never makes capital cheaper
