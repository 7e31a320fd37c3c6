"""Carbon accounts: operational emissions (ADEME factors) and annualised embodied emissions.

Emission factors from ADEME Base Carbone / Base Empreinte (DOMAIN §3), kgCO2e per kWh of final
energy unless stated. Electric heating uses the RE2020 seasonal convention (0.079), other
electricity the 2022 grid average (0.052). Primary-energy factors follow E+C- (2.58 for
electricity, 1 for fossil fuels and wood).
"""

from __future__ import annotations

import numpy as np

from territoire_abm.flows.demand import HEATING_IS_ELECTRIC

GRID_KG_PER_KWH = 0.052
ELECTRIC_HEATING_KG_PER_KWH = 0.079
# Heating systems in HEATING_SYSTEMS order: electric, gas, wood (logs), oil, heat pump.
# Oil: 3.25 kgCO2e/L ÷ 9.97 kWh/L (PCI) = 0.326 kgCO2e/kWh.
HEATING_KG_PER_KWH = np.array([0.079, 0.221, 0.046, 0.326, 0.079])
# Farm and firm fuel mix treated as diesel/gas: diesel 3.17 kg/L ÷ 9.96 kWh/L = 0.318.
FIRM_FUEL_KG_PER_KWH = np.array([0.318, 0.221, 0.221])
PRIMARY_FACTOR_ELECTRICITY = 2.58  # E+C- (2016); RE2020 uses 2.3
PRIMARY_FACTOR_FUEL = 1.0
# Water: pumping, treatment and distribution ≈ 0.5 kWh/m³ (Agence de l'eau; estimate).
WATER_KWH_PER_M3 = 0.5


# Road fuel: 9.96 kWh/L (PCI of diesel, ADEME Base Carbone), for the primary-energy balance.
ROAD_FUEL_KWH_PER_L = 9.96


def heating_factors_kg_per_kwh(grid_kg_per_kwh: float = GRID_KG_PER_KWH) -> np.ndarray:
    """Emission factor of each heating system; electric ones follow the grid's trajectory.

    The RE2020 seasonal factor of electric heating (0.079) is scaled by the ratio of the
    year's grid factor to the 2022 average it was set against (0.052).
    """
    ratio = grid_kg_per_kwh / GRID_KG_PER_KWH
    return np.where(HEATING_IS_ELECTRIC, HEATING_KG_PER_KWH * ratio, HEATING_KG_PER_KWH)


def heating_emissions_kg(heating_final_kwh: np.ndarray, heating_system: np.ndarray,
                         grid_kg_per_kwh: float = GRID_KG_PER_KWH) -> float:
    """Operational emissions of household heating, kgCO2e/yr."""
    factors = heating_factors_kg_per_kwh(grid_kg_per_kwh)
    return float(np.sum(heating_final_kwh * factors[heating_system]))


def firm_fuel_emissions_kg(fuel_kwh: np.ndarray, sector: np.ndarray) -> float:
    """Operational emissions of firms' fuel use, kgCO2e/yr."""
    return float(np.sum(fuel_kwh * FIRM_FUEL_KG_PER_KWH[sector]))


def firm_fuel_emissions_by_sector_kg(fuel_kwh: np.ndarray, sector: np.ndarray) -> np.ndarray:
    """Fuel emissions of farms, industry and services (sector codes 0, 1, 2), kgCO2e/yr."""
    return np.bincount(sector, weights=fuel_kwh * FIRM_FUEL_KG_PER_KWH[sector], minlength=3)


def agriculture_non_energy_t(hectares: float, livestock_units: float, soil_t_per_ha: float,
                             t_per_livestock_unit: float, factor: float = 1.0) -> float:
    """Non-energy emissions of farming, tCO2e/yr: N2O of fertilised soils per hectare plus
    enteric CH4 and manure per livestock unit (Citepa inventory categories 3A-3D), times the
    pathway's ``factor`` (SNBC practices: 1 in 2025)."""
    return (hectares * soil_t_per_ha + livestock_units * t_per_livestock_unit) * factor


def annualised_embodied_kg(embodied_kg: float, lifetime_yr: float) -> float:
    """Embodied emissions spread evenly over the lifetime (E+C- / RE2020 static LCA)."""
    return embodied_kg / lifetime_yr if lifetime_yr > 0 else 0.0
