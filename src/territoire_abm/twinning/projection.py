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
from territoire_abm.twinning.texts import note as make_note


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
        notes.append(make_note("note.period_unknown", name=place.name,
                               period=place.period or "unstated", reference=reference))
    if year is not None and year <= 2020:
        notes.append(make_note("note.past_horizon", year=year))
    abroad = outside_france_note(place)
    if abroad:
        notes.append(abroad)
    monthly = scenarios.monthly_temperature_delta_c(delta)
    factor = scenarios.monthly_precip_factor(delta)
    figures = {"scenario": scen.name, "delta": float(delta), "reference": reference,
               "summer": float(monthly[5:8].mean()), "winter": float(monthly[[11, 0, 1]].mean()),
               "factor": float(factor.mean()), "factor_summer": float(factor[5:8].mean())}
    if year is not None:
        when = f"{year}"
        note = make_note("note.delta_year", year=year, reached=scen.warming_at(year), **figures)
    else:
        level_year = scen.year_at_warming(float(warming_level_c))
        when = f"+{float(warming_level_c):.1f} °C"
        note = (make_note("note.delta_level_reached", level=float(warming_level_c),
                          year=level_year, **figures) if level_year else
                make_note("note.delta_level", level=float(warming_level_c), **figures))
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


# --------------------------------------------------------------------------- regional futures

#: France's warming over global warming in TRACC (+4.0 °C for a +3.0 °C world; DOMAIN.md §1).
FRANCE_RATIO = scenarios.FRANCE_OVER_GLOBAL
#: Countries of the Mediterranean basin among the candidates (ISO 3166-1 alpha-2).
MEDITERRANEAN = ("ES", "PT", "IT", "GR", "HR", "CY", "MT", "TR", "MA", "TN", "DZ", "SI", "AL",
                 "ME", "BA", "LB", "IL", "EG", "LY", "SY")
#: Regional over global warming by country, with its source. France: TRACC. Mediterranean
#: basin: MedECC (2020), *Climate and Environmental Change in the Mediterranean Basin*, First
#: Mediterranean Assessment Report, Summary for Policymakers: the region warms about 20 %
#: faster than the global mean — an observed rate, used here as a projection ratio
#: (unconfirmed: replace with regional CMIP6/CORDEX scaling, e.g. the IPCC AR6 Atlas MED
#: region, when available). Other countries: no sourced ratio (France's is used and said).
REGIONAL_WARMING_RATIO: dict[str, tuple[float, str]] = {
    "FR": (FRANCE_RATIO, "TRACC: France +4.0 °C for a +3.0 °C world"),
    **{c: (1.2, "MedECC 2020: the Mediterranean basin warms about 20 % faster than the "
                "global mean (observed rate; unconfirmed as a projection ratio)")
       for c in MEDITERRANEAN},
}


def regional_ratio(country: str) -> tuple[float, str, bool]:
    """(regional/global warming ratio, source, sourced?) for an ISO2 country code."""
    code = str(country or "").upper()
    if code in REGIONAL_WARMING_RATIO:
        ratio, source = REGIONAL_WARMING_RATIO[code]
        return ratio, source, True
    return FRANCE_RATIO, f"no sourced ratio for {code or 'an unknown country'}: France's " \
        "TRACC ratio used", False


def own_future(place: PlaceNormals, projection: Projection) -> Projection:
    """``place`` projected to the same horizon with its own region's warming.

    The scenario's France warming is turned into global warming (÷ TRACC's France ratio)
    and back into the place's regional warming (× its ratio, :func:`regional_ratio`); the
    seasonal pattern and precipitation factor stay the driver's (France's south-west), as
    the notes say.
    """
    ratio, source, sourced = regional_ratio(place.country)
    base = project(place, scenario=projection.scenario, year=projection.year,
                   warming_level_c=projection.warming_level_c)
    scale = ratio / FRANCE_RATIO
    delta = base.annual_delta_c * scale
    monthly = scenarios.monthly_temperature_delta_c(delta)
    factor = scenarios.monthly_precip_factor(delta)
    horizon = (make_note("common.horizon_year", year=projection.year,
                         scenario=projection.scenario) if projection.year is not None else
               make_note("common.horizon_level", level=projection.warming_level_c,
                         scenario=projection.scenario))
    note = make_note("note.own_future", name=place.name, horizon=horizon, delta=float(delta),
                     reference=base.reference_period, ratio=ratio, source=source)
    future = apply_delta(place, monthly, factor, name=place.name,
                         period=base.future.period, notes=note)
    notes = [note] if sourced else [note, f"{place.name}: {source}"]
    return Projection(
        present=place, future=future, scenario=base.scenario,
        scenario_label=base.scenario_label, year=base.year,
        warming_level_c=base.warming_level_c, reference_period=base.reference_period,
        annual_delta_c=float(delta), monthly_delta_c=monthly, precip_factor=factor,
        notes=tuple(notes),
    )


def outside_france_note(place: PlaceNormals) -> str | None:
    """A note when France's trajectory and pattern are applied to a place abroad."""
    country = str(place.country or "").upper()
    if country in ("", "FR"):
        return None
    ratio, source, _ = regional_ratio(country)
    return make_note("note.abroad", name=place.name, country=country, ratio=ratio,
                     source=source)
