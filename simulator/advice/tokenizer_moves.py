"""`tokenizer-T`: serve with the production tokenizer T from the firm's next model release.

What a language costs a lab in tokens is its tokenizer's: English tokens per character
times the language's token premium over English (`hub premium`, the technology profile's
production tokenizers). A tokenizer comes with a model: OpenAI served with o200k_base from
GPT-4o (May 2024), on which the hub measures Hindi's premium at 1.59 and Japanese's at 1.69,
against 3.57 and 2.25 on cl100k_base (data/technology_profile.parquet). So the move starts
at the firm's first model release
after the decision (`simulator.releases`: its family's published dates, then its training
cadence); the firm trains that model anyway (`simulator.firm_economics` pays a generation's
run every generation), so the move costs nothing more.

The tokenizer offered is the profile's production one with the fewest tokens per character
over the firm's markets, each weighted by its people online (where the firm may serve at
the decision), when that is at least `MIN_SAVING` fewer than with the firm's own: a smaller
saving is within one language's measured uncertainty (the profile's 95% intervals of a
production tokenizer's premium have a median half-width of 8-10% of it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from simulator.advice.decision import Decision
from simulator.releases import scenario_schedule
from simulator.scenario import Scenario
from simulator.scenario.firm import Firm
from simulator.technology import TechnologyProfile, country_technology
from simulator.tokenizers import firm_premiums

if TYPE_CHECKING:
    from simulator.advice.moves import Move

MIN_SAVING = 0.05  # fewer tokens per character than the firm's own tokenizer, at least


def tokenizer_at(firm: Firm, scenario: Scenario, month: int) -> str:
    """The tokenizer the firm serves with in model month `month` (its dated changes)."""
    current = firm.model.tokenizer
    for change in sorted(firm.model.tokenizer_changes, key=lambda c: c.month):
        if scenario.month_of(change.month) <= month:
            current = change.tokenizer
    return current


def next_release(scenario: Scenario, firm: Firm, decision: Decision) -> int | None:
    """The model month of the firm's first release from the decision on, within the run."""
    schedule = scenario_schedule(scenario, scenario.months)
    column = schedule[:, [f.name for f in scenario.firms].index(firm.name)]
    later = np.flatnonzero(column[decision.month:]) + decision.month
    return int(later[0]) if later.size else None


def tokens_per_char(profile: TechnologyProfile, tokenizer: str, geo, weights: np.ndarray,
                    hub_global: np.ndarray) -> float:
    """Tokens per English-equivalent character over the countries, by `weights`."""
    premium, english, _ = firm_premiums(profile, tokenizer, geo.lang_codes, geo.lang_weights,
                                        hub_global)
    return float(english * (premium * weights).sum() / weights.sum())


def tokenizer_move(scenario: Scenario, firm: Firm, tokenizer: str, month: int,
                   why: str) -> Move:
    """The move that serves with `tokenizer` from model month `month` (a release)."""
    from simulator.advice.moves import Move

    date = scenario.month_dates(month)[-1].strftime("%Y-%m")
    kept = [c.model_dump() for c in firm.model.tokenizer_changes
            if scenario.month_of(c.month) < month]
    return Move(f"tokenizer-{tokenizer}", "tokenizer", None,
                f"serve with the {tokenizer} tokenizer from the firm's next model release "
                f"({date}): {why}",
                {f"firms.{firm.name}.model.tokenizer_changes": [
                    *kept, {"month": date, "tokenizer": tokenizer}]})


def tokenizer_moves(scenario: Scenario, firm: Firm, profile: TechnologyProfile,
                    decision: Decision, geo, blocked: np.ndarray) -> list[Move]:
    """The best production tokenizer from the next release, where it saves enough."""
    month = next_release(scenario, firm, decision)
    if month is None:
        return []
    found = best_tokenizer(scenario, firm, profile, geo, geo.is_market & ~blocked, month)
    if found is None:
        return []
    name, cost, own = found
    return [tokenizer_move(scenario, firm, name, month,
                           f"{cost / own:.0%} of its tokens per character in its markets, "
                           "by people online")]


def best_tokenizer(scenario: Scenario, firm: Firm, profile: TechnologyProfile, geo,
                   open_to: np.ndarray, month: int) -> tuple[str, float, float] | None:
    """(tokenizer, its tokens per char, the firm's own) where one saves MIN_SAVING or more."""
    tech = country_technology(profile, geo.lang_codes, geo.lang_weights)
    hub_global = tech.token_premium[tech.regions.index("global")]
    weights = geo.population * geo.online * open_to
    if not weights.sum():
        return None
    own_name = tokenizer_at(firm, scenario, month)
    own = tokens_per_char(profile, own_name, geo, weights, hub_global)
    costs = {name: tokens_per_char(profile, name, geo, weights, hub_global)
             for name in sorted(profile.tokenizers) if name != own_name}
    if not costs:
        return None
    name = min(costs, key=lambda n: (costs[n], n))
    return (name, costs[name], own) if costs[name] <= (1.0 - MIN_SAVING) * own else None
