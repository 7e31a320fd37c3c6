"""Experimental designs: which runs to make, with which parameters and seeds.

A design is a table with one row per run: ``run_id``, ``sample_id`` (the future, i.e. the
row of the sampled design), ``policy`` (a named lever setting), ``replication``, ``seed``,
one column per parameter (natural values) and one ``u:<name>`` column per sampled factor
(unit-space coordinates, what SALib analysers need).

Samples come from SALib (``latin``, ``sobol``, ``morris``, ``fast_sampler``) run in the unit
hypercube; each parameter maps [0, 1] onto its own values (see :mod:`.parameters`).

Seeds: every seed derives from one master :class:`numpy.random.SeedSequence` through a
fixed spawn key, so a run's seed depends only on the master seed and the run's position in
the design — never on the order of execution or the executor:

* ``seeds="per_sample"`` (default): seed = f(master, sample_id, replication). All policies
  see the same seed in the same future (common random numbers), so regret compares
  policies on identical weather.
* ``seeds="common"``: seed = f(master, replication). Every sample of replication *r*
  shares one seed — useful for Sobol studies where seed noise would blur the indices.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from territoire_abm.errors import UserError
from territoire_abm.experiments.parameters import (
    Parameter,
    RealParameter,
)

__all__ = [
    "DESIGN_METHODS",
    "Design",
    "Policy",
    "make_design",
    "run_seed",
    "unit_column",
]

DESIGN_METHODS = ("grid", "mc", "lhs", "sobol", "morris", "fast")
SEED_STRATEGIES = ("per_sample", "common")
LEVER_MODES = ("cross", "joint")
RESERVED_COLUMNS = ("run_id", "sample_id", "policy", "replication", "seed")
DEFAULT_POLICY = "default"

# First element of every spawn key, so the streams never overlap.
_KEY_DESIGN, _KEY_PER_SAMPLE, _KEY_COMMON = 0, 1, 2


def unit_column(name: str) -> str:
    """Name of the design column holding a factor's unit-space coordinate."""
    return f"u:{name}"


