"""Best-practice book ("cahier des bonnes pratiques"): the twin's measures ranked by how
well they would transfer to the target.

Transferability of a measure::

    transferability = adoption × relevance × feasibility × novelty

- adoption: share of the twin's adopters at the end of the run (0–1);
- relevance: how much the measure's theme matters for the target's coming climate, from the
  gap between the twin's present climate and the target's present one: heat and extreme
  events ← the July maximum gap (5 °C or more counts fully), water ← how much drier the
  twin's summer is (70 % drier counts fully), social behaviours 0.6, other 0.5; relevance
  is ``0.3 + 0.7 × gap`` so no theme drops to zero;
- feasibility: ``1 − 0.5 q`` with q the physical dissimilarity of the two places (size,
  altitude, rurality; see :mod:`.ranking`), times a catalogue ``feasibility`` (0–1) when one
  is supplied;
- novelty: ``1 − `` the target's own adoption share (what it has not done yet);
- measures the engine's catalogue flags as possible maladaptation (e.g. air conditioning)
  are halved and flagged.

These are project conventions for ordering a discussion list, not a validated index; every
factor is printed next to the score so a workshop can disagree with it.
"""

from __future__ import annotations

import html
import math
from pathlib import Path

import numpy as np
import pandas as pd

from territoire_abm.twinning.candidates import CandidateSet
from territoire_abm.twinning.comparison import CATALOGUE_THEMES, THEMES, Comparison

