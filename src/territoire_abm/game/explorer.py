"""The model explorer (Mesa's SolaraViz): sliders for key parameters, live plots, and the
households on a grid coloured by the measures they adopted.

For students and for facilitators preparing a session: ``territoire-abm explore``. Each STEP
simulates one year. The explorer reads the model only through its public faces: the
indicator table and the household agents (``HouseholdAgent.measures``).
"""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")
import solara  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402
from mesa.visualization import SolaraViz  # noqa: E402
from mesa.visualization.solara_viz import update_counter  # noqa: E402

from territoire_abm.config.params import ARCHETYPES, SCENARIOS  # noqa: E402
from territoire_abm.run import build_config  # noqa: E402
from territoire_abm.territory.model import TerritoryModel  # noqa: E402

# Coordination mixes of seed 000 (reciprocity, exchange, authority).
MIXES = {
    "balanced": (1 / 3, 1 / 3, 1 / 3),
    "reciprocity": (0.6, 0.2, 0.2),
    "exchange": (0.2, 0.6, 0.2),
    "authority": (0.2, 0.2, 0.6),
}
PLOTTED = {
    "heat_stress_per_inhabitant": "Heat-stress days per inhabitant",
    "unmet_water_share_agriculture": "Unmet irrigation (share)",
    "emissions_t_per_inhabitant": "Emissions (tCO2e/inh.)",
    "trust_mean": "Trust (0–1)",
    "self_sufficiency_rate": "Energy self-sufficiency",
    "energy_poverty_share": "Energy poverty (share)",
}
# Household measure themes -> colour on the grid.
CATEGORIES = {
    "none": "#d9d9d9",
    "heat": "#e6550d",
    "energy": "#3182bd",
    "water": "#31a354",
    "several": "#756bb1",
}


class ExplorerModel(TerritoryModel):
    """The territory model with keyword parameters, as SolaraViz's sliders need."""

    def __init__(self, households: int = 400, scenario: str = "tracc",
                 subsidy_rate: float = 0.3, budget_per_inhabitant_eur: float = 40.0,
                 archetype: str = "cost_benefit", coordination: str = "balanced",
                 seed: int = 0, rng=None) -> None:
        reciprocity, exchange, authority = MIXES[coordination]
        params = {"scenario": scenario, "territory.households": int(households),
                  "policy.subsidy_rate": float(subsidy_rate),
                  "policy.budget_per_inhabitant_eur": float(budget_per_inhabitant_eur),
                  "policy.council.archetype": archetype,
                  "policy.coordination.reciprocity": reciprocity,
                  "policy.coordination.exchange": exchange,
                  "policy.coordination.authority": authority}
        super().__init__(build_config(params, int(seed)))


MODEL_PARAMS = {
    "households": {"type": "SliderInt", "value": 400, "label": "Households", "min": 100,
                   "max": 3000, "step": 100},
    "scenario": {"type": "Select", "value": "tracc", "values": list(SCENARIOS),
                 "label": "Climate scenario"},
    "subsidy_rate": {"type": "SliderFloat", "value": 0.3, "label": "Subsidy rate", "min": 0.0,
                     "max": 1.0, "step": 0.05},
    "budget_per_inhabitant_eur": {"type": "SliderFloat", "value": 40.0,
                                  "label": "Council budget (EUR/inhabitant/yr)", "min": 0.0,
                                  "max": 200.0, "step": 5.0},
    "archetype": {"type": "Select", "value": "cost_benefit", "values": list(ARCHETYPES),
                  "label": "Council archetype"},
    "coordination": {"type": "Select", "value": "balanced", "values": list(MIXES),
                     "label": "Coordination mix"},
    "seed": {"type": "SliderInt", "value": 0, "label": "Weather seed", "min": 0, "max": 99,
             "step": 1},
}


def household_category(measures: list[str], themes: dict[str, str]) -> str:
    """Colour category of a household from the themes of its working measures."""
    kinds = {themes.get(m, "") for m in measures}
    kinds = {("heat" if k in ("heat", "social") else "water" if k in ("water", "drought")
              else "energy") for k in kinds if k}
    if not kinds:
        return "none"
    return kinds.pop() if len(kinds) == 1 else "several"


@solara.component
def IndicatorPlots(model: TerritoryModel):
    """Yearly indicators so far."""
    update_counter.get()
    table = model.indicators()
    figure = Figure(figsize=(10, 6), layout="constrained")
    axes = figure.subplots(2, 3).ravel()
    for ax, (name, label) in zip(axes, PLOTTED.items(), strict=True):
        if name in table:
            ax.plot(table.index, table[name], marker="o", ms=3)
        ax.set_title(label, fontsize=9)
        ax.set_xlabel("year", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    solara.FigureMatplotlib(figure, format="png")


@solara.component
def HouseholdGrid(model: TerritoryModel):
    """Households on a square grid, coloured by the kind of measures they adopted."""
    update_counter.get()
    from territoire_abm.territory.model import measures_for_group

    themes = {m.id: m.theme for m in measures_for_group("household")}
    agents = model.household_agents
    side = math.ceil(math.sqrt(len(agents)))
    categories = [household_category(a.measures, themes) for a in agents]
    colours = [CATEGORIES[c] for c in categories]
    adopted = sum(c != "none" for c in categories) / max(len(categories), 1)
    solara.Text(f"Simulated years: {len(model.records)} · next year {model.year} · "
                f"{adopted:.0%} of households have a measure working")
    figure = Figure(figsize=(5, 5), layout="constrained")
    ax = figure.subplots()
    ax.scatter([i % side for i in range(len(agents))], [i // side for i in range(len(agents))],
               c=colours, s=max(4, 4000 / len(agents)), marker="s")
    ax.set_axis_off()
    ax.set_title("Households coloured by the measures working in them", fontsize=10)
    ax.legend(handles=[Patch(color=c, label=k) for k, c in CATEGORIES.items()],
              loc="upper center", bbox_to_anchor=(0.5, -0.01), ncol=5, fontsize=8)
    solara.FigureMatplotlib(figure, format="png")


@solara.component
def Page():
    """The explorer: a SolaraViz of one model per browser session."""
    model = solara.use_memo(ExplorerModel, [])  # one model per browser session
    SolaraViz(model, components=[(IndicatorPlots, 0), (HouseholdGrid, 0)],
              model_params=MODEL_PARAMS, name="Territoire explorer", play_interval=300)
