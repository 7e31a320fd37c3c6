"""The council (mayor and councillors) and the energy community, as Mesa agents.

Their state is small (one of each per territory) so it lives on the agents themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import mesa


@dataclass
class CouncilState:
    """Budget, debt, portfolio bookkeeping and electoral standing of the council."""

    archetype: str
    budget_eur: float = 0.0
    debt_eur: float = 0.0
    spent_eur: float = 0.0
    relief_eur: float = 0.0  # spent this term on relief after events (Healy & Malhotra 2009)
    preparedness_eur: float = 0.0  # spent this term on preparedness
    term_started: int = 0
    term_satisfaction: float | None = None  # households' mean satisfaction when the term began
    elections_won: int = 0
    elections_lost: int = 0
    baselines: dict[str, float] = field(default_factory=dict)  # measure id -> indicator level
    promises_kept: int = 0
    promises_broken: int = 0
    fund_eur: float = 0.0  # pooled voluntary contributions, carried over from year to year
    fund_arrears_eur: float = 0.0  # reciprocity shares the budget advanced, repaid by the fund
    failed: dict[str, int] = field(default_factory=dict)  # measure id -> year of failed trial


class CouncilAgent(mesa.Agent):
    """Mayor and council: decides the municipal portfolio through its controller."""

    def __init__(self, model: mesa.Model, archetype: str) -> None:
        super().__init__(model)
        self.state = CouncilState(archetype=archetype, term_started=model.year)

    @property
    def archetype(self) -> str:
        return self.state.archetype

    @property
    def measures(self) -> list[str]:
        portfolio = self.model.council_portfolio
        active = portfolio.active(self.model.year)[0]
        return [m for m, on in zip(portfolio.measure_ids, active, strict=True) if on]

    def __repr__(self) -> str:
        return f"CouncilAgent({self.archetype}, debt={self.state.debt_eur:.0f} EUR)"


@dataclass
class CommunityState:
    """Formation and membership of the energy community (Ghorbani et al. 2020)."""

    formed: bool = False
    formed_year: int | None = None
    members: int = 0
    last_kpis: dict[str, float] = field(default_factory=dict)


class EnergyCommunityAgent(mesa.Agent):
    """The energy-community optimiser: dispatches local resources and recommends investments."""

    def __init__(self, model: mesa.Model) -> None:
        super().__init__(model)
        self.state = CommunityState()

    @property
    def measures(self) -> list[str]:
        portfolio = self.model.community_portfolio
        active = portfolio.active(self.model.year)[0]
        return [m for m, on in zip(portfolio.measure_ids, active, strict=True) if on]

    def __repr__(self) -> str:
        return f"EnergyCommunityAgent(formed={self.state.formed}, members={self.state.members})"
