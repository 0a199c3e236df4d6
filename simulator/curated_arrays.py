"""The curated talent and regulation tables turned into per-country arrays for one run.

Talent (data/talent.csv, MacroPolo Global AI Talent Tracker 2.0, latest year):
- researchers' pool share = the top-tier *workplace* share of the country; a group row
  (e.g. '150' Europe) is split among its members without a row of their own by GDP, and the
  rest of the world's share among all remaining countries by GDP (PPP);
- engineers' pool share = the top-tier *origin* share (where people studied: the supply of
  trained engineers), split the same way;
- openness = workplace share / origin share, the revealed net attraction of talent (the US
  employs three times the top researchers it educates, China a quarter), scaled to max 1.

Regulation (data/regulation.csv): a country's entry cost is the base legal set-up plus, per
regime that binds it (its own or its bloc's, e.g. the EU's), the default cost of the regime's
kind plus the documented cost estimates of its obligations; the entry delay is the base plus
the longest regime's months (Parameters.compliance_*). A bloc's regimes (the EU's) are paid
once per firm. `[regulation.X]` in the scenario replaces either figure for a country (its
national figures) or for the bloc `EU`.
"""

from __future__ import annotations

import numpy as np

from hub import cldr
from plumbing.errors import InputError
from simulator.world.countries import load_countries
from simulator.world.curated import load_regulation, load_talent

# ECB reference rate, 2024 average (1 EUR = 1.0824 USD); the table's estimates are in EUR.
USD_PER = {"USD": 1.0, "EUR": 1.0824}


def _spread(rows: dict[str, float], world: dict, weight: dict[str, float]) -> dict[str, float]:
    """Share per country: own rows, group rows split by weight, the rest of the world too."""
    own = {code: share for code, share in rows.items() if code in world}
    shares = dict(own)
    for group, share in sorted(rows.items()):
        if group in world:
            continue
        members = sorted(c for c in cldr.expand(group) if c in world and c not in own)
        total = sum(weight[c] for c in members)
        for c in members:
            shares[c] = shares.get(c, 0.0) + share * weight[c] / total
    rest = sorted(c for c in world if c not in shares)
    remaining = max(0.0, 1.0 - sum(rows.values()))
    total = sum(weight[c] for c in rest)
    for c in rest:
        shares[c] = remaining * weight[c] / total
    return shares


def _latest(metric: str) -> dict[str, float]:
    rows = [r for r in load_talent() if r.metric == metric]
    year = max(r.data_year for r in rows)
    return {r.territory: r.share for r in rows if r.data_year == year}


def talent_arrays(iso2: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """([countries, 2] world-pool shares of researchers and engineers, [countries] openness)."""
    world = {c.iso2: c for c in load_countries()}
    gdp = {code: c.gdp_usd for code, c in world.items()}
    workplace = _spread(_latest("top_tier_workplace_share"), world, gdp)
    origin = _spread(_latest("top_tier_origin_share"), world, gdp)
    shares = np.array([[workplace[c], origin[c]] for c in iso2])
    ratio = np.array([workplace[c] / max(origin[c], 1e-12) for c in iso2])
    everywhere = max(workplace[c] / max(origin[c], 1e-12) for c in world)
    return shares, np.clip(ratio / everywhere, 1e-3, 1.0)


def _regimes(jurisdiction: str, params) -> tuple[float, float]:
    """(cost in USD, delay in months) of every regime binding `jurisdiction` itself."""
    regimes: dict[str, list] = {}
    for row in load_regulation():
        if row.jurisdiction == jurisdiction:
            regimes.setdefault(row.regime, []).append(row)
    cost, delay = 0.0, 0.0
    for rows in regimes.values():
        kind = rows[0].kind
        cost += params.compliance_ai_usd if kind == "ai" else params.compliance_privacy_usd
        delay = max(delay, params.compliance_ai_months if kind == "ai"
                    else params.compliance_privacy_months)
        for row in rows:
            if row.compliance_cost_low is None:
                continue
            if row.compliance_cost_currency not in USD_PER:
                raise InputError(
                    f"regulation.csv: {row.regime}: currency {row.compliance_cost_currency!r}; "
                    f"expected one of {sorted(USD_PER)}"
                )
            middle = (row.compliance_cost_low + row.compliance_cost_high) / 2
            cost += middle * USD_PER[row.compliance_cost_currency]
    return cost, delay


def regulation_arrays(iso2: tuple[str, ...], countries: list, scenario) -> tuple[np.ndarray, ...]:
    """Per country of the run: national cost and delay, and the EU bloc's cost and delay.

    National figures include the base legal set-up; the bloc's (zero outside the EU) are
    paid once per firm, on its first EU market (or never, for a firm at home in the EU).
    """
    params, overrides = scenario.parameters, scenario.regulation
    eu_cost, eu_delay = _regimes("EU", params)
    bloc = overrides.get("EU")
    if bloc is not None and bloc.compliance_cost_usd is not None:
        eu_cost = bloc.compliance_cost_usd
    if bloc is not None and bloc.delay_months is not None:
        eu_delay = bloc.delay_months
    member = np.array([c.eu_member for c in countries])
    cost, delay = np.zeros(len(iso2)), np.zeros(len(iso2))
    for i, code in enumerate(iso2):
        own_cost, own_delay = _regimes(code, params)
        cost[i] = params.compliance_base_usd + own_cost
        delay[i] = params.compliance_base_months + own_delay
        mine = overrides.get(code)
        if mine is not None and mine.compliance_cost_usd is not None:
            cost[i] = mine.compliance_cost_usd
        if mine is not None and mine.delay_months is not None:
            delay[i] = mine.delay_months
    bloc_delay = np.where(member, params.compliance_base_months + eu_delay, 0.0)
    return cost, delay, np.where(member, eu_cost, 0.0), bloc_delay
