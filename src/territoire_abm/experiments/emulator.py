"""An emulator (surrogate model) of an outcome, trained on a stored sweep, for instant what-ifs.

A Gaussian process (scikit-learn ``GaussianProcessRegressor``: constant × anisotropic RBF +
white noise, the usual choice for computer-model emulation, Kennedy & O'Hagan 2001; Santner et
al. 2003) or gradient-boosted trees (``HistGradientBoostingRegressor`` with quantile models
for the interval) is fitted to the runs of an experiment, in the design's unit space
(each factor mapped to [0, 1]; categories and integers snapped to their bin centre, as the
model saw them). A held-out share of the runs gives its validation score: R² and the
coverage of its predictive interval (the share of held-out runs inside it; about ``level``
when the uncertainty is honest). The white-noise term carries the weather noise of single
runs, so an interval is for one run, not for the mean.

Use:

    from territoire_abm.experiments.emulator import train_emulator, load_emulator
    em = train_emulator("outputs/resilience_drivers", "heat_stress_person_days")
    em.validation                      # r2, coverage, rmse, n_train, n_test
    em.predict({"scenario": "ssp585", "policy.subsidy_rate": 0.5})   # mean, std, lower, upper
    em.sobol()                         # Sobol indices from the emulator (SALib)
    em.save("emulator.pkl"); load_emulator("emulator.pkl")

    territoire-abm emulate outputs/resilience_drivers outcome=heat_stress_person_days \\
        at.scenario=ssp585 at.policy.subsidy_rate=0.5 [method=gp|gbr] [sobol=true]

**Validity domain**: the box the sweep sampled (:meth:`Emulator.domain`) — a value outside a
factor's range, or a category it did not sample, is refused; factors not given take the
centre of their range (or the middle category). Everything the sweep held constant stays as
it was (households, horizon, the constants of its config).

References
----------
1. Kennedy, M. C., O'Hagan, A. (2001). Bayesian calibration of computer models. JRSS B 63(3),
   425–464. https://doi.org/10.1111/1467-9868.00294
2. Santner, T. J., Williams, B. J., Notz, W. I. (2003). The Design and Analysis of Computer
   Experiments. Springer.
3. Marrel, A., Iooss, B., Laurent, B., Roustant, O. (2009). Calculations of Sobol indices for
   the Gaussian process metamodel. Reliability Engineering & System Safety 94(3), 742–751.
   https://doi.org/10.1016/j.ress.2008.07.008
"""

from __future__ import annotations

import json
import math
import pickle
import sys
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning

from territoire_abm.errors import UserError
from territoire_abm.experiments.analysis.results import Results, load_results
from territoire_abm.experiments.parameters import (
    CategoricalParameter,
    IntegerParameter,
    Parameter,
    parameter_from_config,
)

__all__ = ["Emulator", "Validation", "load_emulator", "train_emulator"]

METHODS = ("gp", "gbr")
POLICY = "policy"


@dataclass(frozen=True)
class Validation:
    """Held-out score of an emulator."""

    r2: float
    coverage: float  # share of held-out runs inside the predictive interval
    level: float  # nominal level of that interval
    rmse: float
    n_train: int
    n_test: int

    def __str__(self) -> str:
        return (f"held-out R² {self.r2:.3f}, {self.level:.0%} interval covers "
                f"{self.coverage:.1%} of {self.n_test} runs, RMSE {self.rmse:.4g} "
                f"({self.n_train} training runs)")


