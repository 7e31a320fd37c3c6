"""What a run leaves behind: Parquet tables, resolved config, provenance, a figure, a summary.

The summary and the figure are written in English or French (``lang``); their texts are in
``outputs_messages.toml`` (see :mod:`territoire_abm.i18n`).
"""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from territoire_abm.i18n import Translator, localise_figures, localise_number
from territoire_abm.indicators.shocks import shock_table

PACKAGES = ("territoire-abm", "mesa", "numpy", "pandas", "scipy", "highspy", "hydra-core",
            "pyarrow", "SALib", "dask", "matplotlib")
#: Fan-chart panels, by indicator; title and y-axis label: ``panel.<indicator>`` of the
#: catalogue.
FIGURE_PANELS = (
    "warming_c", "heat_wave_days", "overheating_degree_hours", "heat_deaths_per_100k",
    "restriction_days", "river_low_flow_vcn10_m3s", "pet_mm", "unmet_water_share_agriculture",
    "operational_t_per_inhabitant", "self_sufficiency_rate", "energy_poverty_share",
    "trust_mean",
)
#: Language of the summary and the figure unless the run says (``lang=fr``).
DEFAULT_LANG = "en"
#: Decades of the summary (issue 9): near term, mid-century, end of century.
DECADES = ((2021, 2030), (2041, 2050), (2091, 2100))


def translator(lang: str = DEFAULT_LANG) -> Translator:
    """The texts of the summary and the figure in ``lang`` (``en`` or ``fr``)."""
    return Translator(lang, "territoire_abm", "outputs_messages.toml")


def versions() -> dict[str, str]:
    """Python's version and those of the packages in ``PACKAGES`` that are installed, by
    name (recorded in ``run.json``)."""
    found = {"python": platform.python_version()}
    for package in PACKAGES:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    return found


@cache
def code_provenance() -> dict[str, str | bool | None]:
    """The code that made a result: git commit (when the package sits in a git checkout,
    with a flag for uncommitted changes) and a SHA-256 of the package's source files."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".yaml", ".csv", ".json", ".j2", ".toml") and path.is_file():
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(path.read_bytes())
    return {"git_commit": _git(package, "rev-parse", "HEAD"),
            "git_dirty": bool(_git(package, "status", "--porcelain", "--", ".")) if
            _git(package, "rev-parse", "HEAD") else None,
            "source_sha256": digest.hexdigest()}


def _git(folder: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True,
                              text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def stored_indicators(table: pd.DataFrame) -> pd.DataFrame:
    """The indicator table as written to disk: the council's archetype by name (a
    categorical column), not the engine's numeric code."""
    from territoire_abm.config.params import ARCHETYPES

    if "council_archetype" not in table.columns:
        return table
    codes = table["council_archetype"].round().astype("int64")
    names = pd.Categorical.from_codes(codes, categories=list(ARCHETYPES))
    return table.assign(council_archetype=names)


def write_run(out_dir: Path, model: Any, timings: dict[str, float],
              runs: dict[int, pd.DataFrame] | None = None,
              lang: str = DEFAULT_LANG) -> dict[str, Path]:
    """Write tables, config, provenance and figure (its texts in ``lang``); return the paths.
    ``runs`` holds the yearly tables of extra weather seeds (``seeds.parquet``, fan charts)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"indicators": out_dir / "indicators.parquet", "config": out_dir / "config.yaml",
             "run": out_dir / "run.json", "figure": out_dir / "trajectories.png",
             "decisions": out_dir / "decisions.json"}
    table = model.indicators()
    stored_indicators(table).to_parquet(paths["indicators"])
    paths["shocks"] = out_dir / "shocks.csv"
    shock_table(table).to_csv(paths["shocks"], index=False)
    if model.agent_records:
        paths["agents"] = out_dir / "agents.parquet"
        pd.concat(model.agent_records, ignore_index=True).to_parquet(paths["agents"])
    paths["config"].write_text(yaml.safe_dump(model.resolved_config(), sort_keys=False,
                                              allow_unicode=True), encoding="utf-8")
    provenance = {"seed": model.config.seed, "territory": model.name,
                  "scenario": model.config.scenario.name, "start": model.config.start,
                  "until": model.config.until, "households": len(model.households),
                  "firms": len(model.firms), "versions": versions(), "code": code_provenance(),
                  "timings_s": timings,
                  "climate_place": model.normals.name, "climate_estimated":
                  bool(model.normals.estimated), "climate_notes": model.normals.notes}
    paths["run"].write_text(json.dumps(provenance, indent=2), encoding="utf-8")
    paths["decisions"].write_text(json.dumps(model.decision_log, indent=1, default=str),
                                  encoding="utf-8")
    seeds = {int(model.config.seed): table, **(runs or {})}
    if len(seeds) > 1:
        paths["seeds"] = out_dir / "seeds.parquet"
        pd.concat(seeds, names=["seed", "year"]).to_parquet(paths["seeds"])
    trajectory_figure(seeds, paths["figure"], title=f"{model.name} — "
                      f"{model.config.scenario.name}", lang=lang)
    return paths


def trajectory_figure(tables: pd.DataFrame | dict[int, pd.DataFrame], path: Path,
                      title: str = "", lang: str = DEFAULT_LANG) -> Path:
    """Write :func:`fan_chart_figure` to ``path`` (PNG)."""
    import matplotlib.pyplot as plt

    fig = fan_chart_figure(tables, title, lang)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def fan_chart_figure(tables: pd.DataFrame | dict[int, pd.DataFrame], title: str = "",
                     lang: str = DEFAULT_LANG) -> Any:
    """Fan charts (median, interquartile and min–max bands over seeds) of key trajectories,
    with a legend and labelled axes; one table is drawn as a single line. Texts in ``lang``;
    in French the y-axis numbers have a decimal comma."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    t = translator(lang)
    runs = tables if isinstance(tables, dict) else {0: tables}
    fig, axes = plt.subplots(3, 4, figsize=(17, 10), sharex=True)
    # Whole years on the shared x axis (matplotlib's default steps, no 2027.5 on a short run).
    axes.flat[0].xaxis.set_major_locator(MaxNLocator("auto", steps=[1, 2, 2.5, 5, 10],
                                                     integer=True))
    for axis, column in zip(axes.flat, FIGURE_PANELS, strict=True):
        frame = pd.DataFrame({seed: table[column] for seed, table in runs.items()
                              if column in table})
        if not frame.empty:
            _fan(axis, frame, t)
        axis.set_title(t(f"panel.{column}.title"), fontsize=10)
        axis.set_ylabel(t(f"panel.{column}.unit"), fontsize=9)
        axis.grid(alpha=0.3)
        if lang == "fr":
            axis.yaxis.set_major_formatter(french_ticks())
    for axis in axes[-1]:
        axis.set_xlabel(t("figure.year"))
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=4, frameon=False)
    fig.suptitle(t("figure.seeds_many" if len(runs) > 1 else "figure.seeds_one", title=title,
                   n=len(runs)))
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig


