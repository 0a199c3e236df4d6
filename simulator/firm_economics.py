"""Each firm's unit economics for a run: cost and price per token, tokens per character.

Built once per run from the scenario (model size, tokenizer, GPUs) and the technology
profile; the monthly step looks figures up by the region model each firm serves in each
country (`region_of`: the global model, or a region's localised one).

- cost per token served (simulator.compute) x the scenario's serving_cost_multiplier;
- API list price per token: cost-plus, the dearest held to the next (simulator.economics);
- paid conversion: each country's median willingness to pay (income at PPP) and the share
  of users a price converts, to the full tier and to a lite tier beside it where a firm
  sells one; the logit's price term reads the same curve;
- requests per monthly user: the weekly active user's figures x weekly_active_share, scaled
  per country by usage intensity (income at PPP);
- tokens per character = English tokens per character of the firm's tokenizer x its
  parallel premium in the country's languages; where the firm has localised a region with
  a vocabulary extension (`vocab_tokens`), the premium the hub measured after it
  (simulator.vocab_extension); continued pre-training alone keeps the tokenizer;
- premiums over English are scaled by technology.token_premium_scale;
- training per month = one generation's run (6 N D) x research_compute_multiple spread over
  the generation's months; localising a region = continued pre-training on
  localisation_tokens_per_language x the region's effective number of languages (inverse
  Simpson index of its speakers' languages) + post-training per language, and the months
  it takes on the scenario's cluster.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from simulator import compute, economics
from simulator.economics import api_prices, tokens_per_user_month
from simulator.market import price_burden
from simulator.technology import localisation_months, scaled_premium
from simulator.tokenizers import DEFAULT_EN_TOKENS_PER_CHAR, firm_premiums, lang_premiums
from simulator.vocab_extension import tokens_ratios


@dataclass(frozen=True)
class FirmEconomics:
    """Per-firm figures ([firms] or [firms, countries]) and per-region ones ([regions, C])."""

    serving_cost: np.ndarray  # US dollars per token served, [F]
    api_price: np.ndarray  # US dollars per token, API list price, [F]
    en_tokens_per_char: np.ndarray  # [F]
    firm_premium: np.ndarray  # [F, C] the firm's own tokenizer
    localised_premium: np.ndarray  # [F, R, C] once the firm has localised region R
    gap: np.ndarray  # [R, C] quality gap of each region model
    global_index: int
    reference_per_char: float  # API reference price per English character
    usage: tuple[float, float, float, float]  # free, paid requests a monthly user; chars, context
    conversion: tuple[float, float, float]  # paying share max, elasticity k, reference share
    lite_value: float  # a lite tier's share of the full tier's value (and of its paid use)
    wtp: np.ndarray  # [C] median WTP of would-be payers, US dollars a month
    intensity: np.ndarray  # [C] requests per user relative to the world's average user
    income_month: np.ndarray  # [C] GDP per head (PPP) a month
    training_monthly: np.ndarray  # [F] US dollars
    training_run_usd: np.ndarray  # [F] one generation's final run
    regions: tuple[str, ...]  # profile regions, the columns of the localisation arrays
    languages: np.ndarray  # [R] effective number of languages of each region's markets
    localisation_compute_usd: np.ndarray  # [F, R] continued pre-training, month 1's prices
    localisation_post_usd: np.ndarray  # [R] post-training in the region's languages
    localisation_gpu_hours: np.ndarray  # [F, R] continued pre-training
    cluster: tuple[int, int]  # the scenario's GPUs, and the fewest months a localisation takes

    def localisation_usd(self, firm: int, region: int, factor: float = 1.0) -> float:
        """Cost of localising `region` for `firm` with compute at `factor` x month 1's price."""
        return float(self.localisation_compute_usd[firm, region] * factor
                     + self.localisation_post_usd[region])

    def localisation(self, firm: int, region: int, share: float,
                     factor: float = 1.0) -> tuple[float, int]:
        """(cost, months) of localising `share` of the region's effective languages.

        Continued pre-training and post-training both scale with the languages trained for
        (1: the whole region; one country's languages: a share of them).
        """
        hours = float(self.localisation_gpu_hours[firm, region]) * share
        return (self.localisation_usd(firm, region, factor) * share,
                localisation_months(hours, *self.cluster))

    @classmethod
    def build(cls, scenario, profile, tech, geo, notes: list[str]) -> FirmEconomics:
        """The run's figures; notes get a line for every tokenizer the profile lacks."""
        c, p, s = scenario.compute, scenario.parameters, scenario.technology.token_premium_scale
        firms = scenario.firms
        params = np.array([f.model.active_params for f in firms])
        serving = np.array([compute.serving_usd_per_token(
            n, c.gpu_peak_flops, c.serving_utilisation, c.gpu_usd_per_hour)
            for n in params]) * p.serving_cost_multiplier
        hub_global = tech.token_premium[tech.regions.index("global")]
        premiums, english = [], []
        for firm in firms:
            premium, tpc, note = firm_premiums(profile, firm.model.tokenizer, geo.lang_codes,
                                               geo.lang_weights, hub_global)
            premiums.append(premium)
            english.append(tpc)
            if note and note not in notes:
                notes.append(note)
        run = np.array([compute.training_usd(n, f.model.training_tokens, c.gpu_peak_flops,
                                             c.utilisation, c.gpu_usd_per_hour)
                        for n, f in zip(params, firms, strict=True)])
        months = np.array([f.model.generation_months for f in firms], dtype=float)
        languages = effective_languages(tech.regions, geo)
        tokens = p.localisation_tokens_per_language * languages * p.localisation_compute_multiplier
        hours = np.array([[compute.training_gpu_hours(n, t, c.gpu_peak_flops, c.utilisation)
                           for t in tokens] for n in params])
        return cls(
            serving_cost=serving,
            api_price=api_prices(serving, p.api_markup),
            en_tokens_per_char=np.array(english),
            firm_premium=scaled_premium(np.array(premiums), s),
            localised_premium=np.stack([localised_premiums(
                profile, f.model.tokenizer, f.strategy.localise, tech.regions, geo, s, row)
                for f, row in zip(firms, scaled_premium(np.array(premiums), s), strict=True)]),
            gap=tech.quality_gap,
            global_index=tech.regions.index("global"),
            reference_per_char=p.api_reference_usd_per_1m_tokens / 1e6
            * DEFAULT_EN_TOKENS_PER_CHAR,
            # The request figures are per weekly active user; a monthly user (what the
            # model counts) is active in a given week with weekly_active_share.
            usage=(p.free_requests_per_month * p.weekly_active_share,
                   p.paid_requests_per_month * p.weekly_active_share,
                   p.chars_per_request, p.context_multiplier),
            conversion=(p.paying_share_max, p.conversion_price_elasticity, p.paying_share),
            lite_value=economics.lite_value_share(p.lite_tier_price_ratio,
                                                  p.lite_tier_payers_multiple,
                                                  p.conversion_price_elasticity),
            wtp=economics.willingness_to_pay(
                geo.gdp_per_capita, p.paying_reference_gdp_pc_usd, p.wtp_income_elasticity,
                p.paying_reference_price_usd, p.paying_share, p.paying_share_max,
                p.conversion_price_elasticity),
            intensity=economics.usage_intensity(geo.gdp_per_capita, p.usage_reference_gdp_pc_usd,
                                                p.usage_income_elasticity),
            income_month=geo.gdp_per_capita / 12.0,
            training_monthly=run * p.research_compute_multiple / months,
            training_run_usd=run,
            regions=tuple(tech.regions),
            languages=languages,
            localisation_compute_usd=hours * c.gpu_usd_per_hour,
            localisation_post_usd=p.localisation_post_training_usd_per_language * languages,
            localisation_gpu_hours=hours,
            cluster=(c.gpus, p.localisation_min_months),
        )

    def with_tokenizer(self, firm: int, premium: np.ndarray, en_tokens_per_char: float,
                       localised: np.ndarray) -> FirmEconomics:
        """The same figures with one firm serving another tokenizer (a new generation)."""
        premiums, english = self.firm_premium.copy(), self.en_tokens_per_char.copy()
        regions = self.localised_premium.copy()
        premiums[firm], english[firm], regions[firm] = premium, en_tokens_per_char, localised
        return replace(self, firm_premium=premiums, en_tokens_per_char=english,
                       localised_premium=regions)

    def premium(self, region_of: np.ndarray) -> np.ndarray:
        """Token premium over English per firm and country for the models served there."""
        columns = np.arange(region_of.shape[1])[None, :]
        rows = np.arange(region_of.shape[0])[:, None]
        localised = region_of != self.global_index
        return np.where(localised, self.localised_premium[rows, region_of, columns],
                        self.firm_premium)

    def tokens_per_char(self, region_of: np.ndarray) -> np.ndarray:
        """Tokens per character per firm and country ([F, C])."""
        return self.en_tokens_per_char[:, None] * self.premium(region_of)

    def menu(self, price: np.ndarray,
             lite: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(full tier's paying share, lite tier's price, its paying share), [F, C] each.

        `lite` is each firm's lite price per country, NaN where it has none; the lite price
        returned is 0 wherever the lite tier sells nothing.
        """
        max_share, elasticity, _ = self.conversion
        paying, lite_paying = economics.menu_shares(price, lite, self.wtp, max_share,
                                                    elasticity, self.lite_value)
        return paying, np.where(lite_paying > 0, lite, 0.0), lite_paying

    def price_term(self, price: np.ndarray, lite: np.ndarray) -> np.ndarray:
        """The consumer logit's price variable (market.price_burden), [F, C]."""
        max_share, elasticity, reference = self.conversion
        return price_burden(price, lite, self.wtp, max_share, elasticity, self.lite_value,
                            reference, self.income_month)

    def paid_use(self, paying: np.ndarray, lite_paying: np.ndarray) -> np.ndarray:
        """The share of users using as payers do: a lite payer counts its value share."""
        return paying + self.lite_value * lite_paying

    def tokens_per_user(self, region_of: np.ndarray,
                        paying: np.ndarray | float | None = None) -> np.ndarray:
        """Tokens a consumer user costs a month ([F, C]) when `paying` of them use as payers.

        Without `paying`, the reference paying share (for callers that hold no prices).
        """
        paying = self.conversion[2] if paying is None else paying
        return tokens_per_user_month(paying, *self.usage, self.intensity,
                                     self.tokens_per_char(region_of))

    def api_price_per_char(self, region_of: np.ndarray) -> np.ndarray:
        """What an API customer pays per character ([F, C]): the token premium in the bill."""
        return self.api_price[:, None] * self.tokens_per_char(region_of)

    def quality_gap(self, region_of: np.ndarray) -> np.ndarray:
        """Quality gap of the model each firm serves in each country ([F, C])."""
        return self.gap[region_of, np.arange(region_of.shape[1])[None, :]]


def localised_premiums(profile, tokenizer: str, plans, regions: tuple[str, ...], geo,
                       scale: float, premium: np.ndarray) -> np.ndarray:
    """[R, C] premium of a firm's tokenizer once it has localised each region.

    `premium` is its premium per country unlocalised; a plan with `vocab_tokens` serves its
    region's languages with the tokens the hub measured after that extension.
    """
    out = np.repeat(premium[None, :], len(regions), axis=0)
    per_lang = lang_premiums(profile, tokenizer, geo.lang_codes)
    for plan in plans:
        if not plan.vocab_tokens or per_lang is None:
            continue
        ratios = tokens_ratios(tokenizer, plan.region, plan.vocab_tokens, geo.lang_codes)
        extended = per_lang * np.array([1.0 if r is None else r for r in ratios])
        out[regions.index(plan.region)] = scaled_premium(geo.lang_weights @ extended, scale)
    return out


def effective_languages(regions: tuple[str, ...], geo) -> np.ndarray:
    """Inverse Simpson index of the speakers' languages in each region's countries ([R]).

    1 / sum_l s_l^2 with s_l the share of the region's people speaking l (CLDR shares,
    countries weighted by population): a region of one language counts 1, of ten equal
    ones 10. The global model's row counts every country of the run.
    """
    return np.array([languages_of(geo.region_members.get(region, np.ones(geo.size, dtype=bool)),
                                  geo) for region in regions])


def languages_of(members: np.ndarray, geo) -> float:
    """The effective number of languages spoken in the countries of `members` ([C] bool)."""
    speakers = (geo.population * members) @ geo.lang_weights
    if speakers.sum() <= 0:
        return 1.0
    share = speakers / speakers.sum()
    return 1.0 / float((share**2).sum())
