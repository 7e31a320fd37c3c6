"""Rank candidate places as climate twins of a target's future climate.

Climate decides; physical similarity only breaks near-ties
--------------------------------------------------------------
Each candidate gets a climate dissimilarity ``sigma`` (see :mod:`.distance`) and a physical
distance (population on a log scale, altitude, rurality). The ranking score is::

    score = sigma + physical_weight · q,    q = physical / (1 + physical) ∈ [0, 1)

(``q = 0.5`` when no physical attribute can be compared). Candidates within the novelty
threshold (``sigma ≤ novelty_threshold``) always come before those beyond it, whatever their
physical similarity; inside each group candidates are ordered by ``score``. Because
``q < 1``, a candidate can only overtake one with a better climate when their sigmas differ
by less than ``physical_weight`` (0.2 sigma by default, at most 1): physical similarity
breaks near-ties and never overrides a clear climate difference.

Physical distance: ``sqrt(mean(c²))`` over the attributes both places have, with
``c_pop = |log10(pop_c / pop_t)| / 0.5`` (a factor of about 3 is one unit),
``c_alt = |Δ altitude| / 300 m`` and ``c_rur = 1`` when rural/urban differ.

When no candidate is within the threshold the verdict is "no good twin at this horizon":
the target's future climate has no analogue among the candidates (Bastin et al. 2019 found
this for 22 % of 520 cities in 2050; Grenier et al. 2013 advise reporting a ranked list with
distances rather than one name).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from territoire_abm.climate import scenarios
from territoire_abm.climate.normals import PlaceNormals, haversine_km, normalise_name
from territoire_abm.errors import UserError
from territoire_abm.twinning import distance as dist
from territoire_abm.twinning.candidates import CandidateSet, as_candidate_set
from territoire_abm.twinning.features import (
    Feature,
    default_scales,
    feature_values,
    format_difference,
    parse_variables,
    scales_from_sd,
    transform,
    yearly_values,
)
from territoire_abm.twinning.projection import Projection, project
from territoire_abm.twinning.texts import note as make_note

METRICS = ("seuclidean", "mahalanobis", "sigma")
SCALE_CHOICES = ("interannual", "candidates")
#: Sigma beyond which a candidate is no good twin (Fitzpatrick & Dunn 2019: sigma < 2).
DEFAULT_NOVELTY_SIGMA = 2.0
DEFAULT_PHYSICAL_WEIGHT = 0.2
#: Physical distance units: a factor 10^0.5 ≈ 3.2 of population, 300 m of altitude.
POPULATION_LOG10_SCALE = 0.5
ALTITUDE_SCALE_M = 300.0
NO_TWIN = "no good twin at this horizon"
#: A candidate needs at least this many features of the set to be ranked (all of them for
#: smaller sets); it is then ranked on the ones it has (project convention).
MIN_FEATURES = 2
DEFAULT_HORIZON = 2050


@dataclass
class TwinRanking:
    """The result of :func:`find_twins`.

    Attributes
    ----------
    table : pandas.DataFrame
        Every ranked candidate, best first (column ``rank`` from 1).
    target : PlaceNormals
        The target's present normals.
    target_future : PlaceNormals
        The climate the twins are matched against (``target`` if no projection).
    projection : Projection or None
    features : list of Feature
    variables, metric : str
    covariance_source : str
        Where the scales / covariance come from.
    novelty_threshold, physical_weight : float
    good : bool
        True when the best candidate is within the threshold.
    verdict : str
    excluded : pandas.DataFrame
        Candidates not ranked (name, reason).
    notes : list of str
        Everything the reader must know: estimates, periods, fallbacks.
    top : int
        Rows shown by :meth:`to_text`.
    """

    table: pd.DataFrame
    target: PlaceNormals
    target_future: PlaceNormals
    projection: Projection | None
    features: list[Feature]
    variables: str
    metric: str
    covariance_source: str
    novelty_threshold: float
    physical_weight: float
    good: bool
    verdict: str
    excluded: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    top: int = 10

    @property
    def best(self) -> pd.Series | None:
        """The first row of the table (None when empty)."""
        return None if self.table.empty else self.table.iloc[0]

    @property
    def horizon_label(self) -> str:
        """"2050, tracc", "+4.0 °C, tracc" or "present"."""
        return self.projection.horizon_label if self.projection else "present"

    def target_summary(self, future: bool = False) -> str:
        """"tmean 13.0 °C · tmin_jan 1.3 °C · …" for the target now or in the future."""
        place = self.target_future if future else self.target
        raw = _target_raw(self.features, place)
        parts = []
        for f, v in zip(self.features[:8], raw, strict=False):
            parts.append(f"{f.name} {v:.0f} mm" if f.kind == "precip" else f"{f.name} {v:.1f} °C")
        more = " · …" if len(self.features) > 8 else ""
        return " · ".join(parts) + more

    def to_text(self, top: int | None = None) -> str:
        """The ranked list as plain text, with verdict and notes."""
        n = self.top if top is None else top
        lines = [
            f"Climate twins of {self.target.label} — {self.horizon_label}",
            f"variables: {self.variables} ({', '.join(f.name for f in self.features[:8])}"
            f"{', …' if len(self.features) > 8 else ''}) · metric: {self.metric} · "
            f"scales: {self.covariance_source}",
            f"target now ({self.target.period or 'period unstated'}): {self.target_summary()}",
        ]
        if self.projection is not None:
            lines.append(f"target {self.horizon_label}: {self.target_summary(future=True)}")
        lines.append("")
        shown = self.table.head(n)
        if shown.empty:
            lines.append("(no candidate ranked)")
        else:
            view = pd.DataFrame(
                {
                    "rank": shown["rank"],
                    "name": [
                        nm + ("*" if est else "") + ("†" if used != "all" else "")
                        for nm, est, used in zip(shown["name"], shown["estimated"],
                                                 shown["features_used"], strict=True)
                    ],
                    "country": shown["country"],
                    "sigma": shown["sigma"].map(lambda v: f"{v:.2f}"),
                    "twin?": np.where(shown["within_threshold"], "yes", "no"),
                    "physical": shown["physical_distance"].map(
                        lambda v: "n/a" if not math.isfinite(v) else f"{v:.2f}"
                    ),
                    "population": shown["population"].map(_fmt_int),
                    "alt_m": shown["altitude_m"].map(_fmt_int),
                    "rurality": shown["rurality"].fillna("?").replace("", "?"),
                    "km": shown["distance_km"].map(_fmt_int),
                    "differs most (twin − target)": shown["differs_most"],
                }
            )
            lines.append(view.to_string(index=False))
            if shown["estimated"].any():
                lines.append("* estimated normals (no station at the place): see notes")
            if (shown["features_used"] != "all").any():
                lines.append("† ranked on fewer variables than the set (its data lack the "
                             "others): see notes and the features_used column")
        lines += ["", f"verdict: {self.verdict}"]
        if self.notes:
            lines.append("notes:")
            lines += [f"  - {note}" for note in self.notes]
        return "\n".join(lines)

    def metadata(self) -> dict[str, Any]:
        """Parameters, verdict and notes as plain data (written next to the table)."""
        proj = self.projection
        return {
            "target": self.target.name,
            "target_estimated": self.target.estimated,
            "target_period": self.target.period,
            "horizon": proj.year if proj else None,
            "warming_level_c": proj.warming_level_c if proj else None,
            "scenario": proj.scenario if proj else None,
            "annual_delta_c": proj.annual_delta_c if proj else 0.0,
            "reference_period": proj.reference_period if proj else None,
            "variables": self.variables,
            "features": [f.name for f in self.features],
            "metric": self.metric,
            "covariance_source": self.covariance_source,
            "novelty_threshold_sigma": self.novelty_threshold,
            "physical_weight": self.physical_weight,
            "good": self.good,
            "verdict": self.verdict,
            "n_ranked": int(len(self.table)),
            "n_excluded": int(len(self.excluded)),
            "notes": list(self.notes),
        }

    def write(self, out_dir: str | Path) -> dict[str, Path]:
        """Write twin_ranking.csv / .parquet / .txt / .json (and excluded.csv) to ``out_dir``."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = {"csv": out / "twin_ranking.csv", "txt": out / "twin_ranking.txt",
                 "json": out / "twin_ranking.json"}
        self.table.to_csv(paths["csv"], index=False)
        try:
            self.table.to_parquet(out / "twin_ranking.parquet", index=False)
            paths["parquet"] = out / "twin_ranking.parquet"
        except (ImportError, ValueError):  # no parquet engine: the CSV is enough
            pass
        paths["txt"].write_text(self.to_text() + "\n", encoding="utf-8")
        meta = self.metadata()
        meta["written"] = datetime.now().isoformat(timespec="seconds")
        paths["json"].write_text(json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8")
        if not self.excluded.empty:
            paths["excluded"] = out / "twin_excluded.csv"
            self.excluded.to_csv(paths["excluded"], index=False)
        return paths


def estimated_note(name: str, notes: str) -> str:
    """"<name>: estimated …" whatever the notes start with."""
    text = str(notes or "").strip()
    if text.lower().startswith("estimated"):
        return f"{name}: {text}"
    return f"{name}: estimated{': ' + text if text else ''}"


def _fmt_int(value: float) -> str:
    return "?" if value is None or not math.isfinite(value) else f"{value:,.0f}"


def _target_raw(features: list[Feature], place: PlaceNormals) -> np.ndarray:
    monthly = {v: place.monthly(v)[None, :] for v in ("tmin", "tmax", "tmean", "precip")}
    return feature_values(
        features, monthly, np.array([place.annual_precip]), np.array([place.annual_tmean_c])
    )[0]


def parse_weights(
    weights: Mapping[str, float] | str | None, features: list[Feature]
) -> np.ndarray | None:
    """Weights per feature from a mapping or "tmean:1,tmin_jan:2"; unnamed features get 1."""
    if weights is None or (isinstance(weights, str) and not weights.strip()):
        return None
    if isinstance(weights, str):
        mapping: dict[str, float] = {}
        for item in weights.split(","):
            if not item.strip():
                continue
            key, sep, value = item.partition(":")
            if not sep:
                raise UserError("weights", item, "items like tmean:1,tmin_jan:2")
            try:
                mapping[key.strip().lower()] = float(value)
            except ValueError:
                raise UserError("weights", item, "the weight after ':' must be a number") from None
    else:
        mapping = {str(k).lower(): float(v) for k, v in weights.items()}
    names = [f.name for f in features]
    out = np.ones(len(features))
    for key, value in mapping.items():
        if key not in names:
            raise UserError("weights", key, f"features of this variable set: {', '.join(names)}")
        if not math.isfinite(value) or value < 0:
            raise UserError("weights", f"{key}:{value}", "weights are numbers ≥ 0")
        out[names.index(key)] = value
    if out.sum() <= 0:
        raise UserError("weights", weights, "at least one weight above 0")
    return out


def physical_distance(target: PlaceNormals, cands: CandidateSet) -> np.ndarray:
    """Physical distance of each candidate to the target (NaN when nothing comparable)."""
    n = len(cands)
    sq_sum = np.zeros(n)
    count = np.zeros(n)
    if math.isfinite(target.population) and target.population > 0:
        with np.errstate(divide="ignore", invalid="ignore"):
            c = np.abs(np.log10(cands.population / target.population)) / POPULATION_LOG10_SCALE
        ok = np.isfinite(c)
        sq_sum[ok] += c[ok] ** 2
        count[ok] += 1
    if math.isfinite(target.altitude_m):
        c = np.abs(cands.altitude_m - target.altitude_m) / ALTITUDE_SCALE_M
        ok = np.isfinite(c)
        sq_sum[ok] += c[ok] ** 2
        count[ok] += 1
    if target.rurality:
        known = np.array([bool(r) for r in cands.rurality])
        differs = np.array([r != target.rurality for r in cands.rurality], dtype=float)
        sq_sum[known] += differs[known]
        count[known] += 1
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, np.sqrt(sq_sum / np.maximum(count, 1)), np.nan)