def french_ticks() -> Any:
    """Matplotlib's own tick labels with a decimal comma (``0,5``)."""
    from matplotlib.ticker import ScalarFormatter

    class FrenchFormatter(ScalarFormatter):
        def __call__(self, x: float, pos: int | None = None) -> str:
            return localise_number(super().__call__(x, pos), "fr")

    return FrenchFormatter()


def _fan(axis: Any, frame: pd.DataFrame, t: Translator) -> None:
    """Median line, interquartile band, min–max band and the 5-yr mean of the median."""
    years = frame.index
    if frame.shape[1] > 1:
        axis.fill_between(years, frame.min(axis=1), frame.max(axis=1), color="tab:blue",
                          alpha=0.15, lw=0, label=t("figure.band_minmax"))
        axis.fill_between(years, frame.quantile(0.25, axis=1), frame.quantile(0.75, axis=1),
                          color="tab:blue", alpha=0.3, lw=0, label=t("figure.band_iqr"))
    median = frame.median(axis=1)
    axis.plot(years, median, color="tab:blue", lw=1, label=t("figure.median"))
    if len(median) >= 5:
        axis.plot(years, median.rolling(5, center=True, min_periods=1).mean(), color="tab:red",
                  lw=2, label=t("figure.mean5"))


#: Summary rows: (indicator, number format); label: ``row.<indicator>`` of the catalogue.
SUMMARY_FORMATS = (
    ("warming_c", "{:.2f}"),
    ("hot_days_35", "{:.1f}"),
    ("heat_wave_days", "{:.1f}"),
    ("overheating_degree_hours", "{:.0f}"),
    ("overheating_degree_hours_old_dwellings", "{:.0f}"),
    ("heat_deaths_per_100k", "{:.1f}"),
    ("pet_mm", "{:.0f}"),
    ("restriction_days", "{:.0f}"),
    ("river_low_flow_vcn10_m3s", "{:.1f}"),
    ("support_release_hm3", "{:.0f}"),
    ("unmet_water_share_agriculture", "{:.1%}"),
    ("garden_water_restricted_share", "{:.1%}"),
    ("unmet_water_share_households", "{:.2%}"),
    ("crop_yield_factor", "{:.2f}"),
    ("operational_t_per_inhabitant", "{:.2f}"),
    ("emissions_t_per_inhabitant", "{:.2f}"),
    ("self_sufficiency_rate", "{:.1%}"),
    ("pv_kwp", "{:,.0f}"),
    ("energy_poverty_share", "{:.1%}"),
    ("trust_mean", "{:.2f}"),
    ("cooperation_rate", "{:.1%}"),
    ("debt_per_inhabitant_eur", "{:,.0f}"),
)


def summary_rows(lang: str = DEFAULT_LANG) -> tuple[tuple[str, str, str], ...]:
    """(indicator, label in ``lang``, number format) of each summary row."""
    t = translator(lang)
    return tuple((column, t(f"row.{column}"), fmt) for column, fmt in SUMMARY_FORMATS)


#: (indicator, English label, number format) of each summary row (front ends reuse them).
SUMMARY_ROWS = summary_rows()


