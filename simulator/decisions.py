"""Decisions see margin: expected margin over a horizon for entry, localisation and price.

Pure functions on [countries] or [firms, countries] arrays; `simulator.agents` calls them
and acts on the options that pay. Every option is valued the same way:

  expected margin = horizon x (expected users x margin per user + API margin) - one-off cost

- margin per user = paying share x price x ARPU multiplier (each tier's) - tokens per user x
  cost per token
  (the free tier's serving is in it, so a high token premium can make a market lose money);
- API margin = API revenue x (1 - cost per token / price per token);
- expected users of an entrant = addressable market x the Bass share expected halfway
  through the horizon x an equal share among the firms present plus the entrant (the
  entrant knows it will not take the market from the incumbents at once);
- the running cost of what is already open counts: a commitment step's or an office's
  monthly running cost is part of the margin it must pay for.
"""

from __future__ import annotations

import numpy as np

from simulator.market import bass_step, logit_shares


def margin_per_user(revenue_per_user: np.ndarray, tokens_per_user: np.ndarray,
                    cost_per_token: np.ndarray) -> np.ndarray:
    """Monthly consumer margin of one user (revenue minus the serving of free and paid use)."""
    return revenue_per_user - tokens_per_user * cost_per_token


def expected_adoption(adopted: np.ndarray, p: float, q: float, horizon: float) -> np.ndarray:
    """Bass share of the addressable market expected halfway through the horizon."""
    return bass_step(adopted, p, q, horizon / 2.0)


def entry_margin(addressable: np.ndarray, adoption: np.ndarray, rivals: np.ndarray,
                 per_user: np.ndarray, api_margin: np.ndarray, horizon: float,
                 one_off: np.ndarray, running: float) -> np.ndarray:
    """Expected margin over the horizon of entering each country ([countries])."""
    users = addressable * adoption / (rivals + 1.0)
    monthly = users * per_user + api_margin / (rivals + 1.0) - running
    return horizon * monthly - one_off


def share_if(utility: np.ndarray, present: np.ndarray, firm: int,
             change: np.ndarray) -> np.ndarray:
    """The firm's logit share per country if its utility moved by `change` (rivals fixed)."""
    moved = utility.copy()
    moved[firm] = moved[firm] + change
    return logit_shares(moved, present)[firm]


def best_option(margins: np.ndarray) -> np.ndarray:
    """Index of the option with the largest expected margin per country ([options, C])."""
    return np.argmax(margins, axis=0)
