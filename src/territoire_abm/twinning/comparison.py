"""Compare a commune and its climate twin, organised by the seed's four themes.

The seed (Cerema Occitanie, "Jumelage climatique") asks a commune to compare, with its twin:

1. urban strategies against heat;
2. measures against extreme events;
3. water management and usage conflicts;
4. social behaviours.

:func:`compare_territories` takes the two territories' per-year indicator tables (as the
engine records them; index ``year``) and their climate normals, and returns a
:class:`Comparison` that the report, poster and best-practice book are generated from.
Columns the engine does not produce are reported as missing, never invented.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from territoire_abm.climate.normals import PlaceNormals, place_normals
from territoire_abm.errors import UserError
from territoire_abm.twinning.texts import note as make_note

#: Column prefixes of measure adoption in the per-year results: the issue's name, then the
#: engine's (households/firms, council, energy community). When a measure appears under
#: several prefixes, the highest share counts (the measure is in place if anyone has it).
MEASURE_PREFIXES = ("measures_adopted_share_", "adopted_share_", "council_has_",
                    "community_has_")
MEASURE_PREFIX = MEASURE_PREFIXES[0]
#: Engine catalogue theme → comparison theme.
CATALOGUE_THEMES = {"heat": "heat", "water": "water", "drought": "water",
                    "extreme_events": "extremes", "social": "social", "energy": "other"}
#: Relative difference under which two means are called equal ("better: neither").
EQUAL_REL_TOL = 0.01


@dataclass(frozen=True)
class Indicator:
    """An indicator column and how to read it."""

    column: str
    label: str
    unit: str
    better: str  # "lower", "higher" or "none" (a choice, not a performance: not judged)
    per_1000: bool = False  # also shown per 1,000 inhabitants
    label_fr: str = ""  # the label in the French deliverables


@dataclass(frozen=True)
class Theme:
    """One of the seed's four comparison themes."""

    key: str
    title: str
    title_fr: str
    indicators: tuple[Indicator, ...]
    measure_keywords: tuple[str, ...]


THEMES: tuple[Theme, ...] = (
    Theme(
        "heat", "Urban strategies against heat", "Stratégies urbaines face à la chaleur",
        (
            Indicator("hot_days_35", "days ≥ 35 °C", "days/yr", "lower",
                      label_fr="jours ≥ 35 °C"),
            Indicator("tropical_nights", "tropical nights", "nights/yr", "lower",
                      label_fr="nuits tropicales"),
            Indicator("heat_stress_person_days", "heat-stress person-days", "person-days/yr",
                      "lower", per_1000=True,
                      label_fr="personnes-jours de stress thermique"),
            Indicator("cooling_demand_kwh", "cooling demand", "kWh/yr", "lower",
                      label_fr="besoin de climatisation"),
            Indicator("cooling_share", "households with air conditioning", "share", "none",
                      label_fr="ménages équipés de climatisation"),
        ),
        ("heat_island", "urban_heat", "cool", "green", "tree", "shade", "vegetat", "roof",
         "albedo", "air_cond", "ventilat", "insulat", "fountain", "park", "canopy", "white"),
    ),
    Theme(
        "extremes", "Measures against extreme events", "Mesures face aux phénomènes extrêmes",
        (
            Indicator("heat_wave_days", "heat-wave days", "days/yr", "lower",
                      label_fr="jours de canicule"),
            Indicator("farm_revenue_loss_eur", "farm revenue lost to heat and drought", "€/yr",
                      "lower",
                      label_fr="revenu agricole perdu (chaleur et sécheresse)"),
            Indicator("unserved_kwh", "unserved energy (outages)", "kWh/yr", "lower",
                      label_fr="énergie non fournie (coupures)"),
            Indicator("crop_yield_factor", "crop yield / potential", "share", "higher",
                      label_fr="rendement / potentiel"),
        ),
        ("heatwave", "heat_wave", "alert", "warning", "plan", "emergenc", "flood", "fire",
         "storm", "crisis", "refuge", "shelter", "backup", "resilien", "canicule"),
    ),
    Theme(
        "water", "Water management and usage conflicts", "Gestion de l'eau et conflits d'usage",
        (
            Indicator("unmet_water_share_households", "unmet water demand, households",
                      "share", "lower",
                      label_fr="demande en eau non satisfaite, ménages"),
            Indicator("unmet_water_share_agriculture", "unmet water demand, agriculture",
                      "share", "lower",
                      label_fr="demande en eau non satisfaite, agriculture"),
            Indicator("unmet_water_share_industry", "unmet water demand, industry",
                      "share", "lower",
                      label_fr="demande en eau non satisfaite, industrie"),
            Indicator("restriction_days", "drought-restriction days", "days/yr", "lower",
                      label_fr="jours de restriction sécheresse"),
            Indicator("unmet_water_m3", "unmet water demand, all uses", "m³/yr", "lower",
                      label_fr="demande en eau non satisfaite, tous usages"),
        ),
        ("water", "irrigat", "drip", "reuse", "rain", "tank", "leak", "reservoir", "storage",
         "tariff", "meter", "aquifer", "greywater", "xeri", "crop_switch"),
    ),
    Theme(
        "social", "Social behaviours", "Comportements sociétaux",
        (
            Indicator("cooperation_rate", "cooperation rate", "share", "higher",
                      label_fr="taux de coopération"),
            Indicator("trust_mean", "mean trust", "0–1", "higher",
                      label_fr="confiance moyenne"),
            Indicator("satisfaction_mean", "mean satisfaction", "0–1", "higher",
                      label_fr="satisfaction moyenne"),
            Indicator("emissions_t_per_inhabitant", "emissions per inhabitant", "tCO2e/yr",
                      "lower",
                      label_fr="émissions par habitant"),
        ),
        ("communit", "cooperat", "solidar", "awareness", "volunteer", "participat",
         "sharing", "energy_community", "education", "neighbour", "collective"),
    ),
)
THEME_KEYS = tuple(t.key for t in THEMES)


