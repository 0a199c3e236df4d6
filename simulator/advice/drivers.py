"""Why a move wins or loses, in the user's terms: language economics, market, rivals, rules.

The drivers of a move are the measured language economics, the market, the rivals and the
regulation of the place it is about, and what the move changes in money:

- Token premium: tokens for a text in a language over tokens for its English source
  (parallel text), as the technology profile measured it on the firm's production
  tokenizer (`firms.model.tokenizer`; the global model's where the profile lacks it) and,
  for a localise move that extends the vocabulary, as the hub measured it after the
  extension (data/vocab_extension.csv), scaled like the run by
  `technology.token_premium_scale`.
  The language is the most spoken one of the place's markets other than English (CLDR
  speaker shares x population), unless English is spoken by more than 90% of them.
- Market, rivals: the place's users of all firms at the horizon's end under the status quo,
  and how many other firms have users there (medians over the members).
- Regulation delay: months from deciding to enter to selling there (data/regulation.csv,
  the larger of the national and the EU figure), population-weighted over the place.
- Money: the median over members of the move's paired difference from the status quo in
  revenue, serving cost, localisation spend and everything else (salaries, compliance,
  offices) over the horizon, and in the firm's users at the end.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from plumbing.numbers import compact, compact_money
from simulator.advice.ensemble import Outcomes
from simulator.advice.moves import Move
from simulator.geography import Geography
from simulator.scenario import Scenario
from simulator.technology import TechnologyProfile, scaled_premium
from simulator.tokenizers import firm_premiums, lang_premiums
from simulator.vocab_extension import extensions, tokens_ratios

ENGLISH_ONLY = 0.9  # above this share of English speakers the place's language is English


def firm_premium(profile: TechnologyProfile, tokenizer: str, lang: str,
                 scale: float) -> tuple[float, str]:
    """Token premium of `lang` on the firm's tokenizer, as the model prices it, and whose.

    The model's own rule (`simulator.tokenizers.firm_premiums`): a language variant or the
    tokenizer's worst premium where the language was not measured; the hub global model's
    premium when the profile lacks the tokenizer.
    """
    hub_global = np.array([profile.figures_for("global", lang)[0].token_premium])
    premium, _, missing = firm_premiums(profile, tokenizer, (lang,), np.ones((1, 1)),
                                        hub_global)
    whose = profile.model_ids["global"] if missing else tokenizer
    return float(scaled_premium(premium[0], scale)), whose


def extended_premium(profile: TechnologyProfile, tokenizer: str, region: str,
                     vocab_tokens: int, lang: str, scale: float) -> float | None:
    """Premium of `lang` once the region's measured extension serves it, if measured.

    The firm's premium x the extension's tokens ratio (the model's rule, `simulator.
    firm_economics.localised_premiums`): the same request in fewer tokens.
    """
    if (tokenizer, region, vocab_tokens) not in extensions():
        return None
    ratio = tokens_ratios(tokenizer, region, vocab_tokens, (lang,))[0]
    before = lang_premiums(profile, tokenizer, (lang,))
    if ratio is None or before is None:
        return None
    return float(scaled_premium(before[0] * ratio, scale))


def _vocab_tokens(move: Move) -> int:
    plans = next((v for k, v in move.overrides.items() if k.endswith("strategy.localise")), [])
    return next((p.get("vocab_tokens", 0) for p in plans if p["region"] == move.place), 0)


def language_name(code: str) -> str:
    """English name of a language code (CLDR, via babel)."""
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(code.replace("-", "_")).english_name or code
    except (ValueError, UnknownLocaleError):
        return code


@dataclass(frozen=True)
class PlaceFacts:
    """What the drivers say about one region or country."""

    language: str
    market_users: float
    rivals: float
    regulation_delay_months: float
    talent_share: float


def place_facts(geo: Geography, place: str, outcomes: Outcomes, firm: str) -> PlaceFacts:
    """Language, market, rivals, regulation and talent of `place` (a region or a country)."""
    mask = np.zeros(geo.size, dtype=bool)
    mask[geo.places([place])] = True
    selling = mask & geo.is_market
    weight = geo.population * (selling if selling.any() else mask)
    speakers = weight @ geo.lang_weights
    order = np.argsort(-speakers, kind="stable")
    codes = [geo.lang_codes[j] for j in order if speakers[j] > 0]
    english = speakers[geo.lang_codes.index("en")] / max(speakers.sum(), 1.0) \
        if "en" in geo.lang_codes else 0.0
    language = next((c for c in codes if c != "en"), "en") if english <= ENGLISH_ONLY else "en"
    countries = {geo.iso2[i] for i in np.flatnonzero(selling)}
    market = outcomes.market[outcomes.market["country"].isin(countries)]
    members = outcomes.cash.shape[1]
    totals = market.groupby("member")["users"].sum().reindex(range(members), fill_value=0.0)
    rivals = (market[market["firm"] != firm].groupby("member")["firm"].nunique()
              .reindex(range(members), fill_value=0))
    delay = np.maximum(geo.compliance_delay, geo.bloc_delay)
    return PlaceFacts(language, float(totals.median()), float(rivals.median()),
                      float((delay * weight).sum() / max(weight.sum(), 1.0)),
                      float(geo.talent_share[mask, 0].sum()))


def money_deltas(outcomes: Outcomes, move: int,
                 initial_cash: float | np.ndarray) -> dict[str, float]:
    """Median paired differences from the status quo over the horizon (and users at the end)."""
    flows = outcomes.flows
    change = outcomes.cash[:, :, -1] - initial_cash
    other = flows["revenue"] - flows["serving_cost"] - flows["localisation_spend"] - change
    users = (outcomes.own.groupby(["move", "member"])["users"].sum()
             .unstack(fill_value=0.0).reindex(index=range(change.shape[0]), fill_value=0.0))
    series = {"revenue": flows["revenue"], "serving_cost": flows["serving_cost"],
              "localisation_spend": flows["localisation_spend"], "other_costs": other,
              "users_end": users.to_numpy()}
    return {f"d_{name}": float(np.median(values[move] - values[0]))
            for name, values in series.items()}


def _signed(value: float, shorten=compact_money) -> str:
    if abs(value) < 0.5:  # rounding noise of sums of floats, not money
        return "+0"
    return ("+" if value >= 0 else "-") + shorten(abs(value))


def describe(move: Move, scenario: Scenario, firm: str, geo: Geography, outcomes: Outcomes,
             profile: TechnologyProfile, index: int) -> dict:
    """The drivers of one move: named figures and one sentence."""
    spec = next(f for f in scenario.firms if f.name == firm)
    scale = scenario.technology.token_premium_scale
    figures: dict = {"language": None, "token_premium": np.nan,
                     "token_premium_localised": np.nan, "market_users": np.nan,
                     "rivals": np.nan, "regulation_delay_months": np.nan,
                     **money_deltas(outcomes, index, outcomes.start_cash)}
    end = scenario.month_dates(scenario.months)[-1].strftime("%Y-%m")  # the horizon's end
    parts = []
    if move.place is not None:
        facts = place_facts(geo, move.place, outcomes, firm)
        lang = language_name(facts.language)
        premium, tokenizer = firm_premium(profile, spec.model.tokenizer, facts.language, scale)
        figures |= {"language": facts.language, "token_premium": premium,
                    "market_users": facts.market_users, "rivals": facts.rivals,
                    "regulation_delay_months": facts.regulation_delay_months}
        if facts.language != "en" and move.kind != "hire":  # hiring serves nobody there
            text = (f"{lang} costs {premium:.2f}x English in tokens on {tokenizer} (parallel "
                    "text)")
            vocab = _vocab_tokens(move) if move.kind == "localise" else 0
            local = vocab and extended_premium(profile, tokenizer, move.place, vocab,
                                               facts.language, scale)
            if local:
                figures["token_premium_localised"] = local
                text += (f"; localising {move.place} with {vocab // 1000}k added tokens brings "
                         f"it to {local:.2f}x (measured)")
            elif move.kind == "localise":
                text += "; continued pre-training keeps the tokenizer"
            parts.append(text)
        if move.kind == "hire":
            parts.append(f"{move.place} holds {facts.talent_share:.0%} of the world's top AI "
                         "researchers (data/talent.csv)")
        else:
            parts.append(f"{move.place}: {compact(facts.market_users)} users in {end} "
                         f"under the status quo, {facts.rivals:g} rivals "
                         f"present, entry delay {facts.regulation_delay_months:.0f} months")
    if move.kind != "status_quo" and np.array_equal(outcomes.cash[index], outcomes.cash[0]):
        # The firm's decisions end where they would have anyway (e.g. a region it never
        # enters, an office it never finds worth opening): say so rather than print zeros.
        parts.append("changes nothing: the firm's cash is the status quo's in every member")
    elif move.kind != "status_quo":
        d = figures
        parts.append(f"vs status quo (median): revenue {_signed(d['d_revenue'])}, serving "
                     f"{_signed(d['d_serving_cost'])}, localisation "
                     f"{_signed(d['d_localisation_spend'])}, other costs "
                     f"{_signed(d['d_other_costs'])}, users at the end "
                     f"{_signed(d['d_users_end'], compact)}")
    else:
        users = outcomes.own[outcomes.own["move"] == 0].groupby("member")["users"].sum()
        revenue = float(np.median(outcomes.flows["revenue"][0]))
        parts.append(f"{firm} as the scenario has it: {compact(float(users.median()))} users "
                     f"in {end}, revenue {compact_money(revenue)} over the horizon")
    return figures | {"drivers": "; ".join(parts)}


def all_drivers(moves: list[Move], scenario: Scenario, firm: str, geo: Geography,
                outcomes: Outcomes, profile: TechnologyProfile) -> pd.DataFrame:
    """One row of drivers per move, in the moves' order."""
    rows = [{"move": m.name, **describe(m, scenario, firm, geo, outcomes, profile, i)}
            for i, m in enumerate(moves)]
    return pd.DataFrame(rows)
