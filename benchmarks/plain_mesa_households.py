"""Plain-Mesa household decision step, the baseline of ``bench_engine.py``.

A textbook Mesa model: one :class:`PlainHousehold` agent per household, each with a
``decide()`` method that applies :func:`territoire_abm.agents.behaviour.decide_one` to every
measure open to it and draws its adoptions with the model's Python RNG; the model's
``step()`` calls ``self.agents.shuffle_do("decide")`` (one Python method call per agent per
year).

The agents are built from the very :class:`~territoire_abm.agents.behaviour.DecisionInputs`
that the production path (:func:`territoire_abm.agents.adoption.households_decide`) fed to
:func:`~territoire_abm.agents.behaviour.adoption_probability`, so both paths decide on the
same inputs. Inputs are handed over as Python lists (what a plain implementation would hold);
building them (threat appraisal, savings, neighbour shares, eligibility) is *not* part of the
plain step, which flatters the baseline.
"""

from __future__ import annotations

import mesa
import numpy as np

from territoire_abm.agents.behaviour import DecisionInputs, decide_one


class PlainHousehold(mesa.Agent):
    """A household holding its own decision inputs, one list entry per measure."""

    def __init__(self, model: PlainHouseholdModel, threat: list[float], net_cost: list[float],
                 saving: list[float], income: float, owner: bool, prosocial: bool,
                 neighbour_share: list[float], eligible: list[bool]) -> None:
        super().__init__(model)
        self.threat = threat
        self.net_cost = net_cost
        self.saving = saving
        self.income = income
        self.owner = owner
        self.prosocial = prosocial
        self.neighbour_share = neighbour_share
        self.eligible = eligible
        self.probability = [0.0] * len(threat)
        self.chosen = [False] * len(threat)

    def decide(self) -> None:
        """This year's adoption probability and draw for every measure."""
        model = self.model
        draw = model.random.random
        lifetime, knowledge, adaptation = model.lifetime, model.knowledge, model.adaptation
        behaviour, boost = model.behaviour, model.social_norm_boost
        probability, chosen = self.probability, self.chosen
        for j in range(model.measure_count):
            if self.eligible[j]:
                p = decide_one(self.threat[j], self.net_cost[j], self.saving[j], lifetime[j],
                               self.income, self.owner, self.prosocial,
                               self.neighbour_share[j], knowledge[j], adaptation[j],
                               behaviour, boost)
                probability[j] = p
                chosen[j] = draw() < p
            else:
                probability[j] = 0.0
                chosen[j] = False


class PlainHouseholdModel(mesa.Model):
    """All households of a territory as plain Mesa agents, deciding one by one."""

    def __init__(self, inputs: DecisionInputs, behaviour, social_norm_boost: float = 1.0,
                 seed: int = 0) -> None:
        super().__init__(rng=seed)
        self.behaviour = behaviour
        self.social_norm_boost = float(social_norm_boost)
        self.lifetime = np.asarray(inputs.lifetime_yr, dtype=float).tolist()
        self.knowledge = np.asarray(inputs.knowledge, dtype=float).tolist()
        self.adaptation = np.asarray(inputs.adaptation, dtype=bool).tolist()
        self.measure_count = len(self.lifetime)
        count = len(inputs.income_eur)
        shape = (count, self.measure_count)
        columns = [np.broadcast_to(np.asarray(a), shape).tolist() for a in (
            inputs.threat, inputs.net_cost_eur, inputs.annual_saving_eur,
            inputs.neighbour_share, inputs.eligible)]
        rows = [np.asarray(a).tolist() for a in (inputs.income_eur, inputs.owner,
                                                 inputs.prosocial)]
        self.households = [
            PlainHousehold(self, columns[0][i], columns[1][i], columns[2][i], rows[0][i],
                           rows[1][i], rows[2][i], columns[3][i], columns[4][i])
            for i in range(count)
        ]

    def step(self) -> None:
        """One yearly decision: every household decides, in random order."""
        self.agents.shuffle_do("decide")

    def probabilities(self) -> np.ndarray:
        """(n, M) probabilities of the last step, in household order."""
        return np.array([h.probability for h in self.households], dtype=float)

    def chosen(self) -> np.ndarray:
        """(n, M) adoptions drawn in the last step, in household order."""
        return np.array([h.chosen for h in self.households], dtype=bool)
