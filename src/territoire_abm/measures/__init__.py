"""Adaptation and mitigation measures: the catalogue (data) and its helpers."""

from territoire_abm.measures.catalogue import (
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

__all__ = [
    "ADOPTERS",
    "COLUMNS",
    "FACTOR_COLUMNS",
    "KINDS",
    "THEMES",
    "UNITS",
    "Measure",
    "annualised_capex_eur",
    "annualised_embodied_kgco2e",
    "capital_recovery_factor",
    "catalogue_frame",
    "load_catalogue",
    "measures_for",
    "validate",
]