@dataclass
class Emulator:
    """A fitted surrogate of one outcome over the factors of a sweep."""

    outcome: str
    method: str
    factors: list[Parameter]
    model: Any
    validation: Validation
    source: str = ""
    quantiles: tuple[Any, Any] | None = None  # gbr: lower and upper quantile models
    y_range: tuple[float, float] = (-math.inf, math.inf)
    meta: dict[str, Any] = field(default_factory=dict)

    # ------------------------------------------------------------------ inputs
    @property
    def names(self) -> list[str]:
        return [f.name for f in self.factors]

    def domain(self) -> pd.DataFrame:
        """The validity domain: each factor's range or categories."""
        rows = []
        for f in self.factors:
            if isinstance(f, CategoricalParameter):
                rows.append({"factor": f.name, "type": "categorical", "low": None, "high": None,
                             "categories": list(f.categories)})
            else:
                rows.append({"factor": f.name, "type": f.kind, "low": f.low, "high": f.high,
                             "categories": None})
        return pd.DataFrame(rows).set_index("factor")

    def to_unit(self, points: Mapping[str, Any] | Sequence[Mapping[str, Any]] | pd.DataFrame
                ) -> np.ndarray:
        """Unit-space coordinates of parameter points (checked against the domain)."""
        frame = _as_frame(points)
        unknown = [c for c in frame.columns if c not in self.names]
        if unknown:
            raise UserError("emulator.point", unknown[0],
                            f"not a factor of the sweep; factors: {', '.join(self.names)}")
        u = np.empty((len(frame), len(self.factors)))
        for j, f in enumerate(self.factors):
            u[:, j] = _factor_unit(f, frame[f.name] if f.name in frame else None, len(frame))
        return u

    # ------------------------------------------------------------------ predicting
    def predict_unit(self, u: np.ndarray, *, std: bool = True,
                     level: float | None = None) -> pd.DataFrame:
        """Mean, standard deviation and interval at unit-space points (rows of ``u``)."""
        with single_thread():
            return self._predict_unit(u, std, level)

    def _predict_unit(self, u: np.ndarray, std: bool, level: float | None) -> pd.DataFrame:
        x = snap(self.factors, np.atleast_2d(np.asarray(u, dtype=float)))
        level = self.validation.level if level is None else level
        z = _z(level)
        if self.method == "gp":
            if std:
                mean, sd = self.model.predict(x, return_std=True)
            else:
                mean, sd = self.model.predict(x), np.full(len(x), np.nan)
            lower, upper = mean - z * sd, mean + z * sd
        else:
            mean = self.model.predict(x)
            if std and self.quantiles is not None:
                lower, upper = (q.predict(x) for q in self.quantiles)
                lower, upper = np.minimum(lower, mean), np.maximum(upper, mean)
                sd = (upper - lower) / (2 * _z(self.meta.get("quantile_level", 0.9)))
                lower, upper = mean - z * sd, mean + z * sd
            else:
                sd = lower = upper = np.full(len(x), np.nan)
        return pd.DataFrame({"mean": mean, "std": sd, "lower": lower, "upper": upper})

    def predict(self, points: Mapping[str, Any] | Sequence[Mapping[str, Any]] | pd.DataFrame,
                *, std: bool = True, level: float | None = None) -> pd.DataFrame:
        """Predicted outcome (mean, std, interval) at parameter points given by value, e.g.
        ``{"scenario": "ssp585", "policy.subsidy_rate": 0.5}`` or a table of such rows."""
        return self.predict_unit(self.to_unit(points), std=std, level=level)

    # ------------------------------------------------------------------ sensitivity
    def sobol(self, n: int = 4096, *, seed: int = 1, second_order: bool = False,
              num_resamples: int = 200) -> pd.DataFrame:
        """First and total Sobol indices of the emulator's mean (SALib Saltelli design of
        ``n`` base points in unit space; categories and integers as in the sweep)."""
        from SALib.analyze import sobol as analyze
        from SALib.sample import sobol as sample

        problem = {"num_vars": len(self.factors), "names": self.names,
                   "bounds": [[0.0, 1.0]] * len(self.factors)}
        u = sample.sample(problem, n, calc_second_order=second_order, seed=seed)
        y = self.predict_unit(u, std=False)["mean"].to_numpy()
        res = analyze.analyze(problem, y, calc_second_order=second_order, seed=seed,
                              num_resamples=num_resamples, print_to_console=False)
        return pd.DataFrame({k: res[k] for k in ("S1", "S1_conf", "ST", "ST_conf")},
                            index=pd.Index(self.names, name="parameter"))

    # ------------------------------------------------------------------ files
    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pickle.dumps(self))
        return path

    def summary(self) -> dict[str, Any]:
        return {"outcome": self.outcome, "method": self.method, "source": self.source,
                "validation": self.validation.__dict__, "factors": [f.describe() for f in
                                                                    self.factors], **self.meta}


