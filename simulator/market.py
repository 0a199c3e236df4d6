"""Market equations: addressable market, Bass diffusion, multinomial logit choice, churn.

Pure numpy on arrays shaped [countries] or [firms, countries]; the model calls them once
per month for all countries and firms together.

- Bass (1969): the adopting share F of a market grows as dF/dt = (p + q F)(1 - F), where F
  counts the users of every firm (word of mouth is about the category, not a brand).
  `bass_step` advances F by one month with the ODE's exact solution, so the discrete model
  has no step-size error against the closed form `bass_adoption`.
- A market potential that grows with capability: each model generation makes an assistant
  useful for more people (Norton and Bass 1987: every technology generation brings its own
  market potential), so `capability_ceiling` raises the ceiling as
  min(1, ceiling x (C / C0)^e), C the best capability (1 + knowledge, the logit's scale) a
  country has been served, C0 the frontier at the start. Users N do not jump with M: the
  month's F is N / M(t), the share adopted of the grown pool, and Bass continues from there,
  dN/dt = (p + q N / M(t)) (M(t) - N) (Mahajan and Peterson 1978, a dynamic potential
  adopter population), exact within each month where M is held.
- McFadden (1974) multinomial logit: among the firms present in a country, new users
  choose firm f with probability exp(U_f) / sum_g exp(U_g).
- Order of entry (Urban, Carter, Gaskin and Mucha 1986): a brand's share is log-linear in
  its order of entry, so the logit carries -beta_entry_order x ln(order), the order being
  1 + the firms people could choose in the country before it (`entry_order`).
- Switching costs (Klemperer 1995): a churner who re-chooses pays `switching_cost` in
  utility to move from the firm g they use, so they pick f with probability
  exp(U_f - s [f != g]) / sum_h exp(U_h - s [h != g]); an installed base therefore moves
  slowly even when a cheaper or better entrant arrives. Users of a firm that is
  unavailable this month (a suspension) stay dormant: they neither churn nor pay.
- Price in the logit (`price_burden`): every user has the free tier, and one whose
  willingness to pay v exceeds the price p subscribes and keeps v - p; a firm's offer is
  worth E[max(0, v - p)] = const - B(p), B(p) = integral from 0 to p of the paying share
  (simulator.economics.paying_share), in money (Small and Rosen 1981: a logit's utility in
  money is expected surplus). The logit weighs B(p) / s0 as a share of monthly income by
  beta_price, so at the reference paying share s0 a dollar weighs as beta_price says, and
  price weighs more where more would pay and less where few would: adoption and paid
  conversion read the same WTP. A lite tier beside the full one leaves users the surplus of
  the better of the two (`price_burden`).
"""

from __future__ import annotations

import numpy as np
from scipy.special import hyp2f1

from simulator.economics import menu_thresholds

MONTHS_PER_YEAR = 12.0


def monthly_rate(annual: float) -> float:
    """Bass coefficients per year -> per month (the ODE's time unit scales linearly)."""
    return annual / MONTHS_PER_YEAR


def bass_adoption(months: np.ndarray | float, p: float, q: float) -> np.ndarray:
    """Closed-form Bass share adopted after `months` from F(0) = 0 (p, q per month)."""
    t = np.asarray(months, dtype=float)
    decay = np.exp(-(p + q) * t)
    return (1.0 - decay) / (1.0 + (q / p) * decay)


def bass_step(adopted: np.ndarray, p: float, q: float, months: float = 1.0) -> np.ndarray:
    """Adopting share one step later, exact for the Bass ODE from any starting share.

    Separating variables gives (p + q F) / (1 - F) = C exp((p + q) t), so the ratio R
    is multiplied by exp((p + q) h) over a step h and F = (R - p) / (R + q).
    """
    share = np.clip(adopted, 0.0, 1.0 - 1e-12)
    ratio = (p + q * share) / (1.0 - share) * np.exp((p + q) * months)
    return (ratio - p) / (ratio + q)


def addressable_market(population: np.ndarray, online: np.ndarray,
                       ceiling: float | np.ndarray) -> np.ndarray:
    """People who could use an AI assistant: population x share online x ceiling.

    The share online is measured (ITU: used the Internet in the last 3 months;
    simulator.world.internet_use): an assistant reaches only people already online.
    """
    return population * online * ceiling


def capability_ceiling(ceiling: float, best: np.ndarray, start: float,
                       elasticity: float) -> np.ndarray:
    """Adoption ceiling per country once models better than the start's serve it.

    `best` is the highest capability (1 + knowledge) each country has been served, never
    below `start`, the start's frontier; with elasticity 0 the ceiling stays fixed.
    """
    return np.minimum(1.0, ceiling * (np.asarray(best) / start) ** elasticity)