@dataclass
class ThemeComparison:
    """The comparison for one theme: indicators, measures and what is missing."""

    theme: Theme
    indicators: pd.DataFrame
    measures: pd.DataFrame
    missing: list[str]
    summary: list[str]


@dataclass
class Comparison:
    """A commune and its twin side by side (what the deliverables are generated from).

    Attributes
    ----------
    target, twin : PlaceNormals or None
        The two places' present normals.
    target_future : PlaceNormals or None
        The target's projected climate (the one the twin was matched to).
    horizon_label : str
        "2050, tracc", "+4.0 °C, tracc" or "".
    climate : pandas.DataFrame
        Rows of climate quantities; columns target_now, target_future, twin, twin_minus_future.
    themes : list of ThemeComparison
        In the seed's order.
    measures : pandas.DataFrame
        Every measure seen in either result: measure_id, label, theme, maladaptation (flag
        of the engine's catalogue), twin_share, target_share (last year), twin_share_mean,
        target_share_mean, twin_first_year, target_first_year (first year ≥ 5 %).
    target_result, twin_result : pandas.DataFrame
        The per-year indicator tables (index year).
    notes : list of str
    ranking : TwinRanking or None
        The twin search this comparison follows from, when known.
    """

    target: PlaceNormals | None
    twin: PlaceNormals | None
    target_future: PlaceNormals | None
    horizon_label: str
    climate: pd.DataFrame
    themes: list[ThemeComparison]
    measures: pd.DataFrame
    target_result: pd.DataFrame
    twin_result: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    ranking: Any = None

    @property
    def target_name(self) -> str:
        """The target's name ("target" when unknown)."""
        return self.target.name if self.target is not None else "target"

    @property
    def twin_name(self) -> str:
        """The twin's name ("twin" when unknown)."""
        return self.twin.name if self.twin is not None else "twin"

    @property
    def has_results(self) -> bool:
        """True when simulation results were given."""
        return not (self.target_result.empty and self.twin_result.empty)

    def theme(self, key: str) -> ThemeComparison:
        """The theme called ``key`` (heat, extremes, water, social)."""
        for t in self.themes:
            if t.theme.key == key:
                return t
        raise KeyError(key)

    def twin_row(self) -> pd.Series | None:
        """The twin's row in the ranking (rank, sigma, differs_most, …), when known."""
        if self.ranking is None or self.twin is None:
            return None
        table = self.ranking.table
        rows = table[table["name"] == self.twin.name]
        return None if rows.empty else rows.iloc[0]

    def twin_sigma(self) -> float | None:
        """The twin's climate sigma in the ranking, when known."""
        row = self.twin_row()
        return None if row is None else float(row["sigma"])

    def to_frame(self) -> pd.DataFrame:
        """All theme indicators in one long table."""
        frames = []
        for t in self.themes:
            if not t.indicators.empty:
                frames.append(t.indicators.assign(theme=t.theme.key))
        if not frames:
            return pd.DataFrame(columns=["theme", "indicator"])
        out = pd.concat(frames, ignore_index=True)
        return out[["theme", *[c for c in out.columns if c != "theme"]]]

    def to_dict(self) -> dict[str, Any]:
        """Plain-data summary (JSON-serialisable)."""
        return {
            "target": self.target_name,
            "twin": self.twin_name,
            "horizon": self.horizon_label,
            "target_estimated": bool(self.target.estimated) if self.target else None,
            "twin_estimated": bool(self.twin.estimated) if self.twin else None,
            "twin_sigma": self.twin_sigma(),
            "climate": json.loads(self.climate.to_json(orient="index")),
            "themes": {
                t.theme.key: {
                    "title": t.theme.title,
                    "indicators": json.loads(t.indicators.to_json(orient="records")),
                    "measures": json.loads(t.measures.to_json(orient="records")),
                    "missing": t.missing,
                    "summary": t.summary,
                }
                for t in self.themes
            },
            "notes": self.notes,
        }

    def write(self, out_dir: str | Path) -> dict[str, Path]:
        """Write comparison.csv, comparison_measures.csv, comparison.json and the two
        per-year tables to ``out_dir``."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = {
            "csv": out / "comparison.csv",
            "measures": out / "comparison_measures.csv",
            "json": out / "comparison.json",
            "climate": out / "comparison_climate.csv",
        }
        self.to_frame().to_csv(paths["csv"], index=False)
        self.measures.to_csv(paths["measures"], index=False)
        self.climate.to_csv(paths["climate"])
        paths["json"].write_text(json.dumps(self.to_dict(), indent=2, ensure_ascii=False),
                                 encoding="utf-8")
        if self.has_results:
            paths["target_results"] = out / "target_indicators.csv"
            paths["twin_results"] = out / "twin_indicators.csv"
            self.target_result.to_csv(paths["target_results"])
            self.twin_result.to_csv(paths["twin_results"])
        return paths


# --------------------------------------------------------------------------- helpers


def _as_result(frame: pd.DataFrame | None, field_name: str) -> pd.DataFrame:
    if frame is None:
        return pd.DataFrame(index=pd.Index([], name="year"))
    if not isinstance(frame, pd.DataFrame):
        raise UserError(field_name, type(frame).__name__, "a pandas DataFrame, index year")
    out = frame.copy()
    if "year" in out.columns:
        out = out.set_index("year")
    try:
        out.index = pd.Index(pd.to_numeric(out.index), name="year")
    except (ValueError, TypeError):
        raise UserError(field_name, "index", "years (integers) as index or a 'year' column") \
            from None
    out = out.sort_index()
    numeric = out.apply(pd.to_numeric, errors="coerce")
    keep = [c for c in out.columns if numeric[c].notna().any()]
    return numeric[keep]


def _place(value: PlaceNormals | str | None) -> PlaceNormals | None:
    if value is None or isinstance(value, PlaceNormals):
        return value
    return place_normals(str(value))


def classify_measure(measure_id: str, measure_themes: Mapping[str, str] | None = None) -> str:
    """Theme key of a measure: from ``measure_themes`` if given, else by keywords of its id;
    "other" when nothing matches."""
    if measure_themes and measure_id in measure_themes:
        key = str(measure_themes[measure_id])
        if key not in THEME_KEYS and key != "other":
            raise UserError("measure theme", f"{measure_id}: {key}",
                            f"allowed: {', '.join(THEME_KEYS)}, other")
        return key
    text = measure_id.lower()
    # Extreme events first: "heatwave_alert_plan" is a crisis measure, not urban design.
    by_priority = sorted(THEMES, key=lambda t: t.key != "extremes")
    for theme in by_priority:
        if any(k in text for k in theme.measure_keywords):
            return theme.key
    return "other"


def measure_label(measure_id: str) -> str:
    """"rain_water_tanks" → "Rain water tanks"."""
    words = re.sub(r"[_\-]+", " ", measure_id).strip()
    return words[:1].upper() + words[1:]


def _climate_table(
    target: PlaceNormals | None, future: PlaceNormals | None, twin: PlaceNormals | None
) -> pd.DataFrame:
    def values(p: PlaceNormals | None) -> dict[str, float]:
        if p is None:
            return {}
        jja = p.precip_mm[[5, 6, 7]].sum() if p.has("precip") else math.nan
        return {
            "annual mean temperature (°C)": p.annual_tmean_c,
            "January min. temperature (°C)": float(p.tmin_c[0]),
            "July max. temperature (°C)": float(p.tmax_c[6]),
            "annual precipitation (mm)": p.annual_precip,
            "summer (JJA) precipitation (mm)": float(jja),
            "hottest month max. (°C)": float(np.nanmax(p.tmax_c)) if p.has("tmax") else math.nan,
        }

    rows = {
        "target_now": values(target),
        "target_future": values(future),
        "twin": values(twin),
    }
    table = pd.DataFrame(rows)
    if table.empty:
        return pd.DataFrame(columns=["target_now", "target_future", "twin", "twin_minus_future"])
    table["twin_minus_future"] = table["twin"] - table["target_future"]
    return table


def _indicator_rows(
    theme: Theme,
    target_res: pd.DataFrame,
    twin_res: pd.DataFrame,
    target: PlaceNormals | None,
    twin: PlaceNormals | None,
) -> tuple[pd.DataFrame, list[str]]:
    rows, missing = [], []
    for ind in theme.indicators:
        in_target, in_twin = ind.column in target_res, ind.column in twin_res
        if not (in_target or in_twin):
            missing.append(ind.column)
            continue
        t_series = target_res[ind.column].dropna() if in_target else pd.Series(dtype=float)
        w_series = twin_res[ind.column].dropna() if in_twin else pd.Series(dtype=float)
        entries = [(ind.label, ind.unit, 1.0, 1.0)]
        pops = (target.population if target else math.nan, twin.population if twin else math.nan)
        if ind.per_1000 and all(math.isfinite(p) and p > 0 for p in pops):
            entries.append((f"{ind.label} per 1,000 inhabitants", ind.unit,
                            1000.0 / pops[0], 1000.0 / pops[1]))
        for label, unit, f_target, f_twin in entries:
            t_mean = float(t_series.mean()) * f_target if len(t_series) else math.nan
            w_mean = float(w_series.mean()) * f_twin if len(w_series) else math.nan
            t_last = float(t_series.iloc[-1]) * f_target if len(t_series) else math.nan
            w_last = float(w_series.iloc[-1]) * f_twin if len(w_series) else math.nan
            diff = w_mean - t_mean
            if not (math.isfinite(t_mean) and math.isfinite(w_mean)):
                better = "n/a"
            elif ind.better == "none":
                better = "not judged"
            elif math.isclose(t_mean, w_mean, rel_tol=EQUAL_REL_TOL, abs_tol=1e-12):
                better = "equal"
            elif (w_mean < t_mean) == (ind.better == "lower"):
                better = "twin"
            else:
                better = "target"
            rows.append({
                "indicator": ind.column if f_target == 1.0 else f"{ind.column}_per_1000",
                "label": label, "unit": unit, "better_when": ind.better,
                "target_mean": t_mean, "twin_mean": w_mean, "twin_minus_target": diff,
                "target_last": t_last, "twin_last": w_last, "better": better,
            })
    columns = ["indicator", "label", "unit", "better_when", "target_mean", "twin_mean",
               "twin_minus_target", "target_last", "twin_last", "better"]
    return pd.DataFrame(rows, columns=columns), missing


def _first_year(series: pd.Series, level: float = 0.05) -> float:
    above = series[series >= level]
    return float(above.index[0]) if len(above) else math.nan


def engine_catalogue() -> dict[str, dict[str, Any]]:
    """Theme, label and maladaptation flag of the engine's measures, by id ({} if none)."""
    try:
        from territoire_abm.measures.catalogue import load_catalogue

        catalogue = load_catalogue()
    except (ImportError, OSError, ValueError, KeyError):  # no catalogue: keyword themes
        return {}
    return {
        mid: {
            "theme": CATALOGUE_THEMES.get(m.theme, "other"),
            "label": m.name or measure_label(mid),
            "maladaptation": bool(getattr(m, "maladaptation_risk", False)),
        }
        for mid, m in catalogue.items()
    }