def decade_stats(runs: dict[int, pd.DataFrame], column: str,
                 decades: tuple[tuple[int, int], ...]) -> list[tuple[float, float, float]]:
    """(mean, min, max) over seeds of each decade's mean of ``column``."""
    out = []
    for first, last in decades:
        means = [float(t.loc[(t.index >= first) & (t.index <= last), column].mean())
                 for t in runs.values() if column in t]
        out.append((float(np.mean(means)), float(np.min(means)), float(np.max(means)))
                   if means else (np.nan, np.nan, np.nan))
    return out


def summary_decades(table: pd.DataFrame) -> tuple[tuple[int, int], ...]:
    """The summary decades the run covers (clipped to it); the whole run if none."""
    first, last = int(table.index.min()), int(table.index.max())
    kept = tuple((max(a, first), min(b, last)) for a, b in DECADES if a <= last and b >= first)
    return kept or ((first, last),)


def _cell(fmt: str, stats: tuple[float, float, float], spread: bool,
          lang: str = DEFAULT_LANG) -> str:
    mean, low, high = stats
    if not np.isfinite(mean):
        return "–"
    text = fmt.format(mean)
    if spread and high > low:
        text += f" ({fmt.format(low).strip('%')}–{fmt.format(high)})"
    return localise_figures(text, lang)


def _published(column: str, decades: tuple[tuple[int, int], ...],
               stats: list[tuple[float, float, float]], fmt: str = "{:g}",
               lang: str = DEFAULT_LANG) -> str:
    """The grounding rows of ``column`` (range, year), each with the model/central ratio of
    the decade that overlaps its model years."""
    from territoire_abm.validation.grounding import published_rows

    texts = []
    for row in published_rows(column):
        text = row.range_text(fmt)
        for (first, last), (mean, _, _) in zip(decades, stats, strict=True):
            if row.overlaps(first, last) and np.isfinite(row.central) and row.central:
                text += f" ×{mean / row.central:.2f}"
                break
        texts.append(localise_figures(text, lang))
    return "; ".join(texts)


def summary_text(model: Any, out_dir: Path | None, seconds: float,
                 runs: dict[int, pd.DataFrame] | None = None, lang: str = DEFAULT_LANG) -> str:
    """One screen, in ``lang``: what ran, decade means (spread over weather seeds) of key
    indicators held against the published figures of the grounding table, where the files
    are."""
    t = translator(lang)
    table = model.indicators()
    runs = {int(model.config.seed): table, **(runs or {})}
    decades = summary_decades(table)
    config = model.config
    place = model.normals.name + (t("summary.estimated_climate") if model.normals.estimated
                                  else "")
    rows = [row for row in summary_rows(lang) if row[0] in table.columns]
    first = max([33] + [len(label) + 1 for _, label, _ in rows])
    width = 24
    lines = [
        t("summary.header", name=model.name, households=len(model.households),
          firms=len(model.firms), start=str(config.start), until=str(config.until)),
        t("summary.setup", scenario=config.scenario.name,
          seeds=", ".join(map(str, sorted(runs))), dispatch=config.optimiser.mode,
          archetype=config.policy.council.archetype, now=model.council.archetype, place=place),
        t("summary.legend", n=len(runs)) if len(runs) > 1 else t("summary.legend_one"),
        "",
        f"{t('summary.indicator'):<{first}}" + "".join(f"{f'{a}–{b}':>{width}}"
                                                       for a, b in decades)
        + f"  {t('summary.published')}",
    ]
    for column, label, fmt in rows:
        stats = decade_stats(runs, column, decades)
        cells = "".join(f"{_cell(fmt, st, len(runs) > 1, lang):>{width}}" for st in stats)
        lines.append(f"{label:<{first}}{cells}  {_published(column, decades, stats, fmt, lang)}")
    lines += _footer(model, table, out_dir, seconds, t)
    return "\n".join(lines)


def _footer(model: Any, table: pd.DataFrame, out_dir: Path | None, seconds: float,
            t: Translator) -> list[str]:
    residual_energy = float(np.max(table["energy_balance_residual_kwh"]))
    residual_water = float(np.max(table["water_balance_residual_m3"]))
    lines = ["", t("summary.balances", seed=str(model.config.seed),
                   energy=localise_number(f"{residual_energy:.1e}", t.lang),
                   water=localise_number(f"{residual_water:.1e}", t.lang),
                   won=str(model.council.state.elections_won),
                   lost=str(model.council.state.elections_lost)),
             t("summary.simulated", seconds=seconds)]
    shocks = shock_table(table)
    if len(shocks):
        worst = shocks.sort_values("depth", ascending=False).iloc[0]
        recovery = (t("summary.not_recovered") if np.isnan(worst.recovery_years)
                    else t("summary.recovered", years=worst.recovery_years))
        lines.append(t("summary.shocks", n=str(len(shocks)), shock=t(f"shock.{worst.shock}"),
                       year=str(worst.year), performance=worst.performance,
                       depth=localise_figures(f"{worst.depth:.0%}", t.lang),
                       recovery=recovery))
    if out_dir is not None:
        lines.append(t("summary.outputs", folder=str(out_dir)))
    return lines
