"""The catalogue of adaptation and mitigation measures, kept as data.

The shipped catalogue is ``territoire_abm/data/measures.csv``: one row per measure with its cost,
lifetime, lead time, embodied carbon, who can adopt it, its effects and its source. Values that are
the authors' best estimate rather than a sourced figure say ``estimate (unconfirmed)`` in the
``source`` column. ``docs/measures.md`` describes every column and convention.

Conventions the engine relies on
--------------------------------
* A measure is adopted by one adopter at a size of ``units`` units (``units_per_adopter`` is the
  typical size; for council measures, the size for a commune of about 5,700 inhabitants).
* Columns ending in ``_per_unit`` or ``_per_unit_yr`` scale with the number of units adopted.
* ``*_factor`` columns are multipliers (1 = no effect) on the adopter's own quantity within the
  measure's coverage: the whole dwelling, firm or municipal estate; the hectares adopted for
  ``ha`` measures; for council measures, heat stress and risk perception act on the
  ``population_covered_share`` of inhabitants.
* ``leak_reduction_share`` and the factors describe the effect at the typical size.
* ``population_covered_share`` is 1 for private measures (the adopter's own people).
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, fields
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd

from territoire_abm.errors import UserError

COLUMNS: tuple[str, ...] = (
    "id",
    "name",
    "name_fr",
    "kind",
    "theme",
    "adopters",
    "unit",
    "units_per_adopter",
    "capex_eur_per_unit",
    "opex_eur_per_unit_yr",
    "lifetime_yr",
    "lead_time_yr",
    "embodied_kgco2e_per_unit",
    "heating_demand_factor",
    "cooling_demand_factor",
    "electricity_demand_kwh_per_unit_yr",
    "fuel_demand_factor",
    "heat_stress_factor",
    "water_demand_factor",
    "irrigation_demand_factor",
    "crop_heat_loss_factor",
    "pv_kwp_per_unit",
    "battery_kwh_per_unit",
    "water_supply_m3_per_unit_yr",
    "leak_reduction_share",
    "productivity_loss_factor",
    "risk_perception_boost",
    "population_covered_share",
    "commute_car_km_factor",
    "ev_share_boost",
    "waste_emissions_factor",
    "source",
    "notes",
)

ADOPTERS: tuple[str, ...] = ("household", "farm", "industry", "services", "council", "community")
KINDS: tuple[str, ...] = ("adaptation", "mitigation", "both")
THEMES: tuple[str, ...] = ("heat", "water", "energy", "drought", "extreme_events", "social")
UNITS: tuple[str, ...] = (
    "dwelling",
    "kWp",
    "kWh_storage",
    "ha",
    "firm",
    "commune",
    "m3",
    "km",
    "m2",
)

#: Multipliers on a demand or a loss: 1 is neutral, physically sensible values lie in [0, 2].
FACTOR_COLUMNS: tuple[str, ...] = (
    "heating_demand_factor",
    "cooling_demand_factor",
    "fuel_demand_factor",
    "heat_stress_factor",
    "water_demand_factor",
    "irrigation_demand_factor",
    "crop_heat_loss_factor",
    "productivity_loss_factor",
    "commute_car_km_factor",
    "waste_emissions_factor",
)
FACTOR_RANGE: tuple[float, float] = (0.0, 2.0)
#: Shares and yearly increments of a quantity that lives in [0, 1].
SHARE_COLUMNS: tuple[str, ...] = (
    "leak_reduction_share",
    "risk_perception_boost",
    "population_covered_share",
    "ev_share_boost",
)
#: Quantities that cannot be negative.
NON_NEGATIVE_COLUMNS: tuple[str, ...] = (
    "capex_eur_per_unit",
    "opex_eur_per_unit_yr",
    "embodied_kgco2e_per_unit",
    "pv_kwp_per_unit",
    "battery_kwh_per_unit",
    "water_supply_m3_per_unit_yr",
)
#: Quantities that must be strictly positive.
POSITIVE_COLUMNS: tuple[str, ...] = ("units_per_adopter", "lifetime_yr")
#: May be negative: a measure can remove electricity demand (efficient motors, heat pump
#: replacing resistive heating).
SIGNED_COLUMNS: tuple[str, ...] = ("electricity_demand_kwh_per_unit_yr",)
TEXT_COLUMNS: tuple[str, ...] = ("name", "name_fr", "source")

#: Marker, in ``notes``, of a measure that can be maladaptive.
MALADAPTATION_MARKER = "MALADAPTATION RISK"
#: Marker, in ``source``, of a figure that is an estimate rather than a sourced value.
UNCONFIRMED_MARKER = "unconfirmed"

_ID_PATTERN = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
_SHIPPED = "measures.csv"


@dataclass(frozen=True)
class Measure:
    """One adaptation or mitigation measure (one row of the catalogue)."""

    id: str
    name: str
    name_fr: str
    kind: str
    theme: str
    adopters: tuple[str, ...]
    unit: str
    units_per_adopter: float
    capex_eur_per_unit: float
    opex_eur_per_unit_yr: float
    lifetime_yr: float
    lead_time_yr: int
    embodied_kgco2e_per_unit: float
    heating_demand_factor: float = 1.0
    cooling_demand_factor: float = 1.0
    electricity_demand_kwh_per_unit_yr: float = 0.0
    fuel_demand_factor: float = 1.0
    heat_stress_factor: float = 1.0
    water_demand_factor: float = 1.0
    irrigation_demand_factor: float = 1.0
    crop_heat_loss_factor: float = 1.0
    pv_kwp_per_unit: float = 0.0
    battery_kwh_per_unit: float = 0.0
    water_supply_m3_per_unit_yr: float = 0.0
    leak_reduction_share: float = 0.0
    productivity_loss_factor: float = 1.0
    risk_perception_boost: float = 0.0
    population_covered_share: float = 1.0
    commute_car_km_factor: float = 1.0
    ev_share_boost: float = 0.0
    waste_emissions_factor: float = 1.0
    source: str = ""
    notes: str = ""

    @property
    def maladaptation_risk(self) -> bool:
        """True when the notes flag the measure as possibly maladaptive (e.g. air conditioning)."""
        return MALADAPTATION_MARKER.lower() in self.notes.lower()

    @property
    def has_unconfirmed_values(self) -> bool:
        """True when the source says some of the figures are unconfirmed estimates."""
        return UNCONFIRMED_MARKER in self.source.lower()

    def adoptable_by(self, adopter: str) -> bool:
        return adopter in self.adopters


assert tuple(f.name for f in fields(Measure)) == COLUMNS, "Measure fields must mirror COLUMNS"


# --------------------------------------------------------------------------- validation


def _where(source: str, row_number: int, row_id: str, column: str) -> str:
    rid = f" id={row_id!r}" if row_id else ""
    return f"{source} row {row_number}{rid} column {column}"


def _parse_number(raw: object, where: str, allowed: str, *, decimal_comma: bool = False) -> float:
    if isinstance(raw, bool):
        raise UserError(where, raw, allowed)
    if isinstance(raw, int | float):
        value = float(raw)
    else:
        text = "" if raw is None else str(raw).strip()
        if decimal_comma and "," in text and "." not in text:
            text = text.replace(",", ".")
        try:
            value = float(text)
        except ValueError:
            raise UserError(where, raw, allowed) from None
    if not math.isfinite(value):
        raise UserError(where, raw, allowed)
    return value


def _parse_adopters(raw: object, where: str) -> tuple[str, ...]:
    allowed = "pipe-separated roles among " + "|".join(ADOPTERS)
    if isinstance(raw, list | tuple):
        parts = [str(p).strip() for p in raw]
    else:
        text = "" if raw is None else str(raw).strip()
        parts = [p.strip() for p in text.split("|")] if text else []
    if not parts or any(not p for p in parts):
        raise UserError(where, raw, allowed)
    for part in parts:
        if part not in ADOPTERS:
            raise UserError(where, part, f"unknown adopter; {allowed}")
    if len(set(parts)) != len(parts):
        raise UserError(where, raw, f"each adopter at most once; {allowed}")
    return tuple(parts)


def _is_missing(raw: object) -> bool:
    if raw is None:
        return True
    if isinstance(raw, float) and math.isnan(raw):
        return True
    return isinstance(raw, str) and not raw.strip()


def _numeric_rules() -> tuple[tuple[tuple[str, ...], str, Callable[[float], bool]], ...]:
    """(columns, what is allowed, test) for every numeric column but the lead time."""
    low, high = FACTOR_RANGE
    return (
        (POSITIVE_COLUMNS, "a number > 0", lambda v: v > 0),
        (NON_NEGATIVE_COLUMNS, "a number >= 0", lambda v: v >= 0),
        (SIGNED_COLUMNS, "a finite number (negative removes demand)", lambda v: True),
        (FACTOR_COLUMNS, f"a multiplier in [{low:g}, {high:g}] (1 = no effect)",
         lambda v: low <= v <= high),
        (SHARE_COLUMNS, "a share in [0, 1]", lambda v: 0.0 <= v <= 1.0),
    )


def _row_id(row: Mapping[str, object], row_number: int, source: str) -> str:
    """The row's snake_case id."""
    raw_id = row.get("id")
    row_id = "" if _is_missing(raw_id) else str(raw_id).strip()
    if not _ID_PATTERN.match(row_id):
        raise UserError(
            _where(source, row_number, "", "id"),
            raw_id,
            "a snake_case identifier (lower-case letters, digits, underscores)",
        )
    return row_id


