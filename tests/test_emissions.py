"""Territorial emissions by sector, national energy pathways, E+C- levels and the
responsiveness of the emission levers (transport, firm fuel, waste)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from territoire_abm.config.params import TransportConfig
from territoire_abm.config.validate import model_config
from territoire_abm.errors import UserError
from territoire_abm.flows import pathways
from territoire_abm.flows.transport import transport_year
from territoire_abm.indicators import ecm
from territoire_abm.territory.model import TerritoryModel

SMALL = {"households": 300, "farms": 5, "industry_firms": 4, "service_firms": 28}
SECTORS = ("heating", "electricity", "industry_fuel", "services_fuel", "farm_fuel",
           "agriculture_non_energy", "transport_passenger", "transport_freight", "waste",
           "fluorinated_gases")


def model(seed: int = 0, until: int | None = None, **sections) -> TerritoryModel:
    data = {"territory": dict(SMALL), "seed": seed, **sections}
    m = TerritoryModel(model_config(data))
    if until is not None:
        m.simulate_until(until)
    return m


# --------------------------------------------------------------------------- headline
def test_default_territory_emissions_against_published():
    """Default territory, 2025, seeds 0–2: territorial emissions per inhabitant 4.5–6.5 t
    (France ~5.5–6 t, SDES/Citepa; a rural commune has no refinery or power plant), every
    sector counted, transport the largest (DOMAIN grounding)."""
    per_inhabitant, records = [], []
    for seed in range(3):
        m = TerritoryModel(model_config({"seed": seed}))
        m.simulate_until(2025)
        records.append(m.records[-1])
        per_inhabitant.append(m.records[-1]["operational_t_per_inhabitant"])
    assert 4.5 <= float(np.mean(per_inhabitant)) <= 6.5
    record = records[0]
    shares = {s: record[f"emissions_{s}_t"] for s in SECTORS}
    assert all(v > 0 for v in shares.values())
    transport = shares["transport_passenger"] + shares["transport_freight"]
    assert transport == max(transport, *(v for k, v in shares.items()
                                         if not k.startswith("transport")))
    assert sum(shares.values()) == pytest.approx(record["operational_t"])


# --------------------------------------------------------------------------- pathways
def test_pathway_data_and_interpolation():
    snbc = pathways.context("snbc", 2040)
    assert snbc.grid_kgco2e_per_kwh == pytest.approx((0.035 + 0.015) / 2)
    assert pathways.context("snbc", 2200) == pathways.context("snbc", 2100)
    assert pathways.context("frozen", 2080) == pathways.context("frozen", 2025)
    assert pathways.resolve("auto", "ssp585") == "ame"
    assert pathways.resolve("auto", "tracc") == "snbc"
    with pytest.raises(UserError, match="scenario.energy_pathway"):
        pathways.resolve("zero", "tracc")


def test_pathways_drive_emissions_down_by_2050():
    """SNBC cuts territorial emissions by more than half by 2050, existing measures by less,
    a frozen 2025 world hardly at all; the dispatch prices imports at the year's factor."""
    final = {}
    for name in ("snbc", "ame", "frozen"):
        m = model(until=2050, scenario={"energy_pathway": name})
        first, last = m.records[0], m.records[-1]
        final[name] = last["operational_t"] / first["operational_t"]
        assert m.tariffs.import_co2_kg_per_kwh == pytest.approx(
            pathways.context(name, 2050).grid_kgco2e_per_kwh)
    assert final["snbc"] < 0.5 < final["ame"] < final["frozen"]
    assert final["frozen"] > 0.75


# --------------------------------------------------------------------------- E+C-
def test_energy_levels_against_absolute_reference():
    """Référentiel E+C- steps (−5 %, −10 %, −20 %, ≤ 0) against a fixed reference."""
    assert [ecm.energy_level(share * 100.0, 100.0) for share in
            (1.2, 0.96, 0.95, 0.9, 0.85, 0.8, 0.1, 0.0, -5.0)] == [0, 0, 1, 2, 2, 3, 3, 4, 4]


def test_carbon_levels_transposed():
    """C1: Eges ≤ 1,350 kgCO2e/m² over 50 years (27/yr); C2: ≤ 800 (16/yr)."""
    assert [ecm.carbon_level(x) for x in (30.0, 27.0, 20.0, 16.0, 5.0)] == [0, 1, 1, 2, 2]
    assert ecm.housing_eges_kg_per_m2_yr(1500.0, 500.0, 100.0) == pytest.approx(20.0)


