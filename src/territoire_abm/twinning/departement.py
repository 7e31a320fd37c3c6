"""Climate twins for every commune of a département at once: a table and a map.

``twin find departement=31 warming_level=4.0`` estimates each commune's normals at its
gazetteer position (:func:`territoire_abm.twinning.targets.commune_normals`), projects them
(delta method), and ranks the candidates for every commune with the same features, scales,
metric and ordering rule as :func:`territoire_abm.twinning.ranking.find_twins` (its steps
are reused; the candidates are prepared once). Communes outside the data's domain are
listed with the reason, never dropped silently. The map draws the communes coloured by the
best twin's sigma over country outlines from Natural Earth (``data/borders_europe.json.gz``).
"""

from __future__ import annotations

import gzip
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from territoire_abm.climate.normals import DATA_DIR, PlaceNormals, load_places, normalise_name
from territoire_abm.errors import UserError
from territoire_abm.twinning import ranking as rk
from territoire_abm.twinning.candidates import CandidateSet, as_candidate_set
from territoire_abm.twinning.features import parse_variables, transform
from territoire_abm.twinning.gazetteer import communes_in
from territoire_abm.twinning.projection import project
from territoire_abm.twinning.targets import commune_normals

BORDERS_PATH = DATA_DIR / "borders_europe.json.gz"
#: Twins listed per commune in the table.
TWINS_PER_COMMUNE = 3


@dataclass
class DepartementRanking:
    """Best twins of every commune of a département (one row per commune)."""

    departement: str
    table: pd.DataFrame
    horizon_label: str
    variables: str
    metric: str
    novelty_threshold: float
    notes: list[str] = field(default_factory=list)

    def to_text(self, top: int = 15) -> str:
        """Summary, the first ``top`` communes by population, and the notes."""
        ok = self.table[self.table["status"] == "ok"]
        lines = [
            f"Climate twins of the {len(self.table)} communes of département "
            f"{self.departement} — {self.horizon_label} · variables {self.variables} · "
            f"metric {self.metric}",
            f"ranked: {len(ok)}; outside the data's domain or lacking variables: "
            f"{len(self.table) - len(ok)}; with a good twin (sigma ≤ "
            f"{self.novelty_threshold:g}): {int(ok['good'].sum())}",
        ]
        if not ok.empty:
            counts = ok["twin_1"].value_counts().head(5)
            lines.append("most frequent best twins: " + ", ".join(
                f"{name} ({n})" for name, n in counts.items()))
            view = ok.sort_values("population", ascending=False).head(top)
            lines += ["", view[["insee", "name", "population", "sigma_1", "twin_1",
                                "twin_2", "twin_3"]].to_string(index=False)]
        if self.notes:
            lines += ["", "notes:"] + [f"  - {n}" for n in self.notes]
        return "\n".join(lines)

    def write(self, out_dir: str | Path) -> dict[str, Path]:
        """``departement_<code>_twins.csv`` / ``.txt`` and the map ``…_map.png``."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        stem = out / f"departement_{self.departement}_twins"
        paths = {"csv": stem.with_suffix(".csv"), "txt": stem.with_suffix(".txt"),
                 "map": out / f"departement_{self.departement}_map.png"}
        self.table.to_csv(paths["csv"], index=False)
        paths["txt"].write_text(self.to_text() + "\n", encoding="utf-8")
        draw_map(self, paths["map"])
        return paths


def _prepare(candidates: CandidateSet | None, features: list, label: str
             ) -> tuple[CandidateSet, np.ndarray, np.ndarray, np.ndarray]:
    """Candidates with enough features (as find_twins), raw and transformed values, names."""
    cs = as_candidate_set(candidates)
    dummy = PlaceNormals(name="", country="", lat=math.nan, lon=math.nan,
                         altitude_m=math.nan, population=math.nan, rurality=None, period="",
                         tmin_c=np.full(12, np.nan), tmax_c=np.full(12, np.nan),
                         tmean_c=np.full(12, np.nan), precip_mm=np.full(12, np.nan))
    cand, raw, _, _ = rk._select_candidates(dummy, cs, features, label)
    keys = np.array([normalise_name(n) for n in cand.names], dtype=object)
    return cand, raw, transform(features, raw), keys


def _rank_one(target: PlaceNormals, future: PlaceNormals, cand: CandidateSet, X: np.ndarray,
              keys: np.ndarray, features: list, label: str, metric: str, s: np.ndarray,
              w: np.ndarray | None, corr: np.ndarray | None, physical_weight: float,
              threshold: float) -> dict[str, Any]:
    """Best twins of one projected commune, by find_twins' ordering rule."""
    t_raw = rk._target_values(target, future, features, label)
    t = transform(features, t_raw[None, :])[0]
    keep = keys != normalise_name(target.name)
    if not keep.all():
        cand, X = cand.subset(keep), X[keep]
    _, sigma, used = rk._distances(metric, X, t, s, w, corr)
    phys = rk.physical_distance(target, cand)
    q = np.where(np.isfinite(phys), phys / (1.0 + phys), 0.5)
    score = sigma + physical_weight * q
    within = sigma <= threshold
    order = np.lexsort((cand.names.astype(str), score, ~within))[:TWINS_PER_COMMUNE]
    row: dict[str, Any] = {"status": "ok", "good": bool(within[order[0]])}
    for k, i in enumerate(order, start=1):
        partial = "" if used[i].all() else "†"
        row[f"twin_{k}"] = f"{cand.names[i]}{partial} ({cand.countries[i]})"
        row[f"sigma_{k}"] = round(float(sigma[i]), 3)
    return row


