"""Consumer and API economics per firm and country: tokens, serving cost, revenue, prices.

Pure numpy on [firms, countries] arrays (or [firms] where a figure is the firm's own).

- Tokens per user-month = requests x characters per request x context multiplier x
  the firm's English tokens per character x its token premium in the country; requests
  mix the free and paid tiers by the paying share. The firm serves free users too.
- Consumer revenue = users x paying share x local price x the commitment level's ARPU.
- API segment (per token): spend at full adoption = share of GDP a year / 12, times the
  country's adoption (the Bass share of all firms' users). A firm with API share s and
  price per character p earns s x spend x (p / p_ref)^(1 - elasticity): a constant-
  elasticity demand for characters (the token premium raises p, so buyers of a
  high-premium language buy fewer characters and choose firms whose tokenizers are cheaper
  there). Tokens = revenue / price per token.
- API list price: cost-plus, serving cost x (1 + markup), kept within the range of the
  rivals' cost-plus prices and never below the firm's own cost (`api_prices`).
- Serving cost = tokens x serving cost per token (`simulator.compute`).
"""

from __future__ import annotations

import numpy as np


def tokens_per_user_month(paying_share: float, free_requests: float, paid_requests: float,
                          chars_per_request: float, context_multiplier: float,
                          tokens_per_char: np.ndarray) -> np.ndarray:
    """Tokens a consumer user costs a month, per firm and country ([F, C])."""
    requests = (1.0 - paying_share) * free_requests + paying_share * paid_requests
    return requests * chars_per_request * context_multiplier * tokens_per_char


def consumer_revenue(users: np.ndarray, price: np.ndarray, paying_share: float,
                     arpu_multiplier: np.ndarray) -> np.ndarray:
    """Users x paying share x local price x the commitment level's revenue multiplier."""
    return users * paying_share * price * arpu_multiplier


def api_prices(cost_per_token: np.ndarray, markup: float) -> np.ndarray:
    """List price per token per firm: cost-plus, within the rivals' range, never below cost."""
    target = cost_per_token * (1.0 + markup)
    if target.size < 2:
        return target
    prices = np.empty_like(target)
    for f in range(target.size):
        rivals = np.delete(target, f)
        low, high = max(rivals.min(), cost_per_token[f]), max(rivals.max(), cost_per_token[f])
        prices[f] = np.clip(target[f], low, high)
    return prices


def api_spend(gdp_usd: np.ndarray, spend_share: float, adoption: np.ndarray) -> np.ndarray:
    """Monthly API spend per country at the reference price ([C])."""
    return gdp_usd * spend_share / 12.0 * adoption


def api_revenue(share: np.ndarray, spend: np.ndarray, price_per_char: np.ndarray,
                reference_per_char: float, elasticity: float) -> np.ndarray:
    """API revenue per firm and country: share x spend x (price / reference)^(1 - e)."""
    return share * spend[None, :] * (price_per_char / reference_per_char) ** (1.0 - elasticity)


def adjust_shares(share: np.ndarray, target: np.ndarray, present: np.ndarray,
                  rate: float) -> np.ndarray:
    """API shares one month later: a `rate` of the gap to the choice shares closes.

    Shares of firms no longer present are handed to the others in proportion.
    """
    moved = np.where(present, share + rate * (target - share), 0.0)
    totals = moved.sum(axis=0, keepdims=True)
    return np.divide(moved, totals, out=np.zeros_like(moved), where=totals > 0)
