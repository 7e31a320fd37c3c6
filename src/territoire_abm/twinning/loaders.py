"""Read a user's own climate normals: CSV tables and gridded NetCDF climatologies.

CSV (schema in ``data/README.md``): either the *wide* layout of ``data/places.csv`` (one
row per place; ``name`` plus any of ``tmin_jan``…``tmin_dec``, ``tmax_*``, ``tmean_*``,
``precip_*``, ``tmean_annual_c``, ``precip_annual_mm``, ``sd_<feature>``, and optional
``country, lat, lon, altitude_m, population, rurality, period, notes``), or the *long* layout
of ``data/climate_normals.csv`` (one row per place and variable: ``name, variable, jan..dec``
with variable ``tmin_C, tmax_C, tmean_C, precip_mm``; ``*_K`` variables are converted from
Kelvin). Temperatures in °C, precipitation in mm per month. Comma or semicolon separated.

NetCDF (xarray): monthly climatologies (12 time steps or a ``month`` dimension) or monthly
series of whole years (normals and interannual variability are then computed), such as
DRIAS, CHELSA, WorldClim or CRU files a user has downloaded. Variables are recognised by
name (tasmin/tmin/tn, tasmax/tmax/tx, tas/tmean/tavg/tg, pr/prec/prtot/rr, with or without
DRIAS' ``Adjust`` suffix) and converted from their ``units`` attribute: K → °C,
kg m-2 s-1 or mm/day → mm/month. Anything ambiguous is a :class:`UserError`, one line.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from territoire_abm.climate.normals import (
    DAYS_IN_MONTH,
    MONTHS,
    TEMPERATURE_VARIABLES,
    VARIABLES,
    PlaceNormals,
    places_from_frame,
)
from territoire_abm.errors import UserError
from territoire_abm.twinning.candidates import CandidateSet, _object_array

_LONG_VARIABLES = {
    "tmin_c": ("tmin", 0.0), "tmin": ("tmin", 0.0), "tn": ("tmin", 0.0),
    "tmax_c": ("tmax", 0.0), "tmax": ("tmax", 0.0), "tx": ("tmax", 0.0),
    "tmean_c": ("tmean", 0.0), "tmean": ("tmean", 0.0), "tavg": ("tmean", 0.0),
    "tavg_c": ("tmean", 0.0), "tg": ("tmean", 0.0),
    "tmin_k": ("tmin", -273.15), "tmax_k": ("tmax", -273.15), "tmean_k": ("tmean", -273.15),
    "precip_mm": ("precip", 0.0), "precip": ("precip", 0.0), "pr": ("precip", 0.0),
    "rr": ("precip", 0.0),
}
_WIDE_ALIASES = {
    "tmean_annual": "tmean_annual_c", "tmean_annual_c": "tmean_annual_c",
    "precip_annual": "precip_annual_mm", "precip_annual_mm": "precip_annual_mm",
    "altitude": "altitude_m", "elevation": "altitude_m", "latitude": "lat",
    "longitude": "lon",
}
_CLIMATE_PREFIX = re.compile(r"^(tmin|tmax|tmean|precip|tavg|tas|pr|sd)_")
_KNOWN_WIDE = (
    {f"{v}_{m}" for v in VARIABLES for m in MONTHS}
    | {"tmean_annual_c", "precip_annual_mm"}
)
TEMP_RANGE_C = (-60.0, 60.0)
PRECIP_MONTH_MAX_MM = 2000.0


# --------------------------------------------------------------------------- CSV


def _read_table(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise UserError("candidates", str(path), "an existing .csv or .nc file")
    try:
        frame = pd.read_csv(path, sep=None, engine="python", encoding="utf-8-sig")
    except UnicodeDecodeError:
        frame = pd.read_csv(path, sep=None, engine="python", encoding="latin-1")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as err:
        raise UserError("candidates", str(path), f"a readable CSV table ({err})") from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    return frame


def _numeric(frame: pd.DataFrame, column: str) -> pd.Series:
    series = frame[column]
    converted = pd.to_numeric(series, errors="coerce")
    bad = converted.isna() & series.notna() & (series.astype(str).str.strip() != "")
    if bad.any():
        raise UserError(column, series[bad].iloc[0], "a number (decimal point '.')")
    return converted.astype(float)


def _long_to_wide(frame: pd.DataFrame) -> pd.DataFrame:
    for col in ("name", "variable", *MONTHS):
        if col not in frame.columns:
            raise UserError(col, "missing column", "long layout needs name, variable, jan..dec")
    meta_cols = [c for c in ("country", "lat", "lon", "altitude_m", "population", "rurality",
                             "period", "source", "notes") if c in frame.columns]
    rows: dict[str, dict] = {}
    for _, row in frame.iterrows():
        key = str(row["variable"]).strip().lower()
        if key not in _LONG_VARIABLES:
            raise UserError("variable", row["variable"],
                            "allowed: tmin_C, tmax_C, tmean_C, precip_mm (or *_K)")
        variable, offset = _LONG_VARIABLES[key]
        name = str(row["name"]).strip()
        entry = rows.setdefault(name, {"name": name})
        for col in meta_cols:
            value = row[col]
            if col not in entry or (isinstance(entry[col], float) and math.isnan(entry[col])):
                entry[col] = value
        for m in MONTHS:
            value = pd.to_numeric(pd.Series([row[m]]), errors="coerce").iloc[0]
            if pd.isna(value) and str(row[m]).strip() not in ("", "nan", "None"):
                raise UserError(m, row[m], f"a number ({name}, {row['variable']})")
            entry[f"{variable}_{m}"] = float(value) + offset
        if variable == "precip" and "annual" in frame.columns:
            annual = pd.to_numeric(pd.Series([row["annual"]]), errors="coerce").iloc[0]
            entry["precip_annual_mm"] = float(annual)
        if variable == "tmean" and "annual" in frame.columns:
            annual = pd.to_numeric(pd.Series([row["annual"]]), errors="coerce").iloc[0]
            entry["tmean_annual_c"] = float(annual) + offset
    return pd.DataFrame(list(rows.values()))


def _check_units(frame: pd.DataFrame) -> None:
    low, high = TEMP_RANGE_C
    for v in TEMPERATURE_VARIABLES:
        for m in MONTHS:
            col = f"{v}_{m}"
            if col not in frame.columns:
                continue
            values = frame[col].dropna()
            bad = values[(values < low) | (values > high)]
            if not bad.empty:
                value = float(bad.iloc[0])
                hint = (
                    "°C expected; this looks like Kelvin (subtract 273.15)"
                    if 180.0 <= value <= 340.0
                    else f"°C expected, between {low:g} and {high:g} (units off?)"
                )
                raise UserError(col, value, hint)
    if "tmean_annual_c" in frame.columns:
        values = frame["tmean_annual_c"].dropna()
        bad = values[(values < low) | (values > high)]
        if not bad.empty:
            raise UserError("tmean_annual_c", float(bad.iloc[0]), "°C expected (units off?)")
    for m in MONTHS:
        col = f"precip_{m}"
        if col not in frame.columns:
            continue
        values = frame[col].dropna()
        bad = values[(values < 0) | (values > PRECIP_MONTH_MAX_MM)]
        if not bad.empty:
            raise UserError(col, float(bad.iloc[0]),
                            f"mm per month expected, 0–{PRECIP_MONTH_MAX_MM:g} (units off?)")
    month_cols = [f"precip_{m}" for m in MONTHS if f"precip_{m}" in frame.columns]
    if len(month_cols) == 12:
        totals = frame[month_cols].sum(axis=1, min_count=12).dropna()
        tiny = totals[(totals > 0) & (totals < 5.0)]
        if not tiny.empty:
            raise UserError("precip_jan..precip_dec", f"annual total {float(tiny.iloc[0]):.4g}",
                            "mm per month expected; this looks like m or kg m-2 s-1 (units off)")
    for m in MONTHS:
        lo, hi = f"tmin_{m}", f"tmax_{m}"
        if lo in frame.columns and hi in frame.columns:
            swapped = frame[lo] > frame[hi] + 0.5
            if swapped.any():
                i = swapped.idxmax()
                raise UserError(lo, float(frame.loc[i, lo]),
                                f"must not exceed {hi} ({float(frame.loc[i, hi]):g}); swapped?")


def read_normals_csv(path: str | Path, *, kind: str = "user") -> list[PlaceNormals]:
    """Places from a user's CSV of normals (wide or long layout, see module doc).

    Raises
    ------
    UserError
        Missing ``name`` column or climate columns, an unknown climate-looking column,
        non-numeric values, units off (Kelvin, m, out-of-range), duplicated names.
    """
    file = Path(path)
    frame = _read_table(file)
    if "variable" in frame.columns:
        frame = _long_to_wide(frame)
    frame = frame.rename(columns={k: v for k, v in _WIDE_ALIASES.items() if k in frame.columns})
    if "name" not in frame.columns:
        raise UserError("name", "missing column", f"{file.name} needs a 'name' column")
    climate_cols = _climate_columns(frame)
    frame["name"] = _checked_names(frame)
    numeric_cols = climate_cols + [c for c in frame.columns if c.startswith("sd_")] + [
        c for c in ("lat", "lon", "altitude_m", "population") if c in frame.columns
    ]
    for col in numeric_cols:
        frame[col] = _numeric(frame, col)
    _check_position_and_rurality(frame)
    _check_units(frame)
    if "kind" not in frame.columns:
        frame["kind"] = kind
    if "source" not in frame.columns:
        frame["source"] = f"user file {file.name}"
    return places_from_frame(frame, default_kind=kind)


def _climate_columns(frame: pd.DataFrame) -> list[str]:
    """The wide file's climate columns; unknown climate-looking columns, none at all, or a
    variable with some but not all of its months are user errors."""
    for col in frame.columns:
        if _CLIMATE_PREFIX.match(col) and col not in _KNOWN_WIDE and not col.startswith("sd_"):
            raise UserError(col, "unknown column",
                            "climate columns are tmin_jan..tmin_dec, tmax_*, tmean_*, precip_*, "
                            "tmean_annual_c, precip_annual_mm")
    climate_cols = [c for c in frame.columns if c in _KNOWN_WIDE]
    if not climate_cols:
        raise UserError("columns", ", ".join(frame.columns),
                        "need tmin_jan..tmin_dec, tmax_*, tmean_*, precip_* (°C, mm) or "
                        "tmean_annual_c and precip_annual_mm (see data/README.md)")
    for v in VARIABLES:
        present = [m for m in MONTHS if f"{v}_{m}" in frame.columns]
        if 0 < len(present) < 12 and len(present) > 2:
            missing = [m for m in MONTHS if m not in present]
            raise UserError(f"{v}_{missing[0]}", "missing column",
                            f"give all 12 months {v}_jan..{v}_dec or only single months")
    return climate_cols


def _checked_names(frame: pd.DataFrame) -> pd.Series:
    """The places' names, stripped; an empty or repeated name is a user error."""
    names = frame["name"].astype(str).str.strip()
    empty = frame["name"].isna() | (names == "") | (names == "nan")
    if empty.any():
        raise UserError("name", f"row {int(np.flatnonzero(empty)[0]) + 2}", "a non-empty name")
    dup = names[names.duplicated()]
    if not dup.empty:
        raise UserError("name", dup.iloc[0], "each place once")
    return names


