"""Municipal elections every term (6 years in France).

Retrospective voting: voters judge the incumbent on their satisfaction, reward relief spent
after disasters more than preparedness (Healy & Malhotra 2009, APSR 103(3)), and weigh bad
outcomes more than good ones (negativity bias, Soroka 2006). A defeated council is replaced
by one of another archetype; after a crisis, reactive and public-sentiment candidates are
likelier. The weights are parameters (``behaviour.voting``, ``behaviour.relief_vote_weight``,
``behaviour.preparedness_vote_weight``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from territoire_abm.config.params import ARCHETYPES, CouncilConfig
from territoire_abm.types import Commune, Impacts

CRISIS_ARCHETYPES = ("reactive", "public_sentiment")


def is_election_year(council: CouncilConfig, year: int) -> bool:
    """Elections from ``first_election_year`` on, every ``term_years``."""
    return year >= council.first_election_year and (
        (year - council.first_election_year) % council.term_years == 0)


def vote_share(commune: Commune, impacts: Impacts, swing: float = 0.0) -> float:
    """Share of households voting for the incumbent council.

    Retrospective voting judges the term: satisfaction is taken against its level when the
    term began (voters reward improvement, not a level they are used to), trust against 0.5,
    plus relief and preparedness spending and the year's heat harm. ``swing`` is the
    election's common shock, added to every voter's utility with the incumbency advantage.
    """
    hh, behaviour, state = commune.households, commune.config.behaviour, commune.council
    voting = behaviour.voting
    population = max(commune.population, 1.0)
    relief = state.relief_eur / population / voting.relief_scale_eur
    preparedness = state.preparedness_eur / population / voting.preparedness_scale_eur
    harm = np.clip(impacts.heat_stress_by_household / np.maximum(hh.persons, 1)
                   / voting.harm_scale_days, 0, 1)
    reference = state.term_satisfaction if state.term_satisfaction is not None else 0.5
    utility = (voting.incumbency_advantage + swing
               + voting.satisfaction_weight * (hh.satisfaction - reference)
               + voting.trust_weight * (hh.trust - 0.5)
               + behaviour.relief_vote_weight * relief
               + behaviour.preparedness_vote_weight * preparedness
               - voting.negativity_weight * harm * voting.harm_weight)
    probability = 1.0 / (1.0 + np.exp(-voting.slope * utility))
    return float(np.mean(probability))


def maybe_hold(commune: Commune, impacts: Impacts, rng: np.random.Generator) -> dict[str, Any]:
    """Hold the election if due (``rng``: the elections stream); return the record fields."""
    year = commune.year
    state = commune.council
    if state.term_satisfaction is None:
        state.term_satisfaction = float(np.mean(commune.households.satisfaction))
    if not is_election_year(commune.config.policy.council, year):
        return {"election": 0, "incumbent_vote_share": np.nan}
    swing = float(rng.normal(0.0, commune.config.behaviour.voting.swing_sd))
    share = vote_share(commune, impacts, swing)
    if share >= 0.5:
        state.elections_won += 1
    else:
        state.elections_lost += 1
        state.archetype = challenger(state.archetype, any(commune.events.values()),
                                     commune.config.behaviour.voting.crisis_challenger_weight,
                                     rng)
    state.term_started = year
    state.term_satisfaction = float(np.mean(commune.households.satisfaction))
    state.relief_eur = 0.0
    state.preparedness_eur = 0.0
    return {"election": 1, "incumbent_vote_share": share}


def challenger(incumbent: str, crisis: bool, crisis_weight: float,
               rng: np.random.Generator) -> str:
    """The archetype of the council that replaces a defeated one."""
    weights = {a: crisis_weight if crisis and a in CRISIS_ARCHETYPES else 1.0
               for a in ARCHETYPES}
    others = [a for a in ARCHETYPES if a != incumbent]
    w = np.array([weights[a] for a in others])
    return str(rng.choice(others, p=w / w.sum()))