def _text_values(row: Mapping[str, object], at: Callable[[str], str]) -> dict[str, object]:
    """Names and source (required), notes, kind/theme/unit (from their lists), adopters."""
    values: dict[str, object] = {}
    for column in TEXT_COLUMNS:
        raw = row.get(column)
        if _is_missing(raw):
            raise UserError(at(column), raw, "a non-empty text")
        values[column] = str(raw).strip()
    notes = row.get("notes")
    values["notes"] = "" if _is_missing(notes) else str(notes).strip()

    for column, choices in (("kind", KINDS), ("theme", THEMES), ("unit", UNITS)):
        raw = row.get(column)
        text = "" if _is_missing(raw) else str(raw).strip()
        if text not in choices:
            raise UserError(at(column), raw, "one of " + ", ".join(choices))
        values[column] = text
    values["adopters"] = _parse_adopters(row.get("adopters"), at("adopters"))
    return values


def _number_values(row: Mapping[str, object], at: Callable[[str], str],
                   decimal_comma: bool) -> dict[str, object]:
    """Every numeric column within its rule, and the lead time in whole years."""

    def number(column: str, allowed: str) -> float:
        return _parse_number(row.get(column), at(column), allowed, decimal_comma=decimal_comma)

    values: dict[str, object] = {}
    for columns, allowed, ok in _numeric_rules():
        for column in columns:
            value = number(column, allowed)
            if not ok(value):
                raise UserError(at(column), row.get(column), allowed)
            values[column] = value

    lead_rule = "a whole number of years >= 0"
    lead = number("lead_time_yr", lead_rule)
    if lead < 0 or lead != int(lead):
        raise UserError(at("lead_time_yr"), row.get("lead_time_yr"), lead_rule)
    values["lead_time_yr"] = int(lead)
    return values