def _check_position_and_rurality(frame: pd.DataFrame) -> None:
    """Latitudes and longitudes in range; rurality rural, urban or empty."""
    for col, low, high in (("lat", -90, 90), ("lon", -180, 180)):
        if col in frame.columns:
            bad = frame[col].dropna()
            bad = bad[(bad < low) | (bad > high)]
            if not bad.empty:
                raise UserError(col, float(bad.iloc[0]), f"degrees between {low} and {high}")
    if "rurality" in frame.columns:
        values = frame["rurality"].astype(object).fillna("").astype(str).str.strip().str.lower()
        bad = values[~values.isin(["", "rural", "urban"])]
        if not bad.empty:
            raise UserError("rurality", bad.iloc[0], "rural or urban")


# --------------------------------------------------------------------------- NetCDF

NETCDF_NAMES = {
    "tmin": ("tasmin", "tmin", "tn", "tmn", "mn2t", "tasminadjust", "tnq"),
    "tmax": ("tasmax", "tmax", "tx", "tmx", "mx2t", "tasmaxadjust", "txq"),
    "tmean": ("tas", "tmean", "tavg", "tg", "tmp", "t2m", "tasadjust", "ntm"),
    "precip": ("pr", "prec", "precip", "prtot", "rr", "pre", "tp", "pradjust", "prtotadjust"),
}
_ALTITUDE_NAMES = (
    "orog", "altitude", "elevation", "elev", "height", "alt", "z", "surface_altitude",
)
_LAT_NAMES = ("lat", "latitude", "nav_lat", "y_lat")
_LON_NAMES = ("lon", "longitude", "nav_lon", "x_lon")
_K_UNITS = {"k", "kelvin", "degk", "degreesk", "degrees_k", "degree_kelvin", "degrees_kelvin"}
_C_UNITS = {"c", "degc", "celsius", "degreesc", "degrees_c", "degree_celsius",
            "degrees_celsius", "deg_c", "degreec", "°c"}
