"""Household and firm agents: real Mesa agents whose attributes live in the model's arrays.

Each agent holds its index; properties read and write the territory's numpy arrays, so
decisions are computed for all agents at once while every agent can still be inspected,
linked in a network, shown in the explorer or driven in the game (DESIGN.md).
"""

from __future__ import annotations

import mesa

from territoire_abm.config.params import ENERGY_CLASSES, FIRM_SECTORS, HEATING_SYSTEMS


def _array_property(group: str, name: str, doc: str) -> property:
    def getter(self):
        value = getattr(getattr(self.model, group), name)[self.index]
        return value.item() if hasattr(value, "item") else value

    def setter(self, value) -> None:
        getattr(getattr(self.model, group), name)[self.index] = value

    return property(getter, setter, doc=doc)


class HouseholdAgent(mesa.Agent):
    """A household; its state lives in ``model.households`` at ``index``."""

    def __init__(self, model: mesa.Model, index: int) -> None:
        super().__init__(model)
        self.index = index

    persons = _array_property("households", "persons", "Persons in the household.")
    income_eur = _array_property("households", "income_eur", "Disposable income, EUR/yr.")
    owner = _array_property("households", "owner", "Owner-occupier (else tenant).")
    floor_area_m2 = _array_property("households", "floor_area_m2", "Dwelling floor area, m².")
    risk_heat = _array_property("households", "risk_heat", "Heat risk perception in [0, 1].")
    risk_drought = _array_property("households", "risk_drought",
                                   "Drought risk perception in [0, 1].")
    trust = _array_property("households", "trust", "Trust in the council in [0, 1].")
    satisfaction = _array_property("households", "satisfaction", "Satisfaction in [0, 1].")
    member = _array_property("households", "member", "Member of the energy community.")
    energy_poor = _array_property("households", "energy_poor", "In energy poverty this year.")

    @property
    def persona(self) -> str:
        return self.model.persona_names[self.model.households.persona[self.index]]

    @property
    def energy_class(self) -> str:
        return ENERGY_CLASSES[self.model.households.energy_class[self.index]]

    @property
    def heating_system(self) -> str:
        return HEATING_SYSTEMS[self.model.households.heating_system[self.index]]

    @property
    def measures(self) -> list[str]:
        """Measures working in this household this year."""
        portfolio = self.model.household_portfolio
        active = portfolio.active(self.model.year)[self.index]
        return [m for m, on in zip(portfolio.measure_ids, active, strict=True) if on]

    @property
    def neighbours(self) -> list[HouseholdAgent]:
        network = self.model.network
        ids = network.indices[network.indptr[self.index]:network.indptr[self.index + 1]]
        return [self.model.household_agents[i] for i in ids]

    def __repr__(self) -> str:
        return f"HouseholdAgent({self.index}, {self.persona}, {self.heating_system})"


class FirmAgent(mesa.Agent):
    """A farm, industrial firm or service business; state in ``model.firms``."""

    def __init__(self, model: mesa.Model, index: int) -> None:
        super().__init__(model)
        self.index = index

    employees = _array_property("firms", "employees", "Employees (persons).")
    irrigated_ha = _array_property("firms", "irrigated_ha", "Irrigated area, ha.")
    rainfed_ha = _array_property("firms", "rainfed_ha", "Rain-fed area, ha.")
    yield_factor = _array_property("firms", "yield_factor", "Last crop yield / potential.")
    productivity_loss = _array_property("firms", "productivity_loss",
                                        "Last year's heat productivity loss (share).")
    member = _array_property("firms", "member", "Member of the energy community.")

    @property
    def sector(self) -> str:
        return FIRM_SECTORS[self.model.firms.sector[self.index]]

    @property
    def measures(self) -> list[str]:
        portfolio = self.model.firm_portfolio
        active = portfolio.active(self.model.year)[self.index]
        return [m for m, on in zip(portfolio.measure_ids, active, strict=True) if on]

    def __repr__(self) -> str:
        return f"FirmAgent({self.index}, {self.sector})"