def _period_notes(target_period: str, periods: Iterable[str]) -> list[str]:
    counts = Counter(str(p) for p in periods)
    if not counts:
        return []
    ref, ref_known = scenarios.resolve_reference_period(target_period)
    main, _ = counts.most_common(1)[0]
    listed = ", ".join(f"{p or 'unstated'} ({n})" for p, n in counts.most_common())
    notes = []
    cand_ref, cand_known = scenarios.resolve_reference_period(main)
    if cand_ref != ref or len(counts) > 1:
        periods = {"target_period": target_period or "unstated", "listed": listed}
        if ref_known and cand_known and cand_ref != ref:
            gap = scenarios.REFERENCE_WARMING_C[ref] - scenarios.REFERENCE_WARMING_C[cand_ref]
            key = "note.candidate_periods_cooler" if gap > 0 else "note.candidate_periods_warmer"
            notes.append(make_note(key, gap=abs(gap), candidate_period=cand_ref, reference=ref,
                                   **periods))
        else:
            notes.append(make_note("note.candidate_periods", **periods))
    return notes


def find_twins(
    target: PlaceNormals,
    candidates: CandidateSet | Iterable[PlaceNormals] | None = None,
    *,
    scenario: str | None = "tracc",
    horizon: int | None = None,
    warming_level: float | None = None,
    variables: str | list[str] = "ministry4",
    metric: str = "seuclidean",
    weights: Mapping[str, float] | str | None = None,
    physical_weight: float = DEFAULT_PHYSICAL_WEIGHT,
    novelty_threshold: float = DEFAULT_NOVELTY_SIGMA,
    top: int = 10,
    scales: str = "interannual",
) -> TwinRanking:
    """Rank ``candidates`` by how closely their present climate matches ``target``'s future.

    Parameters
    ----------
    target : PlaceNormals
        The commune; projected to the horizon / warming level unless ``scenario`` is None
        (then its present normals are matched as they are).
    candidates : CandidateSet or list of PlaceNormals, optional
        Default: every place shipped with the package. A candidate named as the target is
        left out.
    scenario : str or None
        Warming trajectory (:data:`territoire_abm.climate.scenarios.SCENARIO_NAMES`).
    horizon, warming_level : int, float, optional
        Calendar year or France warming vs pre-industrial (°C); one of them, default
        horizon 2050.
    variables : str or list of str
        "ministry4" (default), "tmean4", "seasonal", "monthly", or feature names.
    metric : str
        "seuclidean" (default), "mahalanobis" or "sigma".
    weights : mapping or str, optional
        Feature weights ("tmean:1,tmin_jan:2"); normalised to mean 1.
    physical_weight : float
        0–1: sigma a candidate may lose to a physically closer one (see module doc).
    novelty_threshold : float
        Sigma above which a candidate is no good twin (default 2).
    top : int
        Rows shown in the text summary.
    scales : str
        "interannual" (target's interannual variability, else defaults) or "candidates"
        (spread across the candidates, as scipy's seuclidean).

    Returns
    -------
    TwinRanking

    Raises
    ------
    UserError
        Bad option, target lacking a variable of the set, no candidate with the variables.
    """
    metric = _check_options(metric, scales, physical_weight, novelty_threshold, top)
    label, features = parse_variables(variables)
    w = parse_weights(weights, features)
    projection, future, notes = _project_target(target, scenario, horizon, warming_level)
    t_raw = _target_values(target, future, features, label)
    cand, raw, excluded, select_notes = _select_candidates(
        target, as_candidate_set(candidates), features, label)
    notes += select_notes
    X = transform(features, raw)
    t = transform(features, t_raw[None, :])[0]
    s, source, years_values = _scales(target, features, X, t_raw, scales)
    if source == "default interannual scales":
        notes.append(make_note("note.default_scales"))
    corr, cov_source, corr_notes = _correlation(metric, X, years_values, source, features)
    notes += corr_notes
    d, sigma, used = _distances(metric, X, t, s, w, corr)
    table = _ranking_table(target, cand, features, raw, t_raw, X, t, s, w, d, sigma, used,
                           physical_weight, novelty_threshold)
    good, verdict = _verdict(table, novelty_threshold, projection is not None)
    notes += _table_notes(target, table, features, top, physical_weight)
    if projection is not None:
        notes += _twin_future_notes(cand, table, projection)
    return TwinRanking(
        table=table, target=target, target_future=future, projection=projection,
        features=features, variables=label, metric=metric, covariance_source=cov_source,
        novelty_threshold=float(novelty_threshold), physical_weight=float(physical_weight),
        good=good, verdict=verdict, excluded=excluded, notes=notes, top=int(top),
    )


