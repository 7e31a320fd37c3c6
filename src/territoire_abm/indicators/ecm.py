"""The E+C- label transposed to a territory (seed 000; DOMAIN §3).

The building label's Bilan BEPOS (non-renewable primary energy of all uses minus exported
renewable energy; E4 when ≤ 0) becomes a territorial Bilan TEPOS:

    Bilan TEPOS = Σ sectors non-renewable primary energy − exported local renewable energy

with electricity counted at 2.58 kWh_ep/kWh (E+C- 2016), fossil fuels at 1, wood and local
renewables as renewable (0). Imported grid electricity is counted as non-renewable primary
energy, which overstates it slightly (the French mix is partly renewable) — the convention of
the E+C- label itself.

Levels, relative to the territory's own first simulated year (the label compares with a
reference building; a territory has none, so we take its starting point):
E4 Bilan ≤ 0 (positive energy); E3 ≤ 50 % of the reference; E2 ≤ 75 %; E1 ≤ 90 %; else 0.

Eges = operational emissions + annualised embodied emissions of measures and assets;
EgesPCE = the embodied part only (products and equipment), both per inhabitant.
"""

from __future__ import annotations

from territoire_abm.flows.carbon import PRIMARY_FACTOR_ELECTRICITY, PRIMARY_FACTOR_FUEL

LEVEL_SHARES = ((4, 0.0), (3, 0.5), (2, 0.75), (1, 0.9))


def bilan_tepos_kwhep(import_kwh: float, fossil_kwh: float, exported_renewable_kwh: float) -> float:
    """Territorial Bilan TEPOS, kWh of primary energy per year."""
    non_renewable = import_kwh * PRIMARY_FACTOR_ELECTRICITY + fossil_kwh * PRIMARY_FACTOR_FUEL
    return non_renewable - exported_renewable_kwh * PRIMARY_FACTOR_ELECTRICITY


def energy_level(bilan_kwhep: float, reference_kwhep: float) -> int:
    """E+C- energy level 0–4 of the territory against its reference year."""
    if bilan_kwhep <= 0:
        return 4
    for level, share in LEVEL_SHARES[1:]:
        if reference_kwhep > 0 and bilan_kwhep <= share * reference_kwhep:
            return level
    return 0
