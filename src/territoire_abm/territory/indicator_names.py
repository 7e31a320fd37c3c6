"""The names of a run's yearly indicators, shipped for the plan layer to validate signposts.

``python -m territoire_abm.territory.indicator_names`` rewrites ``data/indicator_names.txt``.
"""

from __future__ import annotations

from territoire_abm.config.validate import model_config
from territoire_abm.governance.plans import INDICATOR_NAMES_FILE
from territoire_abm.territory.model import TerritoryModel

HEADER = ("# Every yearly indicator of a run, one per line: "
          "the names a plan's signpost may watch.\n"
          "# Generated: python -m territoire_abm.territory.indicator_names "
          "(tests/test_plans.py checks it).\n")


def indicator_names_of_a_run() -> list[str]:
    """Record keys of one year of a tiny territory."""
    model = TerritoryModel(model_config({
        "territory": {"households": 10, "farms": 2, "industry_firms": 1, "service_firms": 2},
        "until": 2026}))
    model.step()
    return sorted(model.records[0])


def write() -> None:
    """Rewrite the shipped list."""
    INDICATOR_NAMES_FILE.write_text(HEADER + "\n".join(indicator_names_of_a_run()) + "\n",
                                    encoding="utf-8")


if __name__ == "__main__":
    write()
