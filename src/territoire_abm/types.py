"""Types shared by the yearly phases, kept below them in the import graph.

The year (:mod:`territoire_abm.territory.year`) builds these from the model and hands each
phase only the part it uses: the year's climate, energy and impacts (results of the physical
stages), and the narrow state of the actors (household arrays and holdings, firms, the council
and the energy community). No package below :mod:`territoire_abm.territory` imports it, so the
phases (adoption, negotiation, rules, elections, accounts) can be tested on hand-made state.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from territoire_abm.agents.arrays import FirmArrays, HouseholdArrays, Network
from territoire_abm.agents.institutions import CommunityState, CouncilState
from territoire_abm.climate.weather import DailyWeather
from territoire_abm.config.params import ModelConfig
from territoire_abm.flows.demand import HouseholdEnergy
from territoire_abm.flows.dispatch_types import DispatchResult
from territoire_abm.measures.effects import EffectTable
from territoire_abm.measures.portfolio import Portfolio


# --------------------------------------------------------------------------- the year
@dataclass
class Climate:
    """The year's weather and what follows from it (stages 1–2)."""

    weather: DailyWeather
    indices: dict[str, float]
    warming_c: float
    pet_mm: np.ndarray
    hourly_temperature_c: np.ndarray
    solar_kw_per_kwp: np.ndarray
    flow_m3s: np.ndarray
    restriction_level: np.ndarray
    effective_rain_mm: np.ndarray


@dataclass
class EnergyYear:
    """The year's energy demands and the community dispatch (stages 3–4)."""

    households: HouseholdEnergy
    firm_electricity_kwh: np.ndarray
    firm_fuel_kwh: np.ndarray
    dispatch: DispatchResult
    pv_kwp: float
    hydro_total_kwh: float
    hydro_community_kwh: float
    pumping_kwh: float


@dataclass
class Impacts:
    """The year's harm: heat stress, crop and productivity losses, unmet water (stage 6)."""

    heat_stress_person_days: float
    heat_stress_by_household: np.ndarray
    crop_yield_factor: float
    farm_revenue_loss_eur: float
    productivity_loss_share: float
    unmet_share: dict[str, float]
    heat_record: dict[str, float] = field(default_factory=dict)  # indoor heat indicators


# --------------------------------------------------------------------------- the actors
@dataclass
class HouseholdState:
    """What household phases read and write: attribute arrays, holdings, network, equipment."""

    arrays: HouseholdArrays
    effects: EffectTable
    portfolio: Portfolio
    network: Network
    network_matrix: Any  # scipy CSR adjacency of ``network``
    network_degree: np.ndarray
    has_cooling: np.ndarray  # (n,) bool
    rooftop_kwp: np.ndarray  # (n,) PV present at the start, kWp
    external_knowledge: np.ndarray  # (M,) credibility gained from twins, [0, 1]
    hazard_frequency: Mapping[str, float]  # remembered yearly frequency of heat, drought

    def __len__(self) -> int:
        return len(self.arrays)


@dataclass
class FirmState:
    """Firms' attribute arrays, holdings and which measures each sector may adopt."""

    arrays: FirmArrays
    effects: EffectTable
    portfolio: Portfolio
    eligible: np.ndarray  # (sectors, M) bool


@dataclass
class Commune:
    """What the deciding roles see of their territory: the second argument of every
    controller's ``decide`` and of every behavioural rule (governance/rules.py)."""

    year: int
    config: ModelConfig
    households: HouseholdArrays
    network: Network
    council: CouncilState
    council_effects: EffectTable
    council_portfolio: Portfolio
    community: CommunityState
    community_effects: EffectTable
    community_portfolio: Portfolio
    population: float
    records: Sequence[Mapping[str, float]] = ()  # earlier years' indicator records
    events: Mapping[str, bool] = field(default_factory=dict)  # hazards of this year


@dataclass
class AdoptionResult:
    """A group's adoptions this year and what they cost."""

    chosen: np.ndarray  # (n, M) bool
    investment_eur: float
    subsidies_eur: float = 0.0
