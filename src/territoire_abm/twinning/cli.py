"""``territoire-abm twin …``: find a climate twin, compare, write the deliverables.

Usage::

    territoire-abm twin find commune=Carbonne horizon=2050 scenario=tracc
    territoire-abm twin find commune=Carbonne warming_level=4.0 variables=seasonal
    territoire-abm twin find commune=Muret lat=43.46 lon=1.33 altitude=170 population=25000
    territoire-abm twin find commune=Toulouse warming_level=4.0      (any commune, or INSEE code)
    territoire-abm twin find departement=31 warming_level=4.0        (every commune: table + map)
    territoire-abm twin import-normals MENSQ_59_previous-1950-2024.csv.gz out=mf.csv
    territoire-abm twin find commune=Lille normals=mf.csv            (with Météo-France normals)
    territoire-abm twin compare target=Carbonne twin="Fuente Obejuna" horizon=2050
    territoire-abm twin report target=Carbonne twin="Fuente Obejuna" results=<compare folder>

Arguments are ``key=value``; a value with spaces may be quoted or not
(``twin=Fuente Obejuna`` works). Bad input prints one line ``error: …`` and returns 2.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import pandas as pd

from territoire_abm.cli_options import (
    HELP_FLAGS,
    Option,
    OptionTable,
    check_output_dir,
    did_you_mean,
)
from territoire_abm.climate import scenarios
from territoire_abm.climate.normals import (
    PlaceNormals,
    find_place,
    haversine_km,
    load_places,
)
from territoire_abm.errors import UserError
from territoire_abm.twinning.candidates import CandidateSet
from territoire_abm.twinning.ranking import (
    DEFAULT_HORIZON,
    DEFAULT_NOVELTY_SIGMA,
    DEFAULT_PHYSICAL_WEIGHT,
    TwinRanking,
    find_twins,
)

USAGE = __doc__ or ""
COMMANDS = ("find", "compare", "report", "import-normals")
#: Rows and files of the ranking that ``find`` prints and writes.
DEFAULT_TOP = 10
#: Horizons a twin is sought for: from the model's first year to the scenarios' end.
HORIZON_RANGE = (2025, scenarios.HORIZON_YEAR)

_PLACE = [
    Option("lat", "float", help="latitude of a commune not in the data (°N)", low=-90, high=90),
    Option("lon", "float", help="longitude (°E)", low=-180, high=180),
    Option("altitude", "float", help="altitude (m)", low=-500, high=9000),
    Option("population", "float", help="inhabitants", low=0),
    Option("rurality", "str", help="rural or urban", choices=("rural", "urban")),
    Option("country", "str", help="ISO country code"),
]
_CLIMATE = [
    Option("horizon", "int", DEFAULT_HORIZON, "year of the future climate", *HORIZON_RANGE),
    Option("warming_level", "float", help="warming level (°C vs pre-industrial), instead of a "
           "horizon", low=0, high=10),
    Option("scenario", "str", "tracc", "warming trajectory", choices=scenarios.SCENARIO_NAMES),
    Option("variables", "str", "ministry4", "climate variables compared"),
    Option("metric", "str", "seuclidean", "distance (seuclidean, mahalanobis, …)"),
    Option("candidates", "str", help="CSV/NetCDF of candidate places (default: shipped data)"),
    Option("out", "str", help="output folder (default outputs/twin/<time>)"),
    Option("overwrite", "bool", False, "replace the files already in out"),
]
_SIMULATION = [
    Option("seed", "int", 1, "seed of the simulation", low=0),
    Option("until", "int", help="last simulated year (default horizon + 10, ≥ 2060)",
           low=2026, high=scenarios.HORIZON_YEAR),
    Option("exchange", "float", help="twinning exchange intensity", low=0, high=1),
    Option("households", "int", help="cap both populations for a quick look", low=1),
]
FIND_OPTIONS = OptionTable([
    Option("commune", "str", help="the commune, e.g. Carbonne"), *_CLIMATE, *_PLACE,
    Option("weights", "str", help="feature weights, e.g. tmean:1,tmin_jan:2"),
    Option("top", "int", DEFAULT_TOP, "rows printed and written", low=1),
    Option("physical_weight", "float", DEFAULT_PHYSICAL_WEIGHT, "weight of physical "
           "similarity (sigma)", low=0, high=1),
    Option("threshold", "float", DEFAULT_NOVELTY_SIGMA, "good-twin threshold (sigma)", low=0),
    Option("scales", "str", "interannual", "scaling of the features"),
    Option("departement", "str", help="département code: pick among communes of one name, "
           "or alone rank every commune of the département"),
    Option("normals", "str", help="station normals CSV (from twin import-normals)"),
], join_words=True)
COMPARE_OPTIONS = OptionTable([
    Option("target", "str", help="the commune"), Option("twin", "str", help="its twin"),
    *_CLIMATE, *_SIMULATION, Option("years", "str", help="years compared"),
], join_words=True)
REPORT_OPTIONS = OptionTable([
    Option("target", "str", help="the commune"), Option("twin", "str", help="its twin"),
    *_CLIMATE, *_SIMULATION,
    Option("results", "str", help="a compare folder (skips the simulation)"),
    Option("target_results", "str", help="the target's indicators CSV"),
    Option("twin_results", "str", help="the twin's indicators CSV"),
    Option("catalogue", "str", help="CSV of measures (measure_id column)"),
    Option("top", "int", DEFAULT_TOP, "rows of the ranking", low=1),
    Option("simulate", "bool", True, "simulate both territories when no results are given"),
    Option("lang", "str", "fr", "language of the report, poster and book",
           choices=("fr", "en")),
], join_words=True)




IMPORT_OPTIONS = OptionTable([
    Option("out", "str", "normals_meteofrance.csv", "CSV written"),
    Option("period", "str", help="normals period, e.g. 1991-2020"),
    Option("min_years", "int", help="fewest years per month kept", low=1),
])


# --------------------------------------------------------------------------- engine hook


def run_compare(
    target: PlaceNormals,
    twin: PlaceNormals,
    *,
    scenario: str,
    horizon: int | None,
    warming_level: float | None,
    seed: int,
    options: dict[str, Any],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Simulate both territories side by side; return their per-year indicator tables.

    A region of two territories linked both ways by twinning (knowledge exchange with
    intensity ``exchange=``, default 0.5), each under its own climate and the same
    ``scenario``, from 2025 to ``until=`` (default: the horizon + 10 years, at least 2060;
    2100 for a warming level). ``households=`` caps both populations for a quick look.
    """
    from territoire_abm.twinning.simulate import DEFAULT_EXCHANGE, run_pair

    for field, place in (("target", target), ("twin", twin)):
        _check_simulable(field, place)
    if "until" in options:
        until = options.get("until")
    elif warming_level is not None or horizon is None:
        until = 2100
    else:
        until = min(2100, max(2060, horizon + 10))
    exchange = options.get("exchange", DEFAULT_EXCHANGE)
    if not 0.0 <= exchange <= 1.0:
        raise UserError("exchange", exchange, "a share in [0, 1]")
    overrides = {}
    if "households" in options:
        overrides["territory.households"] = options.get("households")
    return run_pair(target, twin, scenario=scenario, seed=seed, until=until,
                    exchange=exchange, overrides=overrides)


