"""Moves about presence in a named country: a data region, a partner's channel, a price tier.

Issue 24's market makes these per-country decisions (`simulator.footprint`, `simulator.
channels`, `simulator.finance.list_prices`); advice generates them from the decision date:

- `region-C-cloud`, `region-C-own`: a serving region in country C (`strategy.data_regions`),
  a cloud partner's for the `REGION_CANDIDATES` largest markets abroad by GDP where the
  firm's organisations' data is not resident yet (organisations' AI spend is a share of
  GDP, `Parameters.api_spend_share_gdp`), and the firm's own data centre in the first;
- `channel-C-PRODUCT`: distribution through a partner's installed base in C, for every
  country `data/partner_bases.csv` names (`[[firms.channels]]`): its reach is the partner's
  monthly users over the country's people; its conversion is `CHANNEL_CONVERSION`;
- `tier-C-Pusd`: a country price tier (`strategy.pricing.tiers`) at the country's median
  willingness to pay of would-be payers (`simulator.economics.willingness_to_pay`, the
  point its conversion curve turns), in the `TIER_CANDIDATES` most populous markets where
  the firm's price is at least `TIER_GAP` times that;
- `lite-C-Pusd`: in the same countries, a lite tier beside the price
  (`strategy.pricing.lite`) at `Parameters.lite_tier_price_ratio` of it, the ratio of
  ChatGPT Go to Plus in India (2025): the country tier replaces the price, the lite tier
  keeps it for the payers who value the full tier.

Never what data/availability.csv forbids: a region needs the firm to serve and sell to
organisations there (`serve`, `api`), a channel or tier to serve; a country passed over is
noted with its row (`simulator.advice.forbidden`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from plumbing.shipped import shipped_path
from plumbing.tables import read_table
from simulator.advice.decision import Decision
from simulator.advice.forbidden import ACTIVITY_OF, Forbidden
from simulator.advice.price_search import PRICE_MIN_USD
from simulator.economics import willingness_to_pay
from simulator.finance import list_prices
from simulator.geography import Geography
from simulator.scenario import Scenario
from simulator.scenario.firm import Firm

if TYPE_CHECKING:
    from simulator.advice.moves import Move

REGION_CANDIDATES = 2  # a cloud partner's region in each of the two largest markets abroad
# Share of a partner's users who use the assistant inside its product once ramped up: not
# published for any partnership; the history scenario gives Google's Android channel 0.1
# within the 0.02-0.8 its calibration explores (data/scenarios/history.toml), an assumption.
CHANNEL_CONVERSION = 0.1
TIER_CANDIDATES = 2
TIER_GAP = 2.0  # a tier where the price is at least twice the median willingness to pay


@dataclass(frozen=True)
class PartnerBase:
    """A row of data/partner_bases.csv: a partner's product and its users in one country."""

    country: str
    partner: str
    product: str
    users: float
    date: str
    source_publisher: str
    source_title: str
    source_url: str
    year: int
    checked: str


def partner_bases() -> list[PartnerBase]:
    """The shipped partner bases, largest first."""
    rows = read_table(shipped_path("partner_bases.csv"), PartnerBase)
    return sorted(rows, key=lambda row: (-row.users, row.country))


def _own_list(firm: Firm, geo: Geography) -> np.ndarray:
    """[C] bool: countries the firm's own strategy excludes (no rule of data needed)."""
    mask = np.zeros(geo.size, dtype=bool)
    mask[geo.places(firm.strategy.exclude)] = True
    return mask


def region_moves(scenario: Scenario, firm: Firm, key: str, rules: Forbidden,
                 decision: Decision, geo: Geography) -> list[Move]:
    """Data regions in the largest markets abroad whose data is not resident with the firm."""
    from simulator.advice.moves import Move

    existing = [r.model_dump() for r in firm.strategy.data_regions]
    resident = {geo.index(firm.home), *(geo.index(r["country"]) for r in existing)}
    in_bloc = any(geo.in_bloc[c] for c in resident)  # an EU region keeps the bloc's data
    order = sorted((c for c in range(geo.size) if geo.is_market[c] and c not in resident
                    and not (in_bloc and geo.in_bloc[c]) and not _own_list(firm, geo)[c]),
                   key=lambda c: (-geo.gdp_usd[c], geo.iso2[c]))
    chosen = []
    for c in order:
        if len(chosen) == REGION_CANDIDATES:
            break
        if rules.allows(ACTIVITY_OF["region"], geo.iso2[c], f"region-{geo.iso2[c]}-cloud"):
            chosen.append(geo.iso2[c])
    moves = []
    for i, country in enumerate(chosen):
        where = "the EU" if geo.in_bloc[geo.index(country)] else "the country"
        for via in ("cloud", "own") if i == 0 else ("cloud",):
            whose = "a cloud partner's region" if via == "cloud" else "its own data centre"
            moves.append(Move(
                f"region-{country}-{via}", "data_region", country,
                f"serve organisations in {country} from {whose} there, as soon as it serves "
                f"{country} (their data stays in {where})",
                {f"{key}.strategy.data_regions": [
                    *existing, {"country": country, "month": decision.month, "via": via}]}))
    return moves