def test_first_year_level_uses_the_national_reference():
    """The first year is graded against the French average, not against itself."""
    m = model(until=2025)
    record = m.records[0]
    reference = 30000.0 * record["population"]
    assert record["ecm_energy_level"] == ecm.energy_level(record["bilan_tepos_kwhep"],
                                                          reference)
    assert m.bilan_reference_kwhep == pytest.approx(reference)
    big_pv = model(until=2025, optimiser={"ground_pv_kwp": 60000.0})
    assert big_pv.records[0]["ecm_energy_level"] > record["ecm_energy_level"]


# --------------------------------------------------------------------------- transport
def test_transport_known_answer():
    """One household, no commute, 1 car × 10,000 km at 6.5 L/100 km × 3.17 kg/L = 2.06 t."""
    cfg = TransportConfig(cars_per_household=1.0, km_per_car_yr=10000.0,
                          workers_per_household=0.0, freight_t_per_inhabitant=0.0)
    year = transport_year(cfg, 1, 2.0, ev_share=0.0, freight_factor=1.0)
    assert year.passenger_t == pytest.approx(10000 * 0.065 * 3.17 / 1000)
    half = transport_year(cfg, 1, 2.0, ev_share=0.5, freight_factor=1.0)
    assert half.passenger_t == pytest.approx(year.passenger_t / 2)
    assert half.ev_kwh == pytest.approx(5000 * 0.17)


# --------------------------------------------------------------------------- levers
def _adopt(m: TerritoryModel, group: str, measure_id: str) -> None:
    """Adopt ``measure_id`` for every eligible adopter of ``group``, working from 2025."""
    portfolio, effects = {"council": (m.council_portfolio, m.council_effects),
                          "firm": (m.firm_portfolio, m.firm_effects)}[group]
    chosen = np.zeros(portfolio.decided_year.shape, bool)
    column = effects.index(measure_id)
    if group == "firm":
        chosen[:, column] = m.firm_eligible[m.firms.sector, column]
    else:
        chosen[:, column] = True
    portfolio.adopt(chosen, 2024, np.zeros(chosen.shape, int), np.full(chosen.shape, 50.0))


# measure, group, indicator, lower and upper relative change (source ranges in the catalogue)
LEVERS = [
    ("carpooling_scheme", "council", "emissions_transport_passenger_t", -0.10, -0.01),
    ("cycle_network_soft_modes", "council", "emissions_transport_passenger_t", -0.10, -0.005),
    ("ev_charging_network", "council", "emissions_transport_passenger_t", -0.10, -0.02),
    ("biowaste_sorting_composting", "council", "emissions_waste_t", -0.35, -0.10),
    ("industrial_heat_pump", "firm", "emissions_industry_fuel_t", -0.60, -0.20),
    ("biomass_process_boiler", "firm", "emissions_industry_fuel_t", -0.90, -0.50),
    ("services_heat_pump", "firm", "emissions_services_fuel_t", -1.00, -0.70),
]


@pytest.mark.parametrize("measure_id, group, indicator, low, high", LEVERS)
def test_lever_moves_its_indicator_within_source_range(measure_id, group, indicator, low,
                                                       high):
    """Same seed (same weather sequence), one year: the lever alone moves its indicator
    in the right direction by a relative amount within its source's range."""
    base, lever = model(seed=5), model(seed=5)
    _adopt(lever, group, measure_id)
    base.simulate_until(2025)
    lever.simulate_until(2025)
    assert base.records[0]["tmean_c"] == lever.records[0]["tmean_c"]
    change = lever.records[0][indicator] / base.records[0][indicator] - 1.0
    assert low <= change <= high, change
    assert lever.records[0]["operational_t"] < base.records[0]["operational_t"]


def test_council_weighs_the_emissions_its_measures_avoid():
    """Last year's sectors × each measure's effect: positive for the emission levers, zero
    for measures without one, proportional to the emissions they act on."""
    from territoire_abm.indicators.emissions import council_avoided_t

    m = model(until=2025)
    record = m.records[-1]
    avoided = council_avoided_t(m, record)
    ids = m.council_effects.ids
    for measure_id in ("carpooling_scheme", "cycle_network_soft_modes", "ev_charging_network",
                       "biowaste_sorting_composting"):
        assert avoided[ids.index(measure_id)] > 0, measure_id
    assert avoided[ids.index("heat_wave_plan")] == 0.0
    assert avoided[ids.index("biowaste_sorting_composting")] == pytest.approx(
        0.2 * record["emissions_waste_t"])
    doubled = council_avoided_t(m, {**record, "emissions_waste_t":
                                    2 * record["emissions_waste_t"]})
    assert doubled[ids.index("biowaste_sorting_composting")] == pytest.approx(
        2 * avoided[ids.index("biowaste_sorting_composting")])


