"""Command-line entry points for experiments; the package's top-level CLI dispatches here.

Run::

    territoire-abm experiment=<name|path> [out=outputs/<name>] [resume=true]
        [scheduler=tcp://host:8786] [workers=2] [executor=serial|processes|dask]
        [batch_size=N] [progress=false] [retry_failed=true] [<config.key>=<value> ...]

Analyse::

    territoire-abm analyse <results_dir> method=<sobol|morris|fast|pawn|delta|prim|
        robustness|tipping|pathways|summary> [outcome=...] [over_time=true] ...

Also available as ``python -m territoire_abm.experiments ...``.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from territoire_abm.errors import UserError

__all__ = ["analyse_main", "main", "run_main"]

RUN_KEYS = ("experiment", "out", "resume", "scheduler", "workers", "executor", "batch_size",
            "progress", "retry_failed")
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


def _split(tokens: Sequence[str], field: str) -> list[tuple[str, str]]:
    pairs = []
    for tok in tokens:
        if "=" not in tok:
            raise UserError(field, tok, "expected key=value")
        key, _, value = tok.partition("=")
        pairs.append((key.strip(), value.strip()))
    return pairs


def _bool(key: str, value: str) -> bool:
    v = value.lower()
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    raise UserError(key, value, "expected true or false")


def _int(key: str, value: str, minimum: int = 1) -> int:
    try:
        n = int(value)
    except ValueError:
        raise UserError(key, value, f"expected an integer >= {minimum}") from None
    if n < minimum:
        raise UserError(key, value, f"expected an integer >= {minimum}")
    return n


def _float(key: str, value: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise UserError(key, value, "expected a number") from None


def _error(exc: BaseException) -> None:
    print(f"error: {exc}", file=sys.stderr)


def run_main(cfg_overrides: list[str]) -> int:
    """``territoire-abm experiment=<name> ...``: run or resume an experiment."""
    from territoire_abm.experiments.executors import ExecutorBroken
    from territoire_abm.experiments.runner import run_experiment
    from territoire_abm.experiments.spec import load_spec

    tokens = list(cfg_overrides)
    if tokens and "=" not in tokens[0]:
        tokens[0] = f"experiment={tokens[0]}"
    opts: dict[str, Any] = {}
    overrides: list[str] = []
    try:
        for key, value in _split(tokens, "argument"):
            if key in RUN_KEYS:
                opts[key] = value
            else:
                overrides.append(f"{key}={value}")
        if "experiment" not in opts:
            raise UserError("experiment", None, "give experiment=<name> (a folder under "
                            "experiments/) or experiment=<path/to/config.yaml>")
        spec = load_spec(opts["experiment"], overrides)
        out = Path(opts.get("out") or Path("outputs") / spec.name)
        kwargs: dict[str, Any] = {
            "resume": _bool("resume", opts.get("resume", "false")),
            "progress": _bool("progress", opts.get("progress", "true")),
            "retry_failed": _bool("retry_failed", opts.get("retry_failed", "false")),
            "scheduler": opts.get("scheduler") or None,
            "executor": opts.get("executor") or None,
        }
        if "workers" in opts:
            kwargs["workers"] = _int("workers", opts["workers"])
        if "batch_size" in opts:
            kwargs["batch_size"] = _int("batch_size", opts["batch_size"])
        print(f"{spec.name}: {spec.method} design, writing to {out}", file=sys.stderr)
        result = run_experiment(spec, out, **kwargs)
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
    print(f"{result.name}: {result.n_ok} runs ok, {result.n_failed} failed "
          f"({result.n_resumed} from before), {result.wall_s:.1f} s wall, "
          f"{result.compute_s:.1f} s compute, batches of {result.batch_size}, "
          f"executor {result.executor.get('kind')}×{result.executor.get('workers')}")
    if result.n_failed:
        print(f"failures recorded in {out / 'results' / 'failures'} (and manifest.json)")
    print(f"results: {out}")
    return 0


# -- analyse ---------------------------------------------------------------------------------

def _pairs_list(key: str, value: str) -> list[str]:
    return [v.strip() for v in value.replace(";", ",").split(",") if v.strip()]


def _mapping(key: str, value: str, cast: Callable[[str, str], Any]) -> dict[str, Any]:
    out = {}
    for item in _pairs_list(key, value):
        name, sep, v = item.rpartition(":")
        if not sep:
            raise UserError(key, value, "expected name:value pairs separated by commas")
        out[name] = cast(key, v)
    return out


def _sense(key: str, value: str) -> str:
    if value not in ("min", "max"):
        raise UserError(key, value, "allowed: min, max")
    return value


class _Args:
    """``key=value`` arguments with typed accessors that remember what was used."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self.values = dict(pairs)
        self.used: set[str] = set()

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


