"""Resolve the commune a user names into normals to rank twins for.

Order: the user's candidates file, the shipped places (stations and the seed communes),
then a point given by ``lat=``/``lon=``/``altitude=``, and last any French commune of the
gazetteer (:mod:`.gazetteer`), whose normals are estimated at its position and altitude from
the nearest measured places (:func:`territoire_abm.climate.normals.estimate_place`).
"""

from __future__ import annotations

import math

from territoire_abm.climate.normals import PlaceNormals, estimate_place, find_place
from territoire_abm.errors import UserError
from territoire_abm.twinning.candidates import CandidateSet
from territoire_abm.twinning.gazetteer import Commune, find_commune


def commune_normals(commune: Commune, places: list[PlaceNormals], *,
                    altitude_m: float | None = None, **kwargs) -> PlaceNormals:
    """Estimated normals of a gazetteer commune (position = its polygon's centroid)."""
    alt = commune.altitude_m if altitude_m is None else altitude_m
    where = (f"INSEE {commune.insee}, département {commune.departement}; position = centroid "
             f"of the commune, altitude {alt:.0f} m "
             f"({'given' if altitude_m is not None else 'pvlib altitude map, about ±100 m'})")
    pop = commune.population if math.isfinite(commune.population) else None
    return estimate_place(commune.name, commune.lat, commune.lon, alt, country="FR",
                          population=pop, places=places, notes=where, **kwargs)


def resolve_target(
    name: str, *, field: str, places: list[PlaceNormals], candidates: CandidateSet | None,
    departement: str | None = None, position: tuple[float, float, float | None] | None = None,
    population: float | None = None, rurality: str | None = None, country: str = "",
) -> PlaceNormals:
    """The place called ``name`` (see module doc); :class:`UserError` when none fits."""
    if not name:
        raise UserError(field, "", "a commune name or INSEE code, e.g. commune=Carbonne")
    if candidates is not None:
        i = candidates.index_of(name)
        if i is not None:
            return candidates.place(i)
    found = find_place(name, places) if departement is None else None
    if found is not None:
        return found
    if position is not None:
        lat, lon, altitude = position
        if altitude is None:
            raise UserError("altitude", "missing", "the commune's altitude in m, to correct "
                            "the stations' temperatures (lapse rate)")
        return estimate_place(name, lat, lon, altitude, country=country,
                              population=population, rurality=rurality, places=places)
    try:
        commune = find_commune(name, departement)
    except UserError as exc:
        if exc.field != "commune":
            raise
        raise UserError(field, name, exc.allowed) from None
    return commune_normals(commune, places)
