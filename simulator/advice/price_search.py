"""Advice's price move: the firm's list price that maximises its NPV, by a bracketed search.

The value of a monthly list price p (`usd_per_month`) is the NPV of the firm's cash over the
horizon from the decision date (`simulator.advice.valuation.npv`) when it charges p from
then, the rest of the scenario as written: its parameters and its seed (common random
numbers, so two prices differ by the price alone). The scenario is simulated to the decision
date once; every price branches from there (`simulator.run.branching`). The search runs in log
price, where a doubling is one step wherever it starts:

1. bracket by expansion (Press et al., Numerical Recipes, 3rd ed., section 10.1): from the
   current price and a step of ln 2, walk uphill, each step the golden ratio times the last,
   until the value falls; this gives three prices a < b < c with V(b) above V(a) and V(c);
2. golden-section search inside the bracket (scipy.optimize.minimize_scalar, "golden") to
   `TOLERANCE` in log price.

Prices stay within [PRICE_MIN_USD, PRICE_MAX_USD]: where the value still rises at a bound
the bound is the answer, and where it is flat (the firm never sells within the horizon)
the current price is.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize_scalar

from simulator.advice.decision import Decision
from simulator.advice.valuation import DISCOUNT_RATE_ANNUAL, npv
from simulator.geography import build_geography
from simulator.model import StrategyModel
from simulator.run import _release
from simulator.run.branching import adopt, snapshot
from simulator.scenario import Scenario
from simulator.scenario.overrides import apply
from simulator.technology import TechnologyProfile

# Consumer tiers published in 2024-25 span about $1 (regional tiers) to $200 a month
# (ChatGPT Pro, Claude Max); the search looks no further.
PRICE_MIN_USD = 1.0
PRICE_MAX_USD = 200.0
STEP = math.log(2.0)  # the first step: half or double the price
GROWTH = (1.0 + math.sqrt(5.0)) / 2.0  # each expansion step the golden ratio times the last
TOLERANCE = 0.02  # in log price: the answer within ~2% of the best price
MAX_EXPANSIONS = 12


@dataclass(frozen=True)
class PriceSearch:
    """The price found, the bracket it was found in and every price valued on the way."""

    price: float
    bracket: tuple[float, float, float]  # low, middle, high (US dollars a month)
    values: dict[float, float]  # price -> NPV

    def value(self, price: float) -> float:
        """NPV at a price the search valued."""
        return self.values[price]


def bracket_maximum(value: Callable[[float], float], start: float, low: float,
                    high: float) -> tuple[float, float, float]:
    """(a, b, c) in log price, a <= b <= c, value(b) >= value(a), value(c), within [low, high].

    Where the value rises up to a bound, b is that bound (and a or c equals it too); where
    the first step finds it flat, b is `start`.
    """
    a, b = start, start + STEP if start + STEP <= high else start - STEP
    if value(b) < value(a):  # downhill that way: walk the other way
        a, b = b, a
    elif value(b) == value(a):
        return (min(a, b), start, max(a, b))
    step = b - a
    for _ in range(MAX_EXPANSIONS):
        step *= GROWTH
        c = min(max(b + step, low), high)
        if value(c) < value(b):
            return (min(a, c), b, max(a, c))
        if c in (low, high):
            return (b, c, c) if c == high else (c, c, b)
        a, b = b, c
    return (min(a, b), b, max(a, b))


def search_price(scenario: Scenario, firm: str, profile: TechnologyProfile,
                 rate: float = DISCOUNT_RATE_ANNUAL,
                 decision: Decision | None = None) -> PriceSearch:
    """The NPV-maximising list price of `firm` from `decision` (default: the start) on."""
    spec = next(f for f in scenario.firms if f.name == firm)
    index = scenario.firms.index(spec)
    key = f"firms.{firm}.strategy.pricing.usd_per_month"
    trunk = StrategyModel(scenario, profile=profile, geography=build_geography(scenario))
    for _ in range((decision.month if decision else 1) - 1):
        trunk.step()
    start_cash = float(trunk.own_cash()[index])
    cache: dict[float, float] = {}

    def value(log_price: float) -> float:
        price = round(math.exp(log_price), 4)
        if price not in cache:
            model = snapshot(trunk)
            adopt(model, apply(scenario, {key: price}))
            cash = np.empty(model.months - model.steps)
            for month in range(cash.size):
                model.step()
                cash[month] = model.own_cash()[index]
            cache[price] = float(npv(cash, start_cash, rate))
        return cache[price]

    try:
        dollars = _search(value, spec.strategy.pricing.usd_per_month)
    finally:
        _release(trunk)
    return PriceSearch(dollars[3], (dollars[0], dollars[1], dollars[2]), dict(cache))


def _search(value: Callable[[float], float], current: float) -> list[float]:
    """Bracket, then golden-section: [low, middle, high, best] in dollars."""
    low, high = math.log(PRICE_MIN_USD), math.log(PRICE_MAX_USD)
    start = min(max(math.log(max(current, PRICE_MIN_USD)), low), high)
    a, b, c = bracket_maximum(value, start, low, high)
    best = b
    if a < b < c and value(b) > max(value(a), value(c)):
        # scipy's golden stops on a tolerance relative to x; the iterations that shrink the
        # bracket to TOLERANCE (a factor 1 / 1.618 each) make it absolute in log price.
        iterations = math.ceil(math.log((c - a) / TOLERANCE) / math.log(GROWTH))
        found = minimize_scalar(lambda x: -value(x), bracket=(a, b, c), method="golden",
                                options={"xtol": 1e-12, "maxiter": iterations})
        best = max((found.x, b), key=value)
    return [round(math.exp(x), 4) for x in (a, b, c, best)]