def price_burden(price: np.ndarray, lite: np.ndarray, wtp: np.ndarray, max_share: float,
                 elasticity: float, value_share: float, reference_share: float,
                 income_month: np.ndarray) -> np.ndarray:
    """The logit's price term: the surplus a firm's prices take, / s0, in percent of income.

    One tier: B(p) = s_max p 2F1(1, 1/k; 1 + 1/k; -(p / w)^k), the closed form of the
    integral of s_max / (1 + (x / w)^k) from 0 to p. With a lite tier that sells
    (simulator.economics.menu_shares), a user keeps max(0, theta v - l, v - p) = theta
    max(0, v - l / theta) + (1 - theta) max(0, v - (p - l) / (1 - theta)), so the burden is
    theta B(l / theta) + (1 - theta) B((p - l) / (1 - theta)), below B(p): a cheaper option
    leaves users more surplus and draws them to the firm.
    """
    sells, full_above, lite_above = menu_thresholds(price, lite, value_share)
    burden = _surplus_taken(full_above, wtp, max_share, elasticity)
    if sells.any():  # hyp2f1 is the step's dearest call: only where a lite tier sells
        weight = np.where(sells, value_share, 0.0)
        burden = ((1.0 - weight) * burden
                  + weight * _surplus_taken(lite_above, wtp, max_share, elasticity))
    return 100.0 * burden / (reference_share * income_month[None, :])


def _surplus_taken(price: np.ndarray, wtp: np.ndarray, max_share: float,
                   elasticity: float) -> np.ndarray:
    """B(p): the integral from 0 to p of the share that would pay (its closed form)."""
    ratio = price / wtp[None, :]
    return max_share * price * hyp2f1(1.0, 1.0 / elasticity, 1.0 + 1.0 / elasticity,
                                      -(ratio**elasticity))


def entry_order(entered: np.ndarray) -> np.ndarray:
    """Order of entry of each firm in each country ([F, C]) from the month it entered.

    1 + the firms that entered strictly earlier, so firms entering together share a rank;
    a firm not yet there (inf) ranks after every firm that is.
    """
    return 1.0 + (entered[None, :, :] < entered[:, None, :]).sum(axis=1)


def logit_shares(utility: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Choice shares per country among the firms present ([firms, countries]; 0 if absent)."""
    masked = np.where(present, utility, -np.inf)
    top = masked.max(axis=0, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    weights = np.where(present, np.exp(masked - top), 0.0)
    totals = weights.sum(axis=0, keepdims=True)
    return np.divide(weights, totals, out=np.zeros_like(weights), where=totals > 0)


def switcher_inflow(switching: np.ndarray, utility: np.ndarray, present: np.ndarray,
                    switching_cost: float) -> np.ndarray:
    """Where this month's re-choosing users go ([firms, countries]; they sum as they came).

    With W_f = exp(U_f) over the firms present and k = exp(-s), a switcher from g picks f
    with W_f k / D_g (f != g) or stays with W_g / D_g, D_g = k sum W + (1 - k) W_g.
    """
    masked = np.where(present, utility, -np.inf)
    top = masked.max(axis=0, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    weight = np.where(present, np.exp(masked - top), 0.0)
    keep = np.exp(-switching_cost)
    denominator = keep * weight.sum(axis=0, keepdims=True) + (1.0 - keep) * weight
    per_weight = np.divide(switching, denominator, out=np.zeros_like(switching),
                           where=denominator > 0)
    return weight * (keep * per_weight.sum(axis=0, keepdims=True) + (1.0 - keep) * per_weight)


def market_step(users: np.ndarray, addressable: np.ndarray, present: np.ndarray,
                utility: np.ndarray, p: float, q: float, churn: float, switch_share: float,
                switching_cost: float = 0.0) -> np.ndarray:
    """Users per firm and country one month later: Bass adoption, churn and switching.

    New adopters (the Bass increment on all firms' users) choose by the logit shares; the
    churners who switch rather than leave re-choose with switching costs; the other
    churners return to the potential market, where Bass may win them back.
    """
    open_market = present.any(axis=0) & (addressable > 0)
    total = users.sum(axis=0)
    adopted = np.divide(total, addressable, out=np.zeros_like(total), where=addressable > 0)
    new = np.where(open_market, (bass_step(adopted, p, q) - adopted) * addressable, 0.0)
    churned = users * churn * present
    switching = churned * switch_share
    shares = logit_shares(utility, present)
    return (users - churned + shares * new[None, :]
            + switcher_inflow(switching, utility, present, switching_cost))
