"""Country attractiveness for one firm: every country as the model sees it, and what advice says.

Every figure is read from the model's own arrays (`simulator.model.StrategyModel` built for
the scenario and run on its status quo, as written, to the month before its `today`, else
read at its start: "today" below), never from a table of its own:

- market size: `addressable` today (people who could use an assistant: population x
  share online x adoption ceiling, raised by the best model served there) and
  `potential` for the firm (consumer revenue a year if the start's market all used it at
  the firm's local price and paid share);
- growth: every firm's users in the country over one status-quo run of the scenario (its
  seed, as written), annualised over the horizon's last year (the whole run when it is
  shorter than two years); None where nobody is served at the window's start;
- rivals present: the other firms serving the country at the end of that run;
- the firm's status: present today (its home, or where it serves already),
  forbidden (the row of data/availability.csv, the firm's own exclude list or a
  regulator's suspension, with why), the month the status-quo run enters it, or not a
  market of the scenario;
- token premium: the firm's tokenizer in the country's languages (`econ.firm_premium`);
- language quality: exp(-the logit's language term) today (`quality_gap`): for a
  firm with a model family the geometric mean of its published per-language score over
  its English score (1 = as good as English), else the hub model's normalised gap;
- regulation: the one-off compliance cost and delay of entering today (`entry_cost`);
- data residency: whether organisations there can keep their data in the country or its
  bloc with the firm today (`footprint.resident`), or from which month its strategy
  opens a data region there;
- distance: the combined CAGE distance from the firm's home (`geo.distance`);
- what advice expects: from an advice folder for the firm, the move about the country (or
  a region holding it) with the largest median gain over the status quo; None without
  advice.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from simulator.advice.decision import decide_from
from simulator.advice.forbidden import why_absent
from simulator.scenario import Scenario

# Advice moves about a place (simulator.advice.moves and local_moves).
PLACE_KINDS = ("enter", "localise", "office", "lab", "hire", "data_region", "channel",
               "price_tier", "lite_tier")
GROWTH_WINDOW = 12  # months: the horizon's last year


@dataclass(frozen=True)
class CountryRow:
    """One country for one firm (money in US dollars, distance 0..1)."""

    iso2: str
    status: str  # present | forbidden | enters | open | not a market
    why: str  # forbidden: which rule; enters: YYYY-MM; else ""
    addressable: float  # people
    revenue_potential: float  # US dollars a year
    growth: float | None  # users of every firm, a year (0.25 = +25%)
    rivals: tuple[str, ...]
    token_premium: float
    language_quality: float
    compliance_usd: float
    delay_months: float
    residency: str  # "yes" at the start, "YYYY-MM" planned, else ""
    distance: float
    advice_move: str | None = None
    advice_gain: float | None = None  # median NPV gain over the status quo, US dollars


@dataclass(frozen=True)
class CountryTable:
    """Every country of the scenario for one firm, and where the figures come from."""

    scenario: str
    firm: str
    months: int
    start_date: str
    advice: str | None  # the advice folder read, if any
    today: str = ""  # YYYY-MM the status, size and costs are read at
    rows: list[CountryRow] = field(default_factory=list)


SORT_KEYS = ("iso2", "status", "addressable", "revenue_potential", "growth", "rivals",
             "token_premium", "language_quality", "compliance_usd", "delay_months",
             "residency", "distance", "advice_gain")


def sort_rows(rows: list[CountryRow], key: str, descending: bool = False) -> list[CountryRow]:
    """Rows sorted by a column; missing figures (None) last whichever the direction."""
    if key not in SORT_KEYS:
        raise ValueError(f"sort key: expected one of {', '.join(SORT_KEYS)}, got {key!r}")

    def value(row: CountryRow):
        v = getattr(row, key)
        return len(v) if isinstance(v, tuple) else v

    present = [r for r in rows if value(r) is not None]
    missing = [r for r in rows if value(r) is None]
    return sorted(present, key=value, reverse=descending) + missing


def best_moves(advice_rows: list[dict], regions: dict[str, np.ndarray],
               iso2: tuple[str, ...]) -> list[tuple[str | None, float | None]]:
    """Per country the advice move about it (or a region holding it) with the best median gain."""
    best: list[tuple[str | None, float | None]] = [(None, None)] * len(iso2)
    index = {code: i for i, code in enumerate(iso2)}
    for row in advice_rows:
        place, gain = row.get("place"), row.get("gain_p50")
        if row.get("kind") not in PLACE_KINDS or place is None or gain is None:
            continue
        members = (np.flatnonzero(regions[place]).tolist() if place in regions
                   else [index[place]] if place in index else [])
        for c in members:
            if best[c][1] is None or gain > best[c][1]:
                best[c] = (row["move"], float(gain))
    return best


def _growth(users: np.ndarray, months: int) -> np.ndarray:
    """Annual growth per country of `users` [months + 1, countries] over the last window."""
    span = GROWTH_WINDOW if months >= 2 * GROWTH_WINDOW else months - 1  # from month 1
    first, last = users[months - span], users[months]
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = (last / first) ** (12.0 / max(span, 1)) - 1.0 if span > 0 else last * np.nan
    return np.where(first > 0, growth, np.nan)


def country_table(scenario: Scenario, firm_name: str, advice_rows: list[dict] | None = None,
                  advice: str | None = None, profile=None) -> CountryTable:
    """Every country of the scenario for `firm_name` (see the module docstring).

    Builds the model, runs the status quo once and reads its arrays today (the month before
    the scenario's `today`, else the start) and at the run's end.
    """
    from simulator.advice.moves import find_firm
    from simulator.model import StrategyModel

    firm = find_firm(scenario, firm_name)
    f = scenario.firms.index(firm)
    model = StrategyModel(scenario, profile=profile)
    geo, months = model.geo, model.months
    today = decide_from(scenario).month - 1  # months simulated before the decision
    users = np.zeros((months + 1, geo.size))
    entered = np.full(geo.size, -1)
    for month in range(1, months + 1):
        if month == today + 1:
            state = _today(model, f, today)  # read before the run moves on
        model.step()
        users[month] = model.users.sum(axis=0)
        now = model.present(month)[f]
        entered = np.where((entered < 0) & now & (month > today), month, entered)
    cost, delay, quality, resident, present_start, forbidden_start, addressable = state
    present_end = model.present(months)
    growth = _growth(users, months)
    planned = {geo.index(r.country): r.month for r in firm.strategy.data_regions}
    moves = best_moves(advice_rows or [], geo.region_members, geo.iso2)
    dates = scenario.month_dates(months)
    names = [x.name for x in scenario.firms]
    rows = []
    for c, code in enumerate(geo.iso2):
        if present_start[c]:
            status, why = "present", ""
        elif forbidden_start[c]:
            status, why = "forbidden", _why_forbidden(scenario, firm, code)
        elif not geo.is_market[c]:
            status, why = "not a market", ""
        elif entered[c] > 0:
            status, why = "enters", dates[entered[c] - 1].strftime("%Y-%m")
        else:
            status, why = "open", ""
        residency = "yes" if resident[c] else (
            dates[max(planned[c], 1) - 1].strftime("%Y-%m") if c in planned else "")
        rows.append(CountryRow(
            iso2=code, status=status, why=why, addressable=float(addressable[c]),
            revenue_potential=float(model.potential[f, c]),
            growth=None if np.isnan(growth[c]) else float(growth[c]),
            rivals=tuple(n for g, n in enumerate(names) if g != f and present_end[g, c]),
            token_premium=float(model.econ.firm_premium[f, c]),
            language_quality=float(quality[c]), compliance_usd=float(cost[c]),
            delay_months=float(delay[c]), residency=residency,
            distance=float(geo.distance[model.home[f], c]),
            advice_move=moves[c][0], advice_gain=moves[c][1]))
    return CountryTable(scenario.name, firm.name, months, scenario.start_date, advice,
                        today=dates[today].strftime("%Y-%m"), rows=rows)


def _today(model, f: int, month: int) -> tuple[np.ndarray, ...]:
    """What the model holds for firm `f` after `month` simulated months.

    Entry cost and delay, language quality, residency, presence, what is forbidden to it,
    and the addressable market.
    """
    cost, delay = (a.copy() for a in model.entry_cost(f))
    quality = np.exp(-model.quality_gap(model.region_of)[f])
    forbidden = model.forbidden[month][f] | model.forbidden[min(month + 1, model.months)][f]
    return (cost, delay, quality, model.footprint.resident[f].copy(),
            model.present(month)[f].copy(), forbidden, model.addressable.copy())


def _why_forbidden(scenario: Scenario, firm, iso2: str) -> str:
    """The rule that forbids serving, or the firm's own list, or a regulator's suspension."""
    rule = why_absent(scenario, firm.name, f"enter-{iso2}")
    if rule:
        return rule
    if any(s.country == iso2 for s in firm.suspensions):
        return f"suspended by the regulator in {iso2} ([[firms.suspensions]])"
    return "the firm's own unsupported list (strategy.exclude)"


def advice_rows(folder, firm_name: str) -> list[dict]:
    """The ranking of an advice folder (advice.parquet) for `firm_name`.

    Raises:
        InputError: the folder is not an advice, or advises another firm.
    """
    import json
    from pathlib import Path

    import pyarrow.parquet as pq

    from plumbing.errors import InputError

    folder = Path(folder)
    try:
        summary = json.loads((folder / "advice.json").read_text(encoding="utf-8"))
        rows = pq.read_table(folder / "advice.parquet").to_pylist()
    except (OSError, ValueError) as error:
        raise InputError(f"--advice {folder}: expected a `simulator advise` folder "
                         f"(advice.json, advice.parquet): {error}") from None
    if summary.get("firm") != firm_name:
        raise InputError(f"--advice {folder}: advises {summary.get('firm')!r}, not "
                         f"{firm_name!r}")
    return rows