def rank_departement(
    departement: str,
    candidates: CandidateSet | None = None,
    *,
    scenario: str = "tracc",
    horizon: int | None = None,
    warming_level: float | None = None,
    variables: str = "ministry4",
    metric: str = "seuclidean",
    weights: str | None = None,
    physical_weight: float = rk.DEFAULT_PHYSICAL_WEIGHT,
    novelty_threshold: float = rk.DEFAULT_NOVELTY_SIGMA,
    places: list[PlaceNormals] | None = None,
) -> DepartementRanking:
    """Rank twins for every commune of ``departement`` (see module doc)."""
    metric = rk._check_options(metric, "interannual", physical_weight, novelty_threshold, 1)
    label, features = parse_variables(variables)
    w = rk.parse_weights(weights, features)
    pool = load_places() if places is None else places
    cand, _, X, keys = _prepare(candidates, features, label)
    s = rk.default_scales(features)
    corr, _, corr_notes = rk._correlation(metric, X, None, "default interannual scales",
                                          features)
    rows, label_h = [], None
    communes = communes_in(departement)
    for commune in communes:
        base = {"insee": commune.insee, "name": commune.name, "lat": commune.lat,
                "lon": commune.lon, "altitude_m": commune.altitude_m,
                "population": commune.population}
        try:
            target = commune_normals(commune, pool)
            proj = project(target, scenario=scenario, year=horizon, warming_level_c=warming_level)
            label_h = label_h or proj.horizon_label
            base["period"] = target.period
            base.update(_rank_one(target, proj.future, cand, X, keys, features, label, metric,
                                  s, w, corr, physical_weight, novelty_threshold))
        except UserError as exc:
            if exc.field in ("horizon", "warming_level", "scenario"):
                raise
            base.update({"status": exc.allowed.split(";")[0], "good": False})
        rows.append(base)
    table = pd.DataFrame(rows)
    notes = [
        "every commune is estimated from the nearest measured places (lapse rate + inverse "
        "distance weighting, 3 within 300 km); leave-one-out error in docs/twinning.md §1",
        "default interannual scales (no year series for estimated communes): sigma is "
        "approximate",
        "† a twin ranked on fewer variables than the set (its data lack the others)",
        *corr_notes,
    ]
    return DepartementRanking(
        departement=communes[0].departement, table=table,
        horizon_label=label_h or "—", variables=label, metric=metric,
        novelty_threshold=float(novelty_threshold), notes=notes)


def load_borders() -> dict[str, list]:
    """Country outlines ``{ISO2: [ring, …]}`` (Natural Earth 1:10m, public domain)."""
    with gzip.open(BORDERS_PATH, "rt", encoding="utf-8") as handle:
        return json.load(handle)


def draw_map(result: DepartementRanking, path: Path) -> Path:
    """Communes coloured by their best twin's sigma, over country outlines."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    table = result.table
    fig, ax = plt.subplots(figsize=(7.5, 7.0), dpi=120)
    for rings in load_borders().values():
        for ring in rings:
            xy = np.asarray(ring)
            ax.plot(xy[:, 0], xy[:, 1], color="0.55", lw=0.6, zorder=1)
    ok = table[table["status"] == "ok"]
    out = table[table["status"] != "ok"]
    if not out.empty:
        ax.scatter(out["lon"], out["lat"], s=6, c="0.8", marker="x", zorder=2,
                   label=f"outside the data's domain ({len(out)})")
    if not ok.empty:
        points = ax.scatter(ok["lon"], ok["lat"], c=ok["sigma_1"], cmap="viridis_r",
                            vmin=0.0, vmax=max(3.0, result.novelty_threshold), s=10, zorder=3)
        fig.colorbar(points, ax=ax, shrink=0.7,
                     label="sigma of the best twin (≤ 2: good twin)")
    pad = 0.3
    ax.set_xlim(table["lon"].min() - pad, table["lon"].max() + pad)
    ax.set_ylim(table["lat"].min() - pad, table["lat"].max() + pad)
    ax.set_aspect(1.0 / math.cos(math.radians(float(table["lat"].mean()))))
    ax.set_xlabel("longitude (°E)")
    ax.set_ylabel("latitude (°N)")
    ax.set_title(f"Département {result.departement}: best climate twin per commune, "
                 f"{result.horizon_label}", fontsize=10)
    if not out.empty:
        ax.legend(loc="lower left", fontsize=8)
    fig.text(0.01, 0.01, "Borders: Natural Earth. Communes: Etalab/INSEE COG, IGN ADMIN "
             "EXPRESS (Licence Ouverte).", fontsize=6, color="0.4")
    fig.savefig(path)
    plt.close(fig)
    return path
