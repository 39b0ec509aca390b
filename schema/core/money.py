"""Money in the API (SPEC §2.3): every amount says its currency.

Amount fields keep their decimal value (`Lead.amount`, `LeadSegment.wonRevenue`,
…) and each has a `…Money` sibling of type `Money { amount currency }`, the
currency being the installation's ``ACCORD_CURRENCY`` (one currency per
installation: nothing is converted). Inputs take plain decimals, in that
currency.
"""

from __future__ import annotations

from decimal import Decimal

import strawberry

from schema.context import Info


@strawberry.type(description="An amount of money in the installation's currency.")
class Money:
    amount: Decimal
    currency: str = strawberry.field(
        description="ISO 4217 code: the ACCORD_CURRENCY setting."
    )


def money(info: Info, amount: Decimal | None) -> Money | None:
    """``amount`` in the installation's currency (None stays None)."""
    return money_in(info.context.settings.currency, amount)


def money_in(currency: str, amount: Decimal | None) -> Money | None:
    """``amount`` in ``currency`` (None stays None)."""
    if amount is None:
        return None
    return Money(amount=amount, currency=currency)
