"""Municipal elections every term (6 years in France).

Retrospective voting: voters judge the incumbent on their satisfaction, reward relief spent
after disasters more than preparedness (Healy & Malhotra 2009, APSR 103(3)), and weigh bad
outcomes more than good ones (negativity bias). A defeated council is replaced by one of
another archetype; after a crisis, reactive and public-sentiment candidates are likelier.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from territoire_abm.config.params import ARCHETYPES

if TYPE_CHECKING:
    from territoire_abm.territory.model import TerritoryModel

NEGATIVITY_WEIGHT = 1.5  # bad news weighs more than good (Soroka 2006): estimate


def is_election_year(model: TerritoryModel, year: int) -> bool:
    council = model.config.policy.council
    return year >= council.first_election_year and (
        (year - council.first_election_year) % council.term_years == 0)


def vote_share(model: TerritoryModel, impacts: Any) -> float:
    """Share of households voting for the incumbent council."""
    hh, behaviour, state = model.households, model.config.behaviour, model.council.state
    population = max(model.population, 1.0)
    relief = state.relief_eur / population / 50.0
    preparedness = state.preparedness_eur / population / 500.0
    harm = np.clip(impacts.heat_stress_by_household / np.maximum(hh.persons, 1) / 10.0, 0, 1)
    utility = (2.0 * (hh.satisfaction - 0.5) + 1.0 * (hh.trust - 0.5)
               + behaviour.relief_vote_weight * relief
               + behaviour.preparedness_vote_weight * preparedness
               - NEGATIVITY_WEIGHT * harm * 0.5)
    probability = 1.0 / (1.0 + np.exp(-4.0 * utility))
    return float(np.mean(probability))


def maybe_hold(model: TerritoryModel, year: int, impacts: Any) -> dict[str, Any]:
    """Hold the election if due; return the record fields."""
    if not is_election_year(model, year):
        return {"election": 0, "incumbent_vote_share": np.nan}
    share = vote_share(model, impacts)
    state = model.council.state
    if share >= 0.5:
        state.elections_won += 1
    else:
        state.elections_lost += 1
        state.archetype = _challenger(model)
    state.term_started = year
    state.relief_eur = 0.0
    state.preparedness_eur = 0.0
    return {"election": 1, "incumbent_vote_share": share}


def _challenger(model: TerritoryModel) -> str:
    rng = model.streams["elections"]
    crisis = any(getattr(model, "events", {}).values())
    weights = np.array([2.0 if crisis else 1.0, 1.0, 1.0, 2.0 if crisis else 1.0])
    others = [a for a in ARCHETYPES if a != model.council.archetype]
    w = np.array([weights[ARCHETYPES.index(a)] for a in others])
    return str(rng.choice(others, p=w / w.sum()))
