"""The ``territoire-abm`` command.

    territoire-abm [key=value ...]                 run the default territory (Hydra overrides)
    territoire-abm -m key=a,b other=x,y            multirun over the product of the sweeps
    territoire-abm --cfg job [key=value ...]       print the composed config, run nothing
    territoire-abm twin find|compare|report ...    climate twinning
    territoire-abm experiment=<name> [resume=true] sweeps and sensitivity analysis
    territoire-abm analyse <results> method=...    analysis of an experiment's (or multirun's)
                                                   results
    territoire-abm check [seeds=5] [csv=PATH]      model against published figures
    territoire-abm calibrate [samples=40] [out=DIR] history matching of unconfirmed parameters
    territoire-abm game [host=0.0.0.0] | explore   workshop game, model explorer (web)
    territoire-abm emulate <results> outcome=...   emulator of a sweep: what-ifs in ms

Options of a run (not model parameters): output_dir=PATH, overwrite=true (replace the files
of an earlier run there), quiet=true (no progress bar, no summary), seeds=N (weather seeds
of the summary), lang=en|fr (language of the summary and of trajectories.png; default en).

A user's mistake prints one line (field, value, what is allowed) and exits with code 2.
"""

from __future__ import annotations

import importlib
import logging
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from territoire_abm.cli_options import HELP_FLAGS, Option, OptionTable, check_output_dir
from territoire_abm.errors import UserError

USAGE = __doc__ or ""

#: Subcommands: the first word → ``"module:function"``; the function takes the remaining
#: arguments (a list of str) and returns the exit code. Register a new command with one line
#: here; its module is imported only when the command is used.
SUBCOMMANDS: dict[str, str] = {
    "twin": "territoire_abm.twinning.cli:main",
    "analyse": "territoire_abm.experiments.cli:analyse_main",
    "analyze": "territoire_abm.experiments.cli:analyse_main",
    "experiment": "territoire_abm.experiments.cli:run_main",
    "check": "territoire_abm.validation.cli:check_main",
    "calibrate": "territoire_abm.validation.cli:calibrate_main",
    "game": "territoire_abm.game.cli:game_main",
    "explore": "territoire_abm.game.cli:explore_main",
    "emulate": "territoire_abm.experiments.emulator:main",
}

