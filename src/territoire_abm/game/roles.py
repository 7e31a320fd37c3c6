"""The roles of the workshop game: what each one sees, may decide and spends.

The five deciding roles are the engine's (:data:`territoire_abm.governance.controllers.ROLES`).
When the session has a twin commune (:mod:`territoire_abm.game.twins`), a sixth role, the
twin's council (``twin_council``), decides as the engine's ``council`` of the twin territory.
Each sees its own dashboard (asymmetric information, as in Cormas' points of view and
LittoSIM's one-commune-per-team screens): farmers see irrigation and restrictions, the energy
community its dispatch KPIs, the council its budget and trust.
"""

from __future__ import annotations

from functools import cache

from territoire_abm.game.texts import english, translator
from territoire_abm.governance.controllers import ROLES
from territoire_abm.territory.model import measures_for_group

TWIN_ROLE = "twin_council"
GAME_ROLES = (*ROLES, TWIN_ROLE)
#: The engine role a game role decides as (the twin's council is its territory's council).
ENGINE_ROLE = {**{role: role for role in ROLES}, TWIN_ROLE: "council"}
#: Role -> its English name (``role.<role>`` of game/messages.toml; French there too).
LABELS = {role: english()(f"role.{role}")
          for role in ("council", *(r for r in GAME_ROLES if r != "council"))}
# Money each role receives at the start of every round, EUR. The council's is about five
# years of the default climate budget (40 EUR/inhabitant/yr × ~5,500 inhabitants; see
# policy.budget_per_inhabitant_eur); the others are game money: estimate (unconfirmed).
BUDGETS_EUR = {
    "council": 1_100_000.0,
    "energy_community": 500_000.0,
    "residents": 100_000.0,
    "farmers": 100_000.0,
    "businesses": 150_000.0,
}
# The twin's council: the home council's budget (the twin is simulated at most the home's
# size, twins.overrides): estimate (unconfirmed).
BUDGETS_EUR[TWIN_ROLE] = BUDGETS_EUR["council"]
# What each role may put in a decision (the engine's decision keys; controllers.py).
FIELDS = {
    "council": ("adopt", "drop"),
    "residents": ("propose", "contribute"),
    "farmers": ("propose", "contribute"),
    "businesses": ("propose", "contribute"),
    "energy_community": ("invest", "mode", "recommend"),
}
FIELDS[TWIN_ROLE] = FIELDS["council"]
# Keys of a decision that carry over to the later years of a round (standing choices).
STANDING = ("contribute", "mode")
# The indicators each role's dashboard shows (asymmetric information); their labels are
# ``indicator.<name>`` of game/messages.toml.
COMMON_NAMES = (
    "heat_wave_days",
    "restriction_days",
    "trust_mean",
)
VIEW_NAMES = {
    "council": (
        "budget_eur",
        "debt_per_inhabitant_eur",
        "heat_stress_per_inhabitant",
        "unmet_water_share_households",
        "emissions_t_per_inhabitant",
        "operational_t_per_inhabitant",
        "heat_deaths_per_100k",
        "incumbent_vote_share",
    ),
    "residents": (
        "heat_stress_per_inhabitant",
        "energy_bill_mean_eur",
        "energy_poverty_share",
        "unmet_water_share_households",
        "satisfaction_mean",
    ),
    "farmers": (
        "unmet_water_share_agriculture",
        "crop_yield_factor",
        "farm_revenue_loss_eur",
        "drought_index",
        "restriction_days_crise",
    ),
    "businesses": (
        "productivity_loss_share",
        "unmet_water_share_industry",
        "cost_eur",
        "unserved_kwh",
    ),
    "energy_community": (
        "self_sufficiency_rate",
        "self_consumption_rate",
        "peak_import_kw",
        "unserved_kwh",
        "curtailed_kwh",
        "community_members",
    ),
}
VIEW_NAMES[TWIN_ROLE] = VIEW_NAMES["council"]


def indicator_labels(names, lang: str = "en") -> dict[str, str]:
    """Indicator name -> its dashboard label in ``lang`` (``indicator.<name>``)."""
    t = translator(lang)
    return {name: t(f"indicator.{name}") for name in names}


#: Dashboards in English: indicator name -> label (the shared view, each role's).
COMMON_VIEW = indicator_labels(COMMON_NAMES)
VIEWS = {role: indicator_labels(names) for role, names in VIEW_NAMES.items()}
# Indicators of the round summary and the debrief (all roles, the facilitator).
HEADLINE_INDICATORS = (
    "heat_stress_per_inhabitant", "unmet_water_share_agriculture",
    "unmet_water_share_households", "emissions_t_per_inhabitant", "self_sufficiency_rate",
    "energy_poverty_share", "debt_per_inhabitant_eur", "trust_mean",
)


def headline(lang: str = "en") -> dict[str, str]:
    """Headline indicator -> its label in ``lang`` (``headline.<name>`` of the catalogue)."""
    t = translator(lang)
    return {name: t(f"headline.{name}") for name in HEADLINE_INDICATORS}


HEADLINE = headline()


def view(role: str, lang: str = "en") -> dict[str, str]:
    """Indicator name -> label shown to ``role`` in ``lang`` (the facilitator sees every
    view)."""
    if role == "facilitator":
        names: dict[str, None] = dict.fromkeys(COMMON_NAMES)
        for each in ROLES:
            names.update(dict.fromkeys(VIEW_NAMES[each]))
        return indicator_labels(names, lang)
    return indicator_labels((*VIEW_NAMES[role], *COMMON_NAMES), lang)


@cache
def group_measures(group: str) -> tuple[str, ...]:
    """Measure ids of the catalogue open to an engine group (council, community, ...)."""
    return tuple(m.id for m in measures_for_group(group))


def options(role: str) -> dict[str, tuple[str, ...]]:
    """Measure ids allowed in each measure list of ``role``'s decision."""
    council, community = group_measures("council"), group_measures("community")
    if ENGINE_ROLE[role] == "council":
        return {"adopt": council, "drop": council}
    if role == "energy_community":
        return {"invest": community, "recommend": council}
    return {"propose": council + community}


def measure_labels(lang: str = "en") -> dict[str, str]:
    """Readable names of the collective measures (catalogue id -> label); in French the
    catalogue's ``name_fr`` (its English name where it has none)."""
    labels = {}
    for group in ("council", "community"):
        for measure in measures_for_group(group):
            name = getattr(measure, "name", "") or measure.id.replace("_", " ")
            if lang == "fr":
                name = getattr(measure, "name_fr", "") or name
            labels[measure.id] = str(name)
    return labels
