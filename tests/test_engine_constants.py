"""Engine constants are parameters or named constants (issue 13 item 3): the territory
package's function bodies hold no behavioural number, and the impact parameters reach the
year's impacts."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from territoire_abm.config.validate import model_config
from territoire_abm.territory.model import TerritoryModel

SRC = Path(__file__).resolve().parents[1] / "src" / "territoire_abm"
SMALL = {"households": 200, "farms": 8, "industry_firms": 2, "service_firms": 8}
# 0/1/-1/2, months and unit conversions are not parameters; 8759: the last hour of a year.
STRUCTURAL = {0, 1, -1, 2, 0.5, 1e-9, 12, 24, 365, 8759, 8760, 86400, 1000}
# The commune size of the tiny run that lists the indicator names is not a model constant.
EXEMPT = {"indicator_names.py"}


def _inline_numbers(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for item in ast.walk(node):
            if (isinstance(item, ast.Constant) and type(item.value) in (int, float)
                    and item.value not in STRUCTURAL):
                found.append(f"{path.name}:{item.lineno} {node.name}: {item.value}")
    return found


def test_no_behavioural_number_inline_in_the_territory_package():
    hits = [hit for path in sorted((SRC / "territory").glob("*.py"))
            if path.name not in EXEMPT for hit in _inline_numbers(path)]
    assert not hits, hits


# Numbers of the governance and agents packages that are part of a formula or a check, not
# a behaviour a sweep should reach: (file, function, value).
FORMULA_NUMBERS = {
    ("behaviour.py", "threat_appraisal", 10.0),      # Haer et al. 2017: p·10^(2·RP−1)
    ("behaviour.py", "_pmt_motivation", 3.0),        # coping = mean of three appraisals
    ("behaviour.py", "decide_one", 3.0),             # the same, one household at a time
    ("negotiation.py", "_enforce_ceiling", 1e-6),    # EUR rounding tolerance
    ("plans.py", "_target", 3),                      # difflib: three close names
    ("plans.py", "_signpost", 3),
    ("plans.py", "_entry", 6),                       # decimals kept in the decision log
    ("plans.py", "indicator_range", 366.0),          # days in a (leap) year
    ("plans.py", "indicator_range", 15.0),           # warming bounds of a threshold, °C
    ("plans.py", "indicator_range", 5.0),
}


@pytest.mark.parametrize("package", ["governance", "agents"])
def test_no_behavioural_number_inline_in_governance_and_agents(package):
    hits = []
    for path in sorted((SRC / package).glob("*.py")):
        for hit in _inline_numbers(path):
            where, value = hit.rsplit(": ", 1)
            function = where.split(" ")[1]
            if (path.name, function, float(value)) not in FORMULA_NUMBERS:
                hits.append(hit)
    assert not hits, hits


def _run(**impacts):
    """Yearly indicators of a small territory, 2025–2060 under SSP5-8.5."""
    model = TerritoryModel(model_config({
        "territory": {**SMALL, "impacts": impacts}, "seed": 3, "until": 2060,
        "scenario": {"name": "ssp585"}}))
    return model.simulate_until().indicators()


@pytest.fixture(scope="module")
def default_run():
    return _run()


def test_crop_loss_parameters_reach_the_yield(default_run):
    assert (default_run["crop_yield_factor"] < 1.0).any()
    no_loss = _run(crop_heat_loss_per_hot_day=0.0, rainfed_loss_per_drought_sd=0.0,
                   irrigated_loss_per_unmet_share=0.0)
    assert (no_loss["crop_yield_factor"] == 1.0).all()
    assert (no_loss["farm_revenue_loss_eur"] == 0.0).all()


def test_productivity_weights_reach_the_productivity_loss(default_run):
    assert default_run["productivity_loss_share"].sum() > 0.0
    none = _run(productivity_weight_farm=0.0, productivity_weight_industry=0.0,
                productivity_weight_services=0.0)
    assert (none["productivity_loss_share"] == 0.0).all()
    doubled = _run(productivity_loss_per_hot_day=0.004)
    assert doubled["productivity_loss_share"].to_numpy() == pytest.approx(
        2 * default_run["productivity_loss_share"].to_numpy(), rel=1e-9)


def test_elderly_vulnerability_weighs_the_heat_stress(default_run):
    assert default_run["heat_stress_person_days"].sum() > 0.0
    neutral = _run(elderly_heat_vulnerability=1.0)
    assert (neutral["heat_stress_person_days"].sum()
            < default_run["heat_stress_person_days"].sum())


def test_initial_state_parameters_reach_the_population():
    low = TerritoryModel(model_config({"territory": SMALL, "behaviour": {"initial": {
        "trust_mean": 0.1, "spread": 0.0, "firm_trust": 0.2}}}))
    assert (low.households.trust == 0.1).all()
    assert (low.firms.trust == 0.2).all()
    frequency = TerritoryModel(model_config({"territory": SMALL, "behaviour": {
        "perception": {"initial_hazard_frequency": 0.9}}}))
    assert frequency.hazard_frequency == {"heat": 0.9, "drought": 0.9}
