"""The territory model: one commune simulated year by year (DESIGN.md "One simulated year").

Households and firms are real Mesa agents whose attributes live in numpy arrays owned by the
model; the council and the energy community are Mesa agents with small state of their own.
Each roles' decisions come through a controller (:mod:`territoire_abm.governance.controllers`).
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from typing import Any

import mesa
import numpy as np
import pandas as pd

from territoire_abm.agents.household import FirmAgent, HouseholdAgent
from territoire_abm.agents.institutions import CouncilAgent, EnergyCommunityAgent
from territoire_abm.climate.normals import place_normals
from territoire_abm.climate.scenarios import get_scenario
from territoire_abm.config.params import ARCHETYPES, ModelConfig
from territoire_abm.config.validate import model_config, to_dict
from territoire_abm.flows.demand import reference_hdd
from territoire_abm.governance.controllers import BehaviouralController, Controller
from territoire_abm.indicators import accounts
from territoire_abm.measures.catalogue import load_catalogue
from territoire_abm.measures.effects import EffectTable
from territoire_abm.measures.portfolio import Portfolio
from territoire_abm.territory import year as year_steps
from territoire_abm.territory.population import make_firms, make_households, small_world

# Each stream draws the same number of values whatever the parameters, except "delays" and
# "elections" (drawn only for adopters and lost elections): variable-count draws live in
# streams of their own so they cannot shift the others (common random numbers).
STREAMS = ("population", "weather", "hydrology", "behaviour", "dispatch", "governance",
           "delays", "elections")
GROUPS = ("household", "firm", "council", "community")
FIRM_ADOPTERS = ("farm", "industry", "services")


def _stream_seeds(seed: int, name: str) -> dict[str, np.random.Generator]:
    """Independent random streams per concern, so a policy change leaves the weather alone.

    Common random numbers across experiments: the same seed gives the same weather whatever
    the levers (a variance-reduction practice, Law 2015, Simulation Modeling and Analysis).
    """
    salt = zlib.crc32(name.encode("utf-8"))
    children = np.random.SeedSequence([seed, salt]).spawn(len(STREAMS))
    return {stream: np.random.Generator(np.random.PCG64(child))
            for stream, child in zip(STREAMS, children, strict=True)}


def measures_for_group(group: str) -> list:
    """Catalogue measures open to a group, in catalogue order."""
    adopters = FIRM_ADOPTERS if group == "firm" else (group,)
    return [m for m in load_catalogue().values() if set(m.adopters) & set(adopters)]


class TerritoryModel(mesa.Model):
    """A commune with its households, firms, council and energy community.

    Parameters
    ----------
    config : ModelConfig, a nested mapping of overrides, or None for the defaults.
    controller : where the roles get their decisions; the behavioural model by default.
    """

    def __init__(self, config: ModelConfig | Mapping[str, Any] | None = None, *,
                 controller: Controller | None = None) -> None:
        if not isinstance(config, ModelConfig):
            config = model_config(config)
        super().__init__(rng=config.seed)
        self.config = config
        self.name = config.territory.name
        self.year = config.start
        self.streams = _stream_seeds(config.seed, self.name)
        self.controller = controller or BehaviouralController()
        self._climate_setup()
        self._population_setup()
        self._measures_setup()
        self.council = CouncilAgent(self, config.policy.council.archetype)
        self.community = EnergyCommunityAgent(self)
        self.tariffs = year_steps.tariffs(config.optimiser)
        self.records: list[dict[str, float]] = []
        self.agent_records: list[pd.DataFrame] = []
        self.decision_log: dict[int, dict[str, dict]] = {}
        self.last: dict[str, float] = {}
        self.external_knowledge = np.zeros(len(self.household_effects))
        self.external_council_knowledge: dict[str, float] = {}
        self.tariff_surcharge_eur = 0.0
        self.upstream_withdrawal_m3s = np.zeros(365)
        self.river_state: Any = None
        self.water_stocks: Any = None  # flows.basin.Stocks, set by the first water year
        initial = config.behaviour.perception.initial_hazard_frequency
        self.hazard_frequency = {"heat": initial, "drought": initial}
        self.events: dict[str, bool] = {}
        self.dispatch_mode: str | None = None
        self.battery_soc_kwh: float | None = None
        self.last_water_pumping_kwh = 0.0
        self.river_withdrawal_m3s = np.zeros(365)
        self.subsidies_eur = 0.0
        self.household_investment_eur = 0.0
        self.firm_investment_eur = 0.0
        self.bilan_reference_kwhep: float | None = None
        self.last_energy: Any = None
        self.last_partial: dict[str, float] = {}
        # Facilitator levers (forced events, cost factors): see territory/levers.py.
        self.levers: dict[str, dict] = {"forcing": {}, "cost_factors": {}}
        # Indoor overheating by dwelling (impacts/heat.py): output only, nothing decides on it.
        # Runs that do not report it (the game's debrief replay) switch it off to save time.
        self.indoor_heat = True

    # ------------------------------------------------------------------ set-up
    def _climate_setup(self) -> None:
        self.normals = place_normals(self.config.territory.climate_place,
                                     field="territory.climate_place")
        self.climate_scenario = get_scenario(self.config.scenario.name)
        self.hdd_reference = reference_hdd(self.normals.tmean_c)
        self.cdd_reference = year_steps.reference_cdd(self)

    def _population_setup(self) -> None:
        rng = self.streams["population"]
        self.households, self.persona_names = make_households(
            self.config.territory, self.config.behaviour.community.leader_share, rng,
            self.config.behaviour.initial)
        cooling_share = self.config.territory.air_conditioning_share
        self.has_cooling = rng.random(len(self.households)) < cooling_share
        self.rooftop_kwp = np.where(
            rng.random(len(self.households)) < self.config.territory.rooftop_pv_share,
            self.config.territory.pv_kwp_per_rooftop, 0.0)
        self.firms = make_firms(self.config, rng)
        self.network = small_world(len(self.households), self.config.territory.network_degree,
                                   self.config.territory.network_rewiring, rng)
        self.network_matrix = self.network.matrix()
        self.network_degree = self.network.degree()
        self.household_agents = [HouseholdAgent(self, i) for i in range(len(self.households))]
        self.firm_agents = [FirmAgent(self, i) for i in range(len(self.firms))]

    def _measures_setup(self) -> None:
        self.household_effects = EffectTable.from_measures(measures_for_group("household"))
        self.firm_effects = EffectTable.from_measures(measures_for_group("firm"))
        self.council_effects = EffectTable.from_measures(measures_for_group("council"))
        self.community_effects = EffectTable.from_measures(measures_for_group("community"))
        self.household_portfolio = Portfolio.empty(len(self.households),
                                                   self.household_effects.ids)
        self.firm_portfolio = Portfolio.empty(len(self.firms), self.firm_effects.ids)
        self.council_portfolio = Portfolio.empty(1, self.council_effects.ids)
        self.community_portfolio = Portfolio.empty(1, self.community_effects.ids)
        firm_measures = measures_for_group("firm")
        self.firm_eligible = np.array(
            [[sector in m.adopters for m in firm_measures] for sector in FIRM_ADOPTERS]
        )

    # ------------------------------------------------------------------ running
    @property
    def population(self) -> float:
        return float(self.households.persons.sum())

    def step(self) -> None:
        """Simulate one year, then move the clock to the next."""
        record = year_steps.simulate_year(self, self.year)
        self.records.append(record)
        self.last = record
        if self.config.record_agents:
            self.agent_records.append(self.agent_table())
        self.year += 1

    def simulate_until(self, year: int | None = None, progress: Any = None) -> TerritoryModel:
        """Step until ``year`` (inclusive; defaults to ``config.until``)."""
        year = self.config.until if year is None else year
        while self.year <= year:
            self.step()
            if progress is not None:
                progress.update(1)
        return self

    def portfolios(self) -> list[tuple[Portfolio, EffectTable]]:
        """Every adopter group's portfolio with its measures."""
        return [(self.household_portfolio, self.household_effects),
                (self.firm_portfolio, self.firm_effects),
                (self.council_portfolio, self.council_effects),
                (self.community_portfolio, self.community_effects)]

    @property
    def cooling_heat_factor(self) -> float:
        """Heat-stress multiplier of air conditioning (the catalogue's, 1 if absent)."""
        column = self.household_effects.index("air_conditioning")
        return 1.0 if column is None else float(
            self.household_effects.factors["heat_stress_factor"][column])

    @property
    def first_record(self) -> dict[str, float] | None:
        return self.records[0] if self.records else None

    def config_archetype_index(self) -> int:
        return ARCHETYPES.index(self.council.archetype)

    @property
    def initial_pv_embodied_kg_per_kwp_yr(self) -> float:
        """Rooftop PV present at the start: 40 gCO2e/kWh over life × the reference yield."""
        return accounts.INITIAL_PV_EMBODIED_KG_PER_KWP_YR

    # ------------------------------------------------------------------ state
    def get_state(self) -> dict[str, Any]:
        """Everything that defines the model now, as plain data (see territory/state.py)."""
        from territoire_abm.territory.state import get_state

        return get_state(self)

    def set_state(self, state: dict[str, Any]) -> TerritoryModel:
        from territoire_abm.territory.state import set_state

        return set_state(self, state)

    @classmethod
    def from_state(cls, state: dict[str, Any], controller: Controller | None = None
                   ) -> TerritoryModel:
        from territoire_abm.territory.state import from_state

        return from_state(state, controller=controller)

    # ------------------------------------------------------------------ results
    def indicators(self) -> pd.DataFrame:
        """Model-level indicators, one row per simulated year (index ``year``)."""
        if not self.records:
            return pd.DataFrame(index=pd.Index([], name="year"))
        return pd.DataFrame.from_records(self.records).set_index("year")

    def agent_table(self) -> pd.DataFrame:
        """One row per household with its attributes for the current year."""
        table = pd.DataFrame(self.households.as_dict())
        table.insert(0, "year", self.year)
        table.insert(1, "household", np.arange(len(table)))
        table["persona"] = np.array(self.persona_names)[self.households.persona]
        return table

    def resolved_config(self) -> dict[str, Any]:
        return to_dict(self.config)

    def __repr__(self) -> str:
        return (f"TerritoryModel({self.name}, year={self.year}, households="
                f"{len(self.households)}, firms={len(self.firms)})")
