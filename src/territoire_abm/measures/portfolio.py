"""Who has adopted which measure, when it comes online and when it lapses.

A :class:`Portfolio` holds, for one group of adopters (households, firms, the council, the
energy community) and the measures open to them, an adopter × measure table of years. Effects
of active measures combine multiplicatively for factors and additively for quantities, for all
adopters at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

NEVER = np.int16(-1)

QUANTITY_COLUMNS = (
    "electricity_demand_kwh_per_unit_yr",
    "pv_kwp_per_unit",
    "battery_kwh_per_unit",
    "water_supply_m3_per_unit_yr",
    "leak_reduction_share",
    "risk_perception_boost",
    "population_covered_share",
    "ev_share_boost",
)


@dataclass
class Portfolio:
    """Adoption state of ``count`` adopters over ``measures`` (ids in catalogue order)."""

    measure_ids: tuple[str, ...]
    decided_year: np.ndarray  # int16 (count, M): year of the decision, -1 never
    online_year: np.ndarray  # int16: year it starts working (decision + lead time + delay)
    expiry_year: np.ndarray  # int16: year it stops working (lifetime or persistence)

    @classmethod
    def empty(cls, count: int, measure_ids: Sequence[str]) -> Portfolio:
        shape = (count, len(measure_ids))
        return cls(
            tuple(measure_ids),
            np.full(shape, NEVER, dtype=np.int16),
            np.full(shape, NEVER, dtype=np.int16),
            np.full(shape, NEVER, dtype=np.int16),
        )

    def column(self, measure_id: str) -> int:
        return self.measure_ids.index(measure_id)

    def __post_init__(self) -> None:
        self._active_cache: tuple[int, np.ndarray] | None = None

    def active(self, year: int) -> np.ndarray:
        """Bool (count, M): measure working this year (cached until the next change)."""
        if self._active_cache is not None and self._active_cache[0] == year:
            return self._active_cache[1]
        started = (self.online_year != NEVER) & (self.online_year <= year)
        active = started & ((self.expiry_year == NEVER) | (self.expiry_year > year))
        active.flags.writeable = False
        self._active_cache = (year, active)
        return active

    def pending(self, year: int) -> np.ndarray:
        """Bool (count, M): decided, not yet working."""
        return (self.decided_year != NEVER) & (self.online_year > year)

    def holds(self, year: int) -> np.ndarray:
        """Bool (count, M): active or pending (so not a candidate for a new decision)."""
        return self.active(year) | self.pending(year)

    def adopt(self, chosen: np.ndarray, year: int, online_in: np.ndarray,
              lasts: np.ndarray) -> None:
        """Record decisions (bool count×M) taken in ``year``."""
        self._active_cache = None
        online = year + online_in
        self.decided_year = np.where(chosen, year, self.decided_year).astype(np.int16)
        self.online_year = np.where(chosen, online, self.online_year).astype(np.int16)
        expiry = online + np.maximum(1, np.round(lasts)).astype(np.int64)
        self.expiry_year = np.where(chosen, expiry, self.expiry_year).astype(np.int16)

    def drop(self, chosen: np.ndarray, year: int) -> None:
        """Stop measures (bool count×M) from ``year`` on."""
        self._active_cache = None
        self.expiry_year = np.where(chosen & self.holds(year), year,
                                    self.expiry_year).astype(np.int16)
        not_started = chosen & (self.online_year > year)
        self.online_year = np.where(not_started, year, self.online_year).astype(np.int16)

    def factor(self, year: int, values: np.ndarray) -> np.ndarray:
        """Product over active measures of per-measure multipliers (1 where none active)."""
        active = self.active(year)
        if not active.any():
            return np.ones(active.shape[0])
        logs = np.log(np.clip(values, 1e-9, None))
        return np.exp(active @ logs)

    def total(self, year: int, values: np.ndarray) -> np.ndarray:
        """Sum over active measures of per-measure quantities."""
        return self.active(year) @ values

    def state(self) -> dict[str, np.ndarray]:
        return {"decided_year": self.decided_year.copy(), "online_year": self.online_year.copy(),
                "expiry_year": self.expiry_year.copy()}

    def restore(self, state: dict[str, np.ndarray]) -> None:
        self._active_cache = None
        self.decided_year = state["decided_year"].copy()
        self.online_year = state["online_year"].copy()
        self.expiry_year = state["expiry_year"].copy()
