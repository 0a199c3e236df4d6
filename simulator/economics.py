"""Consumer and API economics per firm and country: tokens, serving cost, revenue, prices.

Pure numpy on [firms, countries] arrays (or [firms] where a figure is the firm's own).

- Paid conversion: users' willingness to pay (WTP) for the paid tier is log-logistic, the
  demand curve of a logit fitted to binary price choices, so the share that pays at price p
  is s = s_max / (1 + (p / w)^k): its price elasticity is -k (1 - s / s_max), -k where few
  pay (Enache, Friberg and Wiklander 2023 measure -1 to -4 for freemium conversion). The
  median WTP w of a country scales with income per head (PPP), w = w0 (g / g0)^eta, w0 set
  so that the reference price converts the reference share at the reference income. Revenue
  per user p s(p) peaks at (p / w)^k = 1 / (k - 1) and falls beyond it (k > 1).
- A lite tier beside the full one (`menu_shares`, e.g. ChatGPT Go beside Plus): a user who
  values the full tier at v values the lite one at theta v (vertical differentiation, Mussa
  and Rosen 1978), so at prices p and l < theta p the full tier sells to v above
  (p - l) / (1 - theta), the lite one between l / theta and that, and the full tier loses
  its lowest payers to the lite one. theta is set so that a lite tier at `ratio` of the full
  price multiplies the payers by `multiple` where few pay (`lite_value_share`).
- Tokens per user-month = requests x characters per request x context multiplier x the
  firm's English tokens per character x its token premium in the country; requests mix the
  free tier (its usage limit) and the paid tier by the paying share, times the country's
  usage intensity (g / g_u)^nu (work use rises with income). Free users cost serving too.
- Consumer revenue = users x paying share x local price x the commitment level's ARPU,
  for the full tier and the lite one.
- API segment (per token): spend at full adoption = share of GDP a year / 12, times the
  country's adoption (the Bass share of all firms' users). A firm with API share s and
  price per character p earns s x spend x (p / p_ref)^(1 - elasticity): a constant-
  elasticity demand for characters (the token premium raises p, so buyers of a
  high-premium language buy fewer characters and choose firms whose tokenizers are cheaper
  there). Tokens = revenue / price per token.
- API list price (`api_prices`): cost-plus, serving cost x (1 + markup); the dearest server
  is held to the next dearest firm's list price (buyers would leave above it), never below
  its own cost. Prices keep the order of costs: no firm lists below a cheaper server.
- Serving cost = tokens x serving cost per token (`simulator.compute`).
"""

from __future__ import annotations

import numpy as np


def willingness_to_pay(gdp_per_capita: np.ndarray, reference_gdp: float,
                       income_elasticity: float, reference_price: float,
                       reference_share: float, max_share: float,
                       elasticity: float) -> np.ndarray:
    """Median monthly WTP, in US dollars, of the users who would ever pay ([countries]).

    Solves s_max / (1 + (p0 / w0)^k) = s0 for w0 at the reference income, then scales it
    by (income / reference income)^eta.
    """
    odds = max_share / reference_share - 1.0
    base = reference_price * odds ** (-1.0 / elasticity)
    return base * (np.maximum(gdp_per_capita, 1.0) / reference_gdp) ** income_elasticity


def paying_share(price: np.ndarray, wtp: np.ndarray, max_share: float,
                 elasticity: float) -> np.ndarray:
    """Share of users who pay at `price` ([F, C]) against the countries' median WTP ([C])."""
    return max_share / (1.0 + (np.asarray(price) / wtp[None, :]) ** elasticity)


def menu_thresholds(price: np.ndarray, lite: np.ndarray,
                    value_share: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where a lite tier sells, and the values above which users buy full and lite ([F, C]).

    `lite` is NaN where there is no lite tier; a lite tier at or above `value_share` x the
    full price is worth less than the full tier to every payer, and sells nothing (there
    both thresholds are the full price).
    """
    price = np.asarray(price, dtype=float)
    sells = np.isfinite(lite) & (lite < value_share * price)
    lite_price = np.where(sells, lite, 0.0)
    full_above = np.where(sells, (price - lite_price) / (1.0 - value_share), price)
    lite_above = np.where(sells, lite_price / value_share, price)
    return sells, full_above, lite_above


def menu_shares(price: np.ndarray, lite: np.ndarray, wtp: np.ndarray, max_share: float,
                elasticity: float, value_share: float) -> tuple[np.ndarray, np.ndarray]:
    """(full tier's, lite tier's) paying shares ([F, C]) at full `price` and `lite` price."""
    sells, full_above, lite_above = menu_thresholds(price, lite, value_share)
    full = paying_share(full_above, wtp, max_share, elasticity)
    if not sells.any():
        return full, np.zeros_like(full)
    return full, paying_share(lite_above, wtp, max_share, elasticity) - full


def lite_value_share(price_ratio: float, payers_multiple: float, elasticity: float) -> float:
    """The lite tier's share of the full tier's value to a user, from an observed launch.

    Where few pay, the share paying at x falls as x^-k, so a lite tier at `price_ratio` of
    the full price multiplies the payers by (theta / price_ratio)^k: theta is price_ratio x
    payers_multiple^(1 / k).
    """
    return price_ratio * payers_multiple ** (1.0 / elasticity)


def usage_intensity(gdp_per_capita: np.ndarray, reference_gdp: float,
                    elasticity: float) -> np.ndarray:
    """Requests per user relative to the world's average user, per country ([C])."""
    return (np.maximum(gdp_per_capita, 1.0) / reference_gdp) ** elasticity


def tokens_per_user_month(paying: np.ndarray | float, free_requests: float,
                          paid_requests: float, chars_per_request: float,
                          context_multiplier: float, intensity: np.ndarray,
                          tokens_per_char: np.ndarray) -> np.ndarray:
    """Tokens a consumer user costs a month, per firm and country ([F, C])."""
    requests = ((1.0 - paying) * free_requests + paying * paid_requests) * intensity[None, :]
    return requests * chars_per_request * context_multiplier * tokens_per_char


def consumer_revenue(users: np.ndarray | float, price: np.ndarray, paying: np.ndarray,
                     lite_price: np.ndarray, lite_paying: np.ndarray,
                     arpu_multiplier: np.ndarray) -> np.ndarray:
    """Users x each tier's paying share x its local price x the commitment level's multiplier."""
    return (users * paying * price * arpu_multiplier
            + users * lite_paying * lite_price * arpu_multiplier)


def api_prices(cost_per_token: np.ndarray, markup: float) -> np.ndarray:
    """List price per token per firm: cost-plus, the dearest held to the next, never below cost.

    Every firm but the dearest lists at its cost-plus price; the dearest lists at the next
    dearest one's cost-plus price where that is lower, but never below its own cost. Prices
    are therefore in the order of costs (ties allowed) and at or above each firm's cost.
    """
    prices = cost_per_token * (1.0 + markup)
    if prices.size < 2:
        return prices
    order = np.argsort(prices, kind="stable")
    dearest, runner_up = order[-1], order[-2]
    prices[dearest] = max(cost_per_token[dearest], min(prices[dearest], prices[runner_up]))
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