def run_seed(master_seed: int, *key: int) -> int:
    """A 63-bit seed derived from ``master_seed`` and an integer spawn key."""
    ss = np.random.SeedSequence(master_seed, spawn_key=tuple(int(k) for k in key))
    return int(ss.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


def _design_rng_seed(master_seed: int) -> int:
    # >= 1 on purpose: several SALib functions treat seed=0 as "unseeded" (`if seed:`).
    return run_seed(master_seed, _KEY_DESIGN) % (2**31 - 2) + 1


@dataclass(frozen=True)
class Policy:
    """A named setting of levers, applied in every future."""

    name: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class Design:
    """The runs of an experiment and what the analysers need to know about them."""

    method: str
    table: pd.DataFrame
    factors: list[Parameter]
    parameters: list[Parameter]
    policies: list[Policy]
    options: dict[str, Any]
    n_samples: int
    replications: int

    @property
    def problem(self) -> dict[str, Any]:
        """SALib problem over the sampled factors, in unit space."""
        return salib_problem(self.factors)

    @property
    def n_runs(self) -> int:
        return len(self.table)

    def describe(self) -> dict[str, Any]:
        """JSON-ready summary stored in the manifest."""
        return {
            "method": self.method,
            "options": self.options,
            "n_samples": self.n_samples,
            "replications": self.replications,
            "n_runs": self.n_runs,
            "factors": [p.name for p in self.factors],
            "parameters": [p.describe() for p in self.parameters],
            "policies": [{"name": p.name, "params": dict(p.params)} for p in self.policies],
        }


def salib_problem(factors: Sequence[Parameter]) -> dict[str, Any]:
    return {
        "num_vars": len(factors),
        "names": [f.name for f in factors],
        "bounds": [[0.0, 1.0]] * len(factors),
    }


def _sample_unit(
    method: str,
    factors: Sequence[Parameter],
    n: int | None,
    options: Mapping[str, Any],
    master_seed: int,
    levels: int,
) -> np.ndarray:
    """Unit-space samples, one row per future."""
    from SALib.sample import fast_sampler, latin, morris
    from SALib.sample import sobol as sobol_sample

    d = len(factors)
    if method == "grid":
        if d == 0:
            return np.zeros((1, 0))
        axes = [f.to_unit(f.grid(levels)) for f in factors]
        return np.array(list(itertools.product(*axes)), dtype=float)
    if d == 0:
        if method in ("mc", "lhs"):
            return np.zeros((1, 0))
        raise UserError("uncertainties", "{}", f"design.method={method} needs factors to vary")
    if n is None or not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise UserError("design.n", n, f"design.method={method} needs a positive integer n")
    problem = salib_problem(factors)
    seed = _design_rng_seed(master_seed)
    if method == "mc":
        return np.random.default_rng(seed).random((n, d))
    if method == "lhs":
        return latin.sample(problem, n, seed=seed)
    if method == "sobol":
        if n & (n - 1):
            raise UserError("design.n", n, "Sobol designs need a power of 2 (e.g. 256, 1024)")
        second = bool(options.get("calc_second_order", True)) and d >= 2
        return sobol_sample.sample(
            problem, n, calc_second_order=second, scramble=True, seed=seed
        )
    if method == "morris":
        num_levels = int(options.get("num_levels", 4))
        optimal = options.get("optimal_trajectories")
        return morris.sample(
            problem, n, num_levels=num_levels, optimal_trajectories=optimal, seed=seed
        )
    if method == "fast":
        m = int(options.get("M", 4))
        if n <= 4 * m * m:
            raise UserError("design.n", n, f"FAST needs n > 4*M^2 = {4 * m * m}")
        return fast_sampler.sample(problem, n, M=m, seed=seed)
    raise UserError("design.method", method, f"allowed: {', '.join(DESIGN_METHODS)}")


def _short(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def _lever_policies(levers: Sequence[Parameter], levels: int) -> list[Policy]:
    if not levers:
        return [Policy(DEFAULT_POLICY, {})]
    grids = [lv.grid(levels) for lv in levers]
    policies = []
    for combo in itertools.product(*grids):
        params = {lv.name: v for lv, v in zip(levers, combo, strict=True)}
        name = ", ".join(f"{_short(k)}={v:g}" if isinstance(v, float) else f"{_short(k)}={v}"
                         for k, v in params.items())
        for lv in levers:
            if isinstance(lv, RealParameter) and lv.remainder_to:
                params.update({k: v[0] for k, v in lv.remainders([params[lv.name]]).items()})
        policies.append(Policy(name, params))
    return policies


def _column(values: list[Any]) -> pd.Series | list[Any]:
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, str) for v in present):
        return pd.array(values, dtype="string")
    if present and all(isinstance(v, bool) for v in present):
        return pd.array(values, dtype="boolean")
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        if len(present) < len(values):
            return pd.array(values, dtype="Int64")
        return np.array(values, dtype=np.int64)
    if present and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return np.array([np.nan if v is None else float(v) for v in values])
    return pd.array([None if v is None else str(v) for v in values], dtype="string")


def _check_run_settings(method: str, levers_mode: str, seeds: str, replications: Any,
                        master_seed: Any) -> None:
    """Refuse an unknown method, lever mode or seed strategy, or bad replications/seed."""
    if method not in DESIGN_METHODS:
        raise UserError("design.method", method, f"allowed: {', '.join(DESIGN_METHODS)}")
    if levers_mode not in LEVER_MODES:
        raise UserError("design.levers", levers_mode, f"allowed: {', '.join(LEVER_MODES)}")
    if seeds not in SEED_STRATEGIES:
        raise UserError("design.seeds", seeds, f"allowed: {', '.join(SEED_STRATEGIES)}")
    if not isinstance(replications, int) or isinstance(replications, bool) or replications < 1:
        raise UserError("replications", replications, "expected an integer >= 1")
    if not isinstance(master_seed, int) or isinstance(master_seed, bool) or master_seed < 0:
        raise UserError("master_seed", master_seed, "expected an integer >= 0")