def test_carbon_price_reaches_the_council_estimate():
    """The council values avoided emissions at ``policy.carbon_price_eur_per_t``: a higher
    carbon price raises the estimated benefit of the emission levers only."""
    from territoire_abm.governance.rules import _estimated_benefit_eur

    values = {}
    for price in (0.0, 250.0):
        m = model(until=2025, policy={"carbon_price_eur_per_t": price})
        values[price] = _estimated_benefit_eur(m, dict(m.records[-1]))
    ids = m.council_effects.ids
    gain = values[250.0] - values[0.0]
    assert gain[ids.index("carpooling_scheme")] > 0
    assert gain[ids.index("biowaste_sorting_composting")] > 0
    assert gain[ids.index("heat_wave_plan")] == pytest.approx(0.0)


@settings(max_examples=80, deadline=None)
@example(households=1602, ev=0.0, ev_more=0.0, commute=0.1464, freight=1.0, km=12200.0,
         distance=17.0)
@given(households=st.integers(0, 5000), ev=st.floats(-0.5, 1.5), ev_more=st.floats(0, 1),
       commute=st.floats(0, 1), freight=st.floats(0, 2), km=st.floats(1000, 40000),
       distance=st.floats(0, 150))
def test_property_transport_bounded_and_monotone(households, ev, ev_more, commute, freight,
                                                 km, distance):
    """Any inputs: km, fuel, electricity and emissions ≥ 0; the commuting part never exceeds
    the car km; more electric cars or less commuting never raise tailpipe emissions."""
    cfg = TransportConfig(km_per_car_yr=km, commute_km_one_way=distance)
    base = transport_year(cfg, households, 2.3 * households, ev_share=ev,
                          freight_factor=freight, commute_factor=commute)
    for value in (base.car_km, base.fuel_l, base.ev_kwh, base.passenger_t, base.freight_t):
        assert value >= 0.0
    assert base.commute_car_km <= base.car_km * (1 + 1e-12)
    more_ev = transport_year(cfg, households, 2.3 * households, ev_share=ev + ev_more,
                             freight_factor=freight, commute_factor=commute)
    less_commute = transport_year(cfg, households, 2.3 * households, ev_share=ev,
                                  freight_factor=freight, commute_factor=commute * 0.5)
    assert more_ev.passenger_t <= base.passenger_t * (1 + 1e-12) + 1e-12
    assert less_commute.passenger_t <= base.passenger_t * (1 + 1e-12) + 1e-12


# --------------------------------------------------------------------------- like with like
def test_check_reads_a_storyline_row_from_runs_of_that_storyline(tmp_path):
    """A grounding row with a ``run`` is held against runs with those overrides (before, every
    row was read from the default run: the SNBC's 2050 figure against a territory that does
    not follow the SNBC)."""
    from territoire_abm.validation.check import run_check
    from territoire_abm.validation.grounding import load_grounding, read_table

    table = read_table().iloc[:2].copy()
    table.loc[:, ["indicator", "model_indicator", "year", "model_years", "low", "central",
                  "high"]] = [["grid_default", "grid_kgco2e_per_kwh", "2030", "2030-2030", "0",
                               "0.035", "0.1"],
                              ["grid_frozen", "grid_kgco2e_per_kwh", "2030", "2030-2030", "0",
                               "0.052", "0.1"]]
    table["run"] = ["", "scenario.energy_pathway=frozen"]
    path = tmp_path / "g.csv"
    table.to_csv(path, index=False)
    rows = load_grounding(path)
    assert rows[1].overrides == {"scenario.energy_pathway": "frozen"}
    small = {f"territory.{k}": v for k, v in SMALL.items()}
    result = run_check(small, seeds=[0], rows=rows, workers=1)
    assert result["indicator"].tolist() == ["grid_default", "grid_frozen"]
    assert result["model_mean"].tolist() == pytest.approx([0.035, 0.052])
    assert result["run"].tolist() == ["", "scenario.energy_pathway=frozen"]


def test_the_snbc_row_runs_the_shipped_snbc_storyline():
    """The 2050 SNBC-2 row is read from the territory following the SNBC, whose levers are
    the shipped policy option ``policy=snbc_territory``; the AME 2030 row from pathway ame."""
    from territoire_abm.config.export import POLICY_STORYLINES
    from territoire_abm.validation.grounding import load_grounding

    rows = {row.indicator: row for row in load_grounding()}
    snbc = rows["territorial_emissions_per_inhabitant_2050"].overrides
    assert snbc.pop("scenario.energy_pathway") == "snbc"
    assert snbc == {f"policy.{k}": v for k, v in POLICY_STORYLINES["snbc_territory"].items()}
    ame = rows["territorial_emissions_per_inhabitant_2030_ame"].overrides
    assert ame == {"scenario.energy_pathway": "ame"}
    assert all(not row.run for name, row in rows.items() if not name.startswith("territorial_"))