# --------------------------------------------------------------------------- find_twins steps


def _check_options(metric: str, scales: str, physical_weight: float, novelty_threshold: float,
                   top: int) -> str:
    """Validate the options; return the normalised metric name."""
    metric = str(metric).strip().lower()
    if metric not in METRICS:
        raise UserError("metric", metric, f"allowed: {', '.join(METRICS)}")
    if scales not in SCALE_CHOICES:
        raise UserError("scales", scales, f"allowed: {', '.join(SCALE_CHOICES)}")
    if not (isinstance(physical_weight, (int, float)) and 0.0 <= physical_weight <= 1.0):
        raise UserError("physical_weight", physical_weight, "a number from 0 to 1 (sigma)")
    if not (isinstance(novelty_threshold, (int, float)) and novelty_threshold > 0):
        raise UserError("threshold", novelty_threshold, "a positive sigma, e.g. 2")
    if not (isinstance(top, (int, np.integer)) and top >= 1):
        raise UserError("top", top, "a whole number ≥ 1")
    return metric


def _project_target(target: PlaceNormals, scenario: str | None, horizon: int | None,
                    warming_level: float | None
                    ) -> tuple[Projection | None, PlaceNormals, list[str]]:
    """The target's future climate (delta method) and the notes that go with it."""
    notes: list[str] = []
    projection: Projection | None = None
    future = target
    if scenario is not None:
        if horizon is None and warming_level is None:
            horizon = DEFAULT_HORIZON
        projection = project(target, scenario=scenario, year=horizon,
                             warming_level_c=warming_level)
        future = projection.future
    elif horizon is not None or warming_level is not None:
        raise UserError("scenario", scenario, "a scenario is needed for a horizon or level")
    if target.estimated:
        notes.append(estimated_note(target.name, target.notes))
    if projection is not None:
        notes += list(projection.notes)
    else:
        notes.append(make_note("note.no_projection"))
    return projection, future, notes