def _check_each_parameter_once(uncertainties: Sequence[Parameter],
                               levers: Sequence[Parameter]) -> None:
    """A parameter (or a ``remainder_to`` share it sets) is an uncertainty or a lever, once."""
    names = [p.name for p in [*uncertainties, *levers]]
    names += [r for p in [*uncertainties, *levers] for r in getattr(p, "remainder_to", ())]
    dupes = sorted({x for x in names if names.count(x) > 1})
    if dupes:
        raise UserError("levers", dupes[0], "a parameter is either an uncertainty or a lever")


def _factors_and_policies(
    uncertainties: Sequence[Parameter],
    levers: Sequence[Parameter],
    policies: Sequence[Policy] | None,
    levers_mode: str,
    levels: int,
) -> tuple[list[Parameter], list[Policy]]:
    """The sampled factors and the policies crossed with every future.

    ``joint``: levers are sampled with the uncertainties under one default policy;
    ``cross``: the explicit policies, or a full-factorial grid of the levers.
    """
    if levers_mode == "joint":
        if policies:
            raise UserError("policies", len(policies), "explicit policies need design.levers=cross")
        factors = [*uncertainties, *levers]
        policy_list = [Policy(DEFAULT_POLICY, {})]
    else:
        factors = list(uncertainties)
        policy_list = list(policies) if policies else _lever_policies(levers, levels)
    seen = set()
    for pol in policy_list:
        if pol.name in seen:
            raise UserError("policies", pol.name, "policy names must be unique")
        seen.add(pol.name)
        clash = set(pol.params) & {u.name for u in uncertainties}
        if clash:
            raise UserError(f"policies.{pol.name}", sorted(clash)[0], "is an uncertainty")
    return factors, policy_list


def _sampler_options(method: str, options: Mapping[str, Any] | None,
                     factors: Sequence[Parameter]) -> dict[str, Any]:
    """The sampler options actually used (defaults filled in): the analysers read them back."""
    options = dict(options or {})
    if method == "sobol":
        options["calc_second_order"] = bool(options.get("calc_second_order", True)) and (
            len(factors) >= 2)
    elif method == "morris":
        options.setdefault("num_levels", 4)
    elif method == "fast":
        options.setdefault("M", 4)
    return options


def _seed_column(seeds: str, master_seed: int, sample_id: np.ndarray,
                 replication: np.ndarray, n_samples: int, n_rep: int) -> np.ndarray:
    """Each run's seed: from (sample, replication) with ``per_sample``, else (replication)."""
    if seeds == "per_sample":
        seed_of = {(s, r): run_seed(master_seed, _KEY_PER_SAMPLE, s, r)
                   for s in range(n_samples) for r in range(n_rep)}
        return np.array([seed_of[(s, r)] for s, r in zip(sample_id, replication, strict=True)],
                        dtype=np.int64)
    per_rep = np.array([run_seed(master_seed, _KEY_COMMON, r) for r in range(n_rep)],
                       dtype=np.int64)
    return per_rep[replication]


