"""The ``territoire-abm`` command.

    territoire-abm [key=value ...]                 run the default territory (Hydra overrides)
    territoire-abm -m key=a,b other=x,y            multirun over the product of the sweeps
    territoire-abm twin find|compare|report ...    climate twinning
    territoire-abm experiment=<name> [resume=true] sweeps and sensitivity analysis
    territoire-abm analyse <results> method=...    analysis of an experiment's results
    territoire-abm check [seeds=5] [csv=PATH]      model against published figures
    territoire-abm calibrate [samples=40] [out=DIR] history matching of unconfirmed parameters
    territoire-abm game [host=0.0.0.0] | explore   workshop game, model explorer (web)
    territoire-abm emulate <results> outcome=...   emulator of a sweep: what-ifs in ms

A user's mistake prints one line (field, value, what is allowed) and exits with code 2.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from territoire_abm.errors import UserError

USAGE = __doc__ or ""
CLI_KEYS = ("output_dir", "quiet", "seeds")


def main(argv: Sequence[str] | None = None) -> int:
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
    if args and args[0] in ("-h", "--help", "help"):
        print(USAGE)
        return 0
    if args and args[0] in ("game", "explore"):
        from territoire_abm.game import cli as game_cli

        return (game_cli.game_main if args[0] == "game" else game_cli.explore_main)(args[1:])
    if args and args[0] == "twin":
        from territoire_abm.twinning.cli import main as twin_main

        return twin_main(args[1:])
    if args and args[0] in ("check", "calibrate"):
        from territoire_abm.validation.cli import COMMANDS

        return COMMANDS[args[0]](args[1:])
    if args and args[0] in ("analyse", "analyze"):
        from territoire_abm.experiments.cli import analyse_main

        return analyse_main(args[1:])
    if args and args[0] == "emulate":
        from territoire_abm.experiments.emulator import main as emulate_main

        return emulate_main(args[1:])
    if any(arg.startswith("experiment=") for arg in args):
        from territoire_abm.experiments.cli import run_main

        return run_main(args)
    multirun = bool(args) and args[0] in ("-m", "--multirun")
    if multirun:
        args = args[1:]
    for arg in args:
        if arg.startswith("-"):
            raise UserError("argument", arg, "allowed: -m/--multirun, -h/--help, key=value")
        if "=" not in arg:
            raise UserError("argument", arg, "expected key=value (e.g. seed=3) or a subcommand "
                            "(twin, analyse)")
    return run_jobs(args, multirun)


def _split_cli_keys(args: list[str]) -> tuple[list[str], dict[str, str]]:
    overrides, options = [], {}
    for arg in args:
        key, _, value = arg.partition("=")
        if key in CLI_KEYS:
            options[key] = value
        else:
            overrides.append(arg)
    return overrides, options


def run_jobs(args: list[str], multirun: bool) -> int:
    """Validate every job first (nothing runs on a bad value), then run them in turn."""
    from territoire_abm.config.compose import expand_sweeps, load

    overrides, options = _split_cli_keys(args)
    jobs = expand_sweeps(overrides) if multirun else [overrides]
    if not multirun and len(expand_sweeps(overrides)) > 1:
        raise UserError("override", " ".join(overrides),
                        "comma-separated values need -m (multirun)")
    configs = [load(job) for job in jobs]
    stamp = datetime.now().strftime("%Y-%m-%d/%H-%M-%S")
    root = Path(options.get("output_dir") or (f"multirun/{stamp}" if multirun else
                                              f"outputs/{stamp}"))
    for number, (job, config) in enumerate(zip(jobs, configs, strict=True)):
        out_dir = root / str(number) if multirun else root
        if multirun:
            print(f"[{number + 1}/{len(jobs)}] {' '.join(job) or '(defaults)'}")
        run_one(config, out_dir, quiet=options.get("quiet", "false") == "true",
                extra_seeds=_extra_seeds(options.get("seeds")))
    return 0


def _extra_seeds(text: str | None) -> int | None:
    """``seeds=N``: weather seeds of the summary (the configured one and N − 1 more)."""
    if text is None:
        return None
    if not text.isdigit() or not 1 <= int(text) <= 64:
        raise UserError("seeds", int(text) if text.isdigit() else text,
                        "an integer 1–64 (weather seeds in the summary)")
    return int(text) - 1


def run_one(config, out_dir: Path, quiet: bool = False, extra_seeds: int | None = None) -> None:
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
    write_run(out_dir, model, {"build": built - started, "simulate": ran - built}, runs)
    print(summary_text(model, out_dir, ran - started, runs))


if __name__ == "__main__":
    raise SystemExit(main())