def _target_values(target: PlaceNormals, future: PlaceNormals, features: list[Feature],
                   label: str) -> np.ndarray:
    """The target's future feature values; every feature of the set is required."""
    t_raw = _target_raw(features, future)
    missing_t = [f.name for f, v in zip(features, t_raw, strict=True) if not math.isfinite(v)]
    if missing_t:
        raise UserError(
            "variables", label,
            f"{target.name} has no {', '.join(missing_t)}; try variables=tmean4 or a "
            "normals file with these columns",
        )
    return t_raw


def _select_candidates(target: PlaceNormals, cs: CandidateSet, features: list[Feature],
                       label: str) -> tuple[CandidateSet, np.ndarray, pd.DataFrame, list[str]]:
    """Candidates with enough features to be ranked (never the target itself).

    A candidate lacking some features of the set is still ranked on the ones it has, when
    it has at least :data:`MIN_FEATURES` of them (or all, for sets of fewer); its row says
    which features were used. Only candidates with too few features are excluded, each with
    its reason.
    """
    key = normalise_name(target.name)
    not_self = np.array([normalise_name(n) != key for n in cs.names], dtype=bool)
    raw_all = feature_values(features, cs.monthly, cs.annual_precip, cs.annual_tmean)
    finite = np.isfinite(raw_all)
    enough = finite.sum(axis=1) >= min(MIN_FEATURES, len(features))
    valid = enough & not_self
    excluded_rows = []
    for i in np.flatnonzero(~valid):
        if not not_self[i]:
            reason = "the target itself"
        else:
            reason = "no " + ", ".join(f.name for f, ok in zip(features, finite[i], strict=True)
                                        if not ok)
        excluded_rows.append({"name": cs.names[i], "reason": reason})
    excluded = pd.DataFrame(excluded_rows, columns=["name", "reason"])
    if not valid.any():
        lacking = [f.name for j, f in enumerate(features) if not finite[not_self, j].any()]
        what = ", ".join(lacking) if lacking else "every variable of the set together"
        raise UserError(
            "candidates", cs.origin or "candidates",
            f"no candidate has {what} needed by variables={label} (columns missing?)",
        )
    notes = []
    n_partial = int((valid & ~finite.all(axis=1)).sum())
    if n_partial:
        notes.append(make_note("note.partial_candidates", n=n_partial))
    n_out = int((~enough & not_self).sum())
    if n_out:
        notes.append(make_note("note.not_ranked", n=n_out, k=min(MIN_FEATURES, len(features))))
    return cs.subset(valid), raw_all[valid], excluded, notes


