"""Talent: pools per country and skill tier, firms' headcount, hiring, poaching, migration.

Stocks are arrays, not agents per person: `pool[country, tier]` holds people not employed
by a modelled firm, `staff[firm, country, tier]` those who are. Tiers: 0 researchers
(top-tier AI researchers), 1 engineers (ML engineers).

- Pay: salary[c, t] = US salary[t] x (GDP per head[c] / reference)^elasticity; a firm pays
  (1 + its premium) on top.
- Hiring: a firm fills the gap to its target in its hiring countries, in proportion to their
  pools; at most `hire_rate` of a pool a month, split among the firms hiring there by pay.
- Attrition and poaching: leavers = staff x attrition x exp(-retention x premium); a share
  joins the rivals employing in that country, in proportion to their pay, the rest return.
- Migration (along the CAGE graph, Docquier and Rapoport 2012 on skilled migration toward
  pay): pool flows from c to each CAGE neighbour k at rate m exp(-decay d_ck) x
  max(0, log(pay_k openness_k) - log(pay_c openness_c)).
- R&D (Jones 1995): knowledge K grows by a R^lambda - d K with research headcount R.
"""

from __future__ import annotations

import numpy as np

RESEARCHERS, ENGINEERS = 0, 1


def salaries(gdp_per_capita: np.ndarray, reference_gdp: float, base: np.ndarray,
             elasticity: float) -> np.ndarray:
    """Yearly pay per country and tier ([countries, 2])."""
    level = (np.maximum(gdp_per_capita, 1.0) / reference_gdp) ** elasticity
    return level[:, None] * base[None, :]


def hire(pool: np.ndarray, staff: np.ndarray, targets: np.ndarray, hiring_mask: np.ndarray,
         pay_weight: np.ndarray, allowed: np.ndarray, rate: float) -> np.ndarray:
    """People hired this month, [firms, countries, tiers]; the pool loses the same."""
    gap = np.maximum(targets - staff.sum(axis=1), 0.0) * allowed[:, None]  # [F, T]
    reachable = hiring_mask[:, :, None] * pool[None, :, :]  # [F, C, T]
    reach_total = reachable.sum(axis=1, keepdims=True)
    wanted = gap[:, None, :] * np.divide(
        reachable, reach_total, out=np.zeros_like(reachable), where=reach_total > 0
    )
    # Capacity of a pool is shared among the firms that want from it, by pay.
    bidding = (wanted > 0) * pay_weight[:, None, None]
    bid_total = bidding.sum(axis=0, keepdims=True)
    capacity = rate * pool[None, :, :] * np.divide(
        bidding, bid_total, out=np.zeros_like(bidding), where=bid_total > 0
    )
    return np.minimum(wanted, capacity)


def attrition(staff: np.ndarray, premium: np.ndarray, rate: float, retention: float,
              poach_share: float, pay_weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """People leaving each firm and those rivals poach: (leavers [F,C,T], joiners [F,C,T]).

    Joiners are leavers who move to a rival employing in the same country, in proportion
    to the rivals' pay; the other leavers (all of them where no rival employs) go back to
    the country's pool, so pool change = leavers.sum(0) - joiners.sum(0).
    """
    leavers = staff * (rate * np.exp(-retention * premium))[:, None, None]
    weight = (staff > 0) * pay_weight[:, None, None]  # [F, C, T]
    # A leaver never rejoins the firm left: rivals' weight excludes the firm's own.
    rival_weight = weight.sum(axis=0, keepdims=True) - weight
    share_out = np.divide(
        leavers * poach_share, rival_weight, out=np.zeros_like(leavers), where=rival_weight > 0
    )
    joiners = weight * (share_out.sum(axis=0, keepdims=True) - share_out)
    return leavers, joiners


def migration_rates(pay: np.ndarray, openness: np.ndarray, neighbours: np.ndarray,
                    distance: np.ndarray, rate: float, decay: float) -> np.ndarray:
    """Monthly share of a pool moving from c to each CAGE neighbour k ([C, K, T]).

    Pay and openness do not change within a run, so the model computes this once.
    """
    appeal = np.log(pay) + np.log(np.maximum(openness, 1e-6))[:, None]  # [C, T]
    rows = np.arange(pay.shape[0])[:, None]
    near = distance[rows, neighbours]  # [C, K]
    gain = np.maximum(appeal[neighbours] - appeal[:, None, :], 0.0)  # [C, K, T]
    return rate * np.exp(-decay * near)[:, :, None] * gain


def migration(pool: np.ndarray, rates: np.ndarray, neighbours: np.ndarray,
              noise: np.ndarray) -> np.ndarray:
    """Change in each pool from this month's migration along the CAGE graph ([C, T])."""
    flow_rate = rates * noise
    out_rate = flow_rate.sum(axis=1)
    scale = np.where(out_rate > 1.0, 1.0 / np.maximum(out_rate, 1e-12), 1.0)  # never below 0
    flows = pool[:, None, :] * flow_rate * scale[:, None, :]  # [C, K, T] from c to k
    change = -flows.sum(axis=1)
    into = neighbours.ravel()
    for tier in range(pool.shape[1]):
        change[:, tier] += np.bincount(into, flows[:, :, tier].ravel(), minlength=pool.shape[0])
    return change


def knowledge_step(knowledge: np.ndarray, staff: np.ndarray, productivity: float,
                   elasticity: float, engineer_weight: float, obsolescence: float) -> np.ndarray:
    """Knowledge stock per firm one month later (diminishing returns to research staff)."""
    research = staff[:, :, RESEARCHERS].sum(axis=1) + engineer_weight * staff[
        :, :, ENGINEERS
    ].sum(axis=1)
    return knowledge * (1.0 - obsolescence) + productivity * research**elasticity
