"""Branching a run: copy its state at a month, apply a firm's edited strategy there, go on.

Advice from a decision date simulates each ensemble member once to the date, then every
move continues from a copy of that state (`snapshot`), its edit applied at the month the
move takes effect (`adopt`). A copy is the whole model (`copy.deepcopy`: arrays, the
agents, Mesa's and the streams' random generators), sharing only what no month changes in
place (`SHARED`), so a copy stepped on is byte-identical to the run it was taken from.

A move is a scenario edit, and most of a scenario is read once at set-up; `adopt` reads
again what the firms' strategies and channels feed (`BRANCHABLE`):

- `exclude`: the serving mask (rules, lists, suspensions, launch calendars); a country the
  firm newly excludes is left: its level, office, data region and pending launch end, its
  users there leave it (they may adopt another firm later);
- `localise`: the firm's localisation plans (one already started goes on: its compute is
  spent), the premiums of its extended vocabularies and of its later tokenizers;
- `hiring`: where it hires (offices and labs hire locally whatever the list says) and its
  targets;
- `pricing`: the price options and lite tiers, the firm's PPP choice, its paying shares,
  the revenue potential and experience its entries are judged by;
- `channels`: every channel's start, reach and conversion;
- `model.tokenizer_changes`: the tokenizers its later releases serve with (a change dated
  by the branch's month has been served already and cannot be undone);
- `offices`, `labs`, `sites`, `data_regions`, `entries_per_year`, `max_commitment`: read by
  the firm's decisions every month.

Anything else (parameters, compute, a firm's money or the rest of its model) shaped the
state already built, so it cannot be applied at a month: `branch_problems` names it.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from simulator.agents import LocalisationPlan
from simulator.finance import lite_prices
from simulator.firm_economics import localised_premiums
from simulator.footprint import Level
from simulator.scenario import Scenario
from simulator.scenario.firm import Firm, Strategy
from simulator.technology import check_localisations

if TYPE_CHECKING:
    from simulator.model import StrategyModel

# Set at set-up and only ever replaced, never changed in place: a copy shares them.
SHARED = ("scenario", "params", "profile", "geo", "tech", "econ", "family_quality",
          "tokenizer_changes", "forbidden", "constraints", "migration_rates", "region_mask",
          "price_options", "potential", "experience_needed", "reachable", "start_addressable",
          "salary", "monthly_pay", "home_distance", "channel_firm", "channel_start",
          "channel_share")
BRANCHABLE = ("exclude", "localise", "hiring", "pricing", "offices", "labs", "sites",
              "data_regions", "entries_per_year", "max_commitment")
HIRING_BRANCHABLE = ("countries", "target_researchers", "target_engineers")


def snapshot(model: StrategyModel) -> StrategyModel:
    """An independent copy of the model's state that steps on exactly as the model would."""
    memo = {id(getattr(model, name)): getattr(model, name) for name in SHARED}
    memo |= {id(firm): firm for firm in model.scenario.firms}  # the agents' specs
    return copy.deepcopy(model, memo)


def branch_problems(before: Scenario, after: Scenario) -> list[str]:
    """The scenario keys `after` changes that `adopt` cannot apply at a month (dotted)."""
    if len(before.firms) != len(after.firms):
        return ["firms (a firm added or removed)"]
    problems = [key for key in Scenario.model_fields if key not in ("firms", "source")
                and getattr(before, key) != getattr(after, key)]
    for old, new in zip(before.firms, after.firms, strict=True):
        prefix = f"firms.{old.name}"
        problems += [f"{prefix}.{key}" for key in Firm.model_fields
                     if key not in ("strategy", "channels", "model")
                     and getattr(old, key) != getattr(new, key)]
        problems += [f"{prefix}.model.{key}" for key in type(old.model).model_fields
                     if key != "tokenizer_changes"
                     and getattr(old.model, key) != getattr(new.model, key)]
        problems += [f"{prefix}.strategy.{key}" for key in Strategy.model_fields
                     if key not in BRANCHABLE and getattr(old.strategy, key) != getattr(
                         new.strategy, key)]
        problems += [f"{prefix}.strategy.hiring.{key}"
                     for key in type(old.strategy.hiring).model_fields
                     if key not in HIRING_BRANCHABLE and getattr(old.strategy.hiring, key)
                     != getattr(new.strategy.hiring, key)]
    return problems


def adopt(model: StrategyModel, scenario: Scenario) -> None:
    """Continue `model` under `scenario` from its next month: firms' edited strategies.

    Raises:
        ValueError: `scenario` changes what cannot be applied at a month (`branch_problems`).
    """
    problems = branch_problems(model.scenario, scenario)
    if problems:
        raise ValueError("cannot apply at a month (set-up only): " + ", ".join(problems))
    before = model.scenario
    model.scenario = scenario
    changed = [(f, old, new) for f, (old, new) in enumerate(zip(before.firms, scenario.firms,
                                                               strict=True)) if old != new]
    for f, _, new in changed:
        model.firms[f].spec = new
    if any(old.channels != new.channels for _, old, new in changed):
        model._setup_channels()
    _later_tokenizers(model, changed)
    for f, old, new in changed:
        if old.strategy.localise != new.strategy.localise:
            _localise(model, f, new)
        if old.strategy.hiring != new.strategy.hiring:
            _hiring(model, f, old, new)
        if old.strategy.pricing != new.strategy.pricing:
            _pricing(model, f, old, new)
    if any(old.strategy.exclude != new.strategy.exclude for _, old, new in changed):
        forbidden, month = model.serving_forbidden(), min(model.steps + 1, model.months)
        for f, old, new in changed:
            if old.strategy.exclude != new.strategy.exclude:
                _leave(model, f, forbidden[month, f] & ~model.forbidden[month, f])
        model.forbidden = forbidden


