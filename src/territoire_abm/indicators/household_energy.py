"""Household energy money: consumption units, income deciles, bills and energy poverty.

Energy poverty follows the ONPE's main indicator (TEE_3D, "taux d'effort énergétique"):
a household is energy-poor when its housing-energy spending exceeds 8 % of its income and
its income per consumption unit lies in the three lowest deciles (ONPE, tableau de bord de
la précarité énergétique; 11.9 % of French households in 2022). Consumption units use the
modified OECD scale that INSEE uses: 1 for the first adult, 0.5 for each other person aged
14 or more, 0.3 for each child under 14. Households here have a size but no ages, so the
second person counts 0.5 and each further person 0.3 (most third persons are children).
Deciles are those of the territory's own households (the national deciles are not shipped).
"""

from __future__ import annotations

import numpy as np

ENERGY_POVERTY_EFFORT_SHARE = 0.08  # ONPE TEE_3D threshold: 8 % of income (housing energy)
LOW_INCOME_DECILES = 3  # ONPE: the three lowest deciles of income per consumption unit


def consumption_units(persons: np.ndarray) -> np.ndarray:
    """Modified OECD scale (INSEE): 1 + 0.5 for the second person + 0.3 for each further."""
    persons = np.maximum(np.asarray(persons, dtype=float), 1.0)
    return 1.0 + 0.5 * np.minimum(persons - 1.0, 1.0) + 0.3 * np.maximum(persons - 2.0, 0.0)


def income_per_cu(income_eur: np.ndarray, persons: np.ndarray) -> np.ndarray:
    """Disposable income per consumption unit (INSEE's *niveau de vie*), EUR/yr."""
    return np.asarray(income_eur, dtype=float) / consumption_units(persons)


def low_income(income_eur: np.ndarray, persons: np.ndarray,
               deciles: int = LOW_INCOME_DECILES) -> np.ndarray:
    """Households in the ``deciles`` lowest deciles of income per consumption unit."""
    per_cu = income_per_cu(income_eur, persons)
    if per_cu.size == 0:
        return np.zeros(0, dtype=bool)
    return per_cu <= np.quantile(per_cu, deciles / 10.0)


def energy_poor(bill_eur: np.ndarray, income_eur: np.ndarray, persons: np.ndarray,
                effort_share: float = ENERGY_POVERTY_EFFORT_SHARE) -> np.ndarray:
    """ONPE TEE_3D: housing-energy spending above ``effort_share`` of income, low income."""
    bill_eur, income_eur = np.asarray(bill_eur, float), np.asarray(income_eur, float)
    return low_income(income_eur, persons) & (bill_eur > effort_share * income_eur)


def household_energy_record(electricity_kwh: np.ndarray, heating_kwh: np.ndarray,
                            non_electric_heating_kwh: np.ndarray, bill_eur: np.ndarray,
                            income_eur: np.ndarray, persons: np.ndarray) -> dict[str, float]:
    """Per-household indicators held against published figures (data/grounding.csv).

    ``electricity_kwh`` is all electricity (electric heating included); the household's
    final energy is that plus ``non_electric_heating_kwh``; ``heating_kwh`` is its space
    heating (all carriers).
    """
    count = max(len(bill_eur), 1)
    total = float(np.sum(electricity_kwh) + np.sum(non_electric_heating_kwh))
    poor_income = low_income(income_eur, persons)
    mean_bill = float(np.mean(bill_eur)) if len(bill_eur) else 0.0
    low_bill = float(np.mean(bill_eur[poor_income])) if poor_income.any() else 0.0
    return {
        "household_electricity_kwh_per_household": float(np.sum(electricity_kwh)) / count,
        "household_energy_kwh_per_household": total / count,
        "household_heating_share": float(np.sum(heating_kwh)) / total if total > 0 else 0.0,
        "energy_bill_low_income_eur": low_bill,
        "energy_bill_low_income_to_mean_ratio": low_bill / mean_bill if mean_bill > 0 else 0.0,
        "income_per_cu_median_eur": float(np.median(income_per_cu(income_eur, persons)))
        if len(bill_eur) else 0.0,
    }
