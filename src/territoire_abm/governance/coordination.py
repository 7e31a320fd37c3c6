"""What the coordination mix does: the one place where its three shares take effect.

Seed 000 names three coordination modes whose mix is a policy lever
(``policy.coordination``: reciprocity + exchange + authority = 1). Each share has the meanings
below, and nowhere else in the engine is a share read directly:

- **reciprocity** (conditional co-operation, Fischbacher, Gächter & Fehr 2001): that share of
  a collective investment is due from voluntary contributions; and neighbours' adoptions weigh
  more in households' social norm, ``1 + reciprocity_norm_gain × reciprocity``;
- **exchange** (users pay through prices): that share of a collective investment is added to
  the users' bills as a tariff surcharge; and tariff-funded schemes pass the national subsidy
  on, ``min(1, exchange_subsidy_gain × exchange)`` of the subsidy rate reaching households
  and firms;
- **authority** (the council pays and rules bind): that share is paid from the municipal
  budget; and the rental-retrofit ban is enforced on ``authority_enforcement × authority`` of
  the banned rentals each year.

The gains are parameters (``policy.coordination_effects``), estimates (unconfirmed).
"""

from __future__ import annotations

from dataclasses import dataclass

from territoire_abm.config.params import CoordinationConfig, CoordinationEffectsConfig


@dataclass(frozen=True)
class CoordinationEffects:
    """The effects of one coordination mix."""

    contribution_share: float  # of collective capex due from voluntary contributions
    tariff_share: float  # of collective capex added to users' bills
    budget_share: float  # of collective capex paid from the municipal budget
    social_norm_multiplier: float  # on the share of adopting neighbours (households, TPB)
    subsidy_reach: float  # share of the national subsidy rate reaching households and firms
    mandate_enforcement: float  # yearly share of banned rentals retrofitted


def coordination_effects(mix: CoordinationConfig,
                         gains: CoordinationEffectsConfig) -> CoordinationEffects:
    """Map the coordination mix to its effects (see the module docstring)."""
    return CoordinationEffects(
        contribution_share=mix.reciprocity,
        tariff_share=mix.exchange,
        budget_share=mix.authority,
        social_norm_multiplier=1.0 + gains.reciprocity_norm_gain * mix.reciprocity,
        subsidy_reach=min(1.0, gains.exchange_subsidy_gain * mix.exchange),
        mandate_enforcement=gains.authority_enforcement * mix.authority,
    )
