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

import math
from pathlib import Path

import numpy as np
import pandas as pd

from territoire_abm.i18n import Translator
from territoire_abm.twinning.candidates import CandidateSet
from territoire_abm.twinning.comparison import CATALOGUE_THEMES, Comparison
from territoire_abm.twinning.render import (
    comparison_horizon,
    environment,
    measure_name,
    note_text,
    theme_title,
    translator,
)

HEAT_GAP_FULL_C = 5.0
DRY_GAP_FULL = 0.7
SOCIAL_RELEVANCE = 0.6
OTHER_RELEVANCE = 0.5
MALADAPTATION_FACTOR = 0.5


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _gap(comparison: Comparison, t: Translator) -> tuple[float, float, str, str]:
    target, twin = comparison.target, comparison.twin
    if target is None or twin is None:
        return 0.5, 0.5, t("book.climate_unknown_both"), t("book.climate_unknown")
    heat = twin.tmax_c[6] - target.tmax_c[6]
    heat_gap = float(np.clip(heat / HEAT_GAP_FULL_C, 0, 1)) if math.isfinite(heat) else 0.5
    heat_text = (t("book.heat_gap", twin=twin.name, gap=float(heat), target=target.name)
                 if math.isfinite(heat) else t("book.heat_unknown"))
    if target.has("precip") and twin.has("precip"):
        t_jja = float(target.precip_mm[[5, 6, 7]].sum())
        w_jja = float(twin.precip_mm[[5, 6, 7]].sum())
        dry = 1 - w_jja / t_jja if t_jja > 0 else 0.0
        dry_gap = float(np.clip(dry / DRY_GAP_FULL, 0, 1))
        dry_text = t("book.dry_gap", twin=twin.name, twin_mm=w_jja, target_mm=t_jja,
                     change=-100 * dry)
    else:
        dry_gap, dry_text = 0.5, t("book.dry_unknown")
    return heat_gap, dry_gap, heat_text, dry_text


def relevance_by_theme(comparison: Comparison, t: Translator | None = None
                       ) -> dict[str, tuple[float, str]]:
    """Relevance (0.3–1) and its reason, per theme key (reasons in ``t``'s language)."""
    t = t or translator("en")
    heat_gap, dry_gap, heat_text, dry_text = _gap(comparison, t)
    return {
        "heat": (0.3 + 0.7 * heat_gap, heat_text),
        "extremes": (0.3 + 0.7 * max(heat_gap, dry_gap),
                     t("book.both", heat=heat_text, dry=dry_text)),
        "water": (0.3 + 0.7 * dry_gap, dry_text),
        "social": (SOCIAL_RELEVANCE, t("book.social")),
        "other": (OTHER_RELEVANCE, t("book.other")),
    }


def _physical_feasibility(comparison: Comparison, t: Translator) -> tuple[float, str]:
    from territoire_abm.twinning.ranking import physical_distance

    if comparison.target is None or comparison.twin is None:
        return 1.0, t("book.places_unknown")
    phys = float(physical_distance(comparison.target,
                                   CandidateSet.from_places([comparison.twin]))[0])
    if not math.isfinite(phys):
        return 0.75, t("book.physical_unknown")
    q = phys / (1 + phys)
    return 1 - 0.5 * q, t("book.physical", distance=phys)


def _catalogue_index(catalogue: pd.DataFrame | None) -> pd.DataFrame | None:
    """The user's measure catalogue indexed by measure_id (None when it has no ids)."""
    if catalogue is None:
        return None
    frame = catalogue.rename(columns={"id": "measure_id", "name": "label"}) \
        if "measure_id" not in catalogue.columns else catalogue
    if "measure_id" not in frame.columns:
        return None
    return frame.drop_duplicates("measure_id").set_index("measure_id")


