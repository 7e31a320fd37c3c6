"""Read an experiment's output folder for analysis."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from territoire_abm.errors import UserError
from territoire_abm.experiments.designs import parameter_columns, unit_column
from territoire_abm.experiments.store import ResultStore

__all__ = ["Results", "load_results"]


@dataclass
class Results:
    """An experiment's design, manifest and tables (read on demand, cached)."""

    root: Path
    manifest: dict[str, Any]
    design: pd.DataFrame
    _cache: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    @property
    def store(self) -> ResultStore:
        return ResultStore(self.root)

    @property
    def method(self) -> str:
        return self.manifest["design"]["method"]

    @property
    def options(self) -> dict[str, Any]:
        return dict(self.manifest["design"].get("options") or {})

    @property
    def factors(self) -> list[str]:
        """Sampled factors, in SALib problem order."""
        return list(self.manifest["design"]["factors"])

    @property
    def problem(self) -> dict[str, Any]:
        return dict(self.manifest["problem"])

    @property
    def policies(self) -> list[str]:
        return list(dict.fromkeys(self.design["policy"].astype(str)))

    @property
    def parameters(self) -> list[str]:
        return parameter_columns(self.design)

    @property
    def uncertainties(self) -> list[str]:
        levers = {p["name"] for p in self.manifest["design"]["parameters"]} - set(self.factors)
        return [f for f in self.factors if f not in levers]

    def unit(self) -> pd.DataFrame:
        """Unit-space coordinates of the sampled factors, indexed by run_id."""
        cols = [unit_column(f) for f in self.factors]
        frame = self.design.set_index("run_id")[cols]
        frame.columns = self.factors
        return frame

    def scalars(self, columns: Sequence[str] | None = None) -> pd.DataFrame:
        if columns is not None:
            return self.store.read("scalars", ["run_id", *columns])
        if "scalars" not in self._cache:
            self._cache["scalars"] = self.store.read("scalars")
        return self._cache["scalars"]

    def series(self, columns: Sequence[str] | None = None) -> pd.DataFrame:
        if columns is not None:
            return self.store.read("series", ["run_id", "year", *columns])
        if "series" not in self._cache:
            self._cache["series"] = self.store.read("series")
        return self._cache["series"]

    def failures(self) -> pd.DataFrame:
        return self.store.read("failures")

    def scalar_names(self) -> list[str]:
        cols = self.scalars().columns
        return [c for c in cols if c not in self.design.columns]

    def series_names(self) -> list[str]:
        return [c for c in self.series().columns if c not in ("run_id", "year")]

    def outcome(self, name: str, *, year: int | None = None) -> pd.Series:
        """Values of one outcome per run_id (NaN for failed runs).

        With ``year`` the value is read from the yearly series; without, from the scalars.
        """
        if year is None:
            table = self.scalars()
            if name not in table.columns or name in self.design.columns:
                raise UserError("outcome", name,
                                f"scalar outcomes: {', '.join(self.scalar_names()) or 'none'}")
            values = table.set_index("run_id")[name]
        else:
            wide = self.yearly(name)
            if year not in wide.columns:
                raise UserError("year", year, f"years: {wide.columns.min()}..{wide.columns.max()}")
            values = wide[year]
        return values.reindex(self.design["run_id"]).astype(float)

    def yearly(self, name: str) -> pd.DataFrame:
        """One indicator as a run_id × year table."""
        series = self.series()
        if name not in series.columns or name in ("run_id", "year"):
            raise UserError("outcome", name,
                            f"yearly indicators: {', '.join(self.series_names()) or 'none'}")
        return series.pivot(index="run_id", columns="year", values=name)

    def years(self) -> np.ndarray:
        series = self.series(columns=[])
        return np.sort(series["year"].unique()) if len(series) else np.array([], dtype=int)


def load_results(path: str | Path) -> Results:
    """Open an experiment's output folder (``manifest.json``, ``design.parquet``, ``results/``)."""
    store = ResultStore(path)
    if not store.manifest_path.exists() or not store.design_path.exists():
        raise UserError("results", str(path), "expected an experiment output folder "
                        "(manifest.json and design.parquet)")
    return Results(root=Path(path), manifest=store.read_manifest(), design=store.read_design())