_MM_MONTH = {"mm", "mm/month", "mmmonth-1", "mm/mon", "mmmon-1", "kgm-2", "kg/m2",
             "kgm-2month-1", "mmpermonth", "kg/m2/month", "l/m2"}
_MM_DAY = {"mm/day", "mmd-1", "mmday-1", "mm/d", "kgm-2d-1", "kgm-2day-1", "kg/m2/day",
           "kg/m2/d", "mmperday"}
_PER_SECOND = {"kgm-2s-1", "kg/m2/s", "kgm-2s^-1", "kgm**-2s**-1", "mms-1", "mm/s"}


def _norm_units(units: str) -> str:
    return str(units).strip().lower().replace(" ", "").replace("°", "deg").replace("deg", "deg")


def _convert(
    variable: str, name: str, values: np.ndarray, units: str | None, days: np.ndarray
) -> tuple[np.ndarray, str]:
    """Values in °C or mm/month, and a note on what was done.

    ``values`` has time steps on axis 0; ``days`` gives each step's days in month, shape
    (n_time, 1).
    """
    finite = values[np.isfinite(values)]
    median = float(np.median(finite)) if finite.size else math.nan
    if variable in TEMPERATURE_VARIABLES:
        if units is None:
            if median > 150.0:
                raise UserError(f"{name} units", "missing",
                                f"values around {median:.0f} look like Kelvin: set the units "
                                "attribute to 'K' or convert to °C")
            out, note = values, f"{name}: no units attribute, read as °C"
        else:
            u = _norm_units(units).replace("deg", "deg")
            if u in _K_UNITS:
                out, note = values - 273.15, f"{name}: converted from K to °C"
            elif u in _C_UNITS or u.replace("deg", "°") in _C_UNITS:
                out, note = values, ""
            else:
                raise UserError(f"{name} units", units, "K or °C")
        check = out[np.isfinite(out)]
        if check.size and (check.min() < -80.0 or check.max() > 60.0):
            raise UserError(name, f"{float(np.median(check)):.1f} °C after conversion",
                            "temperatures between −80 and 60 °C (units off?)")
        return out, note
    if units is None:
        if finite.size and float(np.nanmax(finite)) < 0.01:
            raise UserError(f"{name} units", "missing",
                            "tiny values look like kg m-2 s-1: set the units attribute")
        out, note = values, f"{name}: no units attribute, read as mm/month"
    else:
        u = _norm_units(units)
        if u in _MM_MONTH:
            out, note = values, ""
        elif u in _MM_DAY:
            out, note = values * days, f"{name}: converted from mm/day to mm/month"
        elif u in _PER_SECOND:
            out, note = values * 86400.0 * days, f"{name}: converted from {units} to mm/month"
        else:
            raise UserError(f"{name} units", units, "mm/month, mm/day or kg m-2 s-1")
    check = out[np.isfinite(out)]
    if check.size and (check.min() < 0.0 or check.max() > 3000.0):
        raise UserError(name, f"{float(np.max(check)):.4g} mm/month after conversion",
                        "precipitation between 0 and 3000 mm/month (units off?)")
    return out, note