def _check_simulable(field: str, place: PlaceNormals) -> None:
    """The weather generator needs 12 monthly minimum, maximum and precipitation values; a
    candidate ranked on annual or gridded figures only cannot be simulated."""
    missing = [name for name, values in (("tmin", place.tmin_c), ("tmax", place.tmax_c),
                                         ("precipitation", place.precip_mm))
               if not np.all(np.isfinite(np.asarray(values, dtype=float)))]
    if missing:
        raise UserError(field, place.name, f"no monthly {', '.join(missing)} normals to "
                        "simulate it (its figures are annual or partial); choose a place with "
                        "monthly normals, or run twin report … simulate=false for a "
                        "climate-only report")


# --------------------------------------------------------------------------- parsing


def _scenario(args: dict[str, Any]) -> tuple[str, int | None, float | None]:
    scenario = args.get("scenario", "tracc")
    horizon, level = args.get("horizon"), args.get("warming_level")
    if horizon is not None and level is not None:
        raise UserError("warming_level", args["warming_level"],
                        "give either horizon= or warming_level=, not both")
    if horizon is None and level is None:
        horizon = DEFAULT_HORIZON
    return scenario, horizon, level


def _out_dir(args: dict[str, Any]) -> Path:
    """The output folder, checked writable (and not holding files unless overwrite=true)
    before any work."""
    if args.get("out"):
        return check_output_dir(args["out"], "out", overwrite=args.get("overwrite", False))
    base = Path("outputs") / "twin" / datetime.now().strftime("%Y%m%d-%H%M%S")
    out, k = base, 1
    while out.exists():
        k += 1
        out = base.with_name(f"{base.name}-{k}")
    return out