def load_emulator(path: str | Path) -> Emulator:
    """An emulator saved with :meth:`Emulator.save` (a pickle: load only your own files)."""
    path = Path(path)
    if not path.is_file():
        raise UserError("emulator", str(path), "no such file")
    emulator = pickle.loads(path.read_bytes())
    if not isinstance(emulator, Emulator):
        raise UserError("emulator", str(path), "not a saved emulator")
    return emulator


# --------------------------------------------------------------------------- training
def train_emulator(results: Results | str | Path, outcome: str, *, method: str = "gp",
                   year: int | None = None, policy: str | None = None,
                   test_share: float = 0.2, level: float = 0.9, max_train: int = 600,
                   seed: int = 1) -> Emulator:
    """Fit an emulator of ``outcome`` (a scalar outcome, or a yearly indicator at ``year``)
    on an experiment's runs and score it on a held-out ``test_share`` of them.

    With several policies, ``policy`` keeps one; otherwise the policy becomes a categorical
    input. ``max_train`` caps the GP's training runs (its cost grows as n³; prediction as n²).
    """
    if method not in METHODS:
        raise UserError("method", method, f"allowed: {', '.join(METHODS)}")
    if not 0.05 <= test_share <= 0.5:
        raise UserError("test_share", test_share, "allowed range [0.05, 0.5]")
    if not 0.5 <= level < 1:
        raise UserError("level", level, "allowed range [0.5, 1)")
    res = results if isinstance(results, Results) else load_results(results)
    factors, u, y = _training_data(res, outcome, year, policy)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(y))
    n_test = max(2, int(round(test_share * len(y))))
    test, train = order[:n_test], order[n_test:]
    if len(train) < 4 * len(factors) or len(train) < 10:
        raise UserError("results", str(res.root), f"{len(train)} usable training runs for "
                        f"{len(factors)} factors; run a larger sweep")
    if method == "gp" and len(train) > max_train:
        train = train[:max_train]
    started = time.perf_counter()
    x = snap(factors, u)
    with single_thread(), warnings.catch_warnings():
        warnings.simplefilter("ignore", category=ConvergenceWarning)  # bounds reached: fine
        model, quantiles = _fit(method, x[train], y[train], seed, level)
    emulator = Emulator(outcome if year is None else f"{outcome}@{year}", method, factors, model,
                        Validation(math.nan, math.nan, level, math.nan, len(train), len(test)),
                        str(res.root), quantiles, (float(y.min()), float(y.max())),
                        {"fit_seconds": round(time.perf_counter() - started, 3),
                         "quantile_level": level, "policy": policy})
    emulator.validation = _validate(emulator, u[test], y[test], len(train), level)
    return emulator


