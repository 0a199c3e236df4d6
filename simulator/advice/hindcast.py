"""The advice hindcast: the ranking of a firm's moves against what the real lab did next.

Advise a firm from the month after a calibration's cut-off, then score the ranking against
the real lab's dated moves (`data/real_moves.csv`):

1. The calibration folder (`simulator calibrate --until CUTOFF`) gives the ensemble (its
   non-implausible points and replicate seeds) and the scenario it calibrated.
2. The decision date is the month after the cut-off. The status quo is what the firm had
   chosen by then: its own sites, data regions, localisation plans and tokenizer changes
   dated from the decision on are left out of the scenario (`later_choices`), since they
   are the history being scored. The firm's moves are generated there
   (`simulator.advice.moves`), and every real move of the firm dated within the horizon is
   expressed as the move the generator would make for its kind and place
   (`express`): an office, data region or hire in its country, an entry where the firm's
   list excludes it, a model for its country's languages (trained as the profile region
   holding it is), a channel where data/partner_bases.csv names the partner's base (the
   partner named in the move; a partnership about the world reaches every base the partner
   has), a tokenizer named in the move from the firm's next release (`simulator.advice.
   tokenizer_moves`), a data region "in the EU" as one in its largest member (a member's
   region keeps the bloc's data), a price tier (replacing the price) or a lite tier
   (beside it) at its published US-dollar price (else, a price in another currency or a
   free promotion, as the generated move of its kind in its country). A real move the
   generator would have made anyway is that move; one it would not (an office outside the
   two largest markets, say) is added to the candidates, built by the same recipe, and
   said so (`added`).
3. Advice ranks them all (`simulator.advice.advise`); each real move's rank among the
   candidates (1 = best expected), its NPV against the status quo's and its odds of beating
   it are the score. A real move the generator cannot express is listed with why.

Output folder: `advice/` (the advice itself), `hindcast.parquet` (one row per real move)
and `hindcast.json` (the cut-off, the decision, the counts, the median rank and its quantile).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import tomlkit

from plumbing.atomic import write_parquet, write_text
from plumbing.errors import InputError
from simulator.advice.advise import advise
from simulator.advice.decision import Decision, decide_from
from simulator.advice.local_moves import CHANNEL_CONVERSION, partner_bases, tier_move
from simulator.advice.moves import Move, find_firm, generate_moves, profile_region
from simulator.advice.real_moves import RealMove
from simulator.advice.tokenizer_moves import next_release, tokenizer_at, tokenizer_move
from simulator.advice.valuation import Discount
from simulator.calibration.ensemble import calibration_metadata
from simulator.geography import Geography, build_geography
from simulator.run import load_scenario
from simulator.scenario import Scenario
from simulator.scenario.firm import Firm
from simulator.scenario.overrides import apply
from simulator.technology import TechnologyProfile, load_profile


@dataclass(frozen=True)
class Score:
    """One real move: the candidate it is, its rank, or why it cannot be expressed."""

    id: str
    date: str
    kind: str
    country: str
    detail: str
    move: str | None  # the candidate it is expressed as
    added: bool  # not among the generated moves: added by the generator's recipe
    rank: int | None  # 1 = best expected (highest mean NPV) of all candidates
    candidates: int
    npv_mean: float | None
    status_quo_npv_mean: float
    p_beats_status_quo: float | None
    why: str  # why it cannot be expressed (empty when it is)


def next_month(cutoff: str) -> str:
    """The month after a YYYY-MM cut-off."""
    year, month = (int(part) for part in cutoff.split("-"))
    return f"{year + month // 12}-{month % 12 + 1:02d}"


def express(real: RealMove, scenario: Scenario, firm: Firm, decision: Decision,
            profile: TechnologyProfile, geo: Geography) -> tuple[Move | None, str]:
    """The move the generator would make for `real` (kind and place), or why none."""
    key, place, d = f"firms.{firm.name}", real.country, decision.month
    if place == "EU" and real.kind == "data_region":
        # A region in any member keeps the bloc's data (simulator.footprint): its largest.
        members = [c for c in range(geo.size) if geo.in_bloc[c] and geo.is_market[c]]
        place = geo.iso2[max(members, key=lambda c: geo.gdp_usd[c])] if members else place
    if real.kind == "tokenizer":
        # the first tokenizer the move names other than the one the firm serves with
        own = tokenizer_at(firm, scenario, d)
        named = [t for t in profile.tokenizers if t != own and t in real.detail]
        tokenizer = min(named, key=real.detail.index) if named else None
        month = next_release(scenario, firm, decision)
        if tokenizer is None or month is None:
            return None, (f"the move names no production tokenizer of the profile but {own}"
                          if tokenizer is None else "the firm releases no model in the horizon")
        return tokenizer_move(scenario, firm, tokenizer, month, "the real move's tokenizer"), ""
    if real.kind == "partnership" and (place == "world" or place in geo.iso2):
        return _partner_channel(real, firm, decision, geo)
    if place in ("EU", "world"):
        return None, (f"{real.kind} in {place}: the generator's moves of this kind name one "
                      "country")
    if place not in geo.iso2 or not geo.is_market[geo.index(place)]:
        return None, f"{place} is not among the scenario's markets"
    strategy = firm.strategy
    if real.kind == "office":
        sites = [s.model_dump() for s in strategy.sites]
        return Move(f"office-{place}", "office", place,
                    f"open a regional office in {place} as soon as the firm serves it",
                    {f"{key}.strategy.sites": [*sites, {"country": place, "kind": "office",
                                                        "month": d}]}), ""
    if real.kind == "data_region":
        regions = [r.model_dump() for r in strategy.data_regions]
        return Move(f"region-{place}-cloud", "data_region", place,
                    f"serve organisations in {place} from a cloud partner's region there",
                    {f"{key}.strategy.data_regions": [*regions, {
                        "country": place, "month": d, "via": "cloud"}]}), ""
    if real.kind == "hiring":
        hiring = strategy.hiring.countries or [firm.home]
        return Move(f"hire-{place}", "hire", place, f"also hire in {place}",
                    {f"{key}.strategy.hiring.countries": [*hiring, place]}), ""
    if real.kind in ("enter", "launch"):
        if place not in strategy.exclude:
            return None, (f"the firm already serves {place} in the scenario (its strategy does "
                          "not exclude it): no entry to decide")
        rest = [p for p in strategy.exclude if p != place]
        return Move(f"enter-{place}", "enter", place, f"serve {place} (no longer excluded)",
                    {f"{key}.strategy.exclude": rest}), ""
    if real.kind == "exit":
        return Move(f"skip-{place}", "skip", place, f"serve {place} no more",
                    {f"{key}.strategy.exclude": [*strategy.exclude, place]}), ""
    if real.kind == "localised_model":
        # a model for the country's languages, trained as its region's model is
        region = profile_region(place, profile, geo)
        if region is None:
            return None, f"no trained regional model of the profile covers {place}"
        others = [p.model_dump() for p in strategy.localise if p.region != region]
        return Move(f"localise-{place}-now", "localise", place,
                    f"localise for {place}'s languages alone now ({region}'s continued "
                    "pre-training on them)",
                    {f"{key}.strategy.localise": [*others, {
                        "region": region, "countries": [place], "start_month": d}]}), ""
    if real.kind in ("price_tier", "lite_tier"):
        if real.unit == "usd_per_month" and real.value:
            return tier_move(firm, key, place, real.value, "the real tier's price",
                             real.kind), ""
        return None, (f"a tier in {place} at {real.value:g} {real.unit}: the simulator's "
                      "tiers are priced in US dollars a month, above 0, and last; compare "
                      "with the generated move of its kind there, where there is one")
    return None, f"kind {real.kind!r} has no generated counterpart"


def later_choices(scenario: Scenario, firm: Firm, decision: Decision) -> tuple[list[str],
                                                                                list[str]]:
    """`--set` assignments that leave the firm's own choices dated from the decision on out.

    The status quo is what the firm had chosen by the decision date: the scenario's sites,
    data regions, localisation plans and tokenizer changes of the firm from the decision
    month on are history after the cut-off, the very moves the hindcast scores. Returns the
    assignments and a line for each choice they leave out.
    """
    key, strategy, d = f"firms.{firm.name}", firm.strategy, decision.month
    dated = {  # field: (its items, the model month each starts, a label)
        "strategy.sites": (strategy.sites, lambda i: i.month,
                           lambda i: f"{i.kind} {i.country}"),
        "strategy.data_regions": (strategy.data_regions, lambda i: i.month,
                                  lambda i: f"data region {i.country}"),
        "strategy.localise": (strategy.localise, lambda i: i.start_month,
                              lambda i: f"localise {i.region}"),
        "model.tokenizer_changes": (firm.model.tokenizer_changes,
                                    lambda i: scenario.month_of(i.month),
                                    lambda i: f"tokenizer {i.tokenizer}"),
    }
    assignments, left_out = [], []
    for field, (items, month, label) in dated.items():
        later = [i for i in items if month(i) >= d]
        if not later:
            continue
        kept = tomlkit.array()
        for item in items:
            if month(item) < d:
                table = tomlkit.inline_table()
                table.update(item.model_dump(exclude_none=True))
                kept.append(table)
        assignments.append(f"{key}.{field}={kept.as_string()}")
        left_out += [f"{label(i)} from {scenario.month_dates(month(i))[-1]:%Y-%m}"
                     for i in later]
    return assignments, left_out


def _partner_channel(real: RealMove, firm: Firm, decision: Decision,
                     geo: Geography) -> tuple[Move | None, str]:
    """A partnership as channels through the partner's bases in data/partner_bases.csv.

    The partner or product must be named in the move; a move about the world reaches every
    market where the partner has a base, each at its own reach.
    """
    place, detail = real.country, real.detail.lower()
    bases = [b for b in partner_bases()
             if (b.country == place or place == "world")
             and b.country in geo.iso2 and geo.is_market[geo.index(b.country)]
             and (b.partner.lower() in detail or b.product.lower() in detail)]
    if not bases:
        return None, (f"no base of this partner in {place} in data/partner_bases.csv: the "
                      "channel's reach is unknown")
    product, partner = bases[0].product, bases[0].partner
    slug = "".join(ch for ch in product.lower() if ch.isalnum())
    channels = [{"name": product, "start": decision.date, "countries": [b.country],
                 "reach": round(float(min(b.users / geo.population[geo.index(b.country)], 1.0)),
                                4),
                 "conversion": CHANNEL_CONVERSION} for b in bases]
    where = ", ".join(b.country for b in bases)
    return Move(f"channel-{place}-{slug}", "channel", place,
                f"reach users through {product} ({partner}) in {where}",
                {f"firms.{firm.name}.channels": [*(c.model_dump() for c in firm.channels),
                                                  *channels]}), ""


def candidates(scenario: Scenario, firm_name: str, decision: Decision,
               profile: TechnologyProfile, real: list[RealMove],
               generated: list[Move] | None = None) -> tuple[list[Move], dict[str, tuple]]:
    """The generated moves plus the real moves' expressions; real id -> (move, added, why)."""
    firm, geo = find_firm(scenario, firm_name), build_geography(scenario)
    moves = list(generated if generated is not None
                 else generate_moves(scenario, firm_name, profile, decision))
    names, matched = {m.name for m in moves}, {}
    for move in real:
        expressed, why = express(move, scenario, firm, decision, profile, geo)
        if expressed is None:
            # a price or lite tier: the generated one of its country, where there is one
            tier = next((m for m in moves if m.kind == move.kind
                         and m.place == move.country), None)
            matched[move.id] = (tier.name if tier else None, False, "" if tier else why)
            continue
        added = expressed.name not in names
        if added:
            moves.append(expressed)
            names.add(expressed.name)
        matched[move.id] = (expressed.name, added, "")
    return moves, matched