def _validate_row(
    row: Mapping[str, object], row_number: int, source: str, decimal_comma: bool
) -> Measure:
    row_id = _row_id(row, row_number, source)

    def at(column: str) -> str:
        return _where(source, row_number, row_id, column)

    values = {"id": row_id, **_text_values(row, at), **_number_values(row, at, decimal_comma)}
    return Measure(**values)  # type: ignore[arg-type]


def _check_header(header: list[str], source: str) -> None:
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise UserError(
            f"{source} header row, column {missing[0]}",
            "(absent)",
            "required column missing (all missing: "
            + ", ".join(missing)
            + "); the columns are: "
            + ", ".join(COLUMNS),
        )
    extra = [c for c in header if c not in COLUMNS]
    if extra:
        raise UserError(
            f"{source} header row, column {extra[0]}",
            extra[0],
            "unknown column (check spelling); the columns are: " + ", ".join(COLUMNS),
        )
    duplicated = sorted({c for c in header if header.count(c) > 1})
    if duplicated:
        raise UserError(
            f"{source} header row, column {duplicated[0]}", duplicated[0], "each column once"
        )


def validate(
    rows: Iterable[Mapping[str, object]] | pd.DataFrame,
    *,
    source: str = "measures catalogue",
    decimal_comma: bool = False,
) -> dict[str, Measure]:
    """Check a (user-supplied) catalogue and return its measures keyed by id, in row order.

    ``rows`` is an iterable of mappings column -> value (e.g. ``csv.DictReader``) or a
    :class:`pandas.DataFrame`. Raises :class:`~territoire_abm.errors.UserError` with one line
    naming the row number, the measure id, the column, the value and what is allowed.
    Rows are numbered from 1 (the header is row 0, as in a spreadsheet below its header).
    """
    if isinstance(rows, pd.DataFrame):
        header: list[str] | None = [str(c) for c in rows.columns]
        records: list[Mapping[str, object]] = rows.to_dict("records")
    else:
        records = list(rows)
        header = [str(c) for c in records[0].keys()] if records else None

    if header is not None:
        _check_header(header, source)
    if not records:
        raise UserError(source, "no rows", "at least one measure row below the header")

    catalogue: dict[str, Measure] = {}
    for number, row in enumerate(records, start=1):
        missing_here = [c for c in COLUMNS if c not in row]
        if missing_here:
            raise UserError(
                _where(source, number, str(row.get("id", "")), missing_here[0]),
                "(absent)",
                "every row needs all the columns: " + ", ".join(COLUMNS),
            )
        measure = _validate_row(row, number, source, decimal_comma)
        if measure.id in catalogue:
            raise UserError(_where(source, number, measure.id, "id"), measure.id, "a unique id")
        catalogue[measure.id] = measure
    return catalogue


