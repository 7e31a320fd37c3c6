"""Monthly climate normals of places, and estimates for places without a station.

The package ships ``data/places.csv`` (one row per place, 48 monthly columns, see
``data/README.md``), built from ``data/climate_normals.csv`` by
:mod:`territoire_abm.twinning.build_data`. :func:`load_places` reads it (or a user's file
of the same schema); :func:`place_normals` finds a place by name, ignoring case and accents;
:func:`estimate_place` estimates a place without a station from the nearest stations by
inverse-distance weighting with an altitude (lapse-rate) correction of temperatures.

Every estimate is flagged ``estimated=True`` and says how it was made in ``notes``.

References
----------
1. Lapse rate −6.5 °C/km: ICAO standard atmosphere; the usual altitude correction of
   station temperatures (see DOMAIN.md §2).
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from territoire_abm.errors import UserError

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
#: Climate variables held per place, each 12 monthly values.
VARIABLES = ("tmin", "tmax", "tmean", "precip")
TEMPERATURE_VARIABLES = ("tmin", "tmax", "tmean")
#: Attribute of :class:`PlaceNormals` holding each variable.
VARIABLE_ATTRS = {"tmin": "tmin_c", "tmax": "tmax_c", "tmean": "tmean_c", "precip": "precip_mm"}
#: Temperature lapse rate, °C per km of altitude (ICAO standard atmosphere).
LAPSE_RATE_C_PER_KM = -6.5
#: Days in each month of a non-leap year (unit conversions of rates to monthly totals).
DAYS_IN_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=float)
RURALITY_CHOICES = ("rural", "urban")
#: Population under which a place is called rural when its file gives no rurality.
RURAL_POPULATION_MAX = 10_000

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEFAULT_PLACES_PATH = DATA_DIR / "places.csv"

#: Metadata columns of the wide places schema, in file order.
META_COLUMNS = (
    "name", "aliases", "country", "lat", "lon", "altitude_m", "population", "rurality",
    "period", "kind", "estimated", "source", "notes", "precip_annual_mm", "tmean_annual_c",
)
CLIMATE_COLUMNS = tuple(f"{v}_{m}" for v in VARIABLES for m in MONTHS)


def _as_months(values: Any) -> np.ndarray:
    if values is None:
        arr = np.full(12, np.nan)
    else:
        arr = np.asarray(values, dtype=float).reshape(-1)
    if arr.shape != (12,):
        raise ValueError(f"monthly normals need 12 values, got {arr.shape[0]}")
    arr = arr.copy()
    arr.flags.writeable = False
    return arr


@dataclass(frozen=True, eq=False)
class PlaceNormals:
    """Monthly climate normals of one place, with its physical attributes.

    Attributes
    ----------
    name, country : str
        Place name as shipped and ISO 3166 alpha-2 country code.
    lat, lon : float
        Degrees north and east (NaN when unknown).
    altitude_m : float
        Altitude of the station (or of the commune for estimates), m; NaN when unknown.
    population : float
        Inhabitants of the municipality the place stands for; NaN when unknown.
    rurality : str or None
        "rural" or "urban"; None when unknown.
    period : str
        Period of the normals, e.g. "1981-2010".
    tmin_c, tmax_c, tmean_c : numpy.ndarray
        Monthly mean daily minimum, maximum and mean temperature, °C (12 values; NaN where
        the source gives none).
    precip_mm : numpy.ndarray
        Monthly precipitation totals, mm (12 values, NaN where unknown).
    estimated : bool
        True when the normals are not measured at the place (nearest stations, altitude
        correction, interpolation); ``notes`` say how.
    notes : str
        Provenance and caveats, shown wherever the place is used.
    interannual_sd : dict or None
        Interannual standard deviation of distance features (keys as in
        :mod:`territoire_abm.twinning.features`, e.g. "tmean", "tmin_jan", "precip"), in the
        feature's units (°C, mm). None when unknown.
    interannual_years : dict or None
        Per-year monthly values, ``{"tmin": array (n_years, 12), ...}``, when a year series
        was loaded; gives the full interannual covariance for the Mahalanobis metrics.
    precip_annual_mm : float or None
        Annual precipitation when the source gives no monthly values.
    tmean_annual_c : float or None
        Annual mean temperature when the source gives no monthly values.
    source : str
        Where the numbers come from.
    kind : str
        "station", "grid", "estimated" or "user".
    aliases : tuple of str
        Other names the place answers to.
    """

    name: str
    country: str
    lat: float
    lon: float
    altitude_m: float
    population: float
    rurality: str | None
    period: str
    tmin_c: np.ndarray
    tmax_c: np.ndarray
    tmean_c: np.ndarray
    precip_mm: np.ndarray
    estimated: bool = False
    notes: str = ""
    interannual_sd: dict[str, float] | None = None
    interannual_years: dict[str, np.ndarray] | None = None
    precip_annual_mm: float | None = None
    tmean_annual_c: float | None = None
    source: str = ""
    kind: str = "station"
    aliases: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for attr in VARIABLE_ATTRS.values():
            object.__setattr__(self, attr, _as_months(getattr(self, attr)))
        for attr in ("lat", "lon", "altitude_m", "population"):
            value = getattr(self, attr)
            object.__setattr__(self, attr, float("nan") if value is None else float(value))
        # A mean temperature is (Tmin + Tmax) / 2 by the WMO convention for normals.
        if not np.isfinite(self.tmean_c).any() and self.has("tmin") and self.has("tmax"):
            object.__setattr__(self, "tmean_c", _as_months((self.tmin_c + self.tmax_c) / 2.0))
        for attr in ("precip_annual_mm", "tmean_annual_c"):
            value = getattr(self, attr)
            if value is not None and not math.isfinite(float(value)):
                object.__setattr__(self, attr, None)
        object.__setattr__(self, "aliases", tuple(self.aliases))

    def monthly(self, variable: str) -> np.ndarray:
        """The 12 monthly values of ``variable`` ("tmin", "tmax", "tmean", "precip")."""
        return getattr(self, VARIABLE_ATTRS[variable])

    def has(self, variable: str) -> bool:
        """True when all 12 monthly values of ``variable`` are known."""
        return bool(np.isfinite(self.monthly(variable)).all())

    def missing_variables(self) -> list[str]:
        """Variables without all 12 monthly values (e.g. CHELSA points lack tmin/tmax)."""
        return [v for v in VARIABLES if not self.has(v)]

    @property
    def annual_tmean_c(self) -> float:
        """Annual mean temperature, °C: mean of months, else the annual figure, else NaN."""
        if self.has("tmean"):
            return float(self.tmean_c.mean())
        return float(self.tmean_annual_c) if self.tmean_annual_c is not None else math.nan

    @property
    def annual_precip(self) -> float:
        """Annual precipitation, mm: sum of months, else the annual figure, else NaN."""
        if self.has("precip"):
            return float(self.precip_mm.sum())
        return float(self.precip_annual_mm) if self.precip_annual_mm is not None else math.nan

    @property
    def label(self) -> str:
        """Name followed by "(estimated)" when the normals are estimated."""
        return f"{self.name} (estimated)" if self.estimated else self.name

    def replace(self, **changes: Any) -> PlaceNormals:
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)


# --------------------------------------------------------------------------- names


def normalise_name(name: str) -> str:
    """Lower-case, accent-free, punctuation-free form of a place name, for matching."""
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return re.sub(r"[^0-9a-z]+", " ", text).strip()


def close_names(name: str, names: list[str], n: int = 5) -> list[str]:
    """Up to ``n`` names close to ``name`` (spelling, then shared words)."""
    key = normalise_name(name)
    by_key: dict[str, str] = {}
    for candidate in names:
        by_key.setdefault(normalise_name(candidate), candidate)
    found = difflib.get_close_matches(key, list(by_key), n=n, cutoff=0.6)
    words = set(key.split())
    for cand_key in by_key:
        if len(found) >= n:
            break
        if cand_key not in found and words & set(cand_key.split()):
            found.append(cand_key)
    return [by_key[k] for k in found[:n]]


# --------------------------------------------------------------------------- frames


def _num(value: Any) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return math.nan
    return out


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if value is pd.NA:
        return ""
    return str(value).strip()


def _bool(value: Any) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    return _text(value).lower() in ("true", "1", "yes", "y", "oui")


def rurality_from_population(population: float) -> str | None:
    """"rural" under :data:`RURAL_POPULATION_MAX` inhabitants, "urban" above, None if unknown."""
    if not math.isfinite(population):
        return None
    return "rural" if population < RURAL_POPULATION_MAX else "urban"


def places_from_frame(frame: pd.DataFrame, *, default_kind: str = "station") -> list[PlaceNormals]:
    """Build places from a wide table (one row per place, see ``data/README.md``).

    Missing optional columns are allowed; validation of user files is done by
    :func:`territoire_abm.twinning.loaders.read_normals_csv` before this is called.
    """
    places: list[PlaceNormals] = []
    cols = set(frame.columns)
    sd_cols = [c for c in frame.columns if str(c).startswith("sd_")]
    for row in frame.to_dict("records"):
        monthly = {
            v: [_num(row.get(f"{v}_{m}")) if f"{v}_{m}" in cols else math.nan for m in MONTHS]
            for v in VARIABLES
        }
        population = _num(row.get("population"))
        rurality = _text(row.get("rurality")).lower() or rurality_from_population(population)
        sd = {c[3:]: _num(row[c]) for c in sd_cols if math.isfinite(_num(row[c]))}
        aliases = tuple(a.strip() for a in _text(row.get("aliases")).split(";") if a.strip())
        annual_p = _num(row.get("precip_annual_mm"))
        annual_t = _num(row.get("tmean_annual_c"))
        places.append(
            PlaceNormals(
                name=_text(row.get("name")),
                country=_text(row.get("country")).upper(),
                lat=_num(row.get("lat")),
                lon=_num(row.get("lon")),
                altitude_m=_num(row.get("altitude_m")),
                population=population,
                rurality=rurality or None,
                period=_text(row.get("period")),
                tmin_c=monthly["tmin"],
                tmax_c=monthly["tmax"],
                tmean_c=monthly["tmean"],
                precip_mm=monthly["precip"],
                estimated=_bool(row.get("estimated")),
                notes=_text(row.get("notes")),
                interannual_sd=sd or None,
                precip_annual_mm=annual_p if math.isfinite(annual_p) else None,
                tmean_annual_c=annual_t if math.isfinite(annual_t) else None,
                source=_text(row.get("source")),
                kind=_text(row.get("kind")) or default_kind,
                aliases=aliases,
            )
        )
    return places


def places_to_frame(places: list[PlaceNormals]) -> pd.DataFrame:
    """The wide table of ``places`` (inverse of :func:`places_from_frame`)."""
    rows = []
    for p in places:
        row: dict[str, Any] = {
            "name": p.name,
            "aliases": ";".join(p.aliases),
            "country": p.country,
            "lat": p.lat,
            "lon": p.lon,
            "altitude_m": p.altitude_m,
            "population": p.population,
            "rurality": p.rurality or "",
            "period": p.period,
            "kind": p.kind,
            "estimated": bool(p.estimated),
            "source": p.source,
            "notes": p.notes,
            "precip_annual_mm": (
                p.precip_annual_mm if p.precip_annual_mm is not None
                else (p.annual_precip if p.has("precip") else math.nan)
            ),
            "tmean_annual_c": p.annual_tmean_c,
        }
        for v in VARIABLES:
            values = p.monthly(v)
            for i, m in enumerate(MONTHS):
                row[f"{v}_{m}"] = round(float(values[i]), 2) if np.isfinite(values[i]) else math.nan
        for key, value in (p.interannual_sd or {}).items():
            row[f"sd_{key}"] = value
        rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- loading


@lru_cache(maxsize=8)
def _load_cached(path: str, mtime: float) -> tuple[PlaceNormals, ...]:
    frame = pd.read_csv(path, keep_default_na=True)
    return tuple(places_from_frame(frame))


def load_places(path: str | Path | None = None) -> list[PlaceNormals]:
    """Places of the shipped data set, or of a wide-format file of the same schema.

    Parameters
    ----------
    path : str or Path, optional
        A ``places.csv``-schema file; default the shipped ``data/places.csv``. User files in
        other layouts go through :mod:`territoire_abm.twinning.loaders`.

    Returns
    -------
    list of PlaceNormals
        A fresh list (the parsed places are cached and immutable).
    """
    file = Path(path) if path is not None else DEFAULT_PLACES_PATH
    if not file.is_file():
        raise UserError("places file", str(file), "a readable CSV file")
    return list(_load_cached(str(file.resolve()), file.stat().st_mtime))


def find_place(name: str, places: list[PlaceNormals]) -> PlaceNormals | None:
    """The place called ``name`` or one of its aliases (case/accent-insensitive), else None."""
    key = normalise_name(name)
    for place in places:
        if normalise_name(place.name) == key:
            return place
    for place in places:
        if any(normalise_name(a) == key for a in place.aliases):
            return place
    return None


def place_normals(
    name: str, places: list[PlaceNormals] | None = None, *, field: str = "commune"
) -> PlaceNormals:
    """The normals of the place called ``name`` (case- and accent-insensitive).

    Raises
    ------
    UserError
        When no place has that name; the message lists close names.
    """
    pool = load_places() if places is None else places
    found = find_place(name, pool)
    if found is not None:
        return found
    suggestions = close_names(name, [p.name for p in pool] + [a for p in pool for a in p.aliases])
    hint = f"close names: {', '.join(suggestions)}" if suggestions else "no close name"
    raise UserError(
        field, name,
        f"unknown place; {hint}; or give lat=, lon=, altitude= to estimate it "
        "from the nearest stations",
    )


# --------------------------------------------------------------------------- estimation


def haversine_km(lat1: float, lon1: float, lat2: Any, lon2: Any) -> np.ndarray:
    """Great-circle distance(s) in km between a point and points (degrees)."""
    p1, p2 = np.radians(lat1), np.radians(np.asarray(lat2, dtype=float))
    dphi = p2 - p1
    dlmb = np.radians(np.asarray(lon2, dtype=float) - lon1)
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def _describe_source(place: PlaceNormals, distance: float, shift: float | None) -> str:
    alt = f", {place.altitude_m:.0f} m" if math.isfinite(place.altitude_m) else ""
    est = ", itself estimated" if place.estimated else ""
    corr = f", {shift:+.2f} °C" if shift is not None else ""
    return f"{place.name} ({distance:.0f} km{alt}{corr}{est})"


@dataclasses.dataclass
class _Sources:
    """Measured places with coordinates, and per variable those usable as sources."""

    places: list[PlaceNormals]
    keys: list[str]
    usable: dict[str, list[PlaceNormals]]
    _positions: dict[str, tuple[np.ndarray, np.ndarray]]

    def positions(self, variable: str, usable: list[PlaceNormals]
                  ) -> tuple[np.ndarray, np.ndarray]:
        """Latitudes and longitudes of ``usable`` (cached for the full list)."""
        if usable is self.usable[variable]:
            return self._positions[variable]
        return np.array([p.lat for p in usable]), np.array([p.lon for p in usable])


_SOURCES_CACHE: dict[int, tuple[list[PlaceNormals], _Sources]] = {}


def _measured_sources(pool: list[PlaceNormals]) -> _Sources:
    """The measured places of ``pool`` prepared for :func:`estimate_place` (cached per
    list object, so ranking a département does not redo it for every commune). Never chain
    estimates: an estimated place is not a source for another one."""
    hit = _SOURCES_CACHE.get(id(pool))
    if hit is not None and hit[0] is pool:
        return hit[1]
    places = [p for p in pool if not p.estimated and math.isfinite(p.lat)
              and math.isfinite(p.lon)]
    usable = {
        v: [p for p in places if p.has(v)
            and (v not in TEMPERATURE_VARIABLES or math.isfinite(p.altitude_m))]
        for v in VARIABLES
    }
    prepared = _Sources(
        places=places, keys=[normalise_name(p.name) for p in places], usable=usable,
        _positions={v: (np.array([p.lat for p in u]), np.array([p.lon for p in u]))
                    for v, u in usable.items()},
    )
    if len(_SOURCES_CACHE) > 8:
        _SOURCES_CACHE.clear()
    _SOURCES_CACHE[id(pool)] = (pool, prepared)
    return prepared


def _nearest_hint(lat: float, lon: float, pool: list[PlaceNormals]) -> str:
    """", nearest: Montauban (81 km)" over the places with temperatures, or ""."""
    usable = [p for p in pool if any(p.has(v) for v in TEMPERATURE_VARIABLES)
              and math.isfinite(p.altitude_m)]
    if not usable:
        return ""
    d = haversine_km(lat, lon, [p.lat for p in usable], [p.lon for p in usable])
    i = int(np.argmin(d))
    return f" (nearest: {usable[i].name}, {d[i]:.0f} km)"


def _check_position(lat: Any, lon: Any, altitude_m: Any, k: int) -> None:
    """Coordinates in range (degrees, m) and at least one neighbour."""
    for field, value, low, high in (
        ("lat", lat, -90.0, 90.0), ("lon", lon, -180.0, 180.0), ("altitude", altitude_m, -500, 9000)
    ):
        if value is None or not math.isfinite(float(value)) or not low <= float(value) <= high:
            raise UserError(field, value, f"a number between {low:g} and {high:g}")
    if k < 1:
        raise UserError("k", k, "at least 1")


def _source_pool(places: list[PlaceNormals] | None, key: str,
                 sources: list[str] | None) -> list[PlaceNormals]:
    """The places to draw from: the given pool (default the shipped data set), or only the
    named ``sources`` (never the place itself, never an estimate)."""
    pool = load_places() if places is None else places
    if sources is not None:
        pool = [p for p in pool if normalise_name(p.name) != key]
        pool = [place_normals(s, pool, field="sources") for s in sources]
        chained = [p.name for p in pool if p.estimated]
        if chained:
            raise UserError("sources", ", ".join(chained),
                            "measured places only: an estimate is never built from estimates")
    return pool


def _weighted_normals(
    variable: str, usable: list[PlaceNormals], prepared: _Sources, lat: float, lon: float,
    altitude_m: float, *, k: int, power: float, max_distance_km: float | None,
    lapse_rate_c_per_km: float,
) -> tuple[np.ndarray, list[tuple[PlaceNormals, float, float | None]]]:
    """One variable's 12 monthly values at the target: the inverse-distance weighted mean
    (weights ``1/max(d, 1 km)**power``) of the ``k`` nearest usable places within
    ``max_distance_km`` (None: no limit), temperatures moved to the target's altitude by the
    lapse rate. Returns the values (NaN when no place is in reach) and each source with its
    distance (km) and temperature shift (°C; None for precipitation)."""
    if not usable:
        return np.full(12, np.nan), []
    dist = haversine_km(lat, lon, *prepared.positions(variable, usable))
    order = np.argsort(dist, kind="stable")
    if max_distance_km is not None:
        order = [i for i in order if dist[i] <= max_distance_km]
    chosen = list(order[:k])
    if not chosen:
        return np.full(12, np.nan), []
    d = np.maximum(dist[chosen], 1.0)
    w = d ** (-power)
    w = w / w.sum()
    stack = []
    sources = []
    for idx in chosen:
        p = usable[idx]
        shift = None
        series = p.monthly(variable).copy()
        if variable in TEMPERATURE_VARIABLES:
            shift = lapse_rate_c_per_km * (altitude_m - p.altitude_m) / 1000.0
            series = series + shift
        stack.append(series)
        sources.append((p, float(dist[idx]), shift))
    return np.tensordot(w, np.array(stack), axes=1), sources


def _estimate_notes(name: str, used: dict[str, list[str]], periods: list[str],
                    lapse_rate_c_per_km: float, notes: str) -> tuple[str, str]:
    """The estimate's notes (its sources grouped by variable, the corrections, what is
    missing) and its period (the sources' most common one)."""
    parts = [f"estimated (no station at {name})"]
    groups: dict[tuple[str, ...], list[str]] = {}
    for variable, desc in used.items():
        groups.setdefault(tuple(desc), []).append(variable)
    for desc, variables in groups.items():
        how = "inverse-distance weighted" if len(desc) > 1 else "from"
        parts.append(f"{'/'.join(variables)} {how} {'; '.join(desc)}")
    if any(v in used for v in TEMPERATURE_VARIABLES):
        parts.append(f"temperatures lapse-rate corrected ({lapse_rate_c_per_km:g} °C/km)")
    if "precip" in used:
        parts.append("precipitation not altitude-corrected")
    missing = [v for v in VARIABLES if v not in used]
    if missing:
        parts.append(f"no source for {', '.join(missing)}")
    period_counts = Counter(periods)
    period = period_counts.most_common(1)[0][0] if period_counts else ""
    if len(period_counts) > 1:
        parts.append(f"sources' periods differ ({', '.join(sorted(period_counts))})")
    if notes:
        parts.append(notes)
    return "; ".join(parts), period


def estimate_place(
    name: str,
    lat: float,
    lon: float,
    altitude_m: float,
    *,
    country: str = "",
    population: float | None = None,
    rurality: str | None = None,
    places: list[PlaceNormals] | None = None,
    sources: list[str] | None = None,
    k: int = 3,
    power: float = 2.0,
    max_distance_km: float = 300.0,
    lapse_rate_c_per_km: float = LAPSE_RATE_C_PER_KM,
    notes: str = "",
) -> PlaceNormals:
    """Estimate the normals of a place without a station.

    For each variable, the ``k`` nearest *measured* places that have it (all 12 months, and
    an altitude for temperatures) within ``max_distance_km`` are averaged with
    inverse-distance weights ``1/d**power``. Temperatures are first moved to the target
    altitude with the lapse rate:
    ``T_i + lapse_rate · (z − z_i) / 1000``. Precipitation is averaged without altitude
    correction (orographic effects are not modelled; the notes say so). Estimated places
    are never used as sources (no estimate from estimates); the result's period is the
    sources' own (the most common one, the notes list all when they differ). The error of
    the method is measured by leave-one-out on the stations
    (:mod:`territoire_abm.climate.loo`, ``benchmarks/bench_estimate_loo.py``).

    Parameters
    ----------
    name : str
        Name of the estimated place.
    lat, lon, altitude_m : float
        Position (degrees) and altitude (m) of the place.
    places : list of PlaceNormals, optional
        Pool of stations; default the shipped data set.
    sources : list of str, optional
        Restrict to these places (by name), whatever their distance.
    k, power, max_distance_km : int, float, float
        Neighbours, inverse-distance exponent, search radius.
    lapse_rate_c_per_km : float
        °C per km of altitude (default −6.5).

    Returns
    -------
    PlaceNormals
        With ``estimated=True``, ``kind="estimated"`` and notes naming every source.
        A variable no source covers stays NaN (the notes say so).

    Raises
    ------
    UserError
        Bad coordinates, or no station within reach for any temperature variable.
    """
    _check_position(lat, lon, altitude_m, k)
    key = normalise_name(name)
    prepared = _measured_sources(_source_pool(places, key, sources))
    pool = [p for p, other in zip(prepared.places, prepared.keys, strict=True) if other != key]

    lat, lon, altitude_m = float(lat), float(lon), float(altitude_m)
    values: dict[str, np.ndarray] = {}
    used: dict[str, list[str]] = {}
    periods: list[str] = []
    for variable in VARIABLES:
        usable = [p for p in prepared.usable[variable] if normalise_name(p.name) != key] \
            if key in prepared.keys else prepared.usable[variable]
        values[variable], chosen = _weighted_normals(
            variable, usable, prepared, lat, lon, altitude_m, k=k, power=power,
            max_distance_km=None if sources is not None else max_distance_km,
            lapse_rate_c_per_km=lapse_rate_c_per_km)
        if chosen:
            used[variable] = [_describe_source(p, d, shift) for p, d, shift in chosen]
            periods.extend(p.period for p, _, _ in chosen)

    if not any(np.isfinite(values[v]).all() for v in TEMPERATURE_VARIABLES):
        raise UserError(
            "commune", name,
            f"outside the data's domain: no measured place with temperatures within "
            f"{max_distance_km:g} km of ({lat:.3f}, {lon:.3f}){_nearest_hint(lat, lon, pool)}; "
            "import Météo-France normals (territoire-abm twin import-normals <files>) or "
            "give candidates=",
        )
    description, period = _estimate_notes(name, used, periods, lapse_rate_c_per_km, notes)
    pop = float(population) if population is not None else math.nan
    return PlaceNormals(
        name=name,
        country=country.upper(),
        lat=lat,
        lon=lon,
        altitude_m=altitude_m,
        population=pop,
        rurality=rurality or rurality_from_population(pop),
        period=period,
        tmin_c=values["tmin"],
        tmax_c=values["tmax"],
        tmean_c=values["tmean"],
        precip_mm=values["precip"],
        estimated=True,
        notes=description,
        source="estimated by territoire_abm.climate.normals.estimate_place",
        kind="estimated",
    )
