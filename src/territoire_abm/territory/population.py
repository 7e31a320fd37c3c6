"""Synthetic population: household and firm attribute arrays, and the social network.

Households are drawn from the personae of the config (seed 000: households represented
through personae). Attributes that yearly loops touch live in numpy arrays, one per
attribute; Mesa agents hold an index into them (DESIGN.md "Where state lives").
"""

from __future__ import annotations

import numpy as np

from territoire_abm.agents.arrays import (  # noqa: F401  (re-exported)
    FIRM_SECTORS,
    FirmArrays,
    HouseholdArrays,
    Network,
)
from territoire_abm.config.params import (
    ENERGY_CLASSES,
    HEATING_SYSTEMS,
    InitialStateConfig,
    ModelConfig,
    TerritoryConfig,
)

# Heterogeneity around the personae and firm types: estimates (unconfirmed), named here once.
#: Log-normal σ of household income within a persona (INSEE Filosofi: the within-group
#: spread of disposable income, D9/D1 ≈ 3.4 nationally, narrower within a persona).
INCOME_SIGMA = 0.35
#: Floor area drawn uniformly within ±20 % of the persona's.
FLOOR_AREA_RANGE = (0.8, 1.2)
#: Employees of a farm (INSEE/Agreste: most farms of the plain are run by 1–3 people).
FARM_EMPLOYEES = 2.0
#: Log-normal σ of firm size around the sector's mean.
FIRM_SIZE_SIGMA = 0.3
#: Irrigated and rainfed hectares drawn uniformly within ±40 % of the farm mean (Agreste).
FARM_AREA_RANGE = (0.6, 1.4)


def make_households(territory: TerritoryConfig, leader_share: float,
                    rng: np.random.Generator, initial: InitialStateConfig | None = None,
                    ) -> tuple[HouseholdArrays, list[str]]:
    """Draw ``territory.households`` households from the personae (``initial``: their
    starting perceptions, trust and satisfaction; the defaults when None)."""
    initial = initial or InitialStateConfig()
    spread = initial.spread
    names = list(territory.personae)
    personae = [territory.personae[name] for name in names]
    count = territory.households
    shares = np.array([p.share for p in personae])
    persona = rng.choice(len(personae), size=count, p=shares / shares.sum())

    def attribute(getter) -> np.ndarray:
        return np.array([getter(p) for p in personae], dtype=float)[persona]

    persons = np.maximum(1.0, rng.poisson(attribute(lambda p: p.persons - 1.0)) + 1.0)
    income = attribute(lambda p: p.income_eur) * rng.lognormal(0.0, INCOME_SIGMA, count)
    class_index = attribute(lambda p: ENERGY_CLASSES.index(p.energy_class))
    energy_class = np.clip(class_index + rng.integers(-1, 2, count), 0, len(ENERGY_CLASSES) - 1)
    heating = _draw_heating(personae, persona, rng)
    arrays = HouseholdArrays(
        persona=persona.astype(np.int16),
        persons=persons,
        income_eur=income,
        owner=rng.random(count) < attribute(lambda p: p.owner_share),
        floor_area_m2=attribute(lambda p: p.floor_area_m2) * rng.uniform(*FLOOR_AREA_RANGE, count),
        energy_class=energy_class.astype(np.int8),
        heating_system=heating,
        garden=rng.random(count) < attribute(lambda p: p.garden_share),
        elderly=rng.random(count) < attribute(lambda p: p.elderly_share),
        prosocial=rng.random(count) < attribute(lambda p: p.prosocial_share),
        leader=rng.random(count) < leader_share,
        risk_heat=np.clip(rng.normal(initial.risk_heat_mean, spread, count), 0, 1),
        risk_drought=np.clip(rng.normal(initial.risk_drought_mean, spread, count), 0, 1),
        trust=np.clip(rng.normal(initial.trust_mean, spread, count), 0, 1),
        satisfaction=np.clip(rng.normal(initial.satisfaction_mean, spread, count),
                             0, 1),
        member=np.zeros(count, dtype=bool),
        contributes=np.zeros(count, dtype=bool),
        energy_poor=np.zeros(count, dtype=bool),
        energy_bill_eur=np.zeros(count),
        water_bill_eur=np.zeros(count),
    )
    return arrays, names