def _training_data(res: Results, outcome: str, year: int | None, policy: str | None
                   ) -> tuple[list[Parameter], np.ndarray, np.ndarray]:
    described = {d["name"]: d for d in res.manifest["design"]["parameters"]}
    factors = [_parameter(described[name]) for name in res.factors if name in described]
    if not factors:
        raise UserError("results", str(res.root), "the sweep sampled no factor to emulate")
    values = res.outcome(outcome, year=year)
    design = res.design
    unit = res.unit()[[f.name for f in factors]].reindex(design["run_id"]).to_numpy()
    keep = np.isfinite(values.to_numpy())
    policies = design["policy"].astype(str).to_numpy()
    names = list(dict.fromkeys(policies))
    if policy is not None:
        if policy not in names:
            raise UserError("policy", policy, f"policies: {', '.join(names)}")
        keep &= policies == policy
    elif len(names) > 1:
        factors.append(CategoricalParameter(POLICY, categories=tuple(names)))
        code = CategoricalParameter(POLICY, categories=tuple(names)).to_unit(policies)
        unit = np.column_stack([unit, code])
    if keep.sum() == 0:
        raise UserError("outcome", outcome, "no successful run has a value for it")
    return factors, unit[keep], values.to_numpy()[keep]


def _parameter(described: Mapping[str, Any]) -> Parameter:
    spec = {k: v for k, v in described.items() if k not in ("name", "remainder_to")}
    return parameter_from_config(str(described["name"]), spec, "design.parameters")


def snap(factors: Sequence[Parameter], u: np.ndarray) -> np.ndarray:
    """Unit coordinates with categorical and integer factors moved to their bin centre."""
    x = np.array(u, dtype=float, copy=True)
    for j, f in enumerate(factors):
        if isinstance(f, (CategoricalParameter, IntegerParameter)):
            k = len(f.categories) if isinstance(f, CategoricalParameter) else f.count
            x[:, j] = (np.clip(np.floor(x[:, j] * k), 0, k - 1) + 0.5) / k
    return x


def single_thread():
    """One BLAS/OpenMP thread: on a shared machine, thread pools that spin while waiting for
    a core make fitting and predicting several times slower (measured: 10,000 boosted-tree
    predictions 20 s with OpenMP threads under load, milliseconds with one)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)


def _fit(method: str, x: np.ndarray, y: np.ndarray, seed: int, level: float):
    if method == "gp":
        from sklearn.gaussian_process import GaussianProcessRegressor
        from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel

        d = x.shape[1]
        kernel = ConstantKernel(1.0, (1e-3, 1e3)) * RBF(np.full(d, 0.5), (1e-2, 1e2)) + \
            WhiteKernel(1e-2, (1e-8, 1.0))
        model = GaussianProcessRegressor(kernel, normalize_y=True, n_restarts_optimizer=1,
                                         random_state=seed)
        return model.fit(x, y), None
    from sklearn.ensemble import HistGradientBoostingRegressor

    def gbr(**kw):
        return HistGradientBoostingRegressor(max_iter=300, learning_rate=0.08,
                                             random_state=seed, **kw).fit(x, y)

    tail = (1 - level) / 2
    return gbr(), (gbr(loss="quantile", quantile=tail), gbr(loss="quantile", quantile=1 - tail))


def _validate(emulator: Emulator, u: np.ndarray, y: np.ndarray, n_train: int,
              level: float) -> Validation:
    pred = emulator.predict_unit(u, level=level)
    mean = pred["mean"].to_numpy()
    resid = y - mean
    total = float(np.sum((y - y.mean()) ** 2))
    r2 = 1.0 - float(np.sum(resid**2)) / total if total > 0 else math.nan
    inside = (y >= pred["lower"].to_numpy()) & (y <= pred["upper"].to_numpy())
    return Validation(r2, float(inside.mean()), level, float(np.sqrt(np.mean(resid**2))),
                      n_train, len(y))


def _z(level: float) -> float:
    from scipy.stats import norm

    return float(norm.ppf(0.5 + level / 2))


def _as_frame(points: Any) -> pd.DataFrame:
    if isinstance(points, pd.DataFrame):
        return points
    if isinstance(points, Mapping):
        return pd.DataFrame([dict(points)])
    return pd.DataFrame(list(points))


def _factor_unit(f: Parameter, values: pd.Series | None, n: int) -> np.ndarray:
    """Unit coordinates of one factor's values; the centre when not given."""
    if values is None:
        return np.full(n, 0.5)
    if isinstance(f, CategoricalParameter):
        bad = [v for v in values if v not in f.categories]
        if bad:
            raise UserError(f"emulator.{f.name}", bad[0], "outside the validity domain; "
                            f"categories: {', '.join(map(str, f.categories))}")
        return f.to_unit(list(values))
    try:
        v = pd.to_numeric(values).to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise UserError(f"emulator.{f.name}", values.iloc[0], "expected a number") from None
    outside = (v < f.low) | (v > f.high) | ~np.isfinite(v)
    if outside.any():
        raise UserError(f"emulator.{f.name}", float(v[outside][0]),
                        f"outside the validity domain [{f.low:g}, {f.high:g}]")
    return f.to_unit(v)