def _candidates(args: dict[str, Any]) -> CandidateSet | None:
    if args.get("normals") and not args.get("candidates"):
        return CandidateSet.from_places(_places(args), origin="shipped data + normals")
    if not args.get("candidates"):
        return None
    from territoire_abm.twinning.loaders import load_candidates

    return load_candidates(args["candidates"])


def _places(args: dict[str, Any]) -> list[PlaceNormals]:
    """Shipped places plus the stations of ``normals=`` (built by ``twin import-normals``):
    the pool communes are estimated from."""
    shipped = load_places()
    if not args.get("normals"):
        return shipped
    from territoire_abm.twinning.loaders import read_normals_csv

    key = args["normals"]
    if key not in _PLACES_CACHE:
        _PLACES_CACHE.clear()
        _PLACES_CACHE[key] = [*shipped, *read_normals_csv(key, kind="station")]
    return _PLACES_CACHE[key]


_PLACES_CACHE: dict[str, list[PlaceNormals]] = {}


def _resolve_place(
    name: str, args: dict[str, Any], field: str, candidates: CandidateSet | None,
    allow_estimate: bool = True,
) -> PlaceNormals:
    """A place by name: user's file, shipped data, lat/lon estimate, then any French commune
    (gazetteer; see :mod:`territoire_abm.twinning.targets`)."""
    from territoire_abm.twinning.targets import resolve_target

    has_position = allow_estimate and "lat" in args and "lon" in args
    rurality = args.get("rurality") or None
    if rurality is not None and rurality not in ("rural", "urban"):
        raise UserError("rurality", rurality, "rural or urban")
    if has_position and candidates is not None and set(candidates.kinds) == {"grid"} \
            and candidates.index_of(name) is None:
        altitude = args.get("altitude")
        if altitude is None:
            raise UserError("altitude", "missing", "the commune's altitude in m, to correct "
                            "the stations' temperatures (lapse rate)")
        return _from_grid(name, args.get("lat"), args.get("lon"), altitude,
                          args.get("population"), rurality, candidates,
                          args.get("country", ""))
    position = (args.get("lat"), args.get("lon"), args.get("altitude")) \
        if has_position else None
    return resolve_target(
        name, field=field, places=_places(args), candidates=candidates,
        departement=args.get("departement") or None, position=position,
        population=args.get("population"), rurality=rurality,
        country=args.get("country", ""),
    )


def _from_grid(name: str, lat: float, lon: float, altitude: float, population: float | None,
               rurality: str | None, grid: CandidateSet, country: str) -> PlaceNormals:
    """The target from the nearest cell of a user's gridded climatology."""
    d = haversine_km(lat, lon, grid.lat, grid.lon)
    i = int(d.argmin())
    if d[i] > 50.0:
        raise UserError("lat/lon", f"{lat},{lon}", "within 50 km of a cell of the candidates grid")
    cell = grid.place(i)
    note = f"from grid cell {cell.name} ({d[i]:.0f} km)"
    shift = 0.0
    if math.isfinite(cell.altitude_m):
        shift = -6.5 * (altitude - cell.altitude_m) / 1000.0
        note += f", lapse-rate corrected {shift:+.2f} °C"
    pop = float(population) if population is not None else math.nan
    return cell.replace(
        name=name, lat=lat, lon=lon, altitude_m=altitude, population=pop, rurality=rurality,
        country=country.upper(), tmin_c=cell.tmin_c + shift, tmax_c=cell.tmax_c + shift,
        tmean_c=cell.tmean_c + shift, estimated=bool(shift or d[i] > 1.0),
        notes=f"estimated {note}" if (shift or d[i] > 1.0) else note, kind="grid",
    )


# --------------------------------------------------------------------------- commands