THEME_TITLES = {t.key: t.title for t in THEMES} | {"other": "Other measures"}
HEAT_GAP_FULL_C = 5.0
DRY_GAP_FULL = 0.7
SOCIAL_RELEVANCE = 0.6
OTHER_RELEVANCE = 0.5
MALADAPTATION_FACTOR = 0.5
BOOK_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:60rem;margin:2rem auto;
padding:0 1rem;color:#222;line-height:1.45}
h1{color:#b2182b}h2{border-bottom:2px solid #eee;padding-bottom:.2rem}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border-bottom:1px solid #ddd;padding:.3rem .4rem;text-align:left}
th{background:#f6f6f6}.card{border:1px solid #ddd;border-radius:6px;padding:.6rem 1rem;
margin:.8rem 0}.muted{color:#666;font-size:.85rem}.bar{display:inline-block;height:.6rem;
background:#b2182b;border-radius:2px}.note{background:#fff8e1;border-left:4px solid #f0b400;
padding:.5rem 1rem}
"""


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _gap(comparison: Comparison) -> tuple[float, float, str, str]:
    target, twin = comparison.target, comparison.twin
    if target is None or twin is None:
        return 0.5, 0.5, "climate of the two places unknown", "climate unknown"
    heat = twin.tmax_c[6] - target.tmax_c[6]
    heat_gap = float(np.clip(heat / HEAT_GAP_FULL_C, 0, 1)) if math.isfinite(heat) else 0.5
    heat_text = (f"{twin.name}'s July max. is {heat:+.1f} °C from {target.name}'s today"
                 if math.isfinite(heat) else "July maximum unknown")
    if target.has("precip") and twin.has("precip"):
        t_jja = float(target.precip_mm[[5, 6, 7]].sum())
        w_jja = float(twin.precip_mm[[5, 6, 7]].sum())
        dry = 1 - w_jja / t_jja if t_jja > 0 else 0.0
        dry_gap = float(np.clip(dry / DRY_GAP_FULL, 0, 1))
        dry_text = (f"{twin.name}'s summer rain is {w_jja:.0f} mm against {t_jja:.0f} mm "
                    f"({-100 * dry:+.0f} %)")
    else:
        dry_gap, dry_text = 0.5, "summer rainfall unknown"
    return heat_gap, dry_gap, heat_text, dry_text


def relevance_by_theme(comparison: Comparison) -> dict[str, tuple[float, str]]:
    """Relevance (0.3–1) and its reason, per theme key."""
    heat_gap, dry_gap, heat_text, dry_text = _gap(comparison)
    return {
        "heat": (0.3 + 0.7 * heat_gap, heat_text),
        "extremes": (0.3 + 0.7 * max(heat_gap, dry_gap), f"{heat_text}; {dry_text}"),
        "water": (0.3 + 0.7 * dry_gap, dry_text),
        "social": (SOCIAL_RELEVANCE, "behaviours matter whatever the climate"),
        "other": (OTHER_RELEVANCE, "theme not classified: average relevance"),
    }


def _physical_feasibility(comparison: Comparison) -> tuple[float, str]:
    from territoire_abm.twinning.ranking import physical_distance

    if comparison.target is None or comparison.twin is None:
        return 1.0, "places unknown"
    phys = float(physical_distance(comparison.target,
                                   CandidateSet.from_places([comparison.twin]))[0])
    if not math.isfinite(phys):
        return 0.75, "physical similarity unknown"
    q = phys / (1 + phys)
    return 1 - 0.5 * q, f"physical dissimilarity {phys:.2f}"


def transferability(comparison: Comparison, catalogue: pd.DataFrame | None = None
                    ) -> pd.DataFrame:
    """The twin's measures ranked by transferability (see module doc), best first."""
    measures = comparison.measures.copy()
    columns = ["rank", "measure_id", "label", "theme", "twin_share", "target_share",
               "relevance", "feasibility", "novelty", "transferability", "why", "description"]
    if measures.empty:
        return pd.DataFrame(columns=columns)
    relevance = relevance_by_theme(comparison)
    f_phys, f_text = _physical_feasibility(comparison)
    cat = None
    if catalogue is not None:
        frame = catalogue.rename(columns={"id": "measure_id", "name": "label"}) \
            if "measure_id" not in catalogue.columns else catalogue
        if "measure_id" in frame.columns:
            cat = frame.drop_duplicates("measure_id").set_index("measure_id")
    rows = []
    for _, m in measures.iterrows():
        mid = m["measure_id"]
        label, theme, description = m["label"], m["theme"], ""
        f_cat = 1.0
        if cat is not None and mid in cat.index:
            entry = cat.loc[mid]
            label = str(entry.get("label", label) or label)
            cat_theme = entry.get("theme")
            if isinstance(cat_theme, str):
                cat_theme = CATALOGUE_THEMES.get(cat_theme, cat_theme)
                if cat_theme in relevance:
                    theme = cat_theme
            description = _text(entry.get("description"))
            if not description and _text(entry.get("name_fr")):
                description = f"FR : {_text(entry.get('name_fr'))}"
            value = pd.to_numeric(pd.Series([entry.get("feasibility")]), errors="coerce").iloc[0]
            if pd.notna(value):
                f_cat = float(np.clip(value, 0, 1))
        adoption = float(m["twin_share"]) if math.isfinite(m["twin_share"]) else 0.0
        target_share = float(m["target_share"]) if math.isfinite(m["target_share"]) else 0.0
        rel, rel_text = relevance.get(theme, relevance["other"])
        feas = f_phys * f_cat
        novelty = 1.0 - float(np.clip(target_share, 0, 1))
        maladaptive = bool(m.get("maladaptation", False))
        score = adoption * rel * feas * novelty * (MALADAPTATION_FACTOR if maladaptive else 1.0)
        why = (
            ("possible maladaptation (catalogue), score halved; " if maladaptive else "")
            + f"adopted by {100 * adoption:.0f} % in {comparison.twin_name}; "
            f"relevance {rel:.2f} ({rel_text}); feasibility {feas:.2f} ({f_text}"
            f"{'; catalogue ' + format(f_cat, '.2f') if f_cat != 1.0 else ''}); "
            f"{100 * target_share:.0f} % already in {comparison.target_name}"
        )
        rows.append({"measure_id": mid, "label": label, "theme": theme,
                     "twin_share": adoption, "target_share": target_share, "relevance": rel,
                     "feasibility": feas, "novelty": novelty, "transferability": score,
                     "why": why, "description": description})
    table = pd.DataFrame(rows).sort_values(["transferability", "measure_id"],
                                           ascending=[False, True], kind="stable")
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return table[columns].reset_index(drop=True)


def _intro(comparison: Comparison) -> list[str]:
    """Opening lines; they state the verdict the finder reached, as the report does."""
    when = f" for {comparison.horizon_label}" if comparison.horizon_label else ""
    row = comparison.twin_row()
    ranking = comparison.ranking
    if row is not None and ranking is not None and not bool(row["within_threshold"]):
        first = (f"{comparison.twin_name} is compared with {comparison.target_name}{when}, but "
                 f"it is beyond the good-twin threshold ({ranking.novelty_threshold:g}; rank "
                 f"{int(row['rank'])}): an imperfect twin whose present climate only partly "
                 "resembles the one expected there.")
    else:
        first = (f"{comparison.twin_name} is the climate twin of {comparison.target_name}"
                 f"{when}: its present climate resembles the one expected there.")
    lines = [first]
    sigma = comparison.twin_sigma()
    if sigma is not None:
        lines.append(f"Climate dissimilarity: sigma {sigma:.2f}.")
    lines.append(
        "The shares below are simulated adoption in territoire_abm, not field observations: "
        "check them with the twin's officials and residents during the visit."
    )
    return lines


def book_markdown(comparison: Comparison, table: pd.DataFrame) -> str:
    """The book as Markdown."""
    out = [f"# Best-practice book: {comparison.twin_name} → {comparison.target_name}", ""]
    out += _intro(comparison) + [""]
    out += ["Transferability = adoption in the twin × climate relevance × feasibility for the "
            "target × novelty (1 − adoption already in the target).", ""]
    if table.empty:
        out.append("No simulated measures yet: run `territoire-abm twin compare` first.")
    else:
        out += ["| rank | measure | theme | twin | target | relevance | feasibility | score |",
                "|---:|---|---|---:|---:|---:|---:|---:|"]
        for _, r in table.iterrows():
            label = str(r["label"]).replace("|", "\\|")
            out.append(
                f"| {r['rank']} | {label} | {THEME_TITLES.get(r['theme'], r['theme'])} | "
                f"{100 * r['twin_share']:.0f} % | {100 * r['target_share']:.0f} % | "
                f"{r['relevance']:.2f} | {r['feasibility']:.2f} | {r['transferability']:.3f} |"
            )
        out.append("")
        for theme_key, group in table.groupby("theme", sort=False):
            out += [f"## {THEME_TITLES.get(theme_key, theme_key)}", ""]
            for _, r in group.iterrows():
                out.append(f"- **{r['label']}** (#{r['rank']}): {r['why']}")
                if r["description"]:
                    out.append(f"  {r['description']}")
            out.append("")
    if comparison.notes:
        out += ["## Notes", ""] + [f"- {n}" for n in comparison.notes]
    return "\n".join(out) + "\n"


def book_html(comparison: Comparison, table: pd.DataFrame) -> str:
    """The book as a self-contained HTML page (all text escaped)."""
    e = html.escape
    title = f"Best-practice book: {comparison.twin_name} → {comparison.target_name}"
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{e(title)}</title><style>{BOOK_CSS}</style></head><body>",
        f"<h1>{e(title)}</h1>",
    ]
    parts += [f"<p>{e(line)}</p>" for line in _intro(comparison)]
    parts.append(
        "<p class='muted'>Transferability = adoption in the twin × climate relevance × "
        "feasibility for the target × novelty (1 − adoption already in the target). "
        "Project conventions to order a discussion, not a validated index.</p>"
    )
    if table.empty:
        parts.append("<p class='note'>No simulated measures yet: run "
                     "<code>territoire-abm twin compare</code> first.</p>")
    else:
        parts.append("<table><tr><th>#</th><th>measure</th><th>theme</th><th>twin</th>"
                     "<th>target</th><th>relevance</th><th>feasibility</th>"
                     "<th>transferability</th></tr>")
        top = max(float(table["transferability"].max()), 1e-12)
        for _, r in table.iterrows():
            width = 6 * float(r["transferability"]) / top
            parts.append(
                f"<tr><td>{int(r['rank'])}</td><td>{e(str(r['label']))}</td>"
                f"<td>{e(THEME_TITLES.get(r['theme'], str(r['theme'])))}</td>"
                f"<td>{100 * r['twin_share']:.0f} %</td><td>{100 * r['target_share']:.0f} %</td>"
                f"<td>{r['relevance']:.2f}</td><td>{r['feasibility']:.2f}</td>"
                f"<td><span class='bar' style='width:{width:.2f}rem'></span> "
                f"{r['transferability']:.3f}</td></tr>"
            )
        parts.append("</table>")
        for theme_key, group in table.groupby("theme", sort=False):
            parts.append(f"<h2>{e(THEME_TITLES.get(theme_key, str(theme_key)))}</h2>")
            for _, r in group.iterrows():
                parts.append(
                    f"<div class='card'><strong>#{int(r['rank'])} {e(str(r['label']))}</strong>"
                    f" <span class='muted'>({e(str(r['measure_id']))})</span>"
                    f"<p>{e(str(r['why']))}</p>"
                    + (f"<p>{e(str(r['description']))}</p>" if r["description"] else "")
                    + "</div>"
                )
    if comparison.notes:
        parts.append("<h2>Notes</h2><ul>")
        parts += [f"<li>{e(n)}</li>" for n in comparison.notes]
        parts.append("</ul>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_book(comparison: Comparison, out_dir: str | Path,
               catalogue: pd.DataFrame | None = None) -> dict[str, Path]:
    """Write best_practice_book.html, .md and .csv to ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    table = transferability(comparison, catalogue)
    paths = {"html": out / "best_practice_book.html", "md": out / "best_practice_book.md",
             "csv": out / "best_practice_book.csv"}
    paths["html"].write_text(book_html(comparison, table), encoding="utf-8")
    paths["md"].write_text(book_markdown(comparison, table), encoding="utf-8")
    table.to_csv(paths["csv"], index=False)
    return paths