#: Options of a model run that are not model parameters.
RUN_OPTIONS = OptionTable([
    Option("output_dir", "str", help="folder for the run's files (default outputs/<date>/<time>)"),
    Option("overwrite", "bool", False, "replace the files of an earlier run in output_dir"),
    Option("quiet", "bool", False, "no progress bar and no summary"),
    Option("seeds", "int", help="weather seeds of the summary (the configured one and N − 1 "
           "more)", low=1, high=64),
    Option("lang", "str", "en", "language of the summary and of trajectories.png",
           choices=("en", "fr")),
])


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: dispatch, and turn a :class:`UserError` into one line and exit code 2."""
    args = list(sys.argv[1:] if argv is None else argv)
    logging.getLogger("MESA").setLevel(logging.WARNING)
    try:
        return _dispatch(args)
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _dispatch(args: list[str]) -> int:
    if args and args[0] in HELP_FLAGS:
        print(USAGE)
        return 0
    if args and args[0] in SUBCOMMANDS:
        return _command(SUBCOMMANDS[args[0]])(args[1:])
    if any(arg.startswith("experiment=") for arg in args):
        return _command(SUBCOMMANDS["experiment"])(args)
    return run_jobs(args)


def _command(target: str) -> Callable[[list[str]], int]:
    module, _, function = target.partition(":")
    return getattr(importlib.import_module(module), function)


@dataclass
class RunRequest:
    """A parsed command line of a model run."""

    overrides: list[str]
    multirun: bool = False
    print_config: bool = False
    output_dir: str | None = None
    overwrite: bool = False
    quiet: bool = False
    seeds: int | None = None
    lang: str = "en"


def parse_run(args: Sequence[str]) -> RunRequest:
    """Flags (``-m``, ``--cfg job``), run options and Hydra overrides, in any order."""
    request = RunRequest(overrides=[])
    tokens = iter(args)
    options: list[str] = []
    for arg in tokens:
        if arg in ("-m", "--multirun"):
            request.multirun = True
        elif arg in ("-c", "--cfg"):
            kind = next(tokens, "")
            if kind != "job":
                raise UserError("--cfg", kind, "allowed: job (prints the composed config)")
            request.print_config = True
        elif arg.startswith("-"):
            raise UserError("argument", arg, "allowed: -m/--multirun, --cfg job, -h/--help, "
                            "key=value")
        elif "=" not in arg:
            raise UserError("argument", arg, "expected key=value (e.g. seed=3) or a subcommand "
                            f"({', '.join(SUBCOMMANDS)})")
        elif arg.partition("=")[0] in RUN_OPTIONS.options:
            options.append(arg)
        else:
            request.overrides.append(arg)
    for key, value in RUN_OPTIONS.parse(options).items():
        setattr(request, key, value)
    return request


def run_jobs(args: Sequence[str]) -> int:
    """Validate every job first (nothing runs on a bad value), then run them in turn."""
    from territoire_abm.config.compose import expand_sweeps, load

    request = parse_run(args)
    jobs = expand_sweeps(request.overrides)
    if not request.multirun and len(jobs) > 1:
        raise UserError("override", " ".join(request.overrides),
                        "comma-separated values need -m (multirun)")
    configs = [load(job, extra_keys=RUN_OPTIONS.names) for job in jobs]
    if request.print_config:
        return _print_configs(jobs, configs)
    root = _output_root(request)
    _warn_past_horizon(configs)
    if request.multirun:
        from territoire_abm.multirun import run_multirun

        run_multirun(jobs, configs, root, request.overrides, quiet=request.quiet,
                     extra_seeds=_extra_seeds(request.seeds), lang=request.lang)
    else:
        run_one(configs[0], root, quiet=request.quiet, extra_seeds=_extra_seeds(request.seeds),
                lang=request.lang)
    return 0


def _output_root(request: RunRequest) -> Path:
    if request.output_dir is not None and not request.output_dir.strip():
        raise UserError("output_dir", request.output_dir, "a folder path; leave output_dir "
                        "out for outputs/<date>/<time>")
    if request.output_dir:
        return check_output_dir(request.output_dir, "output_dir", overwrite=request.overwrite)
    stamp = datetime.now().strftime("%Y-%m-%d/%H-%M-%S")
    root = Path(f"multirun/{stamp}" if request.multirun else f"outputs/{stamp}")
    suffix = 1
    while root.exists():  # two runs in the same second: never mix their files
        suffix += 1
        root = root.with_name(f"{root.name.split('_')[0]}_{suffix}")
    return check_output_dir(root, "output_dir", overwrite=False)


def _print_configs(jobs: list[list[str]], configs: list) -> int:
    import yaml

    from territoire_abm.config.validate import to_dict

    for number, (job, config) in enumerate(zip(jobs, configs, strict=True)):
        if len(jobs) > 1:
            print(f"# job {number}: {' '.join(job) or '(defaults)'}")
        print(yaml.safe_dump(to_dict(config), sort_keys=False, allow_unicode=True), end="")
    return 0


def _warn_past_horizon(configs: list) -> None:
    """Scenarios end in 2100: say so when a run goes further (warming is held flat)."""
    from territoire_abm.climate.scenarios import HORIZON_YEAR, get_scenario

    for config in configs:
        if config.until > HORIZON_YEAR:
            level = get_scenario(config.scenario.name).warming_at(HORIZON_YEAR)
            print(f"warning: until: {config.until} is past {HORIZON_YEAR}, where the "
                  f"{config.scenario.name} trajectory ends; warming is held at its "
                  f"{HORIZON_YEAR} value ({level:.2f} °C) after {HORIZON_YEAR}",
                  file=sys.stderr)
            return


def _extra_seeds(seeds: int | None) -> int | None:
    """``seeds=N``: weather seeds of the summary (the configured one and N − 1 more)."""
    return None if seeds is None else seeds - 1


def run_one(config, out_dir: Path, quiet: bool = False, extra_seeds: int | None = None,
            lang: str = "en"):
    """Simulate one config and write its files to ``out_dir`` (summary and figure in
    ``lang``); return the model."""
    from tqdm import tqdm

    from territoire_abm.outputs import summary_text, write_run
    from territoire_abm.seed_runs import DEFAULT_EXTRA_SEEDS, SeedRuns
    from territoire_abm.territory.model import TerritoryModel

    started = time.perf_counter()
    others = SeedRuns(config, DEFAULT_EXTRA_SEEDS if extra_seeds is None else extra_seeds)
    others.start()  # before any thread exists: workers are forked
    model = TerritoryModel(config)
    built = time.perf_counter()
    years = config.until - config.start + 1
    with tqdm(total=years, desc=f"{config.territory.name} {config.scenario.name}",
              unit="yr", disable=quiet, leave=False) as bar:
        model.simulate_until(config.until, progress=bar)
    runs = others.results()
    ran = time.perf_counter()
    write_run(out_dir, model, {"build": built - started, "simulate": ran - built}, runs,
              lang=lang)
    if not quiet:
        print(summary_text(model, out_dir, ran - started, runs, lang=lang))
    return model


if __name__ == "__main__":
    raise SystemExit(main())
