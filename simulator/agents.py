"""Firm agents: each firm owns its decisions, and every decision sees margin.

Firms are few and decide in Python, once a month, in scenario order: train this month's
model generation (while cash allows), localise, launch in new markets, commit further,
open regional offices and review prices. Options are valued by `simulator.decisions`
(expected margin over `Parameters.decision_horizon_months`); the market, talent and money
equations are vectorised over all countries in `simulator.model`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mesa
import numpy as np

from plumbing.errors import InputError
from simulator import decisions, economics
from simulator.entry import explicit_next, next_market
from simulator.firm_economics import languages_of
from simulator.footprint import Level, per_level
from simulator.offices import best_location, lab_scores
from simulator.scenario.firm import Firm, Localisation


@dataclass
class LocalisationPlan:
    """One region's localised model: when it is due, what it costs, when it is done."""

    region: str
    region_index: int
    start_month: int
    rule: str  # "scheduled": at start_month; "margin": from then on, once it pays
    cost_usd: float
    months: int
    members: np.ndarray  # [C] where it serves once live: the region, or the plan's countries
    share: float  # of the region's effective languages it trains for (1: all of them)
    countries: tuple[str, ...] = ()  # the plan's own countries (none: the whole region)
    started: int | None = None

    @property
    def label(self) -> str:
        """The region, or the region and the countries it is trained for ('apac: JP')."""
        return f"{self.region}: {', '.join(self.countries)}" if self.countries else self.region

    @classmethod
    def of(cls, spec: Localisation, firm: Firm, index: int, econ, geo) -> LocalisationPlan:
        """The plan a firm's `localise` entry describes, costed for its languages."""
        r = econ.regions.index(spec.region)
        members, share = geo.region_members[spec.region], 1.0
        if spec.countries:
            outside = [c for c in spec.countries if not members[geo.index(c)]]
            if outside:
                raise InputError(f"firms.{firm.name}.strategy.localise: expected countries of "
                                 f"region {spec.region}, got {', '.join(outside)}")
            members = members & np.isin(np.arange(geo.size), geo.places(spec.countries))
            share = languages_of(members, geo) / float(econ.languages[r])
        cost, months = econ.localisation(index, r, share)
        return cls(spec.region, r, spec.start_month, spec.rule, cost, months, members, share,
                   tuple(spec.countries))

    @property
    def end_month(self) -> int | None:
        """Month the localised model goes live (None until started)."""
        return None if self.started is None else self.started + self.months