def _find(ds, names: tuple[str, ...]) -> str | None:
    lookup = {str(k).lower(): str(k) for k in list(ds.data_vars) + list(ds.coords)}
    for n in names:
        if n in lookup:
            return lookup[n]
    return None


def read_normals_netcdf(
    path: str | Path, *, period: str | None = None, max_cells: int = 2_000_000
) -> CandidateSet:
    """Grid cells of a NetCDF climatology as candidates.

    Parameters
    ----------
    path : str or Path
        NetCDF file with monthly tmin/tmax/tmean/precip on a lat/lon (or projected x/y
        with 2-D lat/lon) grid.
    period : str, optional
        Normals period, when the file does not say (attribute ``period`` or its years).

    Raises
    ------
    UserError
        No recognised variable, no lat/lon, a time axis that is not 12 months or whole
        years, missing or unknown units, values out of range after conversion.
    """
    import xarray as xr

    file = Path(path)
    if not file.is_file():
        raise UserError("candidates", str(file), "an existing .nc file")
    try:
        ds = xr.open_dataset(file)
    except (OSError, ValueError) as err:
        raise UserError("candidates", str(file), f"a readable NetCDF file ({err})") from None
    with ds:
        found = {v: _find(ds, names) for v, names in NETCDF_NAMES.items()}
        found = {v: n for v, n in found.items() if n is not None and n in ds.data_vars}
        if not any(v in found for v in TEMPERATURE_VARIABLES):
            raise UserError("candidates", file.name,
                            "no temperature variable (tasmin/tasmax/tas, tmin/tmax/tmean, …)")
        grid = _grid_layout(ds, file, ds[next(iter(found.values()))], max_cells)
        month_order, step_month, years_label = _month_steps(ds, file, grid)
        monthly, years, conv_notes = _grid_variables(ds, found, grid, month_order, step_month)
        altitude = _grid_altitude(ds, grid)
        file_period = period or str(ds.attrs.get("period", "")) or years_label or ""
    n_cells = grid.n_cells
    lat_flat, lon_flat = grid.lat, grid.lon
    keep = _cells_with_temperature(monthly, n_cells, file)
    if "tmean" not in found and "tmin" in found and "tmax" in found:
        monthly["tmean"] = (monthly["tmin"] + monthly["tmax"]) / 2.0
        if years:
            years["tmean"] = (years["tmin"] + years["tmax"]) / 2.0
    monthly = {k: v[keep] for k, v in monthly.items()}
    lat_k, lon_k = lat_flat[keep].astype(float), lon_flat[keep].astype(float)
    n = keep.size
    names = [f"{file.stem} {la:.3f},{lo:.3f}" for la, lo in zip(lat_k, lon_k, strict=True)]
    note = "; ".join(["grid cell of " + file.name, *conv_notes])
    precip = monthly["precip"]
    annual_precip = np.where(np.isfinite(precip).all(axis=1), precip.sum(axis=1), np.nan)
    tmean = monthly["tmean"]
    annual_tmean = np.where(np.isfinite(tmean).all(axis=1), tmean.mean(axis=1), np.nan)
    return CandidateSet(
        names=_object_array(names),
        countries=_object_array([""] * n),
        periods=_object_array([file_period] * n),
        kinds=_object_array(["grid"] * n),
        notes=_object_array([note] * n),
        rurality=_object_array([None] * n),
        sources=_object_array([f"user file {file.name}"] * n),
        estimated=np.zeros(n, dtype=bool),
        lat=lat_k,
        lon=lon_k,
        altitude_m=altitude[keep],
        population=np.full(n, np.nan),
        monthly=monthly,
        annual_precip=annual_precip,
        annual_tmean=annual_tmean,
        years={k: v[:, keep] for k, v in years.items()} if years else None,
        origin=str(file),
    )


