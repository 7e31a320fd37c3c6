"""Build station normals from Météo-France's open monthly files (``twin import-normals``).

No France-wide climate normals can be shipped from the package registries (see
``data/README.md``), so a user downloads Météo-France's open *données climatologiques de
base mensuelles*, one file per département (``MENSQ_<dep>_previous-1950-2024.csv.gz``,
Licence Ouverte / Etalab 2.0, on meteo.data.gouv.fr), and runs::

    territoire-abm twin import-normals MENSQ_31_previous-1950-2024.csv.gz MENSQ_32_… \\
        out=normals_mf.csv [period=1991-2020] [min_years=24]
    territoire-abm twin find commune=Lille normals=normals_mf.csv

For each station and month the normal is the mean over the period of ``TN`` (mean daily
minimum, °C), ``TX`` (mean daily maximum, °C), ``TM`` (mean temperature, °C; else
``(TN+TX)/2``) and ``RR`` (monthly total, mm), counting a month only when at least
``min_years`` years have it (the WMO guidance allows a few missing years; 24 of 30 as for
the shipped AEMET normals). A variable with any month short of years is left empty for that
station (the other variables are kept). The result follows the wide schema of
``places.csv``; ``twin find … normals=`` adds its stations both to the places communes are
estimated from and to the candidates (rural stations included).

Checks (one line, exit 2): a missing column, values that are not numbers, temperatures out
of −60…60 °C (values near 273–320 read as Kelvin, values above 60 as tenths of °C), monthly
precipitation outside 0…2000 mm, dates that are not ``AAAAMM``, and a file in which no
station has all twelve months over the period for any variable.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from territoire_abm.climate.normals import MONTHS, PlaceNormals, places_to_frame
from territoire_abm.errors import UserError

REQUIRED = ("NUM_POSTE", "NOM_USUEL", "LAT", "LON", "ALTI", "AAAAMM")
VALUE_COLUMNS = {"TN": "tmin", "TX": "tmax", "TM": "tmean", "RR": "precip"}
SOURCE = ("Météo-France, données climatologiques de base mensuelles (MENSQ), Licence "
          "Ouverte / Etalab 2.0; normals computed by territoire-abm twin import-normals")
DEFAULT_PERIOD = "1991-2020"
DEFAULT_MIN_YEARS = 24


def read_mensq(path: str | Path) -> pd.DataFrame:
    """One MENSQ file (``;``-separated, optionally gzipped) with its columns checked."""
    file = Path(path)
    if not file.is_file():
        raise UserError("file", str(path), "a readable Météo-France MENSQ_*.csv(.gz) file")
    try:
        frame = pd.read_csv(file, sep=";", dtype={"NUM_POSTE": str, "AAAAMM": str},
                            low_memory=False)
    except (ValueError, UnicodeDecodeError, OSError) as exc:
        raise UserError("file", file.name, f"a ';'-separated CSV ({type(exc).__name__})") \
            from None
    frame.columns = [str(c).strip().upper() for c in frame.columns]
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise UserError(f"{file.name} columns", ", ".join(missing),
                        f"Météo-France monthly columns {', '.join(REQUIRED)} and TN/TX/RR")
    if not any(c in frame.columns for c in VALUE_COLUMNS):
        raise UserError(f"{file.name} columns", "no TN, TX, TM or RR",
                        "at least one of TN, TX, TM, RR")
    return frame


def _check_values(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """Numbers only, dates AAAAMM, values in physical ranges (°C, mm)."""
    dates = frame["AAAAMM"].astype(str).str.strip()
    if not dates.str.fullmatch(r"\d{6}").all():
        bad = dates[~dates.str.fullmatch(r"\d{6}")].iloc[0]
        raise UserError(f"{name} AAAAMM", bad, "year and month as AAAAMM, e.g. 199101")
    out = pd.DataFrame({"station": frame["NUM_POSTE"].astype(str).str.strip(),
                        "name": frame["NOM_USUEL"].astype(str).str.strip(),
                        "year": dates.str[:4].astype(int),
                        "month": dates.str[4:].astype(int)})
    if not out["month"].between(1, 12).all():
        raise UserError(f"{name} AAAAMM", dates[~out["month"].between(1, 12)].iloc[0],
                        "months 01 to 12")
    for col in ("LAT", "LON", "ALTI", *VALUE_COLUMNS):
        if col not in frame.columns:
            continue
        values = pd.to_numeric(frame[col], errors="coerce")
        text = frame[col].astype(str).str.strip()
        bad = values.isna() & frame[col].notna() & (text != "")
        if bad.any():
            raise UserError(f"{name} {col}", text[bad].iloc[0], "numbers (decimal point)")
        out[col] = values
    for col in ("TN", "TX", "TM"):
        if col in out and out[col].notna().any():
            worst = out[col].abs().max()
            if worst > 60:
                hint = "values near 273–320 look like Kelvin" if out[col].min() > 200 \
                    else "values above 60 look like tenths of °C"
                raise UserError(f"{name} {col}", float(worst), f"°C between −60 and 60; {hint}")
    if "RR" in out and out["RR"].notna().any():
        low, high = out["RR"].min(), out["RR"].max()
        if low < 0 or high > 2000:
            raise UserError(f"{name} RR", float(low if low < 0 else high),
                            "monthly precipitation in mm, 0 to 2000")
    return out


def _period(text: str) -> tuple[int, int]:
    try:
        start, end = (int(x) for x in str(text).split("-"))
    except ValueError:
        raise UserError("period", text, "years like 1991-2020") from None
    if not 1850 <= start < end <= 2100:
        raise UserError("period", text, "years like 1991-2020")
    return start, end


def station_normals(data: pd.DataFrame, period: str = DEFAULT_PERIOD,
                    min_years: int = DEFAULT_MIN_YEARS) -> list[PlaceNormals]:
    """Normals of every station of ``data`` (checked monthly rows) over ``period``."""
    start, end = _period(period)
    if not 1 <= min_years <= end - start + 1:
        raise UserError("min_years", min_years, f"1 to {end - start + 1} years")
    rows = data[data["year"].between(start, end)]
    places = []
    for station, group in rows.groupby("station", sort=True):
        values: dict[str, np.ndarray] = {}
        notes = []
        for col, variable in VALUE_COLUMNS.items():
            if col not in group:
                values[variable] = np.full(12, np.nan)
                continue
            by_month = group.groupby("month")[col]
            counts = by_month.count().reindex(range(1, 13), fill_value=0)
            means = by_month.mean().reindex(range(1, 13))
            if (counts >= min_years).all():
                values[variable] = means.to_numpy(dtype=float)
            else:
                values[variable] = np.full(12, np.nan)
                short = [MONTHS[m - 1] for m in range(1, 13) if counts[m] < min_years]
                if counts.sum():
                    notes.append(f"{variable} left out: fewer than {min_years} years in "
                                 f"{', '.join(short)}")
        if np.isnan(values["tmean"]).all() and np.isfinite(values["tmin"]).all() \
                and np.isfinite(values["tmax"]).all():
            values["tmean"] = (values["tmin"] + values["tmax"]) / 2.0
            notes.append("tmean = (tmin + tmax) / 2")
        if not any(np.isfinite(v).all() for v in values.values()):
            continue
        first = group.iloc[-1]
        places.append(PlaceNormals(
            name=f"{first['name'].title()} ({station})", country="FR",
            lat=float(first["LAT"]), lon=float(first["LON"]), altitude_m=float(first["ALTI"]),
            population=math.nan, rurality=None, period=f"{start}-{end}",
            tmin_c=values["tmin"], tmax_c=values["tmax"], tmean_c=values["tmean"],
            precip_mm=values["precip"], source=SOURCE, kind="station",
            notes="; ".join(notes)))
    return places


def import_normals(paths: list[str | Path], out: str | Path, *,
                   period: str = DEFAULT_PERIOD,
                   min_years: int = DEFAULT_MIN_YEARS) -> tuple[Path, int]:
    """Read the MENSQ files, write the normals table to ``out``; return it and the count."""
    if not paths:
        raise UserError("files", "none", "one or more Météo-France MENSQ_*.csv.gz files")
    checked = [_check_values(read_mensq(p), Path(p).name) for p in paths]
    places = station_normals(pd.concat(checked, ignore_index=True), period, min_years)
    if not places:
        raise UserError("files", ", ".join(Path(p).name for p in paths),
                        f"no station has all 12 months with ≥ {min_years} years of {period} "
                        "for any variable (months missing?)")
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    places_to_frame(places).to_csv(target, index=False)
    return target, len(places)
