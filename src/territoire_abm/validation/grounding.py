"""The grounding table: published figures the model is held against (``data/grounding.csv``).

Each row names a published figure (low, central, high), its source, and how the model's
value is read from a run's yearly indicator table (``model_indicator``) over which years
(``model_years``). ``model_indicator`` is one of:

- ``name`` — the mean of an indicator column over the years;
- ``slope:name`` — its least-squares trend per year over the years (adoption rates);
- ``ratio:a/b`` — the mean of column ``a`` divided by column ``b``;
- ``reelection:name`` — the share of election years where ``name`` (the incumbent's vote
  share) is at least one half;
- empty — a context figure the model does not produce.

An optional ``run`` column names the storyline the published figure describes, as dotted
overrides separated by spaces (``policy.firm_transition_support=0.25 …``): the row is read
from runs with those overrides rather than the default territory, so a scenario's figure is
held against the same scenario in the model (like with like). Empty: the default run.

Other helpers append rows (emissions, water, heat) with the same columns.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
import yaml

COLUMNS = ("indicator", "model_indicator", "unit", "scope", "year", "model_years", "low",
           "central", "high", "source", "reference", "note")
#: Optional columns (older tables without them still load).
OPTIONAL_COLUMNS = ("run",)
KINDS = ("mean", "slope", "ratio", "reelection")


@dataclass(frozen=True)
class GroundingRow:
    """One published figure and how to read the model's counterpart."""

    indicator: str
    model_indicator: str
    unit: str
    scope: str
    year: int
    first_year: int | None
    last_year: int | None
    low: float
    central: float
    high: float
    source: str
    reference: str
    note: str
    run: str = ""

    @property
    def overrides(self) -> dict[str, Any]:
        """The dotted overrides of the row's storyline (empty: the default run)."""
        out: dict[str, Any] = {}
        for item in self.run.split():
            key, sep, value = item.partition("=")
            if not sep or not key:
                raise ValueError(f"{self.indicator}: run expects key=value items, got {item!r}")
            out[key] = yaml.safe_load(value)
        return out

    @property
    def modelled(self) -> bool:
        return bool(self.model_indicator)

    @property
    def kind(self) -> str:
        head, sep, _ = self.model_indicator.partition(":")
        return head if sep else "mean"

    @property
    def columns(self) -> tuple[str, ...]:
        """Indicator columns the row reads."""
        body = self.model_indicator.partition(":")[2] if ":" in self.model_indicator \
            else self.model_indicator
        return tuple(part for part in body.split("/") if part)

    def status(self, value: float) -> str:
        """``ok`` inside [low, high], else ``low`` or ``high``; ``n/a`` without a value."""
        if value is None or not math.isfinite(value):
            return "n/a"
        if math.isfinite(self.low) and value < self.low:
            return "low"
        if math.isfinite(self.high) and value > self.high:
            return "high"
        return "ok"


    def range_text(self, fmt: str = "{:g}") -> str:
        """The published range as ``low–high (year)``; a share's range (``fmt`` a percent
        format) is written as the model's figure is, so 10.0–14.0% reads beside 12.6%."""
        percent = fmt.endswith("%}")
        low = fmt.format(self.low).strip("%") if percent else f"{self.low:g}"
        high = fmt.format(self.high) if percent else f"{self.high:g}"
        return f"{low}–{high} ({self.year})"

    def overlaps(self, first: int, last: int) -> bool:
        """Whether the row's model years overlap ``first``–``last``."""
        return (self.first_year is not None and first <= self.last_year
                and last >= self.first_year)


def published_rows(column: str) -> list[GroundingRow]:
    """The grounding rows a front end shows beside indicator ``column`` of a default-storyline
    run: rows reading the mean of that column, storyline rows (``run``) left out. The shipped
    table is read once per process (front ends ask for one column at a time)."""
    return [row for row in _shipped_rows() if row.model_indicator == column and not row.run]


@cache
def _shipped_rows() -> tuple[GroundingRow, ...]:
    return tuple(load_grounding())


def _number(text: object) -> float:
    if text is None or (isinstance(text, float) and math.isnan(text)) or str(text).strip() == "":
        return math.nan
    return float(text)


def _years(text: object) -> tuple[int | None, int | None]:
    text = "" if text is None or (isinstance(text, float) and math.isnan(text)) else str(text)
    if not text.strip():
        return None, None
    first, _, last = text.partition("-")
    return int(first), int(last or first)


def read_table(path=None) -> pd.DataFrame:
    """The raw table (the shipped one unless ``path`` is given)."""
    if path is None:
        path = resources.files("territoire_abm.data") / "grounding.csv"
    # Optional trailing columns may be left out of a row (an empty value).
    table = pd.read_csv(path, dtype=str, keep_default_na=False).fillna("")
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"grounding table lacks columns {missing}")
    for column in OPTIONAL_COLUMNS:
        if column not in table.columns:
            table[column] = ""
    return table[list(COLUMNS + OPTIONAL_COLUMNS)]


def load_grounding(path=None) -> list[GroundingRow]:
    """Rows of the grounding table, parsed and checked (kinds, low ≤ central ≤ high)."""
    rows = []
    for record in read_table(path).to_dict("records"):
        first, last = _years(record["model_years"])
        row = GroundingRow(
            indicator=record["indicator"], model_indicator=record["model_indicator"].strip(),
            unit=record["unit"], scope=record["scope"], year=int(record["year"]),
            first_year=first, last_year=last, low=_number(record["low"]),
            central=_number(record["central"]), high=_number(record["high"]),
            source=record["source"], reference=record["reference"], note=record["note"],
            run=record["run"].strip())
        _check_row(row)
        row.overrides  # noqa: B018 (a malformed run fails on load)
        rows.append(row)
    return rows


def _check_row(row: GroundingRow) -> None:
    if row.modelled and row.kind not in KINDS:
        raise ValueError(f"{row.indicator}: unknown model_indicator kind {row.kind!r}")
    if row.modelled and row.first_year is None:
        raise ValueError(f"{row.indicator}: a modelled row needs model_years")
    bounds = [v for v in (row.low, row.central, row.high) if math.isfinite(v)]
    if bounds != sorted(bounds):
        raise ValueError(f"{row.indicator}: expected low <= central <= high")


def model_value(row: GroundingRow, series: pd.DataFrame) -> float:
    """The model's counterpart of ``row`` in one run's yearly table (index or column year)."""
    table = series.set_index("year", drop=False) if "year" in series.columns else series
    years = table.index.to_numpy()
    if len(years) == 0 or years.min() > row.first_year or years.max() < row.last_year:
        return math.nan  # the run does not cover the row's years
    if any(c not in table.columns for c in row.columns):
        return math.nan
    window = table[(years >= row.first_year) & (years <= row.last_year)]
    if row.kind == "mean":
        return float(window[row.columns[0]].mean())
    if row.kind == "ratio":
        numerator, denominator = (window[c].to_numpy(float) for c in row.columns)
        return float(np.mean(numerator / denominator))
    if row.kind == "slope":
        values = window[row.columns[0]].to_numpy(float)
        if len(values) < 2:
            return math.nan
        return float(np.polyfit(window.index.to_numpy(float), values, 1)[0])
    shares = window[row.columns[0]].dropna().to_numpy(float)
    return float(np.mean(shares >= 0.5)) if len(shares) else math.nan


def last_year_needed(rows: list[GroundingRow]) -> int:
    """The last simulated year any modelled row reads."""
    return max(row.last_year for row in rows if row.modelled)
