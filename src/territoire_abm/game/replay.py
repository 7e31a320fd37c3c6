"""The played decisions under many climate futures, beside the model's own agents alone.

Robust or lucky? The session's decision log (held roles; the model's own rules for the rest)
is replayed by a :class:`RecordedController` on the same territory (same households, same
seed of the population) under other weather — ``futures`` weather seeds × every climate
scenario — and, beside it, the same futures with every role played by the model
(:class:`BehaviouralController`). The facilitator's policy levers (subsidy rate, costs,
prices) are re-applied in the year they were used; the events they injected are not (each
future has its own weather). Runs go through the experiment executors
(:mod:`territoire_abm.experiments.executors`).

With a twin commune, each run is the region of both territories (:func:`twins.region`): the
twin council's log replays on the twin (its other roles, and in the alone variant every role,
are the model's), both under the future's weather seed; each row then also holds the twin's
headline outcomes as ``twin_<outcome>``. Each row also holds the means of the indicators that
have published figures over those figures' years (:mod:`territoire_abm.game.published`).
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from territoire_abm.config.params import SCENARIOS
from territoire_abm.game import published, twins
from territoire_abm.game.roles import HEADLINE
from territoire_abm.governance.controllers import BehaviouralController, RecordedController
from territoire_abm.run import build_config
from territoire_abm.territory import levers as engine_levers
from territoire_abm.territory.model import TerritoryModel

WEATHER_STREAMS = ("weather", "hydrology")  # reseeded per future; the population stays
REPLAYED_LEVERS = ("price_shock", "subsidy_rate", "measure_cost")
LOWER_IS_BETTER = {"heat_stress_per_inhabitant", "unmet_water_share_agriculture",
                   "unmet_water_share_households", "emissions_t_per_inhabitant",
                   "energy_poverty_share", "debt_per_inhabitant_eur"}
SEEDS_PER_TASK = 10
VARIANTS = ("played", "alone")


@dataclass(frozen=True)
class ReplayTask:
    """A batch of futures for one scenario (picklable: plain data only)."""

    params: dict[str, Any]
    seed: int
    until: int
    scenario: str
    weather_seeds: tuple[int, ...]
    log: dict[int, dict[str, dict]]
    levers: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    batch: int = 0
    twin_params: dict[str, Any] = field(default_factory=dict)  # {} without a twin
    twin_log: dict[int, dict[str, dict]] = field(default_factory=dict)
    variants: tuple[str, ...] = VARIANTS  # ("alone",) for the baseline (game/baseline.py)

    def alone(self) -> ReplayTask:
        """The model-alone half of this batch (no decision logs: they play no part in it)."""
        return replace(self, log={}, twin_log={}, variants=("alone",))

    def played(self) -> ReplayTask:
        """The played half of this batch."""
        return replace(self, variants=("played",))


def _reseeded(state: dict[str, Any], weather_seed: int) -> dict[str, Any]:
    """``state`` with the weather and river streams drawn from ``weather_seed``."""
    streams = dict(state["streams"])
    for name in WEATHER_STREAMS:
        if name in streams:
            salt = zlib.crc32(f"future/{name}".encode())
            rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(
                [weather_seed, salt])))
            streams[name] = rng.bit_generator.state
    return {**state, "streams": streams}


def _apply_levers(model: TerritoryModel, entries: Sequence[Mapping[str, Any]]) -> None:
    for entry in entries:
        if entry["year"] != model.year:
            continue
        args = entry["args"]
        if entry["lever"] == "price_shock":
            engine_levers.price_shock(model, float(args["factor"]))
        elif entry["lever"] == "subsidy_rate":
            engine_levers.set_parameter(model, "policy.subsidy_rate", float(args["rate"]))
        elif entry["lever"] == "measure_cost":
            engine_levers.set_measure_cost(model, args["measure"], float(args["factor"]))


def _one(state: dict[str, Any], controller: Any, until: int,
         entries: Sequence[Mapping[str, Any]], indoor_heat: bool = True,
         twin: tuple[dict[str, Any], Any] | None = None) -> pd.DataFrame:
    """Run ``state`` to ``until`` with ``controller``, re-applying the policy levers; with
    ``twin`` (its state and controller), the region of both (twin outcomes as ``twin_*``)."""
    model = TerritoryModel.from_state(state, controller=controller)
    model.indoor_heat = indoor_heat
    if twin is None:
        return _run(model, until, entries)
    other = TerritoryModel.from_state(twin[0], controller=twin[1])
    other.indoor_heat = indoor_heat
    table = _run(model, until, entries, twins.region(model, other))
    return table.join(other.indicators().add_prefix("twin_"))


def _run(model: TerritoryModel, until: int, entries: Sequence[Mapping[str, Any]],
         stepper: Any = None) -> pd.DataFrame:
    """Step ``model`` (or the ``stepper`` region holding it) through ``until``, each policy
    lever on ``model`` in the year it was used."""
    stepper = stepper or model
    while model.year <= until:
        _apply_levers(model, entries)
        stepper.step()
    return model.indicators()


def _start(params: Mapping[str, Any], task: ReplayTask) -> dict[str, Any]:
    return TerritoryModel(build_config({**params, "scenario": task.scenario}, task.seed,
                                       task.until)).get_state()


def run_task(task: ReplayTask) -> list[dict[str, Any]]:
    """Every future of the batch in each of its variants (played, alone); one row of
    round-mean outcomes each."""
    start = _start(task.params, task)
    twin_start = _start(task.twin_params, task) if task.twin_params else None
    outcomes = [*HEADLINE, *(f"twin_{name}" for name in HEADLINE)]
    rows = []
    for weather_seed in task.weather_seeds:
        state = _reseeded(start, weather_seed)
        twin_state = None if twin_start is None else _reseeded(twin_start, weather_seed)
        for variant in task.variants:
            controller, twin_controller = (
                (RecordedController(task.log), RecordedController(task.twin_log))
                if variant == "played" else (BehaviouralController(), BehaviouralController()))
            # Indoor overheating is no headline outcome and nothing decides on it: skipped
            # (a quarter of a year's cost); the headline outcomes are bit-identical.
            table = _one(state, controller, task.until, task.levers, indoor_heat=False,
                         twin=None if twin_state is None else (twin_state, twin_controller))
            row = {"scenario": task.scenario, "weather_seed": weather_seed,
                   "variant": variant}
            row.update({name: float(table[name].mean()) for name in outcomes
                        if name in table})
            row.update(published.window_means(table, int(table.index[0]), task.until))
            rows.append(row)
    return rows


def tasks(session, futures: int, scenarios: Sequence[str] = SCENARIOS,
          rounds: int | None = None) -> list[ReplayTask]:
    """The replay design of a session: ``futures`` weather seeds × ``scenarios``, through
    the rounds played (or through ``rounds``)."""
    settings = session.settings
    rounds = session.round if rounds is None else rounds
    played_until = settings.start + rounds * settings.years_per_round - 1
    entries = tuple({"lever": e["lever"], "args": e["args"], "year": e["year"]}
                    for e in session.lever_log if e["lever"] in REPLAYED_LEVERS)
    log = {int(y): dict(r) for y, r in session.log.items() if int(y) <= played_until}
    twin_log = {int(y): dict(r) for y, r in session.twin_log.items() if int(y) <= played_until}
    seeds = list(range(1, futures + 1))
    out = []
    for scenario in scenarios:
        for first in range(0, len(seeds), SEEDS_PER_TASK):
            out.append(ReplayTask(settings.engine_params(), settings.seed, played_until,
                                  scenario, tuple(seeds[first:first + SEEDS_PER_TASK]), log,
                                  entries, batch=len(out), twin_params=settings.twin_params(),
                                  twin_log=twin_log))
    return out


def replay_futures(session, futures: int = 100, scenarios: Sequence[str] = SCENARIOS,
                   workers: int | None = None, cache: Any = None) -> pd.DataFrame:
    """Run the design through an experiment executor; one row per future and variant.

    With ``cache`` (a folder, see :mod:`territoire_abm.game.baseline`), the model-alone
    batches already computed there under the same key are read instead of run, and those
    run here are written there."""
    from territoire_abm.experiments.executors import make_executor
    from territoire_abm.game import baseline

    design = tasks(session, futures, scenarios)
    rows: list[dict[str, Any]] = []
    if cache is not None:
        design, rows = baseline.split(design, cache)
    executor = make_executor("serial" if workers == 1 else "processes", workers=workers)
    with executor:
        for task, result in executor.imap_unordered(run_task, design):
            if isinstance(result, BaseException):
                raise result
            if cache is not None and task.variants == ("alone",):
                baseline.write(cache, task, result)
            rows.extend(result)
    return pd.DataFrame(rows).sort_values(["scenario", "weather_seed", "variant"],
                                          ignore_index=True)


def robustness(table: pd.DataFrame) -> pd.DataFrame:
    """Per scenario and outcome: mean and 10–90 % range of played and alone, and the share
    of futures where the played decisions did better than the model alone."""
    rows = []
    for (scenario, seed), group in table.groupby(["scenario", "weather_seed"]):
        played = group[group.variant == "played"].iloc[0]
        alone = group[group.variant == "alone"].iloc[0]
        for name in HEADLINE:
            if name not in group:
                continue
            diff = played[name] - alone[name]
            better = diff < -1e-12 if name in LOWER_IS_BETTER else diff > 1e-12
            worse = diff > 1e-12 if name in LOWER_IS_BETTER else diff < -1e-12
            rows.append({"scenario": scenario, "weather_seed": seed, "outcome": name,
                         "played": played[name], "alone": alone[name],
                         "better": better, "worse": worse})
    long = pd.DataFrame(rows)
    return long.groupby(["scenario", "outcome"]).agg(
        played_mean=("played", "mean"), played_p10=("played", lambda s: s.quantile(0.1)),
        played_p90=("played", lambda s: s.quantile(0.9)), alone_mean=("alone", "mean"),
        share_better=("better", "mean"), share_worse=("worse", "mean"),
        futures=("played", "size")).reset_index()


def replay_once(session, seed: int | None = None, scenario: str | None = None) -> pd.DataFrame:
    """The session's decision log replayed by a :class:`RecordedController` (the CLI's
    ``game replay``): yearly indicators (the twin's as ``twin_*``). Without ``seed``, under
    the session's own weather with the facilitator's injected events — the played session
    again, to the last digit; with ``seed``, under that weather future (the debrief's futures
    are seeds 1…N), without the injected events. ``scenario`` defaults to the session's."""
    task = tasks(session, 1, [scenario or session.settings.scenario])[0]

    def start(params: Mapping[str, Any]) -> dict[str, Any]:
        state = _start(params, task)
        return state if seed is None else _reseeded(state, seed)

    model = TerritoryModel.from_state(start(task.params), controller=RecordedController(task.log))
    if seed is None:
        _inject_events(model, session.lever_log)
    if not task.twin_params:
        return _run(model, task.until, task.levers)
    twin = TerritoryModel.from_state(start(task.twin_params),
                                     controller=RecordedController(task.twin_log))
    table = _run(model, task.until, task.levers, twins.region(model, twin))
    return table.join(twin.indicators().add_prefix("twin_"))


def _inject_events(model: TerritoryModel, lever_log: Sequence[Mapping[str, Any]]) -> None:
    """The facilitator's injected events of ``lever_log``, forced on ``model`` in their year."""
    for entry in lever_log:
        if entry["lever"] == "event":
            args = entry["args"]
            intensity = args.get("intensity")
            engine_levers.inject_event(model, args["event"], year=entry["year"],
                                       intensity=None if intensity in (None, "")
                                       else float(intensity))


def alone_tables(session) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The session's own future (same seed, scenario, levers and injected events) with every
    role played by the model — what would have happened without the players: the home
    territory's yearly indicators, and the twin's (None without a twin)."""
    settings = session.settings
    until = settings.start + session.round * settings.years_per_round - 1
    model = TerritoryModel(build_config(settings.engine_params(), settings.seed, until))
    entries = [e for e in session.lever_log if e["lever"] in REPLAYED_LEVERS]
    _inject_events(model, session.lever_log)
    if not settings.twin:
        return _run(model, until, entries), None
    twin = TerritoryModel(build_config(settings.twin_params(), settings.seed, until))
    return _run(model, until, entries, twins.region(model, twin)), twin.indicators()


def session_alone(session) -> pd.DataFrame:
    """The home territory's part of :func:`alone_tables`."""
    return alone_tables(session)[0]