def _find(args: dict[str, Any], stdout: TextIO) -> int:
    out = _out_dir(args)
    if args.get("departement") and not args.get("commune"):
        return _find_departement(args, out, stdout)
    candidates = _candidates(args)
    target = _resolve_place(args.get("commune", ""), args, "commune", candidates)
    scenario, horizon, level = _scenario(args)
    top = args.get("top", DEFAULT_TOP)
    ranking = find_twins(
        target, candidates, scenario=scenario, horizon=horizon, warming_level=level,
        variables=args.get("variables", "ministry4"), metric=args.get("metric", "seuclidean"),
        weights=args.get("weights"),
        physical_weight=args.get("physical_weight", DEFAULT_PHYSICAL_WEIGHT),
        novelty_threshold=args.get("threshold", DEFAULT_NOVELTY_SIGMA),
        top=top, scales=args.get("scales", "interannual"),
    )
    paths = ranking.write(out)
    print(ranking.to_text(), file=stdout)
    print(f"\nwrote {', '.join(str(p) for p in paths.values())}", file=stdout)
    return 0


def _find_departement(args: dict[str, Any], out: Path, stdout: TextIO) -> int:
    """``twin find departement=31``: every commune's best twins, a table and a map."""
    from territoire_abm.twinning.departement import rank_departement

    scenario, horizon, level = _scenario(args)
    result = rank_departement(
        args["departement"], _candidates(args), places=_places(args), scenario=scenario,
        horizon=horizon,
        warming_level=level, variables=args.get("variables", "ministry4"),
        metric=args.get("metric", "seuclidean"), weights=args.get("weights"),
        physical_weight=args.get("physical_weight", DEFAULT_PHYSICAL_WEIGHT),
        novelty_threshold=args.get("threshold", DEFAULT_NOVELTY_SIGMA),
    )
    paths = result.write(out)
    print(result.to_text(top=args.get("top", DEFAULT_TOP)), file=stdout)
    print(f"\nwrote {', '.join(str(p) for p in paths.values())}", file=stdout)
    return 0


def _import_normals(tokens: list[str], stdout: TextIO) -> int:
    """``twin import-normals <MENSQ files> [out=…] [period=1991-2020] [min_years=24]``."""
    from territoire_abm.twinning.import_normals import (
        DEFAULT_MIN_YEARS,
        DEFAULT_PERIOD,
        import_normals,
    )

    files = [t for t in tokens if "=" not in t]
    args = IMPORT_OPTIONS.parse([t for t in tokens if "=" in t])
    path, n = import_normals(
        files, args.get("out") or "normals_meteofrance.csv",
        period=args.get("period", DEFAULT_PERIOD),
        min_years=args.get("min_years", DEFAULT_MIN_YEARS))
    print(f"wrote {path} ({n} stations); use it with: territoire-abm twin find "
          f"commune=<name> normals={path}", file=stdout)
    return 0


def _ranking_for(target: PlaceNormals, twin: PlaceNormals, args: dict[str, Any],
                 candidates: CandidateSet | None) -> TwinRanking:
    scenario, horizon, level = _scenario(args)
    pool = candidates
    if pool is None:
        shipped = load_places()
        if find_place(twin.name, shipped) is None:
            shipped = [*shipped, twin]
        pool = CandidateSet.from_places(shipped, origin="shipped data")
    elif pool.index_of(twin.name) is None:
        twin_set = CandidateSet.from_places([twin])
        pool = CandidateSet.from_places(
            [pool.place(i) for i in range(len(pool))] + [twin], origin=pool.origin
        ) if len(pool) < 50_000 else twin_set
    return find_twins(target, pool, scenario=scenario, horizon=horizon, warming_level=level,
                      variables=args.get("variables", "ministry4"),
                      metric=args.get("metric", "seuclidean"),
                      top=args.get("top", DEFAULT_TOP))


def _places_pair(args: dict[str, Any], candidates: CandidateSet | None
                 ) -> tuple[PlaceNormals, PlaceNormals]:
    target = _resolve_place(args.get("target", ""), args, "target", candidates)
    twin = _resolve_place(args.get("twin", ""), {}, "twin", candidates, allow_estimate=False)
    return target, twin


def _compare(args: dict[str, Any], stdout: TextIO) -> int:
    from territoire_abm.twinning.comparison import compare_territories

    out = _out_dir(args)
    candidates = _candidates(args)
    target, twin = _places_pair(args, candidates)
    scenario, horizon, level = _scenario(args)
    ranking = _ranking_for(target, twin, args, candidates)
    target_result, twin_result = run_compare(
        target, twin, scenario=scenario, horizon=horizon, warming_level=level,
        seed=args.get("seed", 1), options=dict(args),
    )
    comparison = compare_territories(target_result, twin_result, target, twin, ranking=ranking)
    paths = comparison.write(out)
    for t in comparison.themes:
        print(f"{t.theme.title}:", file=stdout)
        for line in t.summary or ["(no indicator)"]:
            print(f"  {line}", file=stdout)
    print(f"\nwrote {', '.join(str(p) for p in paths.values())}", file=stdout)
    return 0


