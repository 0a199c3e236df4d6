"""Agents: firms decide; country markets and talent pools are views on the model's arrays.

Firms are few and decide in Python (localise, enter, commit). Markets and talent pools are
many, so their state lives in the model's numpy arrays and each agent holds only its index:
the monthly update is vectorised, while the agents still give Mesa's structure (AgentSet,
inspection, the TUI's drill-down) a named object per country.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mesa
import numpy as np

from simulator.entry import explicit_next, next_market
from simulator.scenario import Firm


@dataclass
class LocalisationPlan:
    """One region's localised model: when it is due, what it costs, when it is done."""

    region: str
    region_index: int
    start_month: int
    cost_usd: float
    months: int
    started: int | None = None

    @property
    def end_month(self) -> int | None:
        """Month the localised model goes live (None until started)."""
        return None if self.started is None else self.started + self.months


class FirmAgent(mesa.Agent):
    """A firm: its scenario spec and the decisions it takes each month."""

    def __init__(self, model: mesa.Model, index: int, spec: Firm, home: int,
                 plans: list[LocalisationPlan], entry_order: list[int],
                 excluded: np.ndarray) -> None:
        super().__init__(model)
        self.index, self.spec, self.home = index, spec, home
        self.plans, self.entry_order, self.excluded = plans, entry_order, excluded
        self.last_entry = -math.inf

    @property
    def name(self) -> str:
        """The firm's name from the scenario."""
        return self.spec.name

    def decide(self) -> None:
        """Start due localisations, enter the next market, commit further where it pays."""
        m, f = self.model, self.index
        if not m.alive[f]:
            return
        reserve = m.params.cash_reserve_months * m.burn[f]
        month = m.steps
        for plan in self.plans:
            if plan.started is None and month >= plan.start_month:
                if m.cash[f] >= reserve + plan.cost_usd:
                    plan.started = month
        self._enter(month, reserve)
        self._commit(month, reserve)

    def _enter(self, month: int, reserve: float) -> None:
        m, f = self.model, self.index
        if month - self.last_entry < 12.0 / self.spec.strategy.entries_per_year:
            return
        candidate = m.geo.is_market & (m.level[f] == 0) & ~np.isfinite(m.pending_until[f])
        candidate &= ~self.excluded
        if self.spec.strategy.entry_rule == "explicit":
            country = explicit_next(self.entry_order, candidate)
        else:
            jitter = m.streams["entry"].normal(0.0, 0.01, candidate.size)
            country = next_market(m.entry_order_keys(f), candidate, jitter)
        if country is None:
            return
        costs, delays = m.entry_cost(f)
        cost = float(costs[country])
        if m.cash[f] < reserve + cost:
            return  # the preferred market waits until the firm can pay for compliance
        m.ledger.book("compliance_spend", f, country, cost)
        m.pending_until[f, country] = month + math.ceil(delays[country])
        m.bloc_compliant[f] |= bool(m.geo.in_bloc[country])
        self.last_entry = month

    def _commit(self, month: int, reserve: float) -> None:
        m, f = self.model, self.index
        level = m.level[f]
        arpu = np.asarray(m.params.commitment_arpu)
        setup = np.asarray(m.params.commitment_setup_usd)
        eligible = (
            (level >= 1)
            & (level < self.spec.strategy.max_commitment)
            & (month - m.level_since[f] >= m.experience_needed[f])
        )
        eligible[self.home] = False
        if not eligible.any():
            return
        step = np.minimum(level, 3)  # index of the next level's figures (level + 1 - 1)
        current = arpu[np.maximum(level - 1, 0)]
        # Commit when three years of the extra revenue per user pay for the step.
        gain = m.last_revenue[f] * 36.0 * (arpu[step] / current - 1.0) - setup[step]
        gain = np.where(eligible, gain, -np.inf)
        country = int(np.argmax(gain))
        cost = float(setup[step[country]])
        if gain[country] > 0 and m.cash[f] >= reserve + cost:
            m.level[f, country] += 1
            m.level_since[f, country] = month
            m.ledger.book("commitment_spend", f, country, cost)


class CountryAgent(mesa.Agent):
    """An agent standing for one country: it holds the country's index into the arrays."""

    def __init__(self, model: mesa.Model, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def iso2(self) -> str:
        """The country's ISO alpha-2 code."""
        return self.model.geo.iso2[self.index]


class MarketAgent(CountryAgent):
    """A country market; its users and prices are columns of the model's arrays."""

    @property
    def users(self) -> np.ndarray:
        """Users per firm in this country now."""
        return self.model.users[:, self.index]

    @property
    def addressable(self) -> float:
        """People who could adopt here."""
        return float(self.model.addressable[self.index])


class TalentPoolAgent(CountryAgent):
    """A country's pool of AI researchers and engineers not employed by a modelled firm."""

    @property
    def available(self) -> np.ndarray:
        """People per tier (researchers, engineers) in the pool now."""
        return self.model.pool[self.index]
