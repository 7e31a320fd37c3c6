"""A place's future climate by the delta method.

``future = normals + delta``: monthly temperatures (tmin, tmax, tmean) get the scenario's
monthly warming at the horizon or warming level, relative to the period of the place's own
normals (summer warms more than winter, as in the engine's climate driver,
:func:`territoire_abm.climate.scenarios.monthly_temperature_delta_c`); monthly
precipitation is multiplied by :func:`~territoire_abm.climate.scenarios.monthly_precip_factor`.
The future target is then compared with the candidates' observed normals (Bastin et al.
2019; DOMAIN.md §2).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from territoire_abm.climate import scenarios
from territoire_abm.climate.normals import PlaceNormals
from territoire_abm.errors import UserError


@dataclass(frozen=True, eq=False)
class Projection:
    """A place's normals moved to a horizon or a warming level."""

    present: PlaceNormals
    future: PlaceNormals
    scenario: str
    scenario_label: str
    year: int | None
    warming_level_c: float | None
    reference_period: str
    annual_delta_c: float
    monthly_delta_c: np.ndarray
    precip_factor: np.ndarray
    notes: tuple[str, ...]

    @property
    def horizon_label(self) -> str:
        """"2050 (tracc)" or "+4.0 °C (tracc)"."""
        if self.year is not None:
            return f"{self.year} ({self.scenario})"
        return f"+{self.warming_level_c:.1f} °C ({self.scenario})"


def apply_delta(
    place: PlaceNormals,
    monthly_delta_c: np.ndarray,
    precip_factor: np.ndarray,
    *,
    name: str | None = None,
    period: str | None = None,
    notes: str = "",
) -> PlaceNormals:
    """``place`` with temperatures shifted by ``monthly_delta_c`` and precipitation
    multiplied by ``precip_factor`` (both 12 values)."""
    dt = np.asarray(monthly_delta_c, dtype=float).reshape(12)
    fp = np.asarray(precip_factor, dtype=float).reshape(12)
    annual_p = place.precip_annual_mm
    if annual_p is not None and not place.has("precip"):
        annual_p = annual_p * float(fp.mean())
    annual_t = place.tmean_annual_c
    if annual_t is not None and not place.has("tmean"):
        annual_t = annual_t + float(dt.mean())
    return place.replace(
        name=name or place.name,
        period=period or place.period,
        tmin_c=place.tmin_c + dt,
        tmax_c=place.tmax_c + dt,
        tmean_c=place.tmean_c + dt,
        precip_mm=place.precip_mm * fp,
        precip_annual_mm=annual_p,
        tmean_annual_c=annual_t,
        notes="; ".join(x for x in (place.notes, notes) if x),
        interannual_years=None,
    )


def project(
    place: PlaceNormals,
    *,
    scenario: str = "tracc",
    year: int | None = None,
    warming_level_c: float | None = None,
) -> Projection:
    """Future normals of ``place`` at ``year`` or at ``warming_level_c`` under ``scenario``.

    The delta is taken relative to the period of ``place``'s normals; an unstated or unknown
    period falls back to 1991-2020 and the notes say so.

    Raises
    ------
    UserError
        Unknown scenario, both or neither of year / warming level, a year or level outside
        what the scenario covers (field named as on the command line: horizon,
        warming_level).
    """
    scen = scenarios.get_scenario(scenario)
    if (year is None) == (warming_level_c is None):
        raise UserError(
            "horizon", year if year is not None else warming_level_c,
            "give either horizon=<year> or warming_level=<°C>, not both",
        )
    if year is not None and not isinstance(year, (int, np.integer)):
        raise UserError("horizon", year, "a calendar year (integer)")
    if warming_level_c is not None and not math.isfinite(float(warming_level_c)):
        raise UserError("warming_level", warming_level_c, "a number of °C")
    reference, known = scenarios.resolve_reference_period(place.period)
    try:
        delta = scenarios.delta_c(
            scen, year=year, warming_level_c=warming_level_c, reference_period=reference
        )
    except UserError as err:
        field = "horizon" if year is not None else "warming_level"
        raise UserError(field, err.value, err.allowed) from None
    notes = []
    if not known:
        notes.append(
            f"{place.name}: normals period {place.period or 'unstated'} not recognised; "
            f"delta taken relative to {reference}"
        )
    if year is not None and year <= 2020:
        notes.append(f"horizon {year} is not in the future")
    monthly = scenarios.monthly_temperature_delta_c(delta)
    factor = scenarios.monthly_precip_factor(delta)
    if year is not None:
        when = f"{year}"
        reached = scen.warming_at(year)
        desc = f"{scen.name} {year} (+{reached:.1f} °C vs pre-industrial)"
    else:
        level_year = scen.year_at_warming(float(warming_level_c))
        when = f"+{float(warming_level_c):.1f} °C"
        reached_in = f", reached about {level_year}" if level_year else ""
        desc = f"{scen.name} at +{float(warming_level_c):.1f} °C{reached_in}"
    note = (
        f"projected by the delta method: {desc}; {delta:+.2f} °C relative to {reference} "
        f"(summer {monthly[5:8].mean():+.2f}, winter {monthly[[11, 0, 1]].mean():+.2f} °C), "
        f"precipitation ×{factor.mean():.2f} on average (summer ×{factor[5:8].mean():.2f})"
    )
    future = apply_delta(
        place, monthly, factor, name=place.name, period=f"{when} ({scen.name})", notes=note
    )
    return Projection(
        present=place,
        future=future,
        scenario=scen.name,
        scenario_label=scen.label,
        year=int(year) if year is not None else None,
        warming_level_c=float(warming_level_c) if warming_level_c is not None else None,
        reference_period=reference,
        annual_delta_c=float(delta),
        monthly_delta_c=monthly,
        precip_factor=factor,
        notes=tuple([note, *notes]),
    )
