"""Money: list prices (with regional tiers), lite tiers, local prices, the monthly ledger.

Every flow is booked per (firm, country) so that a firm's cash change in a month equals the
sum over countries of revenue (consumer and API), equity raised and a parent's funding minus
serving cost, salaries, localisation, compliance, commitment (offices included) and training
spend (the conservation test checks this on the written time series). Measures (API revenue, tokens)
are recorded beside the flows but are parts of them, not extra money.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

COST_FLOWS = ("serving_cost", "salaries", "localisation_spend", "compliance_spend",
              "commitment_spend", "training_spend")
# Equity raised in a funding round and a parent's transfer covering the month's loss are
# money in, not revenue.
INFLOWS = ("revenue", "equity_raised", "parent_funding")
FLOWS = (*INFLOWS, *COST_FLOWS)
# API revenue is part of revenue; paying users are the consumers who pay (a stock, not a flow).
MEASURES = ("api_revenue", "tokens", "api_tokens", "paying_users")


def list_prices(firms, geo) -> np.ndarray:
    """Each firm's list price per country ([F, C]): usd_per_month, or its regional tier.

    Tiers apply in the order written, so a country listed after its region keeps its own.
    """
    prices = np.array([[f.strategy.pricing.usd_per_month] * geo.size for f in firms],
                      dtype=float)
    for i, firm in enumerate(firms):
        for place, price in firm.strategy.pricing.tiers.items():
            prices[i, geo.places([place])] = price
    return prices


def lite_prices(firms, geo) -> np.ndarray:
    """Each firm's lite-tier price per country ([F, C]), NaN where it sells none."""
    prices = np.full((len(firms), geo.size), np.nan)
    for i, firm in enumerate(firms):
        for place, price in firm.strategy.pricing.lite.items():
            prices[i, geo.places([place])] = price
    return prices


def local_price(price: np.ndarray, ppp_adjusted: np.ndarray, gdp_per_capita: np.ndarray,
                reference_gdp: float, floor: float) -> np.ndarray:
    """Monthly price per firm and country ([F, C]); PPP pricing scales by income to `floor`."""
    factor = np.clip(gdp_per_capita / reference_gdp, floor, 1.0)
    return price * np.where(ppp_adjusted[:, None], factor[None, :], 1.0)


@dataclass
class Ledger:
    """This month's flows per (firm, country), each a [firms, countries] array."""

    shape: tuple[int, int]
    flows: dict[str, np.ndarray] = field(default_factory=dict)
    measures: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Start a new month with every flow at zero."""
        self.flows = {name: np.zeros(self.shape) for name in FLOWS}
        self.measures = {name: np.zeros(self.shape) for name in MEASURES}

    def book(self, flow: str, firm: int, country: int, amount: float) -> None:
        """Add one amount (e.g. a one-off setup cost) to a flow."""
        self.flows[flow][firm, country] += amount

    def net(self) -> np.ndarray:
        """Cash change per firm: money in minus every cost flow, summed over countries."""
        total = sum(self.flows[name].sum(axis=1) for name in INFLOWS)
        for name in COST_FLOWS:
            total = total - self.flows[name].sum(axis=1)
        return total

    def costs(self) -> np.ndarray:
        """Total costs per firm this month (the burn rate a cash reserve is measured in)."""
        return sum(self.flows[name].sum(axis=1) for name in COST_FLOWS)
