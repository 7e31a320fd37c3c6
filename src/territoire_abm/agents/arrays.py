"""Attribute arrays of households and firms, and the social network they are linked by.

Attributes that yearly loops touch live in numpy arrays, one per attribute; Mesa agents hold
an index into them (DESIGN.md "Where state lives"). These types sit below every phase that
reads them (adoption, negotiation, accounts) and below the territory package, which
draws them (territory/population.py).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import cached_property

import numpy as np

from territoire_abm.config.params import FIRM_SECTORS  # noqa: F401  (re-exported)


@dataclass
class HouseholdArrays:
    """One array per household attribute (length n)."""

    persona: np.ndarray  # int, index into the personae names
    persons: np.ndarray  # float persons
    income_eur: np.ndarray
    owner: np.ndarray  # bool
    floor_area_m2: np.ndarray
    energy_class: np.ndarray  # int 0 (A) .. 6 (G)
    heating_system: np.ndarray  # int index into HEATING_SYSTEMS
    garden: np.ndarray  # bool
    elderly: np.ndarray  # bool
    prosocial: np.ndarray  # bool
    leader: np.ndarray  # bool (energy-community leaders, Ghorbani et al. 2020)
    risk_heat: np.ndarray  # risk perception in [0, 1], 0.5 = objective (Haer et al. 2017)
    risk_drought: np.ndarray
    trust: np.ndarray  # trust in the council, [0, 1]
    satisfaction: np.ndarray  # [0, 1]
    member: np.ndarray  # bool, member of the energy community
    contributes: np.ndarray  # bool, contributed to a collective project this year
    energy_poor: np.ndarray  # bool
    energy_bill_eur: np.ndarray
    water_bill_eur: np.ndarray

    def __len__(self) -> int:
        return len(self.persons)

    def as_dict(self) -> dict[str, np.ndarray]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass
class FirmArrays:
    """One array per firm attribute (length n)."""

    sector: np.ndarray  # int index into FIRM_SECTORS
    employees: np.ndarray
    irrigated_ha: np.ndarray
    rainfed_ha: np.ndarray
    prosocial: np.ndarray
    member: np.ndarray
    contributes: np.ndarray
    yield_factor: np.ndarray  # last year's crop yield relative to potential
    productivity_loss: np.ndarray  # last year's heat productivity loss (share)
    satisfaction: np.ndarray
    trust: np.ndarray

    def __len__(self) -> int:
        return len(self.sector)

    def as_dict(self) -> dict[str, np.ndarray]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass
class Network:
    """Undirected small-world network as CSR arrays (neighbours of i: indices[indptr[i]:
    indptr[i + 1]])."""

    indptr: np.ndarray
    indices: np.ndarray

    @cached_property
    def _matrix(self):
        from scipy.sparse import csr_matrix

        count = len(self.indptr) - 1
        data = np.ones(len(self.indices))
        return csr_matrix((data, self.indices, self.indptr), shape=(count, count))

    def matrix(self):
        """Adjacency as a scipy CSR matrix (neighbour sums for many columns at once)."""
        return self._matrix

    def degree(self) -> np.ndarray:
        return np.diff(self.indptr)

    def neighbour_mean(self, values: np.ndarray) -> np.ndarray:
        """Mean of ``values`` over each node's neighbours (0 for isolated nodes)."""
        sums = self._matrix @ np.asarray(values, dtype=float)
        degree = self.degree()
        return np.divide(sums, degree, out=np.zeros(len(degree)), where=degree > 0)
