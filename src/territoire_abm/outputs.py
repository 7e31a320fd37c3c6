"""What a run leaves behind: Parquet tables, resolved config, provenance, a figure, a summary."""

from __future__ import annotations

import json
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from territoire_abm.indicators.shocks import shock_table

PACKAGES = ("territoire-abm", "mesa", "numpy", "pandas", "scipy", "highspy", "hydra-core",
            "pyarrow", "SALib", "dask", "matplotlib")
FIGURE_PANELS = (
    ("warming_c", "Warming vs pre-industrial (°C)"),
    ("heat_stress_per_inhabitant", "Heat-stress person-days per inhabitant"),
    ("restriction_days", "Drought restriction days (≥ alerte)"),
    ("unmet_water_share_agriculture", "Unmet irrigation demand (share)"),
    ("emissions_t_per_inhabitant", "Emissions (tCO2e per inhabitant)"),
    ("self_sufficiency_rate", "Energy self-sufficiency"),
    ("trust_mean", "Trust in the council"),
    ("cooperation_rate", "Cooperation rate"),
    ("energy_poverty_share", "Households in energy poverty"),
)


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for package in PACKAGES:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    return found


def write_run(out_dir: Path, model: Any, timings: dict[str, float]) -> dict[str, Path]:
    """Write tables, config, provenance and figure; return the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"indicators": out_dir / "indicators.parquet", "config": out_dir / "config.yaml",
             "run": out_dir / "run.json", "figure": out_dir / "trajectories.png",
             "decisions": out_dir / "decisions.json"}
    table = model.indicators()
    table.to_parquet(paths["indicators"])
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
                  "firms": len(model.firms), "versions": versions(), "timings_s": timings,
                  "climate_place": model.normals.name, "climate_estimated":
                  bool(model.normals.estimated), "climate_notes": model.normals.notes}
    paths["run"].write_text(json.dumps(provenance, indent=2), encoding="utf-8")
    paths["decisions"].write_text(json.dumps(model.decision_log, indent=1, default=str),
                                  encoding="utf-8")
    trajectory_figure(table, paths["figure"], title=f"{model.name} — "
                      f"{model.config.scenario.name}, seed {model.config.seed}")
    return paths


def trajectory_figure(table: pd.DataFrame, path: Path, title: str = "") -> Path:
    """A 3×3 panel PNG of key yearly trajectories."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(3, 3, figsize=(13, 9), sharex=True)
    for axis, (column, label) in zip(axes.flat, FIGURE_PANELS, strict=True):
        if column in table.columns:
            values = table[column]
            axis.plot(table.index, values, color="tab:blue", lw=1)
            if len(values) >= 5:
                axis.plot(table.index, values.rolling(5, center=True, min_periods=1).mean(),
                          color="tab:red", lw=2, label="5-yr mean")
        axis.set_title(label, fontsize=10)
        axis.grid(alpha=0.3)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


SUMMARY_ROWS = (
    ("warming_c", "Warming (°C vs pre-industrial)", "{:.2f}"),
    ("heat_wave_days", "Heat-wave days", "{:.0f}"),
    ("heat_stress_person_days", "Heat-stress person-days", "{:,.0f}"),
    ("restriction_days", "Restriction days (≥ alerte)", "{:.0f}"),
    ("unmet_water_share_agriculture", "Unmet irrigation (share)", "{:.1%}"),
    ("unmet_water_share_households", "Unmet household water (share)", "{:.1%}"),
    ("crop_yield_factor", "Crop yield / potential", "{:.2f}"),
    ("emissions_t_per_inhabitant", "Emissions (tCO2e/inhabitant)", "{:.2f}"),
    ("bilan_tepos_kwhep_per_inhabitant", "Bilan TEPOS (kWh_ep/inhabitant)", "{:,.0f}"),
    ("ecm_energy_level", "E+C- energy level (0–4)", "{:.0f}"),
    ("self_sufficiency_rate", "Energy self-sufficiency", "{:.1%}"),
    ("pv_kwp", "PV installed (kWp)", "{:,.0f}"),
    ("energy_poverty_share", "Households in energy poverty", "{:.1%}"),
    ("trust_mean", "Trust in the council", "{:.2f}"),
    ("cooperation_rate", "Cooperation rate", "{:.1%}"),
    ("debt_per_inhabitant_eur", "Municipal debt (EUR/inhabitant)", "{:,.0f}"),
)


def summary_text(model: Any, out_dir: Path | None, seconds: float) -> str:
    """One screen: what ran, key indicators at start, 2050 and end, where the files are."""
    table = model.indicators()
    years = [table.index[0]]
    if 2050 in table.index and 2050 not in years:
        years.append(2050)
    if table.index[-1] not in years:
        years.append(table.index[-1])
    config = model.config
    place = model.normals.name + (" (estimated climate)" if model.normals.estimated else "")
    lines = [
        f"territoire_abm — {model.name}: {len(model.households):,} households, "
        f"{len(model.firms)} firms, {config.start}–{config.until}",
        f"scenario {config.scenario.name}, seed {config.seed}, dispatch "
        f"{config.optimiser.mode}, council {config.policy.council.archetype} → "
        f"{model.council.archetype}, climate of {place}",
        "",
        f"{'indicator':<36}" + "".join(f"{year:>12}" for year in years),
    ]
    for column, label, fmt in SUMMARY_ROWS:
        if column in table.columns:
            cells = "".join(f"{fmt.format(table.at[year, column]):>12}" for year in years)
            lines.append(f"{label:<36}{cells}")
    residual_energy = float(np.max(table["energy_balance_residual_kwh"]))
    residual_water = float(np.max(table["water_balance_residual_m3"]))
    lines += ["", f"balances: energy residual ≤ {residual_energy:.1e} kWh, water residual ≤ "
              f"{residual_water:.1e} m³ (every year); elections won/lost "
              f"{model.council.state.elections_won}/{model.council.state.elections_lost}",
              f"simulated in {seconds:.1f} s"]
    shocks = shock_table(table)
    if len(shocks):
        worst = shocks.sort_values("depth", ascending=False).iloc[0]
        recovery = ("not recovered" if np.isnan(worst.recovery_years)
                    else f"recovered in {worst.recovery_years:.0f} yr")
        lines.append(f"shocks: {len(shocks)} detected; deepest {worst.shock} in {worst.year}: "
                     f"{worst.performance} −{worst.depth:.0%}, {recovery}")
    if out_dir is not None:
        lines.append(f"outputs in {out_dir}/ (indicators.parquet, trajectories.png, config.yaml,"
                     " run.json, decisions.json, shocks.csv)")
    return "\n".join(lines)
