"""Candidate moves for one firm: scenario edits (dotted overrides) to compare with the status quo.

Generated from the scenario when the user gives no moves file (`generate_moves`), each taken
at the decision date (`simulator.advice.decision`) or, where the name says so, 6 or 12
months after it (`Move.delay`; month fields of the edit name the month it takes effect):

- `enter-P`: serve a region or country P the firm's strategy excludes (drop it from `exclude`);
- `skip-R`: serve region R no more (add it to `exclude`: the firm leaves where it serves and
  never enters the rest); not the firm's home region;
- `localise-R-now`, `localise-R-12m`, `localise-R-never`: train the regional model for R from
  the decision, 12 months after it, or not at all (for every profile region with a trained
  model that the scenario's markets reach), leaving out the timing the firm already has;
- `localise-C-now`: train a model for the languages of country C alone (`localise` with
  `countries`; a Japanese model), for the `LOCALISE_COUNTRIES` largest markets abroad by GDP
  that the firm may serve, where the firm has no plan for C's region and that region's
  trained model is better in C's languages than the global one;
- `offices-N`: allow one (three) more regional offices (`strategy.offices`); the model opens
  one where a region's extra revenue pays for it, in the country its location choice picks
  (`simulator.offices`), so the move says how many, not where;
- `office-C`, `lab-C`: open a regional office in country C (the two largest markets abroad
  by GDP that the firm may serve) or a research lab there (the country abroad with the most
  AI researchers), as soon as the firm serves C (`strategy.sites`);
- `hire-C`: also hire in country C, for the three countries with the largest shares of the
  world's AI researchers (data/talent.csv) where the firm does not hire yet;
- `price-Nusd`, `price-Nusd-6m`, `price-Nusd-12m`, `price-ppp`: the list price that maximises
  the firm's NPV from the decision on the scenario as written, found by a bracketed search
  (`simulator.advice.price_search`), charged from the decision or 6 or 12 months later; or
  the price scaled to local purchasing power;
- `tokenizer-T`: serve with the profile's production tokenizer T from the firm's next model
  release, where it spends fewer tokens in the firm's markets (`simulator.advice.
  tokenizer_moves`);
- `region-C-cloud`, `region-C-own`, `channel-C-PRODUCT`, `tier-C-Pusd`: a data region, a
  partner's channel or a country price tier in a named country (`simulator.advice.
  local_moves`).

Never what the data forbids: an `enter-C`, `hire-C`, `office-C`, `lab-C` (or a region,
channel or tier) that a row of
data/availability.csv (sanctions, export and investment controls, host states' blocks)
forbids the firm at the decision date, or for good by the horizon's end, is left out and the
next candidate takes its place; `absent_moves` lists what was left out with the row, and
`simulator.advice.forbidden.why_absent` answers for one name.

A moves file (TOML) lists other moves, validated like a scenario: every problem is one line
`file: key: what was expected`, exit code 2::

    generated = true   # also compare the generated moves (default false)

    [[moves]]
    name = "apac-first"
    description = "enter Asia-Pacific first, localised from day one"
    overrides = { "firms.Euro Challenger.strategy.localise" = [{ region = "apac" }] }

Override keys are the dotted scenario paths of `simulator batch` variants (a firm by name).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import Field, model_validator

from plumbing.errors import InputError
from simulator.advice.decision import Decision, decide_from
from simulator.advice.forbidden import Forbidden
from simulator.advice.labels import STATUS_QUO
from simulator.advice.local_moves import channel_moves, region_moves, tier_moves
from simulator.advice.tokenizer_moves import tokenizer_moves
from simulator.availability import forbidden_by_month
from simulator.batch.sweep import VariantName, flatten_overrides
from simulator.geography import REPORT_REGIONS, build_geography
from simulator.scenario import Scenario
from simulator.scenario.firm import Firm, StrictModel
from simulator.scenario.overrides import check_overrides
from simulator.scenario.toml_check import (
    problems_error,
    read_user_file,
    require_unique,
    validate_toml,
)
from simulator.technology import TechnologyProfile, country_technology
from simulator.vocab_extension import extensions
from simulator.world.curated import load_availability

SAME_PRICE = 0.02  # a found price within 2% of the current one is the status quo
LOCALISE_LATER_MONTH = 12  # "in a year"
LOCALISE_COUNTRIES = 2  # largest markets abroad by GDP for a model of their languages alone
PRICE_DELAYS = (0, 6, 12)  # a price charged from the decision, in six months or in a year
VOCAB_TOKENS = 16_000  # the middle of the measured extensions (data/vocab_extension.csv: 4k-32k)
HIRE_CANDIDATES = 3  # countries with the most AI researchers, not hired in yet
OFFICE_STEPS = (1, 3)  # more regional offices allowed
OFFICE_CANDIDATES = 2  # largest markets abroad by GDP for an office in a named country
MAX_OFFICES = 20  # Strategy.offices' own bound
# Each move is a run per ensemble member: 200 moves x 100 members is 20,000 runs, hours on
# a two-core machine; a longer file is refused before any work instead of running for days.
MAX_FILE_MOVES = 200


@dataclass(frozen=True)
class Move:
    """One candidate: a name, what kind of move it is, where, and the scenario keys it sets."""

    name: str
    kind: str  # status_quo | enter | skip | localise | tokenizer | office | lab | hire |
    # price | data_region | channel | price_tier | lite_tier | custom
    place: str | None  # the region or country it is about, if any
    description: str
    overrides: dict[str, Any] = field(default_factory=dict)
    delay: int = 0  # months after the decision date it takes effect


def find_firm(scenario: Scenario, name: str) -> Firm:
    """The scenario's firm called `name`; InputError naming the firms there are."""
    for firm in scenario.firms:
        if firm.name == name:
            return firm
    names = ", ".join(f.name for f in scenario.firms)
    raise InputError(f"--firm: expected one of the scenario's firms ({names}), got {name!r}")