def _run_table(unit: np.ndarray, factors: Sequence[Parameter], policy_list: Sequence[Policy],
               replications: int, seeds: str, master_seed: int) -> pd.DataFrame:
    """One row per (future, policy, replication): ids, seed, natural values of the factors
    and their ``remainder_to`` shares, the policies' lever values (refused where a share
    already sets them), unit-space coordinates."""
    n_samples = unit.shape[0]
    n_pol, n_rep = len(policy_list), replications
    total = n_samples * n_pol * n_rep

    sample_id = np.repeat(np.arange(n_samples), n_pol * n_rep)
    policy_idx = np.tile(np.repeat(np.arange(n_pol), n_rep), n_samples)
    replication = np.tile(np.arange(n_rep), n_samples * n_pol)
    cols: dict[str, Any] = {
        "run_id": np.arange(total, dtype=np.int64),
        "sample_id": sample_id.astype(np.int64),
        "policy": pd.array([policy_list[i].name for i in policy_idx], dtype="string"),
        "replication": replication.astype(np.int64),
        "seed": _seed_column(seeds, master_seed, sample_id, replication, n_samples, n_rep),
    }
    rows = np.repeat(np.arange(n_samples), n_pol * n_rep)
    for j, f in enumerate(factors):
        values = f.from_unit(unit[:, j])
        cols[f.name] = _column([values[i] for i in rows])
        if isinstance(f, RealParameter) and f.remainder_to:
            for name, rest in f.remainders(values).items():
                cols[name] = _column([rest[i] for i in rows])
    lever_names: list[str] = []
    for pol in policy_list:
        lever_names += [k for k in pol.params if k not in lever_names]
    derived = {r for f in factors for r in getattr(f, "remainder_to", ())}
    clash = derived & set(lever_names)
    if clash:
        raise UserError("policies", sorted(clash)[0], "is set by a remainder_to share")
    for name in lever_names:
        cols[name] = _column([policy_list[i].params.get(name) for i in policy_idx])
    for j, f in enumerate(factors):
        cols[unit_column(f.name)] = unit[rows, j]
    return pd.DataFrame(cols)


def make_design(
    uncertainties: Sequence[Parameter],
    levers: Sequence[Parameter] = (),
    *,
    method: str = "lhs",
    n: int | None = None,
    policies: Sequence[Policy] | None = None,
    replications: int = 1,
    master_seed: int = 0,
    options: Mapping[str, Any] | None = None,
    levers_mode: str = "cross",
    seeds: str = "per_sample",
    levels: int = 3,
) -> Design:
    """Build the run table of an experiment.

    Parameters
    ----------
    uncertainties, levers : sequences of Parameter
        Futures are sampled over the uncertainties. Levers are either crossed with every
        future (``levers_mode="cross"``: explicit ``policies`` or a full-factorial grid of
        the levers) or sampled jointly with the uncertainties (``levers_mode="joint"``, to
        rank levers and uncertainties in one sensitivity analysis).
    method : {"grid", "mc", "lhs", "sobol", "morris", "fast"}
    n : int
        Samples: points for mc/lhs, base sample N for sobol (runs = N(2D+2) with second
        order, N(D+2) without), trajectories for morris, samples per factor for fast.
    replications : int
        Stochastic replications of every (future, policy) pair, each with its own seed.
    master_seed : int
        Root of every seed (design sampling and runs).
    options : mapping
        Sampler options: ``calc_second_order`` (sobol), ``num_levels``,
        ``optimal_trajectories`` (morris), ``M`` (fast).
    seeds : {"per_sample", "common"}
        See the module docstring.
    levels : int
        Points per real parameter in grid designs and lever grids.
    """
    _check_run_settings(method, levers_mode, seeds, replications, master_seed)
    _check_each_parameter_once(uncertainties, levers)
    factors, policy_list = _factors_and_policies(uncertainties, levers, policies, levers_mode,
                                                 levels)
    options = _sampler_options(method, options, factors)
    unit = _sample_unit(method, factors, n, options, master_seed, levels)
    table = _run_table(unit, factors, policy_list, replications, seeds, master_seed)

    parameters = list(uncertainties) + list(levers)
    return Design(
        method=method,
        table=table,
        factors=factors,
        parameters=parameters,
        policies=policy_list,
        options=options,
        n_samples=unit.shape[0],
        replications=replications,
    )


def run_params(
    row: Mapping[str, Any], parameter_columns: Sequence[str], constants: Mapping[str, Any]
) -> dict[str, Any]:
    """The dotted-path parameters of one run: constants overlaid with the row's values.

    Missing values (a lever a policy leaves unset) are dropped so the model uses its default.
    """
    params = dict(constants)
    for name in parameter_columns:
        value = row[name]
        if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
            continue
        if isinstance(value, np.generic):
            value = value.item()
        params[name] = value
    return params


def parameter_columns(table: pd.DataFrame) -> list[str]:
    """Parameter columns of a design table (neither reserved nor unit-space)."""
    return [c for c in table.columns if c not in RESERVED_COLUMNS and not c.startswith("u:")]