class FirmAgent(mesa.Agent):
    """A firm: its scenario spec and the decisions it takes each month."""

    def __init__(self, model: mesa.Model, index: int, spec: Firm, home: int) -> None:
        super().__init__(model)
        self.index, self.spec, self.home = index, spec, home
        econ, geo = model.econ, model.geo
        self.plans = [LocalisationPlan.of(p, spec, index, econ, geo)
                      for p in spec.strategy.localise]
        self.entry_order = geo.places(spec.strategy.entry_order)
        self.last_entry = -math.inf

    @property
    def name(self) -> str:
        """The firm's name from the scenario."""
        return self.spec.name

    def decide(self) -> None:
        """This month's decisions: a digital launch wherever permitted, the rest by margin."""
        m, f = self.model, self.index
        if not m.alive[f]:
            return
        reserve = m.params.cash_reserve_months * m.burn[f]
        month = m.steps
        m.training[f] = self.spec.model.training_tokens > 0 and m.cash[f] > reserve
        self._localise(month, reserve)
        self._enter(month, reserve)
        self._commit(month, reserve)
        self._open_sites(month, reserve)
        self._open_data_regions(month, reserve)
        if (month - 1) % m.params.price_review_months == 0:
            self._open_office(reserve)
            self._open_lab(reserve)
            if self.spec.strategy.pricing.review_by_margin:
                self._review_prices()

    def train_localisations(self, month: int) -> None:
        """Book this month's spend on localisations in progress; put finished ones live."""
        m, geo = self.model, self.model.geo
        if not m.alive[self.index]:
            return  # a firm that exited stopped its training runs
        for plan in self.plans:
            if plan.started is None or not plan.started <= month <= plan.end_month:
                continue
            members = plan.members
            if month == plan.end_month:  # the region's model goes live
                row = m.region_of[self.index]
                row[members & (row == m.global_index)] = plan.region_index
                continue
            weight = geo.population * members * geo.is_market
            if weight.sum() == 0:
                weight = np.eye(geo.size)[self.home]
            spend = plan.cost_usd / plan.months * weight / weight.sum()
            m.ledger.flows["localisation_spend"][self.index] += spend

    def unit_margins(self, region_of: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(consumer margin per user a month, API margin a month at expected adoption), [C]."""
        m, f, p, econ = self.model, self.index, self.model.params, self.model.econ
        region_of = m.region_of if region_of is None else region_of
        arpu = per_level(p.commitment_arpu, m.footprint.effective_level()[f])
        factor = m.horizon_cost_factor()  # compute gets cheaper over the horizon
        revenue = economics.consumer_revenue(1.0, m.price[f], m.paying[f], m.lite_price[f],
                                             m.lite_paying[f], arpu)
        tokens = econ.tokens_per_user(region_of, econ.paid_use(m.paying, m.lite_paying))[f]
        per_user = decisions.margin_per_user(revenue, tokens, econ.serving_cost[f] * factor)
        adoption = decisions.expected_adoption(m.adoption(), *m.bass, p.decision_horizon_months)
        spend = economics.api_spend(m.geo.gdp_usd, p.api_spend_share_gdp, adoption)
        revenue = economics.api_revenue(np.ones((1, spend.size)), spend,
                                        econ.api_price_per_char(region_of)[f:f + 1] * factor,
                                        econ.reference_per_char, p.api_price_elasticity)[0]
        revenue = np.where(m.forbidden_to("api")[f], 0.0, revenue)  # no sales to organisations
        return per_user, revenue * (1.0 - econ.serving_cost[f] / econ.api_price[f])

    def _localise(self, month: int, reserve: float) -> None:
        m, f = self.model, self.index
        for plan in self.plans:
            if plan.started is not None or month < plan.start_month:
                continue
            # Compute bought now, at this month's price; post-training is people and data.
            plan.cost_usd, _ = m.econ.localisation(f, plan.region_index, plan.share,
                                                   m.cost_factor(month))
            if m.cash[f] < reserve + plan.cost_usd:
                continue
            if plan.rule == "margin" and self._localisation_gain(plan) <= plan.cost_usd:
                continue
            plan.started = month

    def _localisation_gain(self, plan: LocalisationPlan) -> float:
        """Expected margin the region's model adds over the horizon once it is live."""
        m, f, p = self.model, self.index, self.model.params
        members = plan.members & (m.region_of[f] == m.global_index)
        if not members.any():
            return 0.0
        after = m.region_of.copy()
        after[f, members] = plan.region_index
        change = (p.beta_localised - p.beta_quality * (
            m.quality_gap(after)[f] - m.quality_gap(m.region_of)[f]))
        present = m.present() | (np.arange(len(m.firms))[:, None] == f) & m.geo.is_market
        utility = m.utility()
        adoption = decisions.expected_adoption(m.adoption(), *m.bass, p.decision_horizon_months)
        users = m.addressable * adoption
        share_now = decisions.share_if(utility, present, f, np.zeros(m.geo.size))
        share_then = decisions.share_if(utility, present, f, change)
        (now_user, now_api), (then_user, then_api) = self.unit_margins(), self.unit_margins(after)
        gain = (users * (share_then * then_user - share_now * now_user)
                + share_then * then_api - share_now * now_api)
        months_live = max(p.decision_horizon_months - plan.months, 0.0)
        return float(months_live * gain[members].sum())

    def _entry_margins(self, candidate: np.ndarray) -> np.ndarray:
        m, f, p = self.model, self.index, self.model.params
        per_user, api = self.unit_margins()
        adoption = decisions.expected_adoption(m.adoption(), *m.bass, p.decision_horizon_months)
        rivals = m.present().sum(axis=0) - m.present()[f]
        cost, _ = m.entry_cost(f)
        margins = decisions.entry_margin(m.addressable, adoption, rivals, per_user, api,
                                         p.decision_horizon_months, cost,
                                         p.commitment_monthly_usd[0])
        return np.where(candidate, margins, -np.inf)

    def _enter(self, month: int, reserve: float) -> None:
        m, f = self.model, self.index
        strategy = self.spec.strategy
        if month < self.spec.launch_month:
            return
        candidate = m.geo.is_market & m.footprint.candidates(f) & ~m.forbidden_now()[f]
        if not candidate.any():
            return
        margins = self._entry_margins(candidate)
        if strategy.entry_rule == "digital":
            # A chat service is offered wherever it is permitted, loss-making free tiers
            # included (ChatGPT was open in Japan, India and Indonesia from its launch); the
            # most valuable markets first while cash pays their compliance.
            for country in np.argsort(-margins, kind="stable")[: int(candidate.sum())]:
                if not self._launch(int(country), month, reserve):
                    break
            return
        paying = candidate & (margins > 0)
        if month - self.last_entry < 12.0 / strategy.entries_per_year:
            return
        if strategy.entry_rule == "explicit":
            country = explicit_next(self.entry_order, paying)
        else:
            jitter = m.streams["entry"].normal(0.0, m.params.entry_tie_jitter_sd,
                                               candidate.size)
            country = next_market(m.entry_order_keys(f), paying, jitter)
        if country is not None and self._launch(country, month, reserve):
            self.last_entry = month

    def _launch(self, country: int, month: int, reserve: float) -> bool:
        """Pay compliance and start the country's delay; False when cash does not allow it."""
        m, f = self.model, self.index
        costs, delays = m.entry_cost(f)
        cost = float(costs[country])
        if m.cash[f] - m.ledger.flows["compliance_spend"][f].sum() < reserve + cost:
            return False  # the market waits until the firm can pay for compliance
        m.ledger.book("compliance_spend", f, country, cost)
        m.footprint.launch(f, country, month + math.ceil(delays[country]),
                           bool(m.geo.in_bloc[country]))
        return True

    def _commit(self, month: int, reserve: float) -> None:
        """A local partner (level 2) where the extra revenue pays set-up and running cost."""
        m, f, p = self.model, self.index, self.model.params
        level = m.footprint.level[f]
        arpu, setup = np.asarray(p.commitment_arpu), np.asarray(p.commitment_setup_usd)
        running = np.asarray(p.commitment_monthly_usd)
        top = min(self.spec.strategy.max_commitment, Level.PARTNER)
        eligible = ((level == Level.API) & (level < top)
                    & (month - m.footprint.since[f] >= m.experience_needed[f]))
        eligible[self.home] = False
        if not eligible.any():
            return
        horizon = p.decision_horizon_months
        gain = (m.last_revenue[f] * horizon * (arpu[1] / arpu[0] - 1.0) - setup[1]
                - horizon * (running[1] - running[0]))
        gain = np.where(eligible, gain, -np.inf)
        country = int(np.argmax(gain))
        if gain[country] > 0 and m.cash[f] >= reserve + setup[1]:
            self._establish(country, Level.PARTNER, month)

    def _open_office(self, reserve: float) -> None:
        """An office where its extra revenue best pays for it.

        Its own country rises to office level, its region's other served countries by the
        spill-over (`Footprint.effective_level`).
        """
        m, f, p = self.model, self.index, self.model.params
        footprint = m.footprint
        if footprint.offices[f].sum() >= self.spec.strategy.offices:
            return
        arpu, horizon = p.commitment_arpu, p.decision_horizon_months
        now = per_level(arpu, footprint.effective_level()[f])
        revenue = m.last_revenue[f] / now  # at API level's revenue per user
        # Its own country at office level, its region's other served ones by the spill-over.
        local = revenue * (per_level(arpu, Level.OFFICE) - now)
        spill = revenue * (per_level(arpu, footprint.effective_level(
            np.ones_like(footprint.offices))[f]) - now)
        regional = m.region_mask.T @ (m.region_mask @ spill)
        setup = float(per_level(p.commitment_setup_usd, Level.OFFICE))
        gains = (horizon * (local + regional - spill) - setup
                 - horizon * per_level(p.commitment_monthly_usd, Level.OFFICE))
        allowed = (footprint.served()[f] & (footprint.level[f] < Level.OFFICE)
                   & ~m.forbidden_now()[f] & ~m.forbidden_to("office")[f])
        gains = np.where(allowed, gains, -np.inf)
        country = int(np.argmax(gains))
        if gains[country] > 0 and m.cash[f] >= reserve + setup:
            self._establish(country, Level.OFFICE, m.steps)

    def _open_sites(self, month: int, reserve: float) -> None:
        """The strategy's offices and labs in named countries, once served there and paid for."""
        m, f, p = self.model, self.index, self.model.params
        forbidden = m.forbidden_now()[f]
        for site in self.spec.strategy.sites:
            country = m.geo.index(site.country)
            level = Level.OFFICE if site.kind == "office" else Level.LAB
            now = m.footprint.level[f, country]
            barred = forbidden[country] or m.forbidden_to(site.kind)[f, country]  # see notes
            if (month < site.month or now < Level.API or now >= level or barred
                    or m.cash[f] < reserve + float(per_level(p.commitment_setup_usd, level))):
                continue
            self._establish(country, level, month)

    def _open_data_regions(self, month: int, reserve: float) -> None:
        """The strategy's data regions, once the firm serves the country and cash allows."""
        m, f, p = self.model, self.index, self.model.params
        served, forbidden = m.footprint.served()[f], m.forbidden_now()[f]
        for region in self.spec.strategy.data_regions:
            country = m.geo.index(region.country)
            monthly = (p.data_region_own_monthly_usd if region.via == "own"
                       else p.data_region_cloud_monthly_usd)
            if (month < region.month or not served[country] or forbidden[country]
                    or m.footprint.region_cost[f, country] > 0 or m.cash[f] < reserve + monthly):
                continue
            m.footprint.open_data_region(f, country, monthly)

    def _open_lab(self, reserve: float) -> None:
        """A research lab abroad where the research target cannot be met from where it hires."""
        m, f, p = self.model, self.index, self.model.params
        abroad = m.footprint.level[f] == Level.LAB
        abroad[self.home] = False
        setup = float(per_level(p.commitment_setup_usd, Level.LAB))
        if abroad.sum() >= self.spec.strategy.labs or m.cash[f] < reserve + setup:
            return
        researchers = m.pool[:, 0]
        gap = m.targets[f, 0] - m.staff[f, :, 0].sum()
        reachable = p.hire_rate_monthly * researchers[m.footprint.hiring[f]].sum()
        if gap <= reachable * p.decision_horizon_months:
            return
        scores = lab_scores(researchers, m.geo.openness, m.salary[:, 0],
                            m.home_distance[f:f + 1], p)[0]
        allowed = ~m.footprint.hiring[f] & ~m.forbidden_now()[f] & ~m.forbidden_to("lab")[f]
        country = best_location(scores, np.ones_like(allowed), allowed)
        if country is not None:
            self._establish(country, Level.LAB, m.steps)

    def _establish(self, country: int, level: Level, month: int) -> None:
        """Raise the footprint in a country and book the level's set-up cost."""
        m, f = self.model, self.index
        if level == Level.OFFICE:
            m.footprint.open_office(f, country, month)
        else:
            m.footprint.establish(f, country, level, month)
        setup = float(per_level(m.params.commitment_setup_usd, level))
        m.ledger.book("commitment_spend", f, country, setup)

    def _review_prices(self) -> None:
        """List or PPP price per country, whichever has the larger expected margin."""
        m, f, p = self.model, self.index, self.model.params
        present = m.present()
        utility = m.utility()
        users = m.chosen.sum(axis=0)  # the market the price competes for
        arpu = per_level(p.commitment_arpu, m.footprint.effective_level()[f])
        cost = m.econ.serving_cost[f] * m.horizon_cost_factor()
        margins, lite = [], m.lite[f:f + 1]
        for option in m.price_options[:, f]:
            # A firm's shares and price term read its own prices only: its row, [1, C].
            paying, lite_price, lite_paying = m.econ.menu(option[None, :], lite)
            change = p.beta_price * (m.econ.price_term(option[None, :], lite)[0]
                                     - m.price_term[f])
            share = decisions.share_if(utility, present, f, change)
            tokens = m.econ.tokens_per_user(m.region_of,
                                            m.econ.paid_use(paying, lite_paying))[f]
            revenue = economics.consumer_revenue(1.0, option, paying[0], lite_price[0],
                                                 lite_paying[0], arpu)
            margins.append(share * users * decisions.margin_per_user(revenue, tokens, cost))
        choice = decisions.best_option(np.array(margins))
        m.price_choice[f] = np.where(present[f], choice, m.price_choice[f])
        m.set_prices()