def _reached(scenario: Scenario, region: str) -> bool:
    """Whether the scenario's markets include any country of `region`."""
    geo = build_geography(scenario)
    return region in geo.region_members and bool((geo.region_members[region]
                                                  & geo.is_market).any())


def _home_region(scenario: Scenario, firm: Firm) -> str | None:
    geo = build_geography(scenario)
    return geo.report_region[geo.index(firm.home)]


def _entry_moves(scenario: Scenario, firm: Firm, key: str, rules: Forbidden) -> list[Move]:
    strategy, moves = firm.strategy, []
    for place in strategy.exclude:
        if len(place) == 2 and rules.rule("serve", place, f"enter-{place}"):
            continue
        rest = [p for p in strategy.exclude if p != place]
        moves.append(Move(f"enter-{place}", "enter", place, f"serve {place} (no longer excluded)",
                          {f"{key}.strategy.exclude": rest}))
    home = _home_region(scenario, firm)
    for region in REPORT_REGIONS:
        if region == home or region in strategy.exclude or not _reached(scenario, region):
            continue
        moves.append(Move(f"skip-{region}", "skip", region,
                          f"serve {region} no more (leave where it serves, enter no more)",
                          {f"{key}.strategy.exclude": [*strategy.exclude, region]}))
    return moves