def _scales(target: PlaceNormals, features: list[Feature], X: np.ndarray, t_raw: np.ndarray,
            scales: str) -> tuple[np.ndarray, str, np.ndarray | None]:
    """Per-feature scales, where they come from, and the target's yearly values if any."""
    years_values = None
    if target.interannual_years:
        years_values = transform(features, yearly_values(features, target.interannual_years))
        years_values = years_values[np.isfinite(years_values).all(axis=1)]
        if years_values.shape[0] < 3:
            years_values = None
    if scales == "candidates":
        s = np.nanstd(X, axis=0)
        s = np.where(s > 0, s, default_scales(features))
        return s, "spread across candidates", years_values
    if years_values is not None:
        s = years_values.std(axis=0, ddof=1)
        s = np.where(s > 0, s, default_scales(features))
        return s, f"target's interannual variability ({years_values.shape[0]} years)", \
            years_values
    from_sd = scales_from_sd(features, target.interannual_sd or {}, t_raw)
    if from_sd is not None:
        return from_sd, "target's interannual standard deviations", years_values
    return default_scales(features), "default interannual scales", years_values


def _correlation(metric: str, X: np.ndarray, years_values: np.ndarray | None, source: str,
                 features: list[Feature]) -> tuple[np.ndarray | None, str, list[str]]:
    """Correlation between features for the Mahalanobis metrics (None = independent)."""
    if metric == "seuclidean":
        return None, source, []
    if metric == "sigma":
        corr = dist.correlation(years_values) if years_values is not None else None
        return corr, source + (" with interannual correlation" if corr is not None else ""), []
    if years_values is not None:
        return dist.correlation(years_values), source + " with interannual correlation", []
    complete = X[np.isfinite(X).all(axis=1)]
    if len(complete) >= len(features) + 2:
        return dist.correlation(complete), source + " with correlation across candidates", [
            make_note("note.spatial_correlation")]
    return None, source + " (too few candidates for a correlation)", []


