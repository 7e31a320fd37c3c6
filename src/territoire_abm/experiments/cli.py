"""Command-line entry points for experiments; the package's top-level CLI dispatches here.

Run::

    territoire-abm experiment=<name|path> [out=outputs/<name>] [resume=true]
        [scheduler=tcp://host:8786] [workers=2] [executor=serial|processes|dask]
        [batch_size=N] [progress=false] [retry_failed=true] [<config.key>=<value> ...]

Analyse::

    territoire-abm analyse <results_dir> method=<sobol|morris|fast|pawn|delta|prim|
        robustness|trajectories|tipping|pathways|summary|all> [outcome=...] [over_time=true] ...

``<results_dir>`` is an experiment's output folder or a multirun folder (``-m``). Options are
declared once in :data:`RUN_OPTIONS` and :data:`ANALYSE_OPTIONS` (see
:mod:`territoire_abm.cli_options`); ``--help`` prints them. Each analysis method is a named
step in :data:`METHODS`. Also available as ``python -m territoire_abm.experiments ...``.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from territoire_abm.cli_options import (
    HELP_FLAGS,
    Option,
    OptionTable,
    check_output_dir,
    did_you_mean,
)
from territoire_abm.errors import UserError

__all__ = ["ANALYSE_OPTIONS", "METHODS", "RUN_OPTIONS", "analyse_main", "main", "run_main"]

RUN_OPTIONS = OptionTable([
    Option("experiment", "str", help="a folder under experiments/ or a path to config.yaml"),
    Option("out", "str", help="output folder (default outputs/<name>)"),
    Option("resume", "bool", False, "continue the experiment already in out"),
    Option("scheduler", "str", help="Dask scheduler address, e.g. tcp://host:8786"),
    Option("scheduler_timeout", "float", 5.0, "seconds to wait for the scheduler", low=0.1),
    Option("workers", "int", help="local worker processes", low=1),
    Option("executor", "str", help="serial, processes or dask",
           choices=("serial", "processes", "dask")),
    Option("batch_size", "int", help="runs per task (default: from a pilot run)", low=1),
    Option("progress", "bool", True, "show a progress bar"),
    Option("retry_failed", "bool", False, "on resume, run the failed runs again"),
])


def _error(exc: BaseException) -> None:
    print(f"error: {exc}", file=sys.stderr)


def _split_run_tokens(tokens: list[str]) -> tuple[dict[str, Any], list[str]]:
    """Run options (typed) and the experiment config's own ``key=value`` overrides."""
    options, overrides = [], []
    for token in tokens:
        if "=" not in token:
            raise UserError("argument", token, "expected key=value; see --help")
        key = token.partition("=")[0].strip()
        (options if key in RUN_OPTIONS.options else overrides).append(token)
    opts = RUN_OPTIONS.parse(options)
    if "experiment" not in opts:
        raise UserError("experiment", None, "give experiment=<name> (a folder under "
                        "experiments/) or experiment=<path/to/config.yaml>")
    return opts, overrides


