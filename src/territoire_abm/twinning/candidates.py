"""Candidate places held as arrays, so that thousands of them rank in milliseconds."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from territoire_abm.climate.normals import VARIABLES, PlaceNormals


def _object_array(values: Iterable) -> np.ndarray:
    items = list(values)
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


@dataclass
class CandidateSet:
    """Places to search a twin among, one entry per row of every array.

    Attributes
    ----------
    names, countries, periods, kinds, notes, rurality, sources : numpy.ndarray of object
    estimated : numpy.ndarray of bool
    lat, lon, altitude_m, population : numpy.ndarray of float (NaN when unknown)
    monthly : dict
        ``{"tmin": (n, 12), "tmax": (n, 12), "tmean": (n, 12), "precip": (n, 12)}``.
    annual_precip, annual_tmean : numpy.ndarray of float
        Annual figures (sum/mean of months, else the file's annual value, else NaN).
    years : dict or None
        ``{"tmin": (n_years, n, 12), ...}`` when a year series was loaded.
    origin : str
        Where the set comes from (shipped data, a file path).
    """

    names: np.ndarray
    countries: np.ndarray
    periods: np.ndarray
    kinds: np.ndarray
    notes: np.ndarray
    rurality: np.ndarray
    sources: np.ndarray
    estimated: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    altitude_m: np.ndarray
    population: np.ndarray
    monthly: dict[str, np.ndarray]
    annual_precip: np.ndarray
    annual_tmean: np.ndarray
    years: dict[str, np.ndarray] | None = None
    origin: str = ""
    _places: list[PlaceNormals] | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return int(self.names.shape[0])

    @classmethod
    def from_places(cls, places: Iterable[PlaceNormals], origin: str = "") -> CandidateSet:
        """Stack a list of places."""
        items = list(places)
        monthly = {
            v: (np.array([p.monthly(v) for p in items], dtype=float).reshape(len(items), 12))
            for v in VARIABLES
        }
        return cls(
            names=_object_array(p.name for p in items),
            countries=_object_array(p.country for p in items),
            periods=_object_array(p.period for p in items),
            kinds=_object_array(p.kind for p in items),
            notes=_object_array(p.notes for p in items),
            rurality=_object_array(p.rurality for p in items),
            sources=_object_array(p.source for p in items),
            estimated=np.array([bool(p.estimated) for p in items], dtype=bool),
            lat=np.array([p.lat for p in items], dtype=float),
            lon=np.array([p.lon for p in items], dtype=float),
            altitude_m=np.array([p.altitude_m for p in items], dtype=float),
            population=np.array([p.population for p in items], dtype=float),
            monthly=monthly,
            annual_precip=np.array([p.annual_precip for p in items], dtype=float),
            annual_tmean=np.array([p.annual_tmean_c for p in items], dtype=float),
            origin=origin,
            _places=items,
        )

    def subset(self, mask: np.ndarray) -> CandidateSet:
        """The candidates where ``mask`` (bool or indices) selects."""
        idx = np.flatnonzero(mask) if np.asarray(mask).dtype == bool else np.asarray(mask)
        years = None
        if self.years is not None:
            years = {k: v[:, idx] for k, v in self.years.items()}
        places = [self._places[i] for i in idx] if self._places is not None else None
        return CandidateSet(
            names=self.names[idx], countries=self.countries[idx], periods=self.periods[idx],
            kinds=self.kinds[idx], notes=self.notes[idx], rurality=self.rurality[idx],
            sources=self.sources[idx], estimated=self.estimated[idx], lat=self.lat[idx],
            lon=self.lon[idx], altitude_m=self.altitude_m[idx],
            population=self.population[idx],
            monthly={k: v[idx] for k, v in self.monthly.items()},
            annual_precip=self.annual_precip[idx], annual_tmean=self.annual_tmean[idx],
            years=years, origin=self.origin, _places=places,
        )

    def place(self, i: int) -> PlaceNormals:
        """Row ``i`` as a :class:`PlaceNormals`."""
        if self._places is not None:
            return self._places[i]
        years = None
        if self.years is not None:
            years = {k: v[:, i, :].astype(float) for k, v in self.years.items()}
        annual_p = float(self.annual_precip[i])
        return PlaceNormals(
            name=str(self.names[i]), country=str(self.countries[i] or ""),
            lat=float(self.lat[i]), lon=float(self.lon[i]),
            altitude_m=float(self.altitude_m[i]), population=float(self.population[i]),
            rurality=self.rurality[i] or None, period=str(self.periods[i] or ""),
            tmin_c=self.monthly["tmin"][i], tmax_c=self.monthly["tmax"][i],
            tmean_c=self.monthly["tmean"][i], precip_mm=self.monthly["precip"][i],
            estimated=bool(self.estimated[i]), notes=str(self.notes[i] or ""),
            interannual_years=years,
            precip_annual_mm=annual_p if math.isfinite(annual_p) else None,
            source=str(self.sources[i] or ""), kind=str(self.kinds[i] or "user"),
        )

    def index_of(self, name: str) -> int | None:
        """Row of the candidate called ``name`` (case/accent-insensitive), else None."""
        from territoire_abm.climate.normals import normalise_name

        key = normalise_name(name)
        for i, candidate in enumerate(self.names):
            if normalise_name(candidate) == key:
                return i
        return None


def as_candidate_set(candidates: CandidateSet | Iterable[PlaceNormals] | None) -> CandidateSet:
    """A :class:`CandidateSet` from a set, a list of places, or None (shipped data)."""
    if isinstance(candidates, CandidateSet):
        return candidates
    if candidates is None:
        from territoire_abm.climate.normals import load_places

        return CandidateSet.from_places(load_places(), origin="shipped data (data/places.csv)")
    return CandidateSet.from_places(candidates, origin="user list")