def _measure_series(frame: pd.DataFrame, mid: str) -> pd.Series:
    columns = [p + mid for p in MEASURE_PREFIXES if p + mid in frame.columns]
    if not columns:
        return pd.Series(dtype=float)
    return frame[columns].max(axis=1, skipna=True).dropna()


def _measure_ids(frame: pd.DataFrame) -> set[str]:
    ids = set()
    for column in frame.columns:
        for prefix in MEASURE_PREFIXES:
            if column.startswith(prefix):
                ids.add(column[len(prefix):])
                break
    return ids


def _measures_table(
    target_res: pd.DataFrame, twin_res: pd.DataFrame, measure_themes: Mapping[str, str] | None
) -> pd.DataFrame:
    ids = sorted(_measure_ids(target_res) | _measure_ids(twin_res))
    known = engine_catalogue() if ids else {}
    themes = {mid: entry["theme"] for mid, entry in known.items()}
    themes.update(measure_themes or {})
    rows = []
    for mid in ids:
        t = _measure_series(target_res, mid)
        w = _measure_series(twin_res, mid)
        entry = known.get(mid, {})
        rows.append({
            "measure_id": mid,
            "label": entry.get("label") or measure_label(mid),
            "theme": classify_measure(mid, themes),
            "maladaptation": bool(entry.get("maladaptation", False)),
            "twin_share": float(w.iloc[-1]) if len(w) else math.nan,
            "target_share": float(t.iloc[-1]) if len(t) else math.nan,
            "twin_share_mean": float(w.mean()) if len(w) else math.nan,
            "target_share_mean": float(t.mean()) if len(t) else math.nan,
            "twin_first_year": _first_year(w),
            "target_first_year": _first_year(t),
        })
    columns = ["measure_id", "label", "theme", "maladaptation", "twin_share", "target_share",
               "twin_share_mean", "target_share_mean", "twin_first_year", "target_first_year"]
    return pd.DataFrame(rows, columns=columns)