def _later_tokenizers(model: StrategyModel, changed: list[tuple[int, Firm, Firm]]) -> None:
    """The tokenizer changes of later releases as the firms' models have them now.

    Raises:
        ValueError: an added or removed change is dated by the branch's month (served).
    """
    edited = [(old, new) for _, old, new in changed
              if old.model.tokenizer_changes != new.model.tokenizer_changes]
    for old, new in edited:
        served = [c for c in _symmetric(old.model.tokenizer_changes,
                                        new.model.tokenizer_changes)
                  if model.scenario.month_of(c.month) <= model.steps]
        if served:
            raise ValueError(f"cannot apply at month {model.steps + 1}: firms.{new.name}.model."
                             f"tokenizer_changes {served[0].month} is served already")
    if edited:
        model.tokenizer_changes = model._tokenizer_changes()


def _symmetric(first: list, second: list) -> list:
    return [c for c in first if c not in second] + [c for c in second if c not in first]


def _localise(model: StrategyModel, f: int, firm: Firm) -> None:
    """The firm's plans as the strategy has them now; started ones go on."""
    check_localisations(model.profile, [p.region for p in firm.strategy.localise])
    agent, econ, regions = model.firms[f], model.econ, model.tech.regions
    started = {p.region: p for p in agent.plans if p.started is not None}
    plans = []
    for plan in firm.strategy.localise:
        if plan.region in started:
            plans.append(started.pop(plan.region))
            continue
        plans.append(LocalisationPlan.of(plan, firm, f, econ, model.geo))
    agent.plans = plans + list(started.values())
    tokenizer = firm.model.tokenizer  # the one it serves now: the last change so far
    for change in firm.model.tokenizer_changes:
        if model.scenario.month_of(change.month) <= model.steps:
            tokenizer = change.tokenizer
    localised = econ.localised_premium.copy()
    localised[f] = localised_premiums(model.profile, tokenizer, firm.strategy.localise, regions,
                                      model.geo, model.scenario.technology.token_premium_scale,
                                      econ.firm_premium[f])
    model.econ = replace(econ, localised_premium=localised)
    model.tokenizer_changes = model._tokenizer_changes()  # later tokenizers, these plans


def _hiring(model: StrategyModel, f: int, old: Firm, new: Firm) -> None:
    """Hire where the list says now (offices and labs keep hiring locally), to its targets."""
    geo, hiring = model.geo, model.footprint.hiring
    places = [np.isin(np.arange(geo.size), geo.places(firm.strategy.hiring.countries
                                                      or [firm.home])) for firm in (old, new)]
    hiring[f] |= places[1] & ~places[0]
    hiring[f] &= ~(places[0] & ~places[1] & (model.footprint.level[f] < Level.OFFICE))
    targets = model.targets.copy()
    targets[f] = (new.strategy.hiring.target_researchers, new.strategy.hiring.target_engineers)
    model.targets = targets


def _pricing(model: StrategyModel, f: int, old: Firm, new: Firm) -> None:
    """New price options; the firm's PPP choice where it changed; what prices feed.

    The revenue potential and the experience entries need are judged as set-up judges them
    (each firm's first price choice, no EU compliance yet), so a price edit re-judges its
    own firm's prices and nothing that has happened since.
    """
    model.price_options = model.list_price_options()
    model.lite = lite_prices(model.scenario.firms, model.geo)
    choice = model.price_choice.copy()
    if old.strategy.pricing.ppp_adjusted != new.strategy.pricing.ppp_adjusted:
        choice[f] = int(new.strategy.pricing.ppp_adjusted)
    first = np.array([[int(firm.strategy.pricing.ppp_adjusted)] for firm in
                      model.scenario.firms]).repeat(model.geo.size, axis=1)
    compliant, model.price_choice = model.footprint.bloc_compliant, first
    model.footprint.bloc_compliant = model.geo.in_bloc[model.home].copy()
    try:
        model.set_prices()
        potential, needed = model.entry_experience()
    finally:
        model.footprint.bloc_compliant, model.price_choice = compliant, choice
        model.set_prices()
    model.potential, model.experience_needed = (model.potential.copy(),
                                                model.experience_needed.copy())
    model.potential[f], model.experience_needed[f] = potential[f], needed[f]


def _leave(model: StrategyModel, f: int, leaving: np.ndarray) -> None:
    """The firm withdraws from the countries it now excludes ([C] bool)."""
    leaving = leaving & (model.footprint.served()[f] | np.isfinite(
        model.footprint.pending_until[f]))
    leaving[model.home[f]] = False
    if not leaving.any():
        return
    footprint = model.footprint
    footprint.level[f, leaving] = Level.ABSENT
    footprint.offices[f, leaving] = False
    footprint.region_cost[f, leaving] = 0.0
    footprint.pending_until[f, leaving] = np.inf
    footprint.hiring[f, leaving] &= np.isin(np.flatnonzero(leaving), model.geo.places(
        model.firms[f].spec.strategy.hiring.countries))
    model.users[f, leaving] = 0.0
    model.chosen[f, leaving] = 0.0
    model.api_share[f, leaving] = 0.0
