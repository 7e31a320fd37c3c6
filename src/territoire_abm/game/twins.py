"""The twin commune of a session: which places may be chosen, its territory, the region.

A facilitator may give the home territory a climate twin (``docs/twinning.md``): a commune
whose present climate is the home's future one. The twin is a second territory of the same
engine, built from the twin's climate normals by :func:`territoire_abm.territory.places.
place_overrides`, and stepped in lockstep with the home one by a
:class:`~territoire_abm.territory.region.Region` whose twinning links (both ways) pass each
side's adopted measures to the other as knowledge. Its council may be a team of the workshop
(the ``twin_council`` role); its other roles are always the model's.

The choices offered are the best-ranked twins of :func:`territoire_abm.twinning.find_twins`
for the session's scenario (plus the seed's own pair, Fuente Obejuna, for Carbonne); any
shipped place the weather generator can simulate is accepted, by its shipped name only
(never a file).
"""

from __future__ import annotations

import dataclasses
import math
from functools import cache
from typing import Any

import numpy as np

from territoire_abm.errors import UserError
from territoire_abm.territory.model import TerritoryModel
from territoire_abm.territory.places import PERSONS_PER_HOUSEHOLD, place_overrides
from territoire_abm.territory.region import Link, Region
from territoire_abm.twinning.simulate import DEFAULT_EXCHANGE

#: Climate place of each shipped home territory (settings.TERRITORIES).
HOME_PLACES = {"carbonne": "Carbonne"}
#: The seed's own pair (Cerema Occitanie, jumelage climatique Carbonne ↔ Fuente Obejuna).
SEED_TWINS = {"carbonne": ("Fuente Obejuna",)}
#: Ranked twins offered in the session form (the seed's pair comes on top of these).
OFFERED = 5
#: Horizon of the ranking: the twinning method's default (twinning.ranking.DEFAULT_HORIZON).
HORIZON = 2050
#: Knowledge exchanged along each twinning link (the twinning simulation's default lever).
EXCHANGE = DEFAULT_EXCHANGE


@cache
def _shipped() -> dict[str, Any]:
    """Shipped places the engine can simulate: 12 monthly Tmin, Tmax and precipitation (the
    weather generator's inputs; CHELSA city points give monthly Tmean only)."""
    from territoire_abm.climate.normals import load_places

    return {place.name: place for place in load_places()
            if all(np.isfinite(values).all()
                   for values in (place.tmin_c, place.tmax_c, place.precip_mm))}


def check_twin(value: Any, territory: str) -> str:
    """The shipped name of the twin place ``value`` ("" for none), or a UserError."""
    if value in (None, ""):
        return ""
    places = _shipped()
    if not isinstance(value, str) or value not in places:
        from territoire_abm.game.settings import short

        examples = ", ".join(choices(territory)[:3])
        raise UserError("twin", short(value), "a shipped place with monthly Tmin, Tmax and "
                        f"precipitation, by its exact name (e.g. {examples}), or empty")
    if value == HOME_PLACES.get(territory):
        raise UserError("twin", value, "a place other than the home territory")
    return value


@cache
def choices(territory: str, scenario: str = "tracc") -> tuple[str, ...]:
    """Twins offered in the form: the seed's pair, then the best-ranked for ``scenario``."""
    from territoire_abm.twinning import find_twins

    home = _shipped()[HOME_PLACES[territory]]
    ranking = find_twins(home, scenario=scenario, horizon=HORIZON)
    ranked = [name for name in ranking.table["name"] if name in _shipped()][:OFFERED]
    return tuple(dict.fromkeys([*SEED_TWINS.get(territory, ()), *ranked]))


def overrides(twin: str, households: int) -> dict[str, Any]:
    """Dotted overrides turning the default territory into the twin, at most ``households``
    large (a big city twin is simulated as a commune-sized slice with the same climate: its
    population, and what scales with it, capped so that a round stays within a second)."""
    place = _shipped()[twin]
    population = place.population if place.population and not math.isnan(place.population) \
        else households * PERSONS_PER_HOUSEHOLD
    capped = dataclasses.replace(place, population=min(population,
                                                       households * PERSONS_PER_HOUSEHOLD))
    return place_overrides(capped)


def region(home: TerritoryModel, twin: TerritoryModel) -> Region:
    """The two territories stepped together, learning from each other both ways."""
    return Region([home, twin], [Link("twinning", twin.name, home.name, EXCHANGE),
                                 Link("twinning", home.name, twin.name, EXCHANGE)])