def _fmt(value: float, unit: str) -> str:
    if not math.isfinite(value):
        return "n/a"
    if unit == "share":
        return f"{100 * value:.1f} %" if abs(value) < 0.1 else f"{100 * value:.0f} %"
    if unit == "0–1":  # a score on a 0–1 scale: the range is not a unit to print after it
        return f"{value:.2g}"
    if abs(value) >= 100:
        return f"{value:,.0f} {unit}"
    return f"{value:.2g} {unit}" if abs(value) < 1 else f"{value:.1f} {unit}"


def _summaries(table: pd.DataFrame, target_name: str, twin_name: str) -> list[str]:
    out = []
    for _, row in table.iterrows():
        if row["better"] == "n/a":
            continue
        twin_text = _fmt(row["twin_mean"], row["unit"])
        target_text = _fmt(row["target_mean"], row["unit"])
        line = f"{row['label']}: {twin_name} {twin_text}, {target_name} {target_text}"
        if row["better"] == "not judged":
            out.append(line)
        elif row["better"] == "equal" or twin_text == target_text:
            out.append(f"{line} (about equal)")
        else:
            who = {"twin": twin_name, "target": target_name}[row["better"]]
            out.append(f"{line} (better: {who})")
    return out


# --------------------------------------------------------------------------- entry