def _run_kwargs(opts: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments of :func:`run_experiment` from the parsed options."""
    kwargs = {key: opts[key] for key in ("resume", "progress", "retry_failed", "workers",
                                         "batch_size", "scheduler_timeout") if key in opts}
    kwargs["scheduler"] = opts.get("scheduler") or None
    kwargs["executor"] = opts.get("executor") or None
    return kwargs


def _print_result(result: Any, out: Path) -> None:
    print(f"{result.name}: {result.n_ok} runs ok, {result.n_failed} failed "
          f"({result.n_resumed} from before), {result.wall_s:.1f} s wall, "
          f"{result.compute_s:.1f} s compute, batches of {result.batch_size}, "
          f"executor {result.executor.get('kind')}×{result.executor.get('workers')}")
    if result.n_failed:
        print(f"failures recorded in {out / 'results' / 'failures'} (and manifest.json)")
    print(f"results: {out}")


def run_main(cfg_overrides: list[str]) -> int:
    """``territoire-abm experiment=<name> ...``: run or resume an experiment."""
    from territoire_abm.experiments.executors import ExecutorBroken
    from territoire_abm.experiments.runner import run_experiment
    from territoire_abm.experiments.spec import load_spec

    tokens = list(cfg_overrides)
    if any(token in HELP_FLAGS for token in tokens):
        print(RUN_OPTIONS.help("territoire-abm experiment=<name> [option=value …] "
                               "[<config.key>=<value> …]"))
        return 0
    if tokens and "=" not in tokens[0]:
        tokens[0] = f"experiment={tokens[0]}"
    opts: dict[str, Any] = {}
    out = Path("outputs")
    try:
        opts, overrides = _split_run_tokens(tokens)
        spec = load_spec(opts["experiment"], overrides)
        out = Path(opts.get("out") or Path("outputs") / spec.name)
        print(f"{spec.name}: {spec.method} design, writing to {out}", file=sys.stderr)
        result = run_experiment(spec, out, **_run_kwargs(opts))
    except UserError as exc:
        _error(exc)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"\ninterrupted: finished runs are saved; continue with\n  territoire-abm "
              f"experiment={opts.get('experiment')} out={opts.get('out') or out} resume=true",
              file=sys.stderr)
        return 130
    except ExecutorBroken as exc:
        _error(exc)
        print("finished runs are saved; continue with resume=true", file=sys.stderr)
        return 1
    _print_result(result, out)
    return 0


# -- analyse ---------------------------------------------------------------------------------

ANALYSE_OPTIONS = OptionTable([
    Option("method", "str", help="sobol, morris, fast, pawn, delta, prim, robustness, "
           "trajectories, tipping, pathways, summary or all"),
    Option("outcome", "str", help="scalar outcome (or yearly indicator with year=)"),
    Option("indicator", "str", help="yearly indicator (trajectories, tipping, pathways)"),
    Option("out", "str", help="folder for tables and figures (default <results>/analysis)"),
    Option("seed", "int", 1, "seed of the estimators", low=1),
    Option("policy", "str", help="analyse one policy's runs"),
    Option("year", "int", help="read the outcome in this year", low=0),
    Option("over_time", "bool", False, "indices for every year"),
    Option("metric", "str", help="index plotted over time"),
    Option("threshold", "float", help="threshold of prim, tipping and pathways"),
    Option("direction", "str", "above", "side of the threshold", choices=("above", "below")),
    Option("inputs", "list", help="PRIM inputs (comma-separated)"),
    Option("density", "float", 0.8, "PRIM minimum density", low=0, high=1),
    Option("boxes", "int", 1, "PRIM boxes", low=1),
    Option("objectives", "str", help="robustness objectives, e.g. cost:min,heat:min"),
    Option("sense", "str", "min", "sense of outcome= in robustness", choices=("min", "max")),
    Option("constraints", "list", help="robustness constraints"),
    Option("percentile", "float", 90.0, "robustness percentile", low=0, high=100),
    Option("by", "str", "policy", "design column grouping the trajectories"),
    Option("persistence", "int", 1, "years beyond the threshold before a tipping point",
           low=1),
    Option("x", "str", help="indicator on the x axis instead of the year (e.g. warming_c)"),
    Option("where", "str", help="keep runs with <design column>:<value>"),
    Option("lead_times", "str", help="pathways lead times, e.g. a:5,b:3"),
    Option("quantile", "str", "q50", "tipping quantile used by pathways"),
    Option("start", "str", help="pathways' starting policy"),
    Option("max_length", "int", 3, "longest pathway", low=1),
    Option("x_range", "str", help="pathways x range, e.g. 2025,2100"),
    Option("signposts", "str", help="pathways signposts separated by ;"),
    Option("x_label", "str", help="pathways x label"),
])
SENSITIVITY = ("sobol", "morris", "fast", "pawn", "delta")
_OVER_TIME_METRIC = {"sobol": "ST", "morris": "mu_star", "fast": "ST", "pawn": "median",
                     "delta": "delta"}


def _mapping(key: str, value: str, cast: Callable[[str, str], Any]) -> dict[str, Any]:
    out = {}
    for item in [v.strip() for v in value.replace(";", ",").split(",") if v.strip()]:
        name, sep, v = item.rpartition(":")
        if not sep:
            raise UserError(key, value, "expected name:value pairs separated by commas")
        out[name] = cast(key, v)
    return out


def _number(key: str, value: str) -> float:
    return Option(key, "float").convert(value)


def _sense(key: str, value: str) -> str:
    return Option(key, "str", choices=("min", "max")).convert(value)


class _Args:
    """Parsed ``key=value`` options that remember which were used by the method."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = dict(values)
        self.used: set[str] = set()

    @classmethod
    def parse(cls, tokens: list[str]) -> _Args:
        return cls(ANALYSE_OPTIONS.parse(tokens))

    def get(self, key: str, default: Any = None, cast: Callable[[str, str], Any] | None = None,
            required: bool = False) -> Any:
        self.used.add(key)
        if key not in self.values:
            if required:
                raise UserError(key, None, f"required: give {key}=...")
            return default
        return cast(key, self.values[key]) if cast else self.values[key]

    def check_unused(self) -> None:
        extra = sorted(set(self.values) - self.used)
        if extra:
            raise UserError(extra[0], self.values[extra[0]], "not used by this method")


def _write(table, out: Path, stem: str) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{stem}.csv"
    table.to_csv(path)
    return path


def _analyse_all(results_dir: str, res: Any, args: _Args) -> list[Path]:
    """Every analysis listed under ``analysis:`` in the experiment's config."""
    plan = res.manifest.get("config", {}).get("analysis") or []
    if not plan:
        raise UserError("method", "all", "the experiment config lists no analysis")
    out_all = args.get("out")
    args.check_unused()
    files: list[Path] = []
    failed = 0
    for line in plan:
        extra = [f"out={out_all}"] if out_all else []
        print(f"== analyse {line}")
        try:
            files += _analyse(results_dir, _Args.parse([*shlex.split(str(line)), *extra]))
        except UserError as exc:  # report, and go on with the next analysis
            _error(exc)
            failed += 1
    if failed:
        for f in files:
            print(f"wrote {f}")
        raise UserError("method", "all", f"{failed} of {len(plan)} analyses failed (above)")
    return files


def _summary(res: Any, args: _Args, out: Path, method: str) -> list[Path]:
    """What the folder holds: design, run counts, outcomes, indicators, policies."""
    m = res.manifest
    print(f"{m['name']}: {m['design']['method']} design, {m['totals']['runs']} runs, "
          f"{m['totals']['ok']} ok, {m['totals']['failed']} failed, status {m['status']}")
    print(f"scalar outcomes: {', '.join(res.scalar_names())}")
    print(f"yearly indicators: {', '.join(res.series_names())}")
    print(f"policies: {', '.join(res.policies)}")
    return []


def _sensitivity(res: Any, args: _Args, out: Path, method: str) -> list[Path]:
    """Sobol, Morris, FAST, PAWN or delta indices, at one time or every year."""
    outcome = args.get("outcome", required=True)
    policy = args.get("policy")
    stem = f"{method}_{outcome}" + (f"_{policy}" if policy else "")
    if args.get("over_time", False):
        return _sensitivity_over_time(res, args, out, method, outcome, stem)
    from territoire_abm.experiments import analysis as an
    from territoire_abm.experiments.analysis import plots

    result = getattr(an, f"{method}_indices")(res, outcome, year=args.get("year"),
                                              policy=policy, seed=args.get("seed", 1))
    files: list[Path] = []
    table = result.indices if method == "sobol" else result
    if method == "sobol" and result.second_order is not None:
        files.append(_write(result.second_order, out, stem + "_S2"))
        plots.plot_second_order(result.second_order, title=f"S2: {outcome}",
                                path=out / f"{stem}_S2.png")
        files.append(out / f"{stem}_S2.png")
    if method == "morris":
        plots.plot_morris(table, title=f"Morris: {outcome}", path=out / f"{stem}.png")
    else:
        metrics = {"sobol": ("S1", "ST"), "fast": ("S1", "ST"), "pawn": ("median",),
                   "delta": ("delta", "S1")}[method]
        title = "Sobol" if method == "sobol" else method
        plots.plot_indices(table, metrics, title=f"{title}: {outcome}", path=out / f"{stem}.png")
    files += [_write(table, out, stem), out / f"{stem}.png"]
    print(table.round(4).to_string())
    return files


def _sensitivity_over_time(res: Any, args: _Args, out: Path, method: str, outcome: str,
                           stem: str) -> list[Path]:
    from territoire_abm.experiments import analysis as an
    from territoire_abm.experiments.analysis import plots

    table = getattr(an, f"{method}_over_time")(res, outcome, policy=args.get("policy"),
                                               seed=args.get("seed", 1))
    metric = args.get("metric", _OVER_TIME_METRIC[method])
    path = _write(table.set_index(["year", "parameter"]), out, stem + "_over_time")
    plots.plot_indices_over_time(table, metric, title=f"{method} {metric}: {outcome}",
                                 path=out / f"{stem}_over_time.png")
    print(table.pivot(index="year", columns="parameter", values=metric).round(3).to_string())
    return [path, out / f"{stem}_over_time.png"]


def _prim(res: Any, args: _Args, out: Path, method: str) -> list[Path]:
    """Scenario discovery: boxes of the inputs where the outcome passes a threshold."""
    from territoire_abm.experiments.analysis import plots
    from territoire_abm.experiments.analysis.prim import discover_scenarios

    outcome = args.get("outcome", required=True)
    disc = discover_scenarios(
        res, outcome, args.get("threshold", required=True),
        above=args.get("direction", "above") == "above", year=args.get("year"),
        policy=args.get("policy"), inputs=args.get("inputs"),
        density=args.get("density", 0.8), max_boxes=args.get("boxes", 1))
    stem = f"prim_{outcome}"
    files = [_write(disc.boxes_table(), out, stem)]
    plots.plot_prim(disc, path=out / f"{stem}.png")
    files.append(out / f"{stem}.png")
    print(f"{disc.label}: {disc.n_cases} of {disc.n} runs")
    for i, b in enumerate(disc.boxes, 1):
        print(f"box {i}: {b.describe()}  (coverage {b.coverage:.2f}, density "
              f"{b.density:.2f}, mass {b.mass:.2f})")
    return files


def _robustness(res: Any, args: _Args, out: Path, method: str) -> list[Path]:
    """Robustness of each policy across the uncertainties."""
    from territoire_abm.experiments.analysis import plots
    from territoire_abm.experiments.analysis.robustness import robustness_table

    objectives = args.get("objectives", None, lambda k, v: _mapping(k, v, _sense))
    if objectives is None and "outcome" in args.values:
        objectives = {args.get("outcome"): args.get("sense", "min")}
    table = robustness_table(res, objectives or {}, args.get("constraints", []),
                             percentile=args.get("percentile", 90.0), year=args.get("year"))
    files = [_write(table, out, "robustness")]
    plots.plot_robustness(table, path=out / "robustness.png")
    print(table.round(4).to_string())
    return [*files, out / "robustness.png"]


def _trajectories(res: Any, args: _Args, out: Path, method: str) -> list[Path]:
    """Fan of one yearly indicator grouped by a design column."""
    from territoire_abm.experiments.analysis import plots

    indicator = args.get("indicator") or args.get("outcome", required=True)
    by = args.get("by", "policy")
    if by not in res.design.columns:
        raise UserError("by", by, f"design columns: {', '.join(res.design.columns)}"
                        f"{did_you_mean(by, res.design.columns)}")
    series = res.series(columns=[indicator])
    if indicator not in series.columns:
        raise UserError("indicator", indicator, f"yearly indicators: "
                        f"{', '.join(res.series_names())}"
                        f"{did_you_mean(indicator, res.series_names())}")
    groups = res.design.set_index("run_id")[by].astype(str)
    stem = f"trajectories_{indicator}_by_{by}"
    plots.plot_trajectories(series, indicator, groups, title=f"{indicator} by {by}",
                            path=out / f"{stem}.png")
    series = series.assign(group=series["run_id"].map(groups))
    table = series.groupby(["group", "year"])[indicator].describe(percentiles=[0.1, 0.5, 0.9])
    print(table["50%"].unstack("group").round(3).to_string())
    return [_write(table, out, stem), out / f"{stem}.png"]


def _tipping_points(res: Any, args: _Args) -> tuple[Any, Any, str, str | None]:
    """Tipping points of each run (optionally only runs matching ``where=``), summarised."""
    from territoire_abm.experiments.analysis.tipping import tipping_points, tipping_summary

    indicator = args.get("indicator") or args.get("outcome", required=True)
    x = args.get("x")
    points = tipping_points(res, indicator, args.get("threshold", required=True),
                            above=args.get("direction", "above") == "above",
                            persistence=args.get("persistence", 1), x=x)
    where = args.get("where")
    if where:
        column, sep, value = where.partition(":")
        if not sep or column not in res.design.columns:
            raise UserError("where", where, "expected <design column>:<value>, e.g. "
                            "scenario:ssp585")
        keep = res.design.loc[res.design[column].astype(str) == value, "run_id"]
        points = points[points["run_id"].isin(keep)]
        if points.empty:
            raise UserError("where", where, "no run matches")
    return points, tipping_summary(points, x=x or "year"), indicator, x


def _tipping(res: Any, args: _Args, out: Path, method: str) -> list[Path]:
    """When each run's indicator crosses the threshold (and stays)."""
    from territoire_abm.experiments.analysis import plots

    points, summary, indicator, x = _tipping_points(res, args)
    files = [_write(points.set_index("run_id"), out, f"tipping_{indicator}_runs"),
             _write(summary, out, f"tipping_{indicator}")]
    plots.plot_tipping(points, x or "year", title=f"tipping points: {indicator}",
                       path=out / f"tipping_{indicator}.png")
    print(summary.round(3).to_string())
    return [*files, out / f"tipping_{indicator}.png"]


def _pathways(res: Any, args: _Args, out: Path, method: str) -> list[Path]:
    """Adaptation pathways from the policies' tipping points."""
    from territoire_abm.experiments.analysis.pathways import (
        actions_from_tipping,
        enumerate_pathways,
        pathway_table,
        plot_pathways,
    )

    points, summary, indicator, x = _tipping_points(res, args)
    files = [_write(points.set_index("run_id"), out, f"tipping_{indicator}_runs"),
             _write(summary, out, f"tipping_{indicator}")]
    actions = actions_from_tipping(summary, column=args.get("quantile", "q50"),
                                   lead_times=args.get("lead_times", {},
                                                       lambda k, v: _mapping(k, v, _number)))
    pathways = enumerate_pathways(actions, start=args.get("start", res.policies[0]),
                                  max_length=args.get("max_length", 3))
    lo, hi = _x_range(res, args, x)
    signposts = args.get("signposts", [], lambda k, v: [s for s in v.split(";") if s])
    default_label = {"warming_c": "warming (°C, vs pre-industrial)"}.get(
        x or "year", (x or "year").replace("_", " "))
    direction = args.get("direction", "above")
    plot_pathways(actions, pathways, x_range=(lo, hi),
                  x_label=args.get("x_label", default_label),
                  title=f"Adaptation pathways: {indicator} "
                        f"{'<=' if direction == 'above' else '>='} "
                        f"{args.get('threshold'):g}",
                  signposts=signposts, path=out / f"pathways_{indicator}.png")
    table = pathway_table(actions, pathways, horizon=hi)
    print(summary.round(3).to_string())
    print(table.to_string(index=False))
    return [*files, _write(table, out, f"pathways_{indicator}"),
            out / f"pathways_{indicator}.png"]


def _x_range(res: Any, args: _Args, x: str | None) -> tuple[float, float]:
    if x:
        xs = res.series(columns=[x])[x]
        default = f"{xs.min():.2f},{xs.max():.2f}"
    else:
        years = res.years()
        default = f"{years.min()},{years.max()}"
    text = args.get("x_range", default)
    parts = text.split(",")
    if len(parts) != 2:
        raise UserError("x_range", text, "two numbers, e.g. x_range=2025,2100")
    lo, hi = (_number("x_range", v) for v in parts)
    return lo, hi


def _plan_pathways(res: Any, args: _Args, out: Path, method: str) -> list[Path]:
    """Pathways from plans with in-run triggers (trigger times from the runs)."""
    from territoire_abm.experiments.analysis.plan_pathways import run_plan_pathways

    return run_plan_pathways(res, args, out)


#: Analysis methods: name → step(results, args, out folder, method) → files written.
METHODS: dict[str, Callable[[Any, _Args, Path, str], list[Path]]] = {
    "summary": _summary, **dict.fromkeys(SENSITIVITY, _sensitivity), "prim": _prim,
    "robustness": _robustness, "trajectories": _trajectories, "tipping": _tipping,
    "pathways": _pathways, "plan_pathways": _plan_pathways,
}


def _analyse(results_dir: str, args: _Args) -> list[Path]:
    """Open the results, pick the method's step, run it, refuse options it did not use."""
    from territoire_abm.experiments.analysis import load_results

    res = load_results(results_dir)
    method = args.get("method", required=True)
    if method == "all":
        return _analyse_all(results_dir, res, args)
    if method not in METHODS:
        raise UserError("method", method, f"allowed: {', '.join([*METHODS, 'all'])}"
                        f"{did_you_mean(method, [*METHODS, 'all'])}")
    args.get("seed"), args.get("policy")  # accepted by every method
    out = Path(args.get("out", str(Path(results_dir) / "analysis")))
    check_output_dir(out, "out", overwrite=True)  # analyses add their files beside others
    files = METHODS[method](res, args, out, method)
    args.check_unused()
    return files


def analyse_main(argv: list[str]) -> int:
    """``territoire-abm analyse <results_dir> method=... ...``."""
    if any(token in HELP_FLAGS for token in argv):
        print(ANALYSE_OPTIONS.help("territoire-abm analyse <results_dir> method=… "
                                   "[option=value …]"))
        return 0
    if not argv or "=" in argv[0]:
        _error(UserError("results_dir", None, "usage: analyse <results_dir> method=... "
                         "[outcome=...] [over_time=true]; see analyse --help"))
        return 2
    try:
        files = _analyse(argv[0], _Args.parse(argv[1:]))
    except UserError as exc:
        _error(exc)
        return exc.exit_code
    for f in files:
        print(f"wrote {f}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m territoire_abm.experiments [analyse ...] | [experiment=...]``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ("analyse", "analyze"):
        return analyse_main(argv[1:])
    return run_main(argv)