def _draw_heating(personae, persona: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    mix = np.array(
        [[p.heating_mix.get(system, 0.0) for system in HEATING_SYSTEMS] for p in personae]
    )
    cumulative = np.cumsum(mix / mix.sum(axis=1, keepdims=True), axis=1)[persona]
    draw = rng.random(len(persona))[:, None]
    return np.minimum((draw > cumulative).sum(axis=1), len(HEATING_SYSTEMS) - 1).astype(np.int8)


def firm_counts(config: ModelConfig) -> tuple[int, int, int]:
    """Farms, industry and service firms. Left at their defaults (Carbonne's counts at its
    default household count) they follow ``households`` when
    ``firms_scale_with_households`` (the default); counts a user sets are used as given."""
    territory = config.territory
    counts = (territory.farms, territory.industry_firms, territory.service_firms)
    default = TerritoryConfig()
    if not territory.firms_scale_with_households or counts != (
            default.farms, default.industry_firms, default.service_firms):
        return counts
    factor = territory.households / default.households
    return tuple(round(count * factor) for count in counts)


def make_firms(config: ModelConfig, rng: np.random.Generator) -> FirmArrays:
    """Farms, industry and service firms with their sizes."""
    territory, initial = config.territory, config.behaviour.initial
    counts = firm_counts(config)
    sector = np.repeat(np.arange(len(counts)), counts).astype(np.int8)
    count = len(sector)
    farm = sector == 0
    irrigating = farm & (rng.random(count) < territory.irrigating_farm_share)
    employees = np.where(
        sector == 1,
        territory.industry_employees,
        np.where(sector == 2, territory.service_employees, FARM_EMPLOYEES),
    ) * rng.lognormal(0.0, FIRM_SIZE_SIGMA, count)
    return FirmArrays(
        sector=sector,
        employees=employees,
        irrigated_ha=np.where(irrigating, territory.irrigated_ha_per_farm, 0.0)
        * rng.uniform(*FARM_AREA_RANGE, count),
        rainfed_ha=np.where(farm, territory.rainfed_ha_per_farm, 0.0)
        * rng.uniform(*FARM_AREA_RANGE, count),
        prosocial=rng.random(count) < initial.firm_prosocial_share,
        member=np.zeros(count, dtype=bool),
        contributes=np.zeros(count, dtype=bool),
        yield_factor=np.ones(count),
        productivity_loss=np.zeros(count),
        satisfaction=np.full(count, initial.firm_satisfaction),
        trust=np.full(count, initial.firm_trust),
    )


def small_world(count: int, degree: int, rewiring: float, rng: np.random.Generator) -> Network:
    """Watts–Strogatz small-world network, vectorised.

    Ring lattice where each node links to ``degree // 2`` neighbours on each side, then each
    edge's far end is rewired with probability ``rewiring`` (Watts & Strogatz 1998, Nature
    393:440–442). Duplicate edges and self-loops left by rewiring are removed. networkx builds
    the same graph but needs seconds at 100,000 households; this takes milliseconds.
    """
    if count < 2:
        return Network(np.zeros(count + 1, dtype=np.int64), np.zeros(0, dtype=np.int64))
    half = max(1, min(degree // 2, (count - 1) // 2 or 1))
    source = np.repeat(np.arange(count), half)
    target = (source + np.tile(np.arange(1, half + 1), count)) % count
    rewire = rng.random(len(source)) < rewiring
    target = np.where(rewire, rng.integers(0, count, len(source)), target)
    keep = source != target
    source, target = source[keep], target[keep]
    both_source = np.concatenate([source, target])
    both_target = np.concatenate([target, source])
    edges = np.unique(both_source.astype(np.int64) * count + both_target)
    rows, cols = np.divmod(edges, count)
    indptr = np.zeros(count + 1, dtype=np.int64)
    np.add.at(indptr, rows + 1, 1)
    return Network(np.cumsum(indptr), cols)
