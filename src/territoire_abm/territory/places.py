"""A territory config for any place with climate normals: scale Carbonne's defaults.

Used to simulate a climate twin (e.g. Fuente Obejuna) beside the target. Population and water
resources scale with the number of inhabitants (firms follow households in the territory
builder, ``territory.firms_scale_with_households``); what is not known about the place keeps
the Carbonne default and is listed by :func:`assumptions` so reports can say so.
"""

from __future__ import annotations

import math
from typing import Any

from territoire_abm.config.params import ModelConfig
from territoire_abm.config.validate import to_dict, with_overrides

CARBONNE_INHABITANTS = 5737.0  # INSEE (DOMAIN §4)
PERSONS_PER_HOUSEHOLD = 2.31  # Carbonne: 5,737 / 2,483 (INSEE)
# Small rivers of dry Mediterranean uplands (e.g. the Guadiato near Fuente Obejuna): a mean
# flow of a few m³/s: estimate (unconfirmed); used when the place has no big river.
SMALL_RIVER_MEAN_FLOW_M3S = 2.0
# Spain: about a third of households had air conditioning in 2008 and more since (INE
# Encuesta de Hogares y Medio Ambiente 2008: 35.5 %): estimate for Andalusia, unconfirmed.
COUNTRY_AC_SHARE = {"ES": 0.5, "FR": 0.25}
#: Alert flow of a small river as a share of its mean flow (French alert thresholds sit near
#: the 1-in-5-year monthly low flow, QMNA5, often 10–30 % of the mean): estimate.
SMALL_RIVER_ALERT_SHARE = 0.2
#: Share of a small river's flow the territory may withdraw (it is the main user, not one of
#: thirty along the Garonne): estimate (unconfirmed).
SMALL_RIVER_WITHDRAWAL_CAP_SHARE = 0.3


def place_overrides(place: Any, base: ModelConfig | None = None) -> dict[str, Any]:
    """Dotted overrides that turn the default territory into ``place``."""
    base = base or ModelConfig()
    population = place.population if place.population and not math.isnan(place.population) \
        else CARBONNE_INHABITANTS
    ratio = population / CARBONNE_INHABITANTS
    territory = base.territory
    overrides: dict[str, Any] = {
        "territory.name": place.name,
        "territory.climate_place": place.name,
        "territory.households": max(1, round(population / PERSONS_PER_HOUSEHOLD)),
        "territory.groundwater_m3_per_day": territory.groundwater_m3_per_day * ratio,
        "territory.air_conditioning_share": COUNTRY_AC_SHARE.get(
            place.country, territory.air_conditioning_share),
    }
    if not math.isnan(place.lat):
        overrides["territory.latitude_deg"] = float(place.lat)
    if place.name.lower() != territory.name.lower():
        flow = SMALL_RIVER_MEAN_FLOW_M3S
        overrides.update({
            "territory.river_mean_flow_m3s": flow,
            "territory.alert_flow_m3s": SMALL_RIVER_ALERT_SHARE * flow,
            "territory.water.support_capacity_hm3": 0.0,
            "territory.water.basin_territory_equivalents": 1.0,
            "territory.hydro_capacity_kw": 0.0,
            "territory.river_withdrawal_cap_share": SMALL_RIVER_WITHDRAWAL_CAP_SHARE,
        })
    return overrides


def config_for_place(place: Any, base: ModelConfig | None = None) -> ModelConfig:
    """The default (Carbonne) config adapted to another place: climate, size, river, assets."""
    base = base or ModelConfig()
    return with_overrides(base, place_overrides(place, base))


def assumptions(place: Any) -> list[str]:
    """What the twin's territory borrows from Carbonne's defaults (to state in reports)."""
    notes = ["personae, measures, behaviour and council rules as for Carbonne (defaults)"]
    if place.name.lower() != "carbonne":
        notes.append(f"small river (mean {SMALL_RIVER_MEAN_FLOW_M3S} m³/s), no hydro plant, "
                     "groundwater scaled by population (estimate, unconfirmed)")
    if place.estimated:
        notes.append(f"climate estimated: {place.notes}")
    return notes


__all__ = ["assumptions", "config_for_place", "place_overrides", "to_dict"]