def _localise_moves(scenario: Scenario, firm: Firm, key: str, profile: TechnologyProfile,
                    decision: Decision) -> list[Move]:
    plans = {p.region: p.start_month for p in firm.strategy.localise}
    d, moves = decision.month, []
    for region in profile.regions:
        if region == "global" or not _reached(scenario, region):
            continue
        others = [p.model_dump() for p in firm.strategy.localise if p.region != region]
        timings = {"now": 0, f"{LOCALISE_LATER_MONTH}m": LOCALISE_LATER_MONTH, "never": None}
        planned = plans.get(region)
        for label, delay in timings.items():
            if (delay is None and planned is None or delay == 0 and planned is not None
                    and planned <= d or delay and planned == d + delay):
                continue  # what the firm does already is the status quo
            when = {"now": "now", "never": "never"}.get(label, f"in {delay} months")
            plan = [] if delay is None else [{"region": region, "start_month": d + delay}]
            moves.append(Move(f"localise-{region}-{label}", "localise", region,
                              f"localise for {region} {when} (continued pre-training)",
                              {f"{key}.strategy.localise": [*others, *plan]}, delay or 0))
        if (firm.model.tokenizer, region, VOCAB_TOKENS) in extensions():
            plan = {"region": region, "start_month": d, "vocab_tokens": VOCAB_TOKENS}
            moves.append(Move(
                f"localise-{region}-now-vocab{VOCAB_TOKENS // 1000}k", "localise", region,
                f"localise for {region} now, continued pre-training with {VOCAB_TOKENS:,} "
                f"tokens added to {firm.model.tokenizer} (premium measured after)",
                {f"{key}.strategy.localise": [*others, plan]}))
    return moves


def _blocked(scenario: Scenario, firm: Firm, decision: Decision, geo) -> np.ndarray:
    """[C] bool: where the firm may not serve at the decision (its list, blocks, sanctions)."""
    excluded = np.zeros((1, geo.size), dtype=bool)
    excluded[0, geo.places(firm.strategy.exclude)] = True
    return forbidden_by_month(decision.month, geo.iso2, [firm.home], excluded,
                              [firm.suspensions], load_availability(),
                              scenario.month_dates(1)[0])[decision.month, 0]


def profile_region(country: str, profile: TechnologyProfile, geo) -> str | None:
    """The profile's (non-global) region whose markets hold `country`."""
    c = geo.index(country)
    return next((r for r in profile.regions if r != "global"
                 and r in geo.region_members and geo.region_members[r][c]), None)


def _country_localise_moves(scenario: Scenario, firm: Firm, key: str,
                            profile: TechnologyProfile, decision: Decision,
                            rules: Forbidden) -> list[Move]:
    geo = build_geography(scenario)
    tech = country_technology(profile, geo.lang_codes, geo.lang_weights)
    planned = {p.region for p in firm.strategy.localise}
    region_of = [profile_region(code, profile, geo) for code in geo.iso2]
    gap = tech.quality_gap
    gain = np.array([region not in (None, *planned)
                     and gap[tech.regions.index(region), c] < gap[tech.regions.index("global"), c]
                     for c, region in enumerate(region_of)])
    blocked = _blocked(scenario, firm, decision, geo)
    order = sorted((c for c in range(geo.size) if geo.is_market[c] and gain[c]
                    and not blocked[c] and c != geo.index(firm.home)),
                   key=lambda c: (-geo.gdp_usd[c], geo.iso2[c]))
    others = [p.model_dump() for p in firm.strategy.localise]
    moves = []
    for c in rules.first("serve", order, geo.iso2, LOCALISE_COUNTRIES, "localise-{}-now"):
        region, country = region_of[c], geo.iso2[c]
        moves.append(Move(f"localise-{country}-now", "localise", country,
                          f"localise for {country}'s languages alone now ({region}'s continued "
                          "pre-training on them)",
                          {f"{key}.strategy.localise": [*others, {
                              "region": region, "countries": [country],
                              "start_month": decision.month}]}))
    return moves


def _office_moves(firm: Firm, key: str) -> list[Move]:
    current, moves = firm.strategy.offices, []
    for extra in OFFICE_STEPS:
        if current + extra <= MAX_OFFICES:
            moves.append(Move(f"offices-{current + extra}", "office", None,
                              f"allow {extra} more regional office{'s' * (extra > 1)} (opened "
                              "where the region's extra revenue pays for it, in the country "
                              "the location choice picks)",
                              {f"{key}.strategy.offices": current + extra}))
    return moves


