"""Measures open to one group of adopters, as arrays over measures (per adopter)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from territoire_abm.measures.catalogue import FACTOR_COLUMNS, capital_recovery_factor
from territoire_abm.measures.portfolio import QUANTITY_COLUMNS

# Measures that change the household's equipment rather than a demand factor.
HEAT_PUMP_IDS = ("heat_pump_air_water", "heat_pump_air_air")
COOLING_IDS = ("air_conditioning", "heat_pump_air_air")
SWITCH_NEUTRAL = {"heating_demand_factor": 1.0, "fuel_demand_factor": 1.0,
                  "electricity_demand_kwh_per_unit_yr": 0.0}
# Measures needing a house the household owns (landlords decide for tenants), or a garden.
OWNER_ONLY_THEMES_KIND = ("mitigation", "both")


@dataclass(frozen=True)
class EffectTable:
    """Arrays (M,) over the measures open to a group, per adopter (unit × units_per_adopter)."""

    ids: tuple[str, ...]
    themes: tuple[str, ...]
    kinds: tuple[str, ...]
    capex_eur: np.ndarray
    opex_eur_yr: np.ndarray
    lifetime_yr: np.ndarray
    lead_time_yr: np.ndarray
    embodied_kg: np.ndarray
    factors: dict[str, np.ndarray]
    quantities: dict[str, np.ndarray]

    @classmethod
    def from_measures(cls, measures: Sequence) -> EffectTable:
        units = np.array([m.units_per_adopter for m in measures], dtype=float)
        switches = np.array([m.id in HEAT_PUMP_IDS for m in measures], dtype=bool)
        cooling = np.array([m.id in COOLING_IDS for m in measures], dtype=bool)

        def column(name: str) -> np.ndarray:
            values = np.array([float(getattr(m, name)) for m in measures], dtype=float)
            # A heat pump changes the heating system itself (territory/year.py), whose
            # electricity the demand model computes: its energy columns would count twice.
            if name in SWITCH_NEUTRAL:
                values = np.where(switches, SWITCH_NEUTRAL[name], values)
            # Air conditioning sets the household's cooling equipment, whose electricity the
            # demand model computes from cooling degree days: its catalogue kWh would too.
            if name == "electricity_demand_kwh_per_unit_yr":
                values = np.where(cooling & ~switches, 0.0, values)
            return values

        return cls(
            ids=tuple(m.id for m in measures),
            themes=tuple(m.theme for m in measures),
            kinds=tuple(m.kind for m in measures),
            capex_eur=column("capex_eur_per_unit") * units,
            opex_eur_yr=column("opex_eur_per_unit_yr") * units,
            lifetime_yr=column("lifetime_yr"),
            lead_time_yr=column("lead_time_yr"),
            embodied_kg=column("embodied_kgco2e_per_unit") * units,
            factors={name: column(name) for name in FACTOR_COLUMNS},
            quantities={
                name: column(name) * (units if name.endswith("_per_unit") or
                                      name.endswith("_per_unit_yr") else 1.0)
                for name in QUANTITY_COLUMNS
            },
        )

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def large_roof(self) -> np.ndarray:
        """Measures sized for a large roof (≥ 50 kWp per adopter)."""
        return self.quantities["pv_kwp_per_unit"] >= 50.0

    def index(self, measure_id: str) -> int | None:
        return self.ids.index(measure_id) if measure_id in self.ids else None

    def theme_mask(self, *themes: str) -> np.ndarray:
        return np.array([t in themes for t in self.themes], dtype=bool)

    def annualised_capex_eur(self, discount_rate: float) -> np.ndarray:
        """Yearly capital cost with the catalogue's capital recovery factor."""
        crf = [capital_recovery_factor(discount_rate, max(n, 1.0)) for n in self.lifetime_yr]
        return self.capex_eur * np.array(crf)

    def embodied_kg_per_yr(self) -> np.ndarray:
        return self.embodied_kg / np.maximum(self.lifetime_yr, 1.0)
