"""Each firm's unit economics for a run: cost and price per token, tokens per character.

Built once per run from the scenario (model size, tokenizer, GPUs) and the technology
profile; the monthly step looks figures up by the region model each firm serves in each
country (`region_of`: the global model, or a region's localised one).

- cost per token served (simulator.compute) x the scenario's serving_cost_multiplier;
- API list price per token: cost-plus within the rivals' range (simulator.economics);
- tokens per character = English tokens per character of the firm's tokenizer x its
  premium in the country's languages; where the firm has localised, the regional model's
  tokenizer premium when it is lower (vocabulary extension only adds tokens);
- premiums over English are scaled by technology.token_premium_scale;
- training per month = one generation's run (6 N D) x research_compute_multiple spread over
  the generation's months; localising any region = continued pre-training on
  localisation_tokens + post-training, the months it takes on the scenario's cluster.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator import compute
from simulator.economics import api_prices, tokens_per_user_month
from simulator.technology import localisation_months, scaled_premium
from simulator.tokenizers import DEFAULT_EN_TOKENS_PER_CHAR, firm_premiums


@dataclass(frozen=True)
class FirmEconomics:
    """Per-firm figures ([firms] or [firms, countries]) and per-region ones ([regions, C])."""

    serving_cost: np.ndarray  # US dollars per token served, [F]
    api_price: np.ndarray  # US dollars per token, API list price, [F]
    en_tokens_per_char: np.ndarray  # [F]
    firm_premium: np.ndarray  # [F, C] the firm's own tokenizer
    region_premium: np.ndarray  # [R, C] the hub's regional tokenizers
    gap: np.ndarray  # [R, C] quality gap of each region model
    global_index: int
    reference_per_char: float  # API reference price per English character
    usage: tuple[float, float, float, float, float]  # paying, free, paid, chars, context
    training_monthly: np.ndarray  # [F] US dollars
    training_run_usd: np.ndarray  # [F] one generation's final run
    localisation_usd: np.ndarray  # [F] localising one region, at month 1's prices
    localisation_compute_usd: np.ndarray  # [F] its continued pre-training part
    localisation_gpu_hours: np.ndarray  # [F]
    localisation_months: np.ndarray  # [F]

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
        tokens = p.localisation_tokens * p.localisation_compute_multiplier
        hours = np.array([compute.training_gpu_hours(n, tokens, c.gpu_peak_flops,
                                                     c.utilisation) for n in params])
        return cls(
            serving_cost=serving,
            api_price=api_prices(serving, p.api_markup),
            en_tokens_per_char=np.array(english),
            firm_premium=scaled_premium(np.array(premiums), s),
            region_premium=scaled_premium(tech.token_premium, s),
            gap=tech.quality_gap,
            global_index=tech.regions.index("global"),
            reference_per_char=p.api_reference_usd_per_1m_tokens / 1e6
            * DEFAULT_EN_TOKENS_PER_CHAR,
            usage=(p.paying_share, p.free_requests_per_month, p.paid_requests_per_month,
                   p.chars_per_request, p.context_multiplier),
            training_monthly=run * p.research_compute_multiple / months,
            training_run_usd=run,
            localisation_usd=hours * c.gpu_usd_per_hour + p.localisation_post_training_usd,
            localisation_compute_usd=hours * c.gpu_usd_per_hour,
            localisation_gpu_hours=hours,
            localisation_months=np.array([localisation_months(h, c.gpus,
                                                              p.localisation_min_months)
                                          for h in hours]),
        )

    def premium(self, region_of: np.ndarray) -> np.ndarray:
        """Token premium over English per firm and country for the models served there."""
        columns = np.arange(region_of.shape[1])[None, :]
        regional = self.region_premium[region_of, columns]
        localised = region_of != self.global_index
        return np.where(localised, np.minimum(self.firm_premium, regional), self.firm_premium)

    def tokens_per_char(self, region_of: np.ndarray) -> np.ndarray:
        """Tokens per character per firm and country ([F, C])."""
        return self.en_tokens_per_char[:, None] * self.premium(region_of)

    def tokens_per_user(self, region_of: np.ndarray) -> np.ndarray:
        """Tokens a consumer user costs a month ([F, C])."""
        return tokens_per_user_month(*self.usage, self.tokens_per_char(region_of))

    def api_price_per_char(self, region_of: np.ndarray) -> np.ndarray:
        """What an API customer pays per character ([F, C]): the token premium in the bill."""
        return self.api_price[:, None] * self.tokens_per_char(region_of)

    def quality_gap(self, region_of: np.ndarray) -> np.ndarray:
        """Quality gap of the model each firm serves in each country ([F, C])."""
        return self.gap[region_of, np.arange(region_of.shape[1])[None, :]]