def load_candidates(path: str | Path) -> CandidateSet:
    """Candidates from a user file: ``.csv`` (normals table) or ``.nc`` (gridded)."""
    file = Path(path)
    suffix = file.suffix.lower()
    if suffix in (".nc", ".nc4", ".netcdf", ".cdf"):
        return read_normals_netcdf(file)
    if suffix in (".csv", ".txt", ".tsv"):
        return CandidateSet.from_places(read_normals_csv(file), origin=str(file))
    raise UserError("candidates", str(path), "a .csv normals table or a .nc climatology")


@dataclass
class _GridLayout:
    """Where the data of a NetCDF climatology are: its first variable, time and spatial
    dimensions, and each cell's latitude and longitude (flattened)."""

    first: Any
    time_dim: str
    spatial: list[str]
    lat: np.ndarray
    lon: np.ndarray
    n_time: int
    n_cells: int


def _grid_layout(ds, file: Path, first, max_cells: int) -> _GridLayout:
    """The grid's dimensions and coordinates; a grid without lat/lon, without a month or
    time axis, too large, or not made of whole years of months is a user error."""
    import xarray as xr

    lat_name, lon_name = _find(ds, _LAT_NAMES), _find(ds, _LON_NAMES)
    if lat_name is None or lon_name is None:
        raise UserError("candidates", file.name, "lat/lon coordinates (lat, lon)")
    time_dim = next((d for d in first.dims if d.lower() in ("month", "time", "t")), None)
    if time_dim is None:
        raise UserError("candidates", file.name, "a month or time dimension")
    spatial = [d for d in first.dims if d != time_dim]
    lat2, lon2 = xr.broadcast(ds[lat_name], ds[lon_name])
    lat_flat = lat2.transpose(*[d for d in spatial if d in lat2.dims]).values.reshape(-1)
    lon_flat = lon2.transpose(*[d for d in spatial if d in lon2.dims]).values.reshape(-1)
    n_time = first.sizes[time_dim]
    n_cells = int(np.prod([first.sizes[d] for d in spatial])) if spatial else 1
    if n_cells > max_cells:
        raise UserError("candidates", f"{n_cells} cells", f"at most {max_cells}; crop it")
    if lat_flat.size != n_cells:
        raise UserError("candidates", file.name, "lat/lon on the variables' grid")
    if n_time != 12 and n_time % 12 != 0:
        raise UserError("time", n_time, "12 months (climatology) or whole years of months")
    return _GridLayout(first, time_dim, spatial, lat_flat, lon_flat, n_time, n_cells)