def _from_catalogue(entry: pd.Series, label: str, theme: str, relevance: dict,
                    t: Translator) -> tuple[str, str, str, float]:
    """Label, theme, description and feasibility (0–1) of a measure in the user's catalogue."""
    label = str(entry.get("label", label) or label)
    cat_theme = entry.get("theme")
    if isinstance(cat_theme, str):
        cat_theme = CATALOGUE_THEMES.get(cat_theme, cat_theme)
        if cat_theme in relevance:
            theme = cat_theme
    description = _text(entry.get("description"))
    if not description and _text(entry.get("name_fr")) and t.lang != "fr":
        description = t("book.description_fr", name=_text(entry.get("name_fr")))
    f_cat = 1.0
    value = pd.to_numeric(pd.Series([entry.get("feasibility")]), errors="coerce").iloc[0]
    if pd.notna(value):
        f_cat = float(np.clip(value, 0, 1))
    return label, theme, description, f_cat


def _why(t: Translator, comparison: Comparison, *, maladaptive: bool, adoption: float,
         rel: float, rel_text: str, feas: float, f_text: str, f_cat: float,
         target_share: float) -> str:
    """Every factor of a measure's score, in words."""
    return (
        (t("book.why_maladaptation") if maladaptive else "")
        + t("book.why", adoption=100 * adoption, twin=comparison.twin_name, relevance=rel,
            relevance_text=rel_text, feasibility=feas, feasibility_text=f_text,
            catalogue=t("book.why_catalogue", value=f_cat) if f_cat != 1.0 else "",
            target_share=100 * target_share, target=comparison.target_name)
    )


def transferability(comparison: Comparison, catalogue: pd.DataFrame | None = None,
                    t: Translator | None = None) -> pd.DataFrame:
    """The twin's measures ranked by transferability (see module doc), best first; labels
    and reasons in ``t``'s language (default English)."""
    t = t or translator("en")
    measures = comparison.measures.copy()
    columns = ["rank", "measure_id", "label", "theme", "twin_share", "target_share",
               "relevance", "feasibility", "novelty", "transferability", "why", "description"]
    if measures.empty:
        return pd.DataFrame(columns=columns)
    relevance = relevance_by_theme(comparison, t)
    f_phys, f_text = _physical_feasibility(comparison, t)
    cat = _catalogue_index(catalogue)
    rows = []
    for _, m in measures.iterrows():
        mid = m["measure_id"]
        label, theme, description, f_cat = m["label"], m["theme"], "", 1.0
        if cat is not None and mid in cat.index:
            label, theme, description, f_cat = _from_catalogue(cat.loc[mid], label, theme,
                                                               relevance, t)
        adoption = float(m["twin_share"]) if math.isfinite(m["twin_share"]) else 0.0
        target_share = float(m["target_share"]) if math.isfinite(m["target_share"]) else 0.0
        rel, rel_text = relevance.get(theme, relevance["other"])
        feas = f_phys * f_cat
        novelty = 1.0 - float(np.clip(target_share, 0, 1))
        maladaptive = bool(m.get("maladaptation", False))
        score = adoption * rel * feas * novelty * (MALADAPTATION_FACTOR if maladaptive else 1.0)
        why = _why(t, comparison, maladaptive=maladaptive, adoption=adoption, rel=rel,
                   rel_text=rel_text, feas=feas, f_text=f_text, f_cat=f_cat,
                   target_share=target_share)
        rows.append({"measure_id": mid, "label": measure_name(t, mid, label, catalogue),
                     "theme": theme, "twin_share": adoption, "target_share": target_share,
                     "relevance": rel, "feasibility": feas, "novelty": novelty,
                     "transferability": score, "why": why, "description": description})
    table = pd.DataFrame(rows).sort_values(["transferability", "measure_id"],
                                           ascending=[False, True], kind="stable")
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return table[columns].reset_index(drop=True)


def intro(comparison: Comparison, t: Translator | None = None) -> list[str]:
    """Opening lines; they state the verdict the finder reached, as the report does."""
    t = t or translator("en")
    horizon = comparison_horizon(t, comparison)
    names = {"twin": comparison.twin_name, "target": comparison.target_name,
             "when": t("book.when", horizon=horizon) if horizon else ""}
    row = comparison.twin_row()
    ranking = comparison.ranking
    if row is not None and ranking is not None and not bool(row["within_threshold"]):
        first = t("book.imperfect", threshold=ranking.novelty_threshold,
                  rank=int(row["rank"]), **names)
    else:
        first = t("book.good", **names)
    lines = [first]
    sigma = comparison.twin_sigma()
    if sigma is not None:
        lines.append(t("book.sigma", sigma=sigma))
    lines.append(t("book.simulated"))
    return lines