# --------------------------------------------------------------------------- loading


def _read_csv_text(text: str, source: str) -> dict[str, Measure]:
    text = text.lstrip("\ufeff")
    first_line = text.split("\n", 1)[0]
    # A French spreadsheet saves CSV with ';' separators and decimal commas.
    semicolons = first_line.count(";") > first_line.count(",")
    reader = csv.DictReader(io.StringIO(text), delimiter=";" if semicolons else ",")
    header = [h.strip() for h in (reader.fieldnames or [])]
    if not header:
        raise UserError(source, "empty file", "a CSV file with the header: " + ", ".join(COLUMNS))
    reader.fieldnames = header
    _check_header(header, source)
    rows: list[dict[str, object]] = []
    for raw in reader:
        if None in raw:
            raise UserError(
                f"{source} row {len(rows) + 1} id={raw.get('id')!r}",
                raw[None],  # type: ignore[index]
                f"no more fields than the {len(header)} header columns (quote text with commas)",
            )
        if all(_is_missing(v) for v in raw.values()):
            continue  # blank line
        rows.append(raw)
    if not rows:
        raise UserError(source, "no rows", "at least one measure row below the header")
    # DictReader fills short rows with None: validate reports them as missing values.
    return validate(rows, source=source, decimal_comma=semicolons)


@lru_cache(maxsize=16)
def _load_cached(key: tuple[str, int, int]) -> tuple[Measure, ...]:
    location = key[0]
    if location == _SHIPPED:
        text = resources.files("territoire_abm.data").joinpath(_SHIPPED).read_text("utf-8")
        source = _SHIPPED
    else:
        path = Path(location)
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise UserError(str(path), "not UTF-8", "a CSV file saved as UTF-8") from None
        source = path.name
    return tuple(_read_csv_text(text, source).values())


