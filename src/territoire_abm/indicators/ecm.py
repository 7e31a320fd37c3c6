"""The E+C- label transposed to a territory (seed 000; DOMAIN §3).

The building label's Bilan BEPOS (non-renewable primary energy of all uses minus exported
renewable energy; E4 when ≤ 0) becomes a territorial Bilan TEPOS:

    Bilan TEPOS = Σ sectors non-renewable primary energy − exported local renewable energy

with electricity counted at 2.58 kWh_ep/kWh (E+C- 2016), fossil fuels at 1, wood and local
renewables as renewable (0). Imported grid electricity is counted as non-renewable primary
energy, which overstates it slightly (the French mix is partly renewable) — the convention of
the E+C- label itself.

Energy levels are measured against an **absolute reference**, never against the model's own
first year (which made any territory "improve" from wherever it started): the French average
of the same balance per inhabitant, ``territory.emissions.ecm_reference_kwhep_per_inhabitant``
(about 30 MWh_ep: SDES, Bilan énergétique de la France 2022, final consumption ≈ 410 TWh of
electricity × 2.58 + ≈ 965 TWh of fossil fuels, over 68 M inhabitants). The label's steps for
housing (Référentiel Énergie-Carbone, 2016: Energie 1 and 2 = 5 % and 10 % below the
reference balance, Energie 3 = 20 % below, Energie 4 = balance ≤ 0) become
E1 ≤ 95 %, E2 ≤ 90 %, E3 ≤ 80 % of the reference, E4 ≤ 0, else 0.

Eges = operational emissions + annualised embodied emissions of measures and assets;
EgesPCE = the embodied part only (products and equipment), both per inhabitant.

**Carbon levels C1/C2 transposed.** The label caps a building's life-cycle emissions over 50
years per m² of floor area: single-family houses Carbone 1 Eges ≤ 1,350 kgCO2e/m², Carbone 2
≤ 800 (Référentiel Énergie-Carbone 2016, DOMAIN §3 for C1). Divided by the 50-year study
period, 27 and 16 kgCO2e/m²/yr. The territory's housing Eges per m²·yr is its dwellings'
operational emissions (heating + their share of grid electricity) plus the annualised embodied
emissions of household measures, over the total floor area: C2 when ≤ 16, C1 when ≤ 27, else 0.
"""

from __future__ import annotations

from territoire_abm.flows.carbon import PRIMARY_FACTOR_ELECTRICITY, PRIMARY_FACTOR_FUEL

LEVEL_SHARES = ((3, 0.80), (2, 0.90), (1, 0.95))
#: Référentiel Énergie-Carbone (2016), single-family houses, kgCO2e/m² over 50 years.
CARBON_EGES_MAX_KG_PER_M2 = ((2, 800.0), (1, 1350.0))
STUDY_PERIOD_YR = 50.0


def bilan_tepos_kwhep(import_kwh: float, fossil_kwh: float, exported_renewable_kwh: float) -> float:
    """Territorial Bilan TEPOS, kWh of primary energy per year."""
    non_renewable = import_kwh * PRIMARY_FACTOR_ELECTRICITY + fossil_kwh * PRIMARY_FACTOR_FUEL
    return non_renewable - exported_renewable_kwh * PRIMARY_FACTOR_ELECTRICITY


def energy_level(bilan_kwhep: float, reference_kwhep: float) -> int:
    """E+C- energy level 0–4 of the territory against an absolute reference balance."""
    if bilan_kwhep <= 0:
        return 4
    for level, share in LEVEL_SHARES:
        if reference_kwhep > 0 and bilan_kwhep <= share * reference_kwhep:
            return level
    return 0


def housing_eges_kg_per_m2_yr(operational_kg: float, embodied_kg: float,
                              floor_area_m2: float) -> float:
    """Housing Eges of the territory per m² of dwelling floor area and year."""
    return (operational_kg + embodied_kg) / floor_area_m2 if floor_area_m2 > 0 else 0.0


def carbon_level(eges_kg_per_m2_yr: float) -> int:
    """E+C- carbon level 0–2 of the territory's housing (C2 strictest)."""
    for level, limit in CARBON_EGES_MAX_KG_PER_M2:
        if eges_kg_per_m2_yr <= limit / STUDY_PERIOD_YR:
            return level
    return 0