def _percent0(t: Translator, share: float) -> str:
    return t.percent(share, ".0f")


def book_markdown(comparison: Comparison, table: pd.DataFrame, lang: str = "en") -> str:
    """The book as Markdown, in ``lang`` (fr or en)."""
    t = translator(lang)
    out = [f"# {t('book.title', twin=comparison.twin_name, target=comparison.target_name)}",
           ""]
    out += intro(comparison, t) + [""]
    out += [t("book.formula"), ""]
    if table.empty:
        out.append(t("book.none_md"))
    else:
        heads = [t(f"book.col_{k}") for k in ("rank", "measure", "theme", "twin", "target",
                                              "relevance", "feasibility", "score")]
        out += ["| " + " | ".join(heads) + " |", "|---:|---|---|---:|---:|---:|---:|---:|"]
        for _, r in table.iterrows():
            label = str(r["label"]).replace("|", "\\|")
            out.append(
                f"| {r['rank']} | {label} | {theme_title(t, r['theme'])} | "
                f"{_percent0(t, r['twin_share'])} | {_percent0(t, r['target_share'])} | "
                f"{t.num(r['relevance'], '.2f')} | {t.num(r['feasibility'], '.2f')} | "
                f"{t.num(r['transferability'], '.3f')} |"
            )
        out.append("")
        for theme_key, group in table.groupby("theme", sort=False):
            out += [f"## {theme_title(t, theme_key)}", ""]
            for _, r in group.iterrows():
                out.append(f"- **{r['label']}** (#{r['rank']}): {r['why']}")
                if r["description"]:
                    out.append(f"  {r['description']}")
            out.append("")
    if comparison.notes:
        out += [f"## {t('book.h_notes')}", ""] + [f"- {note_text(t, n)}"
                                                  for n in comparison.notes]
    return "\n".join(out) + "\n"


def _book_rows(t: Translator, table: pd.DataFrame) -> list[dict]:
    """The book's table and cards, every number written in ``t``'s language."""
    top = max(float(table["transferability"].max()), 1e-12) if len(table) else 1.0
    return [{
        "rank": int(r["rank"]), "label": str(r["label"]), "measure_id": str(r["measure_id"]),
        "theme": theme_title(t, r["theme"]),
        "twin": _percent0(t, r["twin_share"]), "target": _percent0(t, r["target_share"]),
        "relevance": t.num(r["relevance"], ".2f"), "feasibility": t.num(r["feasibility"], ".2f"),
        "width": f"{6 * float(r['transferability']) / top:.2f}",
        "score": t.num(r["transferability"], ".3f"),
        "why": str(r["why"]), "description": str(r["description"]) if r["description"] else "",
        "theme_key": r["theme"],
    } for _, r in table.iterrows()]


def book_html(comparison: Comparison, table: pd.DataFrame, lang: str = "en") -> str:
    """The book as a self-contained HTML page (template ``book.html.j2``, autoescaped)."""
    t = translator(lang)
    rows = _book_rows(t, table)
    groups = {}
    for row in rows:
        groups.setdefault(row["theme_key"], []).append(row)
    return environment().get_template("book.html.j2").render(
        lang=lang, t=t,
        title=t("book.title", twin=comparison.twin_name, target=comparison.target_name),
        intro=intro(comparison, t), rows=rows,
        groups=[(theme_title(t, key), group) for key, group in groups.items()],
        notes=[note_text(t, n) for n in comparison.notes],
    )


def write_book(comparison: Comparison, out_dir: str | Path,
               catalogue: pd.DataFrame | None = None, lang: str = "en") -> dict[str, Path]:
    """Write best_practice_book.html, .md and .csv (in ``lang``) to ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    table = transferability(comparison, catalogue, translator(lang))
    paths = {"html": out / "best_practice_book.html", "md": out / "best_practice_book.md",
             "csv": out / "best_practice_book.csv"}
    paths["html"].write_text(book_html(comparison, table, lang), encoding="utf-8")
    paths["md"].write_text(book_markdown(comparison, table, lang), encoding="utf-8")
    table.to_csv(paths["csv"], index=False)
    return paths