def load_catalogue(path: str | Path | None = None) -> dict[str, Measure]:
    """Load and validate a catalogue; the shipped ``measures.csv`` when ``path`` is None.

    Results are cached (a user file is re-read when its modification time or size changes).
    The returned dict is a fresh copy: changing it does not change the cache.
    """
    if path is None:
        key = (_SHIPPED, 0, 0)
    else:
        p = Path(path).expanduser()
        if not p.is_file():
            raise UserError("measures catalogue path", str(path), "an existing CSV file")
        stat = p.stat()
        key = (str(p.resolve()), stat.st_mtime_ns, stat.st_size)
    return {m.id: m for m in _load_cached(key)}


def measures_for(adopter: str, catalogue: Mapping[str, Measure] | None = None) -> list[Measure]:
    """Measures that ``adopter`` (a role such as ``household`` or ``council``) can adopt."""
    if adopter not in ADOPTERS:
        raise UserError("adopter", adopter, "one of " + ", ".join(ADOPTERS))
    measures = load_catalogue() if catalogue is None else catalogue
    return [m for m in measures.values() if adopter in m.adopters]


def catalogue_frame(catalogue: Mapping[str, Measure] | None = None) -> pd.DataFrame:
    """The catalogue as a DataFrame (columns as in the CSV, adopters pipe-joined, indexed by id)."""
    measures = load_catalogue() if catalogue is None else catalogue
    records = []
    for measure in measures.values():
        record = asdict(measure)
        record["adopters"] = "|".join(measure.adopters)
        records.append(record)
    frame = pd.DataFrame.from_records(records, columns=list(COLUMNS))
    return frame.set_index("id", drop=False).rename_axis(index="measure")


# --------------------------------------------------------------------------- economics


def capital_recovery_factor(discount_rate: float, lifetime_yr: float) -> float:
    """CRF = r (1+r)^n / ((1+r)^n - 1); 1/n when r = 0.

    The equal yearly payment that repays 1 EUR over n years at rate r (Short, Packey & Holt 1995,
    'A Manual for the Economic Evaluation of Energy Efficiency and Renewable Energy Technologies',
    NREL/TP-462-5173).
    """
    r = _parse_number(discount_rate, "discount_rate", "a finite number > -1")
    n = _parse_number(lifetime_yr, "lifetime_yr", "a number > 0")
    if r <= -1:
        raise UserError("discount_rate", discount_rate, "a finite number > -1")
    if n <= 0:
        raise UserError("lifetime_yr", lifetime_yr, "a number > 0")
    if r == 0.0:
        return 1.0 / n
    # r / (1 - (1+r)^-n), written with log1p/expm1 to stay exact for very small rates.
    return r / -math.expm1(-n * math.log1p(r))


def annualised_capex_eur(
    measure: Measure, discount_rate: float = 0.04, units: float = 1.0
) -> float:
    """Equivalent yearly capital cost of ``units`` units of ``measure`` over its lifetime.

    capex_eur_per_unit x units x CRF(discount_rate, lifetime_yr). The 4 % default is the French
    public discount rate of the Lebègue report (Commissariat général du Plan, 2005); later
    guidance (Quinet, France Stratégie 2013) uses 2.5 % plus a risk premium. Example: 1,000 EUR
    over 10 years at 4 % is 123.29 EUR/yr.
    """
    units = _parse_number(units, "units", "a number >= 0")
    if units < 0:
        raise UserError("units", units, "a number >= 0")
    return (
        measure.capex_eur_per_unit
        * units
        * capital_recovery_factor(discount_rate, measure.lifetime_yr)
    )


def annualised_embodied_kgco2e(measure: Measure, units: float = 1.0) -> float:
    """Embodied emissions of ``units`` units spread linearly over the measure's lifetime.

    As in E+C- (and RE2020's static convention), products' life-cycle emissions are counted
    without discounting; a territory has no end date, so each asset is charged
    embodied / lifetime every year it is in service (replacement included by repetition).
    """
    units = _parse_number(units, "units", "a number >= 0")
    if units < 0:
        raise UserError("units", units, "a number >= 0")
    return measure.embodied_kgco2e_per_unit * units / measure.lifetime_yr