def channel_moves(scenario: Scenario, firm: Firm, key: str, rules: Forbidden,
                  decision: Decision, geo: Geography) -> list[Move]:
    """A partner channel in every country data/partner_bases.csv names."""
    from simulator.advice.moves import Move

    existing = [c.model_dump() for c in firm.channels]
    moves = []
    for base in partner_bases():
        c = geo.index(base.country) if base.country in geo.iso2 else None
        slug = "".join(ch for ch in base.product.lower() if ch.isalnum())
        name = f"channel-{base.country}-{slug}"
        if (c is None or not geo.is_market[c] or _own_list(firm, geo)[c]
                or any(x["name"] == base.product for x in existing)
                or not rules.allows(ACTIVITY_OF["channel"], base.country, name)):
            continue
        reach = min(base.users / geo.population[c], 1.0)
        moves.append(Move(
            name, "channel", base.country,
            f"reach users through {base.product} ({base.partner}) in {base.country}: "
            f"{base.users / 1e6:,.0f}M monthly users in {base.date[:4]}, {reach:.0%} of its "
            f"people (data/partner_bases.csv); {CHANNEL_CONVERSION:.0%} assumed to use the "
            "assistant once ramped up",
            {f"{key}.channels": [*existing, {
                "name": base.product, "start": decision.date, "countries": [base.country],
                "reach": round(float(reach), 4), "conversion": CHANNEL_CONVERSION}]}))
    return moves


def tier_moves(scenario: Scenario, firm: Firm, key: str, rules: Forbidden,
               decision: Decision, geo: Geography) -> list[Move]:
    """Country tiers at the median willingness to pay where the price is far above it.

    Beside each, a lite tier at ChatGPT Go's share of the price, which keeps the price.
    """
    p, pricing = scenario.parameters, firm.strategy.pricing
    wtp = willingness_to_pay(geo.gdp_per_capita, p.paying_reference_gdp_pc_usd,
                             p.wtp_income_elasticity, p.paying_reference_price_usd,
                             p.paying_share, p.paying_share_max, p.conversion_price_elasticity)
    price = list_prices([firm], geo)[0]
    order = sorted((c for c in range(geo.size)
                    if geo.is_market[c] and not _own_list(firm, geo)[c]
                    and geo.iso2[c] not in pricing.tiers and geo.iso2[c] not in pricing.lite
                    and price[c] >= TIER_GAP * wtp[c]),
                   key=lambda c: (-geo.population[c], geo.iso2[c]))
    moves, countries = [], 0
    for c in order:
        if countries == TIER_CANDIDATES:
            break
        country = geo.iso2[c]
        tier = tier_move(firm, key, country, max(float(wtp[c]), PRICE_MIN_USD),
                         f"a country tier at its median willingness to pay, against "
                         f"${price[c]:.2f}")
        lite = tier_move(firm, key, country, p.lite_tier_price_ratio * float(price[c]),
                         f"beside ${price[c]:.2f}, at ChatGPT Go's share of Plus's price",
                         "lite_tier")
        allowed = [m for m in (tier, lite) if rules.allows(ACTIVITY_OF["tier"], country, m.name)]
        moves += allowed
        countries += bool(allowed)
    return moves


# kind -> (name prefix, Pricing field, what the move does)
TIER_KINDS = {"price_tier": ("tier", "tiers", "charge ${price:.2f} a month in {country}"),
              "lite_tier": ("lite", "lite", "sell a lite tier at ${price:.2f} a month in "
                                            "{country}")}


def tier_move(firm: Firm, key: str, country: str, usd_per_month: float, why: str,
              kind: str = "price_tier") -> Move:
    """The move that adds a tier at `usd_per_month` (rounded to the cent) in `country`.

    `price_tier`: a country tier instead of the price; `lite_tier`: a lite tier beside it.
    """
    from simulator.advice.moves import Move

    prefix, field, does = TIER_KINDS[kind]
    price, existing = round(usd_per_month, 2), getattr(firm.strategy.pricing, field)
    return Move(f"{prefix}-{country}-{price:.3g}usd", kind, country,
                f"{does.format(price=price, country=country)} ({why})",
                {f"{key}.strategy.pricing.{field}": {**existing, country: price}})