def _site_moves(scenario: Scenario, firm: Firm, key: str, rules: Forbidden,
                decision: Decision) -> list[Move]:

    geo = build_geography(scenario)
    sites = [site.model_dump() for site in firm.strategy.sites]
    # blocks and sanctions from data too: an office where the firm may never serve is no move
    blocked = _blocked(scenario, firm, decision, geo)
    taken = {geo.index(firm.home)} | {geo.index(site["country"]) for site in sites}
    open_to = [i for i in range(geo.size)
               if geo.is_market[i] and not blocked[i] and i not in taken]
    by_market = sorted(open_to, key=lambda i: (-geo.gdp_usd[i], geo.iso2[i]))
    by_talent = sorted(open_to, key=lambda i: (-geo.talent_share[i, 0], geo.iso2[i]))
    chosen = [("office", i) for i in rules.first("office", by_market, geo.iso2,
                                                 OFFICE_CANDIDATES)] + [
        ("lab", i) for i in rules.first("lab", by_talent, geo.iso2, 1)]
    return [Move(f"{kind}-{geo.iso2[i]}", kind, geo.iso2[i],
                 f"open a {'regional office' if kind == 'office' else 'research lab'} in "
                 f"{geo.iso2[i]} as soon as the firm serves it",
                 {f"{key}.strategy.sites": [*sites, {"country": geo.iso2[i], "kind": kind,
                                                     "month": decision.month}]})
            for kind, i in chosen]


def _hire_moves(scenario: Scenario, firm: Firm, key: str, rules: Forbidden) -> list[Move]:
    geo = build_geography(scenario)
    hiring = firm.strategy.hiring.countries or [firm.home]
    taken = set(geo.places([*hiring, *firm.strategy.exclude])) | {geo.index(firm.home)}
    order = sorted(range(geo.size), key=lambda i: (-geo.talent_share[i, 0], geo.iso2[i]))
    chosen = rules.first("hire", [i for i in order if i not in taken], geo.iso2,
                         HIRE_CANDIDATES)
    return [Move(f"hire-{geo.iso2[i]}", "hire", geo.iso2[i], f"also hire in {geo.iso2[i]}",
                 {f"{key}.strategy.hiring.countries": [*hiring, geo.iso2[i]]}) for i in chosen]


def _price_moves(scenario: Scenario, firm: Firm, key: str, profile: TechnologyProfile,
                 decision: Decision) -> list[Move]:
    from simulator.advice.price_search import search_price

    pricing, moves = firm.strategy.pricing, []
    found = search_price(scenario, firm.name, profile, decision=decision)
    if abs(found.price / max(pricing.usd_per_month, 1e-9) - 1.0) > SAME_PRICE:
        low, _, high = found.bracket
        for delay in PRICE_DELAYS:
            when = f" from {delay} months after the decision" if delay else ""
            moves.append(Move(f"price-{found.price:.3g}usd" + (f"-{delay}m" if delay else ""),
                              "price", None,
                              f"charge ${found.price:.2f} a month{when}, the list price of the "
                              "largest NPV from the decision on the scenario as written "
                              f"(bracketed search, ${low:.2f}-${high:.2f})",
                              {f"{key}.strategy.pricing.usd_per_month": found.price}, delay))
    if not pricing.ppp_adjusted:
        moves.append(Move("price-ppp", "price", None, "scale the price to local purchasing power",
                          {f"{key}.strategy.pricing.ppp_adjusted": True}))
    return moves


