"""Mapping of yearly indicators to UN Sustainable Development Goals 6, 7, 11 and 13.

Seed 000 asks each territory to take up one or more SDGs "considering all the others". Each
score is in [0, 1] (1 best) and defined from indicators the model computes:

- SDG 6 (clean water): 1 − unmet share of total water demand (target 6.4, water stress);
- SDG 7 (energy): mean of self-sufficiency and 1 − energy-poverty share (targets 7.1, 7.2);
- SDG 11 (cities): 1 − heat-stress person-days per inhabitant / 30, floored at 0 (target 11.5,
  people affected by disasters; 30 person-days scale: estimate);
- SDG 13 (climate): emissions per inhabitant relative to the first simulated year, 1 at zero
  emissions, 0 at or above the first year's level (target 13.2, National Low-Carbon Strategy).
"""

from __future__ import annotations

#: Heat-stress person-days per inhabitant at which the SDG 11 score reaches 0 (estimate).
HEAT_STRESS_SCALE_PERSON_DAYS = 30.0


def _clip(value: float) -> float:
    return min(1.0, max(0.0, value))


def sdg_scores(record: dict[str, float], first: dict[str, float] | None) -> dict[str, float]:
    """SDG scores of a year's record, some measured against the run's first record."""
    demand = record.get("water_demand_m3", 0.0)
    unmet = record.get("unmet_water_m3", 0.0) / demand if demand > 0 else 0.0
    first_emissions = (first or record).get("emissions_t_per_inhabitant", 0.0)
    emissions = record.get("emissions_t_per_inhabitant", 0.0)
    return {
        "sdg6_water": _clip(1.0 - unmet),
        "sdg7_energy": _clip(0.5 * record.get("self_sufficiency_rate", 0.0)
                             + 0.5 * (1.0 - record.get("energy_poverty_share", 0.0))),
        "sdg11_heat": _clip(1.0 - record.get("heat_stress_per_inhabitant", 0.0)
                             / HEAT_STRESS_SCALE_PERSON_DAYS),
        "sdg13_climate": _clip(1.0 - emissions / first_emissions) if first_emissions > 0
        else 0.0,
    }
