"""``territoire-abm check [seeds=5] [until=YEAR] [csv=PATH] [workers=N] [key=value ...]``.

Runs the default territory (with any dotted parameter overrides) over ``seeds`` seeds and
prints each grounding-table figure next to the model's mean ± spread, the ratio and a flag
when the model is outside the published range. Exit code 0: flags are information.
"""

from __future__ import annotations

from pathlib import Path

from territoire_abm.errors import UserError

OPTIONS = ("seeds", "until", "csv", "workers", "executor", "scheduler")


def parse_args(args: list[str]) -> tuple[dict[str, str], dict[str, object]]:
    """Split ``key=value`` arguments into command options and model overrides."""
    options, overrides = {}, {}
    for arg in args:
        key, sep, value = arg.partition("=")
        if not sep or not key:
            raise UserError("argument", arg, "expected key=value, e.g. seeds=5 csv=check.csv")
        if key in OPTIONS:
            options[key] = value
        else:
            overrides[key] = _value(value)
    return options, overrides


def _value(text: str) -> object:
    """A command-line value as YAML reads it (``80`` → 80, ``true`` → True), like Hydra."""
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def positive_int(options: dict[str, str], key: str, default: int | None) -> int | None:
    if key not in options:
        return default
    try:
        value = int(options[key])
    except ValueError:
        value = 0
    if value < 1:
        raise UserError(key, options[key], "expected an integer >= 1")
    return value


def check_main(args: list[str]) -> int:
    from territoire_abm.run import build_config
    from territoire_abm.validation.check import format_table, run_check

    options, overrides = parse_args(args)
    seeds = positive_int(options, "seeds", 5)
    until = positive_int(options, "until", None)
    build_config(overrides)  # a bad override stops here, before any run
    result = run_check(overrides, seeds=range(seeds), until=until,
                       workers=positive_int(options, "workers", None),
                       executor=options.get("executor"), scheduler=options.get("scheduler"))
    print(format_table(result))
    if "csv" in options:
        path = Path(options["csv"])
        path.parent.mkdir(parents=True, exist_ok=True)
        result.to_csv(path, index=False)
        print(f"wrote {path}")
    return 0



def calibrate_main(args: list[str]) -> int:
    from territoire_abm.calibration.cli import main as calibrate

    return calibrate(args)


COMMANDS = {"check": check_main, "calibrate": calibrate_main}