def _month_steps(ds, file: Path, grid: _GridLayout
                 ) -> tuple[np.ndarray, np.ndarray, str | None]:
    """Order of the 12 months, calendar month (0–11) of each time step, and the years the
    series covers ("1991-2020"; None for a climatology)."""
    n_time, time_dim = grid.n_time, grid.time_dim
    month_order = np.arange(12)
    step_month = np.arange(n_time) % 12
    years_label = None
    time_values = ds[time_dim].values if time_dim in ds.coords else None
    if time_values is not None and np.issubdtype(np.asarray(time_values).dtype,
                                                 np.datetime64):
        months = pd.DatetimeIndex(time_values).month.to_numpy()
        year_vals = pd.DatetimeIndex(time_values).year.to_numpy()
        step_month = months - 1
        if n_time == 12:
            month_order = np.argsort(months)
        else:
            expected = np.tile(np.arange(1, 13), n_time // 12)
            if not np.array_equal(months, expected):
                raise UserError("time", file.name, "whole years, January to December")
            years_label = f"{year_vals.min()}-{year_vals.max()}"
    elif time_values is not None and n_time == 12 and time_dim.lower() == "month":
        month_order = np.argsort(np.asarray(time_values))
        step_month = np.asarray(time_values).astype(int) - 1
        if sorted(step_month.tolist()) != list(range(12)):
            raise UserError("month", file.name, "month values 1..12")
    return month_order, step_month, years_label


def _grid_variables(ds, found: dict[str, str], grid: _GridLayout, month_order: np.ndarray,
                    step_month: np.ndarray
                    ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], list[str]]:
    """Monthly normals (cells × 12, °C and mm) of every variable found, the yearly series
    when the file has whole years, and the notes of the unit conversions."""
    first, time_dim, spatial, n_time = grid.first, grid.time_dim, grid.spatial, grid.n_time
    monthly: dict[str, np.ndarray] = {}
    years: dict[str, np.ndarray] = {}
    conv_notes = []
    for variable, name in found.items():
        da = ds[name]
        if set(da.dims) != set(first.dims):
            raise UserError(name, "dims " + ",".join(da.dims),
                            f"the same dims as {first.name} ({','.join(first.dims)})")
        data = da.transpose(time_dim, *spatial).values.astype(float).reshape(n_time, -1)
        days = DAYS_IN_MONTH[step_month][:, None]
        data, note = _convert(variable, name, data, da.attrs.get("units"), days)
        if note:
            conv_notes.append(note)
        if n_time == 12:
            monthly[variable] = data[month_order].T
        else:
            series = data.reshape(n_time // 12, 12, -1).transpose(0, 2, 1)
            years[variable] = series.astype(np.float32)
            with np.errstate(invalid="ignore"):
                monthly[variable] = np.nanmean(series, axis=0)
    for v in VARIABLES:
        monthly.setdefault(v, np.full((grid.n_cells, 12), np.nan))
    return monthly, years, conv_notes


def _grid_altitude(ds, grid: _GridLayout) -> np.ndarray:
    """Each cell's altitude (m) when the file has one on the grid, else NaN."""
    altitude = np.full(grid.n_cells, np.nan)
    alt_name = _find(ds, _ALTITUDE_NAMES)
    if alt_name is not None:
        alt = ds[alt_name]
        if set(alt.dims) <= set(grid.spatial):
            alt_b = alt.broadcast_like(grid.first.isel({grid.time_dim: 0}))
            altitude = alt_b.transpose(*grid.spatial).values.astype(float).reshape(-1)
    return altitude


def _cells_with_temperature(monthly: dict[str, np.ndarray], n_cells: int, file: Path
                            ) -> np.ndarray:
    """Indices of the cells with 12 months of at least one temperature variable."""
    temp_ok = np.zeros(n_cells, dtype=bool)
    for v in TEMPERATURE_VARIABLES:
        temp_ok |= np.isfinite(monthly[v]).all(axis=1)
    keep = np.flatnonzero(temp_ok)
    if keep.size == 0:
        raise UserError("candidates", file.name, "at least one grid cell with 12 months of data")
    return keep