# --------------------------------------------------------------------------- command line
USAGE = """territoire-abm emulate <results folder> outcome=NAME [method=gp|gbr] [year=Y]
    [policy=P] [at.<factor>=VALUE ...] [points=FILE.csv] [sobol=true] [n=4096] [save=FILE.pkl]
Trains an emulator on the sweep, prints its validation score and its predictions."""
_KEYS = {"outcome", "method", "year", "policy", "points", "sobol", "n", "save", "seed",
         "test_share", "max_train"}


def main(argv: Sequence[str]) -> int:
    """``territoire-abm emulate``: train, validate, predict, Sobol; writes ``analysis/``."""
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE)
        return 0 if argv else 2
    folder, args, at = argv[0], {}, {}
    for token in argv[1:]:
        key, sep, value = token.partition("=")
        if not sep:
            raise UserError("argument", token, "expected key=value")
        if key.startswith("at."):
            at[key[3:]] = _literal(value)
        elif key in _KEYS:
            args[key] = value
        else:
            raise UserError(key, value, f"allowed: {', '.join(sorted(_KEYS))}, at.<factor>")
    if "outcome" not in args:
        raise UserError("outcome", None, "name the outcome to emulate (outcome=NAME)")
    emulator = train_emulator(
        folder, args["outcome"], method=args.get("method", "gp"),
        year=_int(args, "year"), policy=args.get("policy"), seed=_int(args, "seed") or 1,
        test_share=float(args.get("test_share", 0.2)), max_train=_int(args, "max_train") or 600)
    out = Path(folder) / "analysis"
    out.mkdir(parents=True, exist_ok=True)
    stem = f"emulator_{emulator.outcome.replace('@', '_')}"
    print(f"{emulator.outcome} ({emulator.method}): {emulator.validation}")
    (out / f"{stem}.json").write_text(json.dumps(emulator.summary(), indent=2, default=str))
    points = pd.read_csv(args["points"]) if "points" in args else (pd.DataFrame([at]) if at
                                                                    else None)
    if points is not None:
        started = time.perf_counter()
        table = pd.concat([points.reset_index(drop=True), emulator.predict(points)], axis=1)
        ms = 1000 * (time.perf_counter() - started)
        table.to_csv(out / f"{stem}_predictions.csv", index=False)
        print(table.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
        print(f"({len(table)} points in {ms:.1f} ms)")
    if args.get("sobol", "false") == "true":
        indices = emulator.sobol(n=_int(args, "n") or 4096)
        indices.to_csv(out / f"{stem}_sobol.csv")
        print(indices.round(3).to_string())
    if "save" in args:
        print(emulator.save(args["save"]))
    return 0


def _int(args: Mapping[str, str], key: str) -> int | None:
    if key not in args:
        return None
    try:
        return int(args[key])
    except ValueError:
        raise UserError(key, args[key], "expected an integer") from None


def _literal(text: str) -> Any:
    try:
        return float(text)
    except ValueError:
        return text


if __name__ == "__main__":  # pragma: no cover
    from territoire_abm.cli import main as cli_main

    sys.exit(cli_main(["emulate", *sys.argv[1:]]))