def _analyse(results_dir: str, args: _Args) -> list[Path]:
    from territoire_abm.experiments.analysis import load_results, plots

    files: list[Path] = []
    res = load_results(results_dir)
    method = args.get("method", required=True)
    if method == "all":
        # Every analysis listed under `analysis:` in the experiment's config.
        plan = res.manifest.get("config", {}).get("analysis") or []
        if not plan:
            raise UserError("method", "all", "the experiment config lists no analysis")
        out_all = args.get("out")
        args.check_unused()
        failed = 0
        for line in plan:
            extra = [f"out={out_all}"] if out_all else []
            print(f"== analyse {line}")
            try:
                files += _analyse(results_dir, _Args(_split([*shlex.split(str(line)), *extra],
                                                            "analysis")))
            except UserError as exc:  # report, and go on with the next analysis
                _error(exc)
                failed += 1
        if failed:
            for f in files:
                print(f"wrote {f}")
            raise UserError("method", "all", f"{failed} of {len(plan)} analyses failed (above)")
        return files
    out = Path(args.get("out", str(Path(results_dir) / "analysis")))
    seed = args.get("seed", 1, lambda k, v: _int(k, v, 1))
    policy = args.get("policy")

    if method == "summary":
        m = res.manifest
        print(f"{m['name']}: {m['design']['method']} design, {m['totals']['runs']} runs, "
              f"{m['totals']['ok']} ok, {m['totals']['failed']} failed, status {m['status']}")
        print(f"scalar outcomes: {', '.join(res.scalar_names())}")
        print(f"yearly indicators: {', '.join(res.series_names())}")
        print(f"policies: {', '.join(res.policies)}")
        args.check_unused()
        return files

    sa = {"sobol", "morris", "fast", "pawn", "delta"}
    if method in sa:
        from territoire_abm.experiments import analysis as an

        outcome = args.get("outcome", required=True)
        over_time = args.get("over_time", False, _bool)
        stem = f"{method}_{outcome}" + (f"_{policy}" if policy else "")
        if over_time:
            fn = getattr(an, f"{method}_over_time")
            table = fn(res, outcome, policy=policy, seed=seed)
            metric = {"sobol": "ST", "morris": "mu_star", "fast": "ST", "pawn": "median",
                      "delta": "delta"}[method]
            metric = args.get("metric", metric)
            files.append(_write(table.set_index(["year", "parameter"]), out, stem + "_over_time"))
            plots.plot_indices_over_time(table, metric, title=f"{method} {metric}: {outcome}",
                                         path=out / f"{stem}_over_time.png")
            files.append(out / f"{stem}_over_time.png")
            print(table.pivot(index="year", columns="parameter", values=metric)
                  .round(3).to_string())
        else:
            year = args.get("year", None, lambda k, v: _int(k, v, 0))
            fn = getattr(an, f"{method}_indices")
            result = fn(res, outcome, year=year, policy=policy, seed=seed)
            if method == "sobol":
                table = result.indices
                if result.second_order is not None:
                    files.append(_write(result.second_order, out, stem + "_S2"))
                    plots.plot_second_order(result.second_order, title=f"S2: {outcome}",
                                            path=out / f"{stem}_S2.png")
                    files.append(out / f"{stem}_S2.png")
                plots.plot_indices(table, ("S1", "ST"), title=f"Sobol: {outcome}",
                                   path=out / f"{stem}.png")
            elif method == "morris":
                table = result
                plots.plot_morris(table, title=f"Morris: {outcome}", path=out / f"{stem}.png")
            else:
                table = result
                metrics = {"fast": ("S1", "ST"), "pawn": ("median",),
                           "delta": ("delta", "S1")}[method]
                plots.plot_indices(table, metrics, title=f"{method}: {outcome}",
                                   path=out / f"{stem}.png")
            files += [_write(table, out, stem), out / f"{stem}.png"]
            print(table.round(4).to_string())
    elif method == "prim":
        from territoire_abm.experiments.analysis.prim import discover_scenarios

        outcome = args.get("outcome", required=True)
        threshold = args.get("threshold", required=True, cast=_float)
        direction = args.get("direction", "above")
        if direction not in ("above", "below"):
            raise UserError("direction", direction, "allowed: above, below")
        inputs = args.get("inputs", None, _pairs_list)
        disc = discover_scenarios(
            res, outcome, threshold, above=direction == "above",
            year=args.get("year", None, lambda k, v: _int(k, v, 0)), policy=policy,
            inputs=inputs, density=args.get("density", 0.8, _float),
            max_boxes=args.get("boxes", 1, _int))
        stem = f"prim_{outcome}"
        table = disc.boxes_table()
        files.append(_write(table, out, stem))
        plots.plot_prim(disc, path=out / f"{stem}.png")
        files.append(out / f"{stem}.png")
        print(f"{disc.label}: {disc.n_cases} of {disc.n} runs")
        for i, b in enumerate(disc.boxes, 1):
            print(f"box {i}: {b.describe()}  (coverage {b.coverage:.2f}, density "
                  f"{b.density:.2f}, mass {b.mass:.2f})")
    elif method == "robustness":
        from territoire_abm.experiments.analysis.robustness import robustness_table

        objectives = args.get("objectives", None, lambda k, v: _mapping(k, v, _sense))
        if objectives is None and "outcome" in args.values:
            objectives = {args.get("outcome"): args.get("sense", "min", _sense)}
        constraints = args.get("constraints", [], _pairs_list)
        table = robustness_table(res, objectives or {}, constraints,
                                 percentile=args.get("percentile", 90.0, _float),
                                 year=args.get("year", None, lambda k, v: _int(k, v, 0)))
        files.append(_write(table, out, "robustness"))
        plots.plot_robustness(table, path=out / "robustness.png")
        files.append(out / "robustness.png")
        print(table.round(4).to_string())
    elif method == "trajectories":
        indicator = args.get("indicator") or args.get("outcome", required=True)
        by = args.get("by", "policy")
        if by not in res.design.columns:
            raise UserError("by", by, f"design columns: {', '.join(res.design.columns)}")
        series = res.series(columns=[indicator])
        if indicator not in series.columns:
            raise UserError("indicator", indicator,
                            f"yearly indicators: {', '.join(res.series_names())}")
        groups = res.design.set_index("run_id")[by].astype(str)
        stem = f"trajectories_{indicator}_by_{by}"
        plots.plot_trajectories(series, indicator, groups, title=f"{indicator} by {by}",
                                path=out / f"{stem}.png")
        series = series.assign(group=series["run_id"].map(groups))
        table = series.groupby(["group", "year"])[indicator].describe(
            percentiles=[0.1, 0.5, 0.9])
        files += [_write(table, out, stem), out / f"{stem}.png"]
        print(table["50%"].unstack("group").round(3).to_string())
    elif method in ("tipping", "pathways"):
        from territoire_abm.experiments.analysis.tipping import tipping_points, tipping_summary

        indicator = args.get("indicator") or args.get("outcome", required=True)
        threshold = args.get("threshold", required=True, cast=_float)
        direction = args.get("direction", "above")
        if direction not in ("above", "below"):
            raise UserError("direction", direction, "allowed: above, below")
        x = args.get("x")
        points = tipping_points(res, indicator, threshold, above=direction == "above",
                                persistence=args.get("persistence", 1, _int), x=x)
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
        summary = tipping_summary(points, x=x or "year")
        files.append(_write(points.set_index("run_id"), out, f"tipping_{indicator}_runs"))
        files.append(_write(summary, out, f"tipping_{indicator}"))
        if method == "tipping":
            plots.plot_tipping(points, x or "year", title=f"tipping points: {indicator}",
                               path=out / f"tipping_{indicator}.png")
            files.append(out / f"tipping_{indicator}.png")
            print(summary.round(3).to_string())
        else:
            from territoire_abm.experiments.analysis.pathways import (
                actions_from_tipping,
                enumerate_pathways,
                pathway_table,
                plot_pathways,
            )

            lead = args.get("lead_times", {}, lambda k, v: _mapping(k, v, _float))
            actions = actions_from_tipping(summary, column=args.get("quantile", "q50"),
                                           lead_times=lead)
            start = args.get("start", res.policies[0])
            pathways = enumerate_pathways(actions, start=start,
                                          max_length=args.get("max_length", 3, _int))
            if x:
                xs = res.series(columns=[x])[x]
                default_range = f"{xs.min():.2f},{xs.max():.2f}"
            else:
                yrs = res.years()
                default_range = f"{yrs.min()},{yrs.max()}"
            lo, hi = (_float("x_range", v) for v in
                      args.get("x_range", default_range).split(","))
            signposts = args.get("signposts", [], lambda k, v: [s for s in v.split(";") if s])
            default_label = {"warming_c": "warming (°C, vs pre-industrial)"}.get(
                x or "year", (x or "year").replace("_", " "))
            plot_pathways(actions, pathways, x_range=(lo, hi),
                          x_label=args.get("x_label", default_label),
                          title=f"Adaptation pathways: {indicator} "
                                f"{'<=' if direction == 'above' else '>='} {threshold:g}",
                          signposts=signposts, path=out / f"pathways_{indicator}.png")
            table = pathway_table(actions, pathways, horizon=hi)
            files += [_write(table, out, f"pathways_{indicator}"),
                      out / f"pathways_{indicator}.png"]
            print(summary.round(3).to_string())
            print(table.to_string(index=False))
    elif method == "plan_pathways":  # pathways from plans with in-run triggers
        from territoire_abm.experiments.analysis.plan_pathways import run_plan_pathways

        files += run_plan_pathways(res, args, out)
    else:
        raise UserError("method", method, "allowed: sobol, morris, fast, pawn, delta, prim, "
                        "robustness, trajectories, tipping, pathways, plan_pathways, summary, "
                        "all")
    args.check_unused()
    return files


def analyse_main(argv: list[str]) -> int:
    """``territoire-abm analyse <results_dir> method=... ...``."""
    if not argv or "=" in argv[0]:
        _error(UserError("results_dir", None, "usage: analyse <results_dir> method=... "
                         "[outcome=...] [over_time=true]"))
        return 2
    try:
        files = _analyse(argv[0], _Args(_split(argv[1:], "argument")))
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
