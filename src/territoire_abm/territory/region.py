"""Several territories in one run, with links between them (DESIGN.md seam 4).

A region holds territories, each with its own climate, population and council, and links
that exchange water, energy and knowledge each year:

- ``river``: the source is upstream of the target on a shared river; what the source takes
  from the river is missing downstream (times ``intensity``, the share not returned).
- ``grid``: the two share a grid connection; the energy one exports while the other imports
  is counted as exchanged between them (reported, not re-dispatched).
- ``twinning``: distant territories exchange knowledge: the source's adopted household and
  municipal measures become known to the target's agents, raising the measures' credibility
  and lowering their perceived cost (seed 003; Haer et al. 2017 social information;
  Ghorbani et al. 2020). ``intensity`` is the cooperation lever (exchange visits, shared
  projects), in [0, 1].

One territory alone is a region of one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from territoire_abm.errors import UserError
from territoire_abm.territory.model import TerritoryModel

LINK_KINDS = ("river", "grid", "twinning")


@dataclass(frozen=True)
class Link:
    """A directed link from ``source`` to ``target`` (territory names)."""

    kind: str
    source: str
    target: str
    intensity: float = 1.0

    def __post_init__(self) -> None:
        if self.kind not in LINK_KINDS:
            raise UserError("link.kind", self.kind, f"allowed: {', '.join(LINK_KINDS)}")
        if not 0.0 <= self.intensity <= 1.0:
            raise UserError("link.intensity", self.intensity, "a share in [0, 1]")


class Region:
    """Territories stepped year by year in lockstep, upstream first."""

    def __init__(self, territories: Sequence[TerritoryModel], links: Sequence[Link] = ()):
        self.territories = {t.name: t for t in territories}
        if len(self.territories) != len(territories):
            raise UserError("region.territories", [t.name for t in territories],
                            "territory names must be unique")
        for link in links:
            for end in (link.source, link.target):
                if end not in self.territories:
                    raise UserError("link", end, f"allowed: {', '.join(self.territories)}")
        self.links = list(links)
        self.order = self._upstream_first()
        self.exchanges: list[dict[str, float]] = []

    def _upstream_first(self) -> list[str]:
        """Topological order along river links (Kahn's algorithm)."""
        names = list(self.territories)
        upstream = {name: {link.source for link in self.links
                           if link.kind == "river" and link.target == name} for name in names}
        order: list[str] = []
        while len(order) < len(names):
            ready = [n for n in names if n not in order and upstream[n] <= set(order)]
            if not ready:
                raise UserError("links", "river", "river links must not form a cycle")
            order.extend(ready)
        return order

    @property
    def year(self) -> int:
        return min(t.year for t in self.territories.values())

    def step(self) -> None:
        """One year for every territory, then the exchanges along the links."""
        for name in self.order:
            territory = self.territories[name]
            territory.upstream_withdrawal_m3s = self._upstream_withdrawal(name)
            territory.step()
        self._exchange_knowledge()
        self.exchanges.append(self._grid_exchanges())

    def simulate_until(self, year: int) -> Region:
        while self.year <= year:
            self.step()
        return self

    def _upstream_withdrawal(self, name: str) -> np.ndarray:
        total = np.zeros(365)
        for link in self.links:
            if link.kind == "river" and link.target == name:
                total = total + link.intensity * self.territories[link.source].river_withdrawal_m3s
        return total

    def _exchange_knowledge(self) -> None:
        for territory in self.territories.values():
            territory.external_knowledge = np.zeros(len(territory.household_effects))
            territory.external_council_knowledge = {}
        for link in self.links:
            if link.kind != "twinning":
                continue
            source, target = self.territories[link.source], self.territories[link.target]
            shares = source.household_portfolio.active(source.year).mean(axis=0)
            known = dict(zip(source.household_effects.ids, shares, strict=True))
            learned = np.array([known.get(m, 0.0) for m in target.household_effects.ids])
            target.external_knowledge = np.maximum(target.external_knowledge,
                                                   link.intensity * learned)
            council = source.council_portfolio.active(source.year)[0]
            for measure, active in zip(source.council_effects.ids, council, strict=True):
                if active:
                    target.external_council_knowledge[measure] = link.intensity

    def _grid_exchanges(self) -> dict[str, float]:
        record: dict[str, float] = {"year": float(self.year - 1)}
        for link in self.links:
            if link.kind != "grid":
                continue
            a, b = self.territories[link.source].last, self.territories[link.target].last
            exchanged = min(a.get("export_kwh", 0.0), b.get("import_kwh", 0.0)) + min(
                b.get("export_kwh", 0.0), a.get("import_kwh", 0.0))
            record[f"grid_exchange_kwh_{link.source}_{link.target}"] = link.intensity * exchanged
        return record

    def indicators(self) -> pd.DataFrame:
        """Tidy table: one row per territory and year."""
        frames = []
        for name, territory in self.territories.items():
            frame = territory.indicators().reset_index()
            frame.insert(0, "territory", name)
            frames.append(frame)
        return pd.concat(frames, ignore_index=True)