def compare_territories(
    target_result: pd.DataFrame | None,
    twin_result: pd.DataFrame | None,
    target: PlaceNormals | str | None = None,
    twin: PlaceNormals | str | None = None,
    *,
    target_future: PlaceNormals | None = None,
    horizon_label: str = "",
    ranking: Any = None,
    measure_themes: Mapping[str, str] | None = None,
) -> Comparison:
    """Compare two simulated territories theme by theme.

    Parameters
    ----------
    target_result, twin_result : pandas.DataFrame or None
        Per-year indicators of each territory (index ``year`` or a ``year`` column), with
        columns such as hot_days_35, heat_wave_days, heat_stress_person_days,
        unmet_water_share_households/agriculture/industry, restriction_days,
        measures_adopted_share_<id> (or the engine's adopted_share_<id>, council_has_<id>,
        community_has_<id>), cooperation_rate, trust_mean,
        satisfaction_mean, emissions_t_per_inhabitant. Missing columns are listed per
        theme, not invented. None gives a climate-only comparison.
    target, twin : PlaceNormals or str, optional
        The two places' normals (or names of shipped places).
    target_future : PlaceNormals, optional
        The target's projected climate; default: taken from ``ranking`` when given.
    horizon_label : str
        e.g. "2050, tracc"; default from ``ranking``.
    ranking : TwinRanking, optional
        The twin search, for the twin's sigma and the candidates in the report.
    measure_themes : mapping, optional
        Theme key (heat, extremes, water, social, other) per measure id; default: the
        engine's measure catalogue (heat, water/drought, extreme_events, social; energy
        measures go to "other"), else keywords of the id.

    Returns
    -------
    Comparison
    """
    target_p, twin_p = _place(target), _place(twin)
    target_res = _as_result(target_result, "target_result")
    twin_res = _as_result(twin_result, "twin_result")
    if ranking is not None:
        target_future = target_future or ranking.target_future
        horizon_label = horizon_label or ranking.horizon_label
        target_p = target_p or ranking.target
    notes: list[str] = []
    for p in (target_p, twin_p):
        if p is not None and p.estimated:
            from territoire_abm.twinning.ranking import estimated_note

            notes.append(estimated_note(p.name, p.notes))
    if twin_p is not None and ranking is not None and ranking.projection is not None:
        from territoire_abm.twinning.projection import own_future

        notes += list(own_future(twin_p, ranking.projection).notes)  # the twin's own future
    if target_p is not None and twin_p is not None:
        if target_p.period and twin_p.period and target_p.period != twin_p.period:
            notes.append(make_note("note.periods_differ", target=target_p.name,
                                   target_period=target_p.period, twin=twin_p.name,
                                   twin_period=twin_p.period))
    if not (target_res.empty and twin_res.empty):
        common = target_res.index.intersection(twin_res.index)
        if len(common) == 0:
            notes.append(make_note("note.no_common_year"))
        elif len(common) < max(len(target_res), len(twin_res)):
            notes.append(make_note("note.different_years", first=int(common.min()),
                                   last=int(common.max())))
    else:
        notes.append(make_note("note.no_results"))
    measures = _measures_table(target_res, twin_res, measure_themes)
    themes = []
    for theme in THEMES:
        table, missing = _indicator_rows(theme, target_res, twin_res, target_p, twin_p)
        theme_measures = measures[measures["theme"] == theme.key].reset_index(drop=True)
        summary = _summaries(table, target_p.name if target_p else "target",
                             twin_p.name if twin_p else "twin")
        themes.append(ThemeComparison(theme, table, theme_measures, missing, summary))
    if not (target_res.empty and twin_res.empty):
        all_missing = [c for t in themes for c in t.missing]
        if all_missing:
            notes.append(make_note("note.missing_indicators", columns=", ".join(all_missing)))
    return Comparison(
        target=target_p,
        twin=twin_p,
        target_future=target_future,
        horizon_label=horizon_label,
        climate=_climate_table(target_p, target_future, twin_p),
        themes=themes,
        measures=measures,
        target_result=target_res,
        twin_result=twin_res,
        notes=notes,
        ranking=ranking,
    )


def read_result_csv(path: str | Path, field_name: str) -> pd.DataFrame:
    """A per-year indicator table written by ``twin compare`` (or by the engine)."""
    file = Path(path)
    if not file.is_file():
        raise UserError(field_name, str(file), "an existing CSV of per-year indicators")
    frame = pd.read_csv(file)
    if "year" not in frame.columns:
        raise UserError(field_name, f"{file.name}: no 'year' column", "a 'year' column")
    return _as_result(frame, field_name)