def _report(args: dict[str, Any], stdout: TextIO) -> int:
    from territoire_abm.twinning.book import write_book
    from territoire_abm.twinning.comparison import compare_territories, read_result_csv
    from territoire_abm.twinning.poster import write_poster
    from territoire_abm.twinning.report import write_report

    out = _out_dir(args)
    candidates = _candidates(args)
    target, twin = _places_pair(args, candidates)
    ranking = _ranking_for(target, twin, args, candidates)
    target_res = twin_res = None
    if args.get("results"):
        folder = Path(args["results"])
        target_res = read_result_csv(folder / "target_indicators.csv", "results")
        twin_res = read_result_csv(folder / "twin_indicators.csv", "results")
    if args.get("target_results"):
        target_res = read_result_csv(args["target_results"], "target_results")
    if args.get("twin_results"):
        twin_res = read_result_csv(args["twin_results"], "twin_results")
    if target_res is None and twin_res is None and args.get("simulate", True):
        scenario, horizon, level = _scenario(args)
        print("simulating both territories side by side (simulate=false for a climate-only "
              "report)…", file=stdout)
        target_res, twin_res = run_compare(
            target, twin, scenario=scenario, horizon=horizon, warming_level=level,
            seed=args.get("seed", 1), options=dict(args))
    catalogue = None
    if args.get("catalogue"):
        path = Path(args["catalogue"])
        if not path.is_file():
            raise UserError("catalogue", str(path), "a CSV with a measure_id column")
        catalogue = pd.read_csv(path)
        if "measure_id" not in catalogue.columns:
            raise UserError("catalogue", "measure_id", "a column named measure_id")
    comparison = compare_territories(target_res, twin_res, target, twin, ranking=ranking)
    lang = args.get("lang", "fr")
    written = [write_report(comparison, out, catalogue, lang)]
    written += list(write_poster(comparison, out, catalogue, lang).values())
    written += list(write_book(comparison, out, catalogue, lang).values())
    written += list(comparison.write(out).values())
    sigma = comparison.twin_sigma()
    print(f"{target.label} ↔ {twin.label} ({ranking.horizon_label})"
          + (f": sigma {sigma:.2f}" if sigma is not None else ""), file=stdout)
    for note in comparison.notes:
        print(f"  - {note}", file=stdout)
    print(f"wrote {', '.join(str(p) for p in written)}", file=stdout)
    return 0


_COMMANDS: dict[str, tuple[OptionTable, Callable[[dict[str, Any], TextIO], int]]] = {
    "find": (FIND_OPTIONS, _find),
    "compare": (COMPARE_OPTIONS, _compare),
    "report": (REPORT_OPTIONS, _report),
}


def main(argv: list[str] | None = None, *, stdout: TextIO | None = None,
         stderr: TextIO | None = None) -> int:
    """Run ``twin <command> key=value …``; return the exit code (0 ok, 2 user error)."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    tokens = list(sys.argv[1:] if argv is None else argv)
    if tokens and tokens[0] == "twin":
        tokens = tokens[1:]
    if not tokens or tokens[0] in HELP_FLAGS:
        print(USAGE.strip(), file=out)
        return 0 if tokens else 2
    command, rest = tokens[0], tokens[1:]
    try:
        if command == "import-normals":
            return _import_normals(rest, out)
        if command not in _COMMANDS:
            raise UserError("command", command, f"allowed: {', '.join(COMMANDS)}"
                            f"{did_you_mean(command, COMMANDS)}")
        options, run = _COMMANDS[command]
        if any(token in HELP_FLAGS for token in rest):
            print(options.help(f"territoire-abm twin {command} key=value …"), file=out)
            return 0
        return run(options.parse(rest), out)
    except UserError as exc:
        print(f"error: {exc}", file=err)
        return exc.exit_code
    except NotImplementedError as exc:
        print(f"error: {exc}", file=err)
        return 1


def _entry() -> Any:  # pragma: no cover - convenience for `python -m`
    raise SystemExit(main())


if __name__ == "__main__":  # pragma: no cover
    _entry()