def generate_moves(scenario: Scenario, firm_name: str, profile: TechnologyProfile,
                   decision: Decision | None = None) -> list[Move]:
    """The status quo and every generated move for the firm, in a fixed order.

    `decision` (default: the scenario's today, else its start, as `simulator advise`
    decides) times them; `scenario` runs to the horizon's end.
    """
    firm, decision = find_firm(scenario, firm_name), decision or decide_from(scenario)
    key, rules = f"firms.{firm.name}", Forbidden(scenario, firm, decision)
    geo = build_geography(scenario)
    return [Move(STATUS_QUO, "status_quo", None, "the scenario as written"),
            *_entry_moves(scenario, firm, key, rules),
            *_localise_moves(scenario, firm, key, profile, decision),
            *_country_localise_moves(scenario, firm, key, profile, decision, rules),
            *tokenizer_moves(scenario, firm, profile, decision, geo,
                             _blocked(scenario, firm, decision, geo)),
            *_office_moves(firm, key), *_site_moves(scenario, firm, key, rules, decision),
            *_hire_moves(scenario, firm, key, rules),
            *region_moves(scenario, firm, key, rules, decision, geo),
            *channel_moves(scenario, firm, key, rules, decision, geo),
            *_price_moves(scenario, firm, key, profile, decision),
            *tier_moves(scenario, firm, key, rules, decision, geo)]


def absent_moves(scenario: Scenario, firm_name: str,
                 decision: Decision | None = None) -> list[tuple[str, str]]:
    """Candidates `generate_moves` leaves out because the data forbids them: (name, why)."""
    firm, decision = find_firm(scenario, firm_name), decision or decide_from(scenario)
    key, rules = f"firms.{firm.name}", Forbidden(scenario, firm, decision)
    geo = build_geography(scenario)
    _entry_moves(scenario, firm, key, rules)
    _site_moves(scenario, firm, key, rules, decision)
    _hire_moves(scenario, firm, key, rules)
    for moves in (region_moves, channel_moves, tier_moves):
        moves(scenario, firm, key, rules, decision, geo)
    return rules.absent


class MoveSpec(StrictModel):
    """One move of a moves file."""

    name: VariantName
    description: str = ""
    overrides: dict[str, Any] = Field(min_length=1)


class MovesFile(StrictModel):
    """A whole moves file, validated."""

    generated: bool = False
    moves: list[MoveSpec] = Field(default_factory=list, max_length=MAX_FILE_MOVES)
    source: str | None = Field(None, exclude=True)

    @model_validator(mode="after")
    def _names(self) -> MovesFile:
        require_unique("move", [m.name for m in self.moves])
        if any(m.name == STATUS_QUO for m in self.moves):
            raise ValueError(f"moves: {STATUS_QUO!r} is the scenario as written; expected "
                             "another name")
        if not self.moves and not self.generated:
            raise ValueError("expected at least one [[moves]] table, or generated = true")
        return self


def _problems(spec: MovesFile, base: Scenario, file: str) -> list[str]:
    document = base.model_dump(mode="python", exclude={"source"})
    problems = []
    for i, move in enumerate(spec.moves):
        _, found = check_overrides(document, flatten_overrides(move.overrides), file,
                                   lambda key, i=i: f"moves[{i}].overrides.{key}",
                                   model=type(base))
        problems += found
    return problems


def load_moves(path: Path, scenario: Scenario, firm_name: str, profile: TechnologyProfile,
               decision: Decision | None = None) -> list[Move]:
    """The status quo, the file's moves and (with `generated = true`) the generated ones.

    The file's moves take effect at the decision date.
    """
    spec = validate_toml(read_user_file(path, "moves"), path, MovesFile, "moves file")
    problems = _problems(spec, scenario, str(path))
    if problems:
        raise problems_error("moves file", problems)
    generated = (generate_moves(scenario, firm_name, profile, decision) if spec.generated
                 else [Move(STATUS_QUO, "status_quo", None, "the scenario as written")])
    custom = [Move(m.name, "custom", None, m.description or m.name,
                   flatten_overrides(m.overrides)) for m in spec.moves]
    moves = [*(generated if spec.generated else generated[:1]), *custom]
    require_unique_moves(moves, path)
    return moves


def require_unique_moves(moves: list[Move], path: Path) -> None:
    """InputError when a file's move takes the name of a generated one."""
    try:
        require_unique("move", [m.name for m in moves])
    except ValueError as exc:
        raise InputError(f"{path}: moves: {exc} (generated moves use these names)") from None