def _distances(metric: str, X: np.ndarray, t: np.ndarray, s: np.ndarray,
               w: np.ndarray | None, corr: np.ndarray | None
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distance, sigma and the mask of features used, per candidate.

    Candidates are grouped by the features they have; each group is measured on its own
    features (weights, scales and correlation restricted to them) and its sigma uses as
    many degrees of freedom as features with a weight above 0.
    """
    n, p = X.shape
    weights = dist.normalised_weights(w, p)
    used = np.isfinite(X)
    d = np.full(n, np.nan)
    sigma = np.full(n, np.nan)
    if used.all():
        patterns, inverse = np.ones((1, p), dtype=bool), np.zeros(n, dtype=int)
    else:
        patterns, inverse = np.unique(used, axis=0, return_inverse=True)
    for k, pattern in enumerate(patterns):
        rows = np.flatnonzero(inverse.ravel() == k)
        cols = np.flatnonzero(pattern)
        w_sub = weights[cols] if w is not None else None
        if metric == "seuclidean":
            dk = dist.seuclidean(X[np.ix_(rows, cols)], t[cols], s[cols], w_sub)
        else:
            c_sub = corr[np.ix_(cols, cols)] if corr is not None else None
            dk = dist.mahalanobis(X[np.ix_(rows, cols)], t[cols],
                                  dist.covariance(s[cols], c_sub), w_sub)
        dof = int((dist.normalised_weights(w_sub, cols.size) > 0).sum())
        d[rows] = dk
        sigma[rows] = dist.sigma_dissimilarity(dk, dof)
    return d, sigma, used


def _ranking_table(target: PlaceNormals, cand: CandidateSet, features: list[Feature],
                   raw: np.ndarray, t_raw: np.ndarray, X: np.ndarray, t: np.ndarray,
                   s: np.ndarray, w: np.ndarray | None, d: np.ndarray, sigma: np.ndarray,
                   used: np.ndarray, physical_weight: float,
                   novelty_threshold: float) -> pd.DataFrame:
    """The ranked table: climate first (threshold, then score), physical ties second."""
    weights_used = dist.normalised_weights(w, len(features))
    phys = physical_distance(target, cand)
    q = np.where(np.isfinite(phys), phys / (1.0 + phys), 0.5)
    score = sigma + physical_weight * q
    within = sigma <= novelty_threshold
    order = np.lexsort((cand.names.astype(str), score, ~within))
    z = (X - t) / s * np.sqrt(weights_used)
    top_idx = dist.top_contributions(z, k=2)
    differs = [
        ", ".join(f"{features[j].name} {format_difference(features[j], raw[i, j], t_raw[j])}"
                  for j in top_idx[i] if used[i, j])
        for i in range(len(cand))
    ]
    km = (
        haversine_km(target.lat, target.lon, cand.lat, cand.lon)
        if math.isfinite(target.lat) and math.isfinite(target.lon)
        else np.full(len(cand), np.nan)
    )
    all_used = used.all(axis=1)
    features_used = ["all"] * len(cand) if all_used.all() else [
        "all" if all_used[i] else ", ".join(f.name for f, ok in zip(features, used[i],
                                                                    strict=True) if ok)
        for i in range(len(cand))
    ]
    data: dict[str, Any] = {
        "name": cand.names,
        "country": cand.countries,
        "sigma": sigma,
        "climate_distance": d,
        "within_threshold": within,
        "physical_distance": phys,
        "score": score,
        "differs_most": differs,
        "features_used": features_used,
    }
    for j, f in enumerate(features):
        if f.kind == "precip":
            data[f"d_{f.name}_pct"] = 100.0 * (raw[:, j] / t_raw[j] - 1.0) if t_raw[j] > 0 \
                else raw[:, j] - t_raw[j]
        else:
            data[f"d_{f.name}_c"] = raw[:, j] - t_raw[j]
    for j, f in enumerate(features):
        data[f"{f.name}{'_mm' if f.kind == 'precip' else '_c'}"] = raw[:, j]
    data.update(
        {
            "population": cand.population,
            "altitude_m": cand.altitude_m,
            "rurality": cand.rurality,
            "distance_km": km,
            "lat": cand.lat,
            "lon": cand.lon,
            "period": cand.periods,
            "kind": cand.kinds,
            "estimated": cand.estimated,
            "notes": cand.notes,
        }
    )
    table = pd.DataFrame(data).iloc[order].reset_index(drop=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return table


def _verdict(table: pd.DataFrame, novelty_threshold: float, projected: bool
             ) -> tuple[bool, str]:
    """Whether the best candidate is a good twin, and the one-line verdict."""
    best = table.iloc[0]
    if bool(best["within_threshold"]):
        n_good = int(table["within_threshold"].sum())
        return True, (
            f"good twin: {best['name']} (sigma {best['sigma']:.2f} ≤ {novelty_threshold:g}; "
            f"{n_good} candidate{'s' if n_good > 1 else ''} within the threshold)"
        )
    head = NO_TWIN if projected else "no good twin among the candidates"
    return False, (
        f"{head}: the closest candidate, {best['name']}, is at sigma {best['sigma']:.2f} "
        f"> {novelty_threshold:g} — a climate none of the candidates has today"
    )


def _table_notes(target: PlaceNormals, table: pd.DataFrame, features: list[Feature],
                 top: int, physical_weight: float) -> list[str]:
    """Periods, estimated and partial candidates among the top rows, physical tie-breaks."""
    notes = _period_notes(target.period, table["period"].head(max(top, 1)))
    for _, row in table.head(top).iterrows():
        if row["estimated"]:
            notes.append(estimated_note(row["name"], row["notes"]))
        if row["features_used"] != "all":
            missing = [f.name for f in features if f.name not in row["features_used"].split(", ")]
            notes.append(make_note("note.ranked_on", name=row["name"],
                                   used=row["features_used"], missing=", ".join(missing)))
    if physical_weight > 0:
        notes.append(make_note("note.physical_ties", weight=physical_weight))
    return notes


def _twin_future_notes(cand: CandidateSet, table: pd.DataFrame, projection: Projection
                       ) -> list[str]:
    """The best twin keeps warming too: its own future at the same horizon."""
    from territoire_abm.twinning.projection import own_future

    i = cand.index_of(str(table.iloc[0]["name"]))
    if i is None:
        return []
    try:
        twin = own_future(cand.place(i), projection)
    except UserError:
        return []
    return [make_note("note.twin_moves_on", own=twin.notes[0],
                      delta=projection.annual_delta_c), *twin.notes[1:]]
