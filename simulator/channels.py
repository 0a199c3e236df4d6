"""Distribution channels: reach through a parent's or partner's installed base.

Meta AI reached about a billion monthly users inside Meta's apps and Gemini hundreds of
millions through Google's products (data/observations.csv): people met the assistant
where they already were, not by choosing it in a market. A firm's channel
(`[[firms.channels]]`: a partner's product in named countries from a month on) reaches
`reach` of each country's addressable people; of those, `conversion` use the assistant once
the channel has ramped up (1 - exp(-months since launch / channel_ramp_months)):

  floor_fc = sum_channels reach x conversion x ramp(t) x M_c(t)

Channel users are people who meet the assistant inside the partner's product, whether or
not they chose an assistant of their own (a WhatsApp user asking Meta AI in the search bar
is not choosing between assistants). So a channel does not draw on the market, and with no
published overlap between the two the neutral assumption is independence: of the chosen
users N and the floor R among M addressable people, the firm counts N + R (1 - N / M)
people, the union of two independent draws. Only the chosen count in the category's Bass
adoption, the installed-base term of the logit and the switching between firms. A channel
counts only where the firm may serve (availability, compliance delay): it is distribution,
not entry.
"""

from __future__ import annotations

import numpy as np


def channel_ramp(start_months: np.ndarray, month: int, ramp_months: float) -> np.ndarray:
    """Ramp of each channel this month: 0 before its start, rising to 1 ([channels])."""
    age = month - start_months
    return np.where(age >= 0, 1.0 - np.exp(-(age + 1) / ramp_months), 0.0)


def channel_floor(firm_of: np.ndarray, share: np.ndarray, ramp: np.ndarray,
                  addressable: np.ndarray, n_firms: int) -> np.ndarray:
    """Users each firm holds through its channels ([F, C]).

    `firm_of` [K] is each channel's firm, `share` [K, C] its reach x conversion per
    country (0 outside its countries), `ramp` [K] this month's ramp.
    """
    floor = np.zeros((n_firms, addressable.size))
    np.add.at(floor, firm_of, share * ramp[:, None] * addressable[None, :])
    return floor


def with_channel_users(chosen: np.ndarray, floor: np.ndarray, present: np.ndarray,
                       addressable: np.ndarray) -> np.ndarray:
    """Users per firm and country: the chosen ones and the channel's, independent ([F, C])."""
    chose = np.divide(chosen, addressable[None, :], out=np.zeros_like(chosen),
                      where=addressable[None, :] > 0)
    return np.where(present, chosen + floor * (1.0 - np.minimum(chose, 1.0)), chosen)
