"""What became of each unconfirmed default: calibrated, or why it cannot be (yet).

Every parameter whose source says *unconfirmed* is listed (from the parameter metadata, so a
new one appears by itself); ``data/parameter_status.csv`` gives its status and reason. A
parameter given a primary source no longer says *unconfirmed* and leaves the list.
"""

from __future__ import annotations

from importlib import resources

import pandas as pd

from territoire_abm.config.docs import format_value, is_unconfirmed
from territoire_abm.config.fields import describe
from territoire_abm.config.params import ModelConfig

STATUSES = ("calibrated", "not calibrated")
DEFAULT_REASON = ("no figure in the grounding table constrains it; its influence is explored "
                  "in the sensitivity studies (experiments/) instead")


def status_table() -> pd.DataFrame:
    """``data/parameter_status.csv`` indexed by parameter path: each calibrated or not
    calibrated unconfirmed default with its reason (an unknown status is refused)."""
    path = resources.files("territoire_abm.data") / "parameter_status.csv"
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    bad = sorted(set(table["status"]) - set(STATUSES))
    if bad:
        raise ValueError(f"parameter_status.csv: unknown status {bad}; allowed {STATUSES}")
    return table.set_index("path")


def unconfirmed_parameters() -> list[dict]:
    """Every parameter row whose source says unconfirmed."""
    return [row for row in describe(ModelConfig) if is_unconfirmed(row["source"])]


def _short(value: object) -> str:
    if isinstance(value, dict) and value and not isinstance(next(iter(value.values())), float):
        return f"{len(value)} entries (see parameters.md)"
    return format_value(value)


def parameter_status() -> list[dict[str, str]]:
    """Path, default, status and reason for each unconfirmed parameter."""
    table = status_table()
    items = []
    for row in unconfirmed_parameters():
        known = table.loc[row["path"]] if row["path"] in table.index else None
        items.append({
            "path": row["path"],
            "default": _short(row["default"]),
            "status": known["status"] if known is not None else "not calibrated",
            "reason": known["reason"] if known is not None else DEFAULT_REASON,
        })
    return items
