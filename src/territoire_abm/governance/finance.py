"""Municipal finance: loans, debt service and the borrowing room under the debt ceiling.

A measure's capital is not paid in the year it is adopted: the commune borrows its share
(after State and Region grants, ``policy.cofunding_share``) and repays it over
``policy.loan_years`` (DGCL: investment is mostly financed by loans and grants). The debt
stays under ``policy.max_debt_per_inhabitant_eur``.
"""

from __future__ import annotations

from typing import Any

from territoire_abm.types import Commune


def annuity_factor(rate: float, years: int) -> float:
    """Yearly payment per euro borrowed over ``years`` at ``rate`` (constant annuity)."""
    if rate <= 0:
        return 1.0 / years
    return rate / (1.0 - (1.0 + rate) ** -years)


def debt_service_eur(debt_eur: float, policy: Any) -> float:
    """Interest plus constant amortisation of the outstanding debt over the loan term."""
    return debt_eur * (policy.debt_interest_rate + 1.0 / policy.loan_years)


def borrowing_room_eur(commune: Commune) -> float:
    """What the council may still borrow: the room under its debt ceiling (the yearly limit
    is the annuity test of the council's rule: repayments must fit in the budget)."""
    policy = commune.config.policy
    ceiling = policy.max_debt_per_inhabitant_eur * commune.population
    return max(0.0, ceiling - commune.council.debt_eur)
