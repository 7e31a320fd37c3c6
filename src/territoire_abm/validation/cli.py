"""``territoire-abm check [seeds=5] [until=YEAR] [csv=PATH] [workers=N] [key=value ...]``.

Runs the default territory (with any dotted parameter overrides) over ``seeds`` seeds and
prints each grounding-table figure next to the model's mean ± spread, the ratio and a flag
when the model is outside the published range. Exit code 0: flags are information.
"""

from __future__ import annotations

from pathlib import Path

from territoire_abm.cli_options import HELP_FLAGS, check_output_file
from territoire_abm.errors import UserError

OPTIONS = ("seeds", "until", "csv", "workers", "executor", "scheduler")


def split_args(args: list[str], options: tuple[str, ...], *, example: str,
               overrides: dict[str, object] | None = None,
               ) -> tuple[dict[str, str], dict[str, object]]:
    """Split ``key=value`` arguments into the command's ``options`` (text, by key) and dotted
    model overrides (read as YAML, like Hydra: ``80`` → 80) laid over ``overrides``; the
    shared front of ``check`` and ``calibrate``. ``example`` shows a right argument."""
    chosen, model = {}, dict(overrides or {})
    for arg in args:
        key, sep, value = arg.partition("=")
        if not sep or not key:
            raise UserError("argument", arg, f"expected key=value, e.g. {example}")
        if key in options:
            chosen[key] = value
        else:
            model[key] = _value(value)
    return chosen, model


def _value(text: str) -> object:
    """A command-line value as YAML reads it (``80`` → 80, ``true`` → True), like Hydra."""
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def int_option(options: dict[str, str], key: str, default: int | None, *,
               minimum: int = 1) -> int | None:
    """Option ``key`` as an integer >= ``minimum`` (``default`` when absent); anything else
    is a one-line error naming the option."""
    if key not in options:
        return default
    try:
        value = int(options[key])
    except ValueError:
        value = minimum - 1
    if value < minimum:
        raise UserError(key, options[key], f"expected an integer >= {minimum}")
    return value


def positive_int(options: dict[str, str], key: str, default: int | None) -> int | None:
    """Option ``key`` as an integer >= 1 (``default`` when absent)."""
    return int_option(options, key, default)


def check_main(args: list[str]) -> int:
    """``territoire-abm check``: run the default territory (with the overrides) over
    ``seeds`` seeds, print each grounding figure beside the model's, write ``csv`` if asked."""
    from territoire_abm.run import build_config
    from territoire_abm.validation.check import format_table, run_check

    if HELP_FLAGS & set(args):
        print(__doc__.strip())
        return 0
    options, overrides = split_args(args, OPTIONS, example="seeds=5 csv=check.csv")
    if "csv" in options:  # an unwritable path stops here, before any run
        check_output_file(options["csv"], "csv")
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
    """``territoire-abm calibrate``: see :mod:`territoire_abm.calibration.cli`."""
    from territoire_abm.calibration.cli import main as calibrate

    return calibrate(args)


COMMANDS = {"check": check_main, "calibrate": calibrate_main}