def score(table: pd.DataFrame, real: list[RealMove],
          matched: dict[str, tuple]) -> list[Score]:
    """Each real move's rank (table order: best expected first) and value."""
    order = list(table["move"])
    indexed = table.set_index("move")
    status_quo = float(indexed.loc["status-quo", "npv_mean"])
    out = []
    for move in real:
        name, added, why = matched[move.id]
        row = indexed.loc[name] if name is not None else None
        out.append(Score(
            move.id, move.date.isoformat(), move.kind, move.country, move.detail, name, added,
            None if name is None else order.index(name) + 1, len(order),
            None if row is None else float(row["npv_mean"]), status_quo,
            None if row is None else float(row["p_beats_status_quo"]), why))
    return out


def hindcast(calibration: Path, firm: str, cutoff: str, out: Path, real: list[RealMove],
             scenario_file: Path | None = None, samples: int | None = None,
             horizon: int | None = None, workers: int = 2,
             assignments: tuple[str, ...] = (),
             discount: Discount | None = None) -> tuple[list[Score], dict]:
    """Advise `firm` from the month after `cutoff` and score the real moves (see above).

    `real` is every real move (`simulator.advice.real_moves`); those of the firm dated from
    the decision to the horizon's end are scored. `scenario_file` defaults to the one the
    calibration calibrated.

    Raises:
        InputError: the cut-off is not the calibration's (or later), or is outside the
            scenario; no real move of the firm falls within the horizon.
    """
    metadata = calibration_metadata(calibration)
    until = metadata["settings"].get("until")
    if until and cutoff < until:
        raise InputError(f"--until: expected the calibration's cut-off {until} or later (it "
                         f"saw data to {until}), got {cutoff}")
    scenario_file = Path(scenario_file or metadata["scenario"]["path"])
    scenario = load_scenario(scenario_file, list(assignments))
    decision = decide_from(scenario, next_month(cutoff), horizon)
    extra, left_out = later_choices(scenario, find_firm(scenario, firm), decision)
    assignments = (*assignments, *extra)
    scenario = load_scenario(scenario_file, list(assignments))
    base = apply(scenario, {"months": decision.months})
    end = base.month_dates(decision.months)[-1]
    first = base.month_dates(decision.months)[decision.month - 1]
    within = [m for m in real if m.firm == firm and first <= m.date
              and m.date < date(end.year + end.month // 12, end.month % 12 + 1, 1)]
    if not within:
        raise InputError(f"no real move of {firm} from {decision.date} to "
                         f"{end.strftime('%Y-%m')}: nothing to score")
    profile = load_profile(base.profile_path(), base.profile_size)
    moves, matched = candidates(base, firm, decision, profile, within)
    out = Path(out)
    advice = advise(scenario_file, firm, out / "advice", samples=samples,
                    calibration=calibration, horizon=decision.horizon, workers=workers,
                    moves=moves, assignments=assignments, decide=decision.date,
                    discount=discount or Discount())
    scores = score(advice.table, within, matched)
    ranks = np.array([s.rank for s in scores if s.rank is not None], dtype=float)
    summary = {
        "calibration": str(calibration), "cutoff": cutoff, "decision_date": decision.date,
        "horizon_months": decision.horizon, "exit_multiple": advice.discount.exit_multiple,
        "exit_per_weekly_user": advice.discount.exit_per_weekly_user,
        "firm": firm, "candidates": len(moves), "status_quo_leaves_out": left_out,
        "generated": len(moves) - sum(added for _, added, _ in matched.values()),
        "real_moves": len(within), "expressed": int(ranks.size),
        "median_rank": float(np.median(ranks)) if ranks.size else None,
        "median_rank_quantile": (float(np.median(ranks)) / len(moves)) if ranks.size
        else None,
        "below_status_quo": sum(1 for s in scores if s.npv_mean is not None
                                and s.npv_mean < s.status_quo_npv_mean),
        "not_expressed": [f"{s.id}: {s.why}" for s in scores if s.move is None],
        "ensemble": advice.ensemble.source,
    }
    _write(out, scores, summary)
    return scores, summary


def _write(out: Path, scores: list[Score], summary: dict) -> None:
    frame = pd.DataFrame([asdict(s) for s in scores])
    write_parquet(pa.Table.from_pandas(frame, preserve_index=False), out / "hindcast.parquet")
    write_text(out / "hindcast.json", json.dumps(summary, indent=1, sort_keys=True) + "\n")
