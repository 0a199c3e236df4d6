"""StrategyModel: LLM firms expanding into country markets, one step a month (Mesa 3).

State lives in numpy arrays over firms x countries (users, API shares, commitment, staff,
flows) so the month's update is a handful of vectorised operations; Mesa gives the
structure: the model, one agent per firm that owns the firm's decisions, and the random
number generator. Every random draw comes from one of `STREAMS`, independent generators
split from the run's seed with `numpy.random.SeedSequence.spawn`, so adding a stream at the
end never shifts the draws of the others. The month's record is `simulator.recorder`. The
ODD description of the model is `simulator/ODD.md`.
"""

from __future__ import annotations

from pathlib import Path

import mesa
import numpy as np

from simulator import channels, economics, enterprise, market, releases, talent
from simulator.agents import FirmAgent
from simulator.entry import entry_keys, regulatory_burden
from simulator.family_quality import FamilyQuality
from simulator.firm_economics import FirmEconomics
from simulator.footprint import per_level
from simulator.geography import Geography, build_geography
from simulator.model_setup import WorldSetup
from simulator.recorder import Recorder
from simulator.scenario import Scenario
from simulator.technology import (
    TechnologyProfile,
    check_localisations,
    country_technology,
    coverage_notes,
    load_profile,
)

STREAMS = ("model", "demand", "talent", "entry")  # append new streams at the end only


class StrategyModel(WorldSetup, mesa.Model):
    """Firms, country markets and talent pools of one scenario, stepped monthly."""

    def __init__(self, scenario: Scenario, seed: int | None = None,
                 profile: TechnologyProfile | str | Path | None = None,
                 months: int | None = None, geography: Geography | None = None) -> None:
        self.seed_used = scenario.seed if seed is None else int(seed)
        seeds = np.random.SeedSequence(self.seed_used).spawn(len(STREAMS))
        super().__init__(rng=np.random.default_rng(seeds[0]))
        self.streams = {"model": self.rng} | {
            name: np.random.default_rng(s) for name, s in zip(STREAMS[1:], seeds[1:], strict=True)
        }
        self.scenario, self.params = scenario, scenario.parameters
        self.months = scenario.months if months is None else int(months)
        if not isinstance(profile, TechnologyProfile):
            profile = load_profile(profile or scenario.profile_path(), scenario.profile_size)
        check_localisations(profile, [p.region for f in scenario.firms
                                      for p in f.strategy.localise])
        self.profile = profile
        self.geo = geo = geography or build_geography(scenario)
        self.tech = country_technology(profile, geo.lang_codes, geo.lang_weights)
        self.notes = coverage_notes(self.tech, geo.iso2, geo.population * geo.is_market)
        self.global_index = self.tech.regions.index("global")
        self.econ = FirmEconomics.build(scenario, profile, self.tech, geo, self.notes)
        self.family_quality = FamilyQuality.build(
            [f.model.family for f in scenario.firms], geo.lang_codes, geo.lang_weights,
            scenario.month_dates(self.months + 1), self.params.localisation_quality_gain)
        self.notes += [n for n in self.family_quality.notes if n not in self.notes]
        estimated = [c for c in geo.online_estimated if geo.is_market[geo.index(c)]]
        if estimated:
            self.notes.append("people online estimated from income per head (no usable ITU "
                              "figure): " + ", ".join(estimated))
        self.tokenizer_changes = self._tokenizer_changes()
        self.releases = releases.scenario_schedule(scenario, self.months)
        self._setup_channels()
        self._setup_market()
        self._setup_talent()
        self._setup_entry()
        for i, spec in enumerate(scenario.firms):
            FirmAgent(self, i, spec, int(self.home[i]))
        self.firms = list(self.agents_by_type[FirmAgent])
        self.recorder = Recorder(self.months, len(scenario.firms), geo.size)
        self.factor = 1.0  # this month's compute cost relative to month 1

    def entry_cost(self, firm: int | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(compliance cost, delay in months) of entering each country, for one firm.

        The EU's regimes count only until the firm has complied with them once.
        """
        geo = self.geo
        bloc = geo.in_bloc & ~np.atleast_1d(self.footprint.bloc_compliant[firm])[:, None]
        cost = geo.compliance_cost + np.where(bloc, geo.bloc_cost, 0.0)
        delay = np.maximum(geo.compliance_delay, np.where(bloc, geo.bloc_delay, 0.0))
        return (cost, delay) if np.ndim(firm) else (cost[0], delay[0])

    def entry_order_keys(self, firm: int) -> np.ndarray:
        """Sort key per country for the firm's next entry (lowest first), at today's costs."""
        p, rule = self.params, self.scenario.firms[firm].strategy.entry_rule
        cost, _ = self.entry_cost(firm)
        burden = regulatory_burden(cost, self.potential[firm], p.burden_revenue_share)
        return entry_keys(rule, self.home_distance[firm], self.potential[firm], burden,
                          p.gravity_mass_elasticity, p.gravity_distance_elasticity)

    def cost_factor(self, month: float) -> float:
        """Compute cost in `month` relative to month 1 (simulator.compute, cost decline)."""
        keep = 1.0 - self.scenario.compute.cost_decline_annual
        return keep ** ((month - 1.0) / 12.0)

    def horizon_cost_factor(self) -> float:
        """Average compute cost factor over the decision horizon from this month."""
        months = self.steps + np.arange(int(self.params.decision_horizon_months))
        return float(np.mean([self.cost_factor(t) for t in months])) if months.size else 1.0

    def step(self) -> None:
        """One month: decisions, localisation, entries, market, talent, money."""
        month = self.steps
        self.factor = self.cost_factor(month)
        self.ledger.reset()
        for firm, *figures in self.tokenizer_changes.get(month, []):
            self.econ = self.econ.with_tokenizer(firm, *figures)
        self.released = releases.released_knowledge(self.released, self.knowledge,
                                                    self.releases[min(month, self.months)])
        firms = self.agents_by_type[FirmAgent]
        firms.do("decide")
        firms.do("train_localisations", month)
        self.footprint.complete_entries(month, self.alive)
        self._market(month)
        self._talent()
        self._finance(month)
        self.recorder.record(self, month)
        if month >= self.months:
            self.running = False

    def own_cash(self) -> np.ndarray:
        """Each firm's cash less what investors and a parent put in since the start.

        What advice values: a discounted cash flow counts the firm's operating flows, not
        its financing, so a move a parent pays for is still a loss to the group.
        """
        return self.cash - self.financed

    def forbidden_now(self) -> np.ndarray:
        """[firms, countries] bool: the firm may not serve the country this month."""
        return self.forbidden[min(self.steps, self.months)]

    def forbidden_to(self, activity: str) -> np.ndarray:
        """[firms, countries] bool: the rules forbid `activity` (api, hire, office, lab) now."""
        return self.constraints[activity][min(self.steps, self.months)]

    def present(self, month: int | None = None) -> np.ndarray:
        """Firms selling in each country ([firms, countries] bool) this month."""
        month = self.steps if month is None else month
        allowed = ~self.forbidden[min(month, self.months)]
        live = self.alive & (month >= self.launch_month)  # at home too, from its launch
        return (self.footprint.served() & live[:, None] & self.geo.is_market[None, :]
                & allowed)

    def choosable(self, month: int | None = None) -> np.ndarray:
        """Firms people may choose in each country ([F, C] bool): present, with an own app."""
        month = self.steps if month is None else month
        return self.present(month) & (month >= self.app_month)[:, None]

    def _base_utility(self, level: np.ndarray) -> np.ndarray:
        p = self.params
        return (p.beta_capability * np.log1p(self.released)[:, None]
                - p.beta_quality * self.quality_gap(self.region_of)
                + p.beta_localised * (self.region_of != self.global_index)
                + p.beta_commitment * np.maximum(level - 1, 0)
                + self.shock)

    def quality_gap(self, region_of: np.ndarray) -> np.ndarray:
        """Language term of each firm's model in each country ([F, C]) this month.

        A firm with a model family: its published per-language quality (simulator.
        family_quality); else the hub model it serves (the global or a localised one).
        """
        gap, families = self.econ.quality_gap(region_of), self.family_quality
        for f in np.flatnonzero(families.has_family()):
            gap[f] = families.gap(f, self.steps, region_of[f] != self.global_index)
        return gap

    def utility(self) -> np.ndarray:
        """Consumer logit utility of each firm's offer in each country ([firms, countries])."""
        p, total = self.params, self.chosen.sum(axis=0, keepdims=True)
        installed = np.divide(self.chosen, total, out=np.zeros_like(self.chosen), where=total > 0)
        return (self._base_utility(self.footprint.effective_level())
                + p.beta_price * self.price_term + p.beta_installed * installed
                - p.beta_entry_order * np.log(market.entry_order(self.entered)))

    def api_utility(self) -> np.ndarray:
        """API buyers' logit utility: quality and log price per character ([firms, countries])."""
        relative = (self.econ.api_price_per_char(self.region_of) * self.factor
                    / self.econ.reference_per_char)
        return (self._base_utility(self.footprint.effective_level())
                + self.params.beta_api_price * np.log(relative)
                + self.params.beta_residency * self.footprint.resident)

    def adoption(self) -> np.ndarray:
        """Share of each country's addressable market that chose any firm ([countries])."""
        total = self.chosen.sum(axis=0)
        return np.divide(total, self.addressable, out=np.zeros_like(total),
                         where=self.addressable > 0)

    def _raise_ceiling(self, present: np.ndarray) -> None:
        """Addressable markets from the best model each country has been served so far.

        A running maximum: a model does not get worse when its maker stops training (the
        knowledge stock's obsolescence is relative to a moving frontier), and a pool that
        never shrinks keeps every firm's users within it.
        """
        served = np.where(present, 1.0 + self.released[:, None], 0.0).max(axis=0)
        self.best_capability = np.maximum(self.best_capability, served)
        p = self.params
        self.addressable = self.reachable * market.capability_ceiling(
            p.adoption_ceiling, self.best_capability, self.capability_start,
            p.ceiling_capability_elasticity)

    def _market(self, month: int) -> None:
        p, econ, flows = self.params, self.econ, self.ledger.flows
        rho = p.demand_shock_persistence
        draws = self.streams["demand"].standard_normal(self.shock.shape)
        self.shock = rho * self.shock + p.demand_shock_sd * np.sqrt(1 - rho**2) * draws
        present = self.present(month)
        self._raise_ceiling(present)
        churn = p.churn_monthly + p.trial_churn_monthly * np.exp(
            -(month - 1) / p.trial_decay_months)  # triers leave first; below 1 (Parameters)
        choosable = self.choosable(month)
        self.entered = np.where(choosable, np.minimum(self.entered, month), self.entered)
        self.chosen = market.market_step(self.chosen, self.addressable, choosable,
                                         self.utility(), *self.bass, churn, p.switch_share,
                                         p.switching_cost)
        self.users = self.chosen
        if self.channel_firm.size:
            ramp = channels.channel_ramp(self.channel_start, month, p.channel_ramp_months)
            floor = channels.channel_floor(self.channel_firm, self.channel_share, ramp,
                                           self.addressable, len(self.firms))
            self.users = channels.with_channel_users(self.chosen, floor, present,
                                                     self.addressable)
        active = self.users * present  # a suspended firm's users are dormant
        arpu = per_level(p.commitment_arpu, self.footprint.effective_level())
        consumer = economics.consumer_revenue(active, self.price, self.paying, self.lite_price,
                                              self.lite_paying, arpu)
        consumer_tokens = active * econ.tokens_per_user(
            self.region_of, econ.paid_use(self.paying, self.lite_paying))
        api = self._api_revenue(month, present)
        api_tokens = api / (econ.api_price[:, None] * self.factor)
        flows["revenue"] += consumer + api
        flows["serving_cost"] += ((consumer_tokens + api_tokens)
                                  * econ.serving_cost[:, None] * self.factor)
        measures = self.ledger.measures
        measures["api_revenue"] += api
        measures["api_tokens"] += api_tokens
        measures["tokens"] += consumer_tokens + api_tokens
        measures["paying_users"] += active * (self.paying + self.lite_paying)  # whom it bills

    def _api_revenue(self, month: int, present: np.ndarray) -> np.ndarray:
        """This month's API revenue per firm and country: direct sales and marketplaces."""
        p, econ = self.params, self.econ
        selling = present & ~self.forbidden_to("api")  # organisations a firm may sell to
        listed = selling & (self.marketplace_from <= month)  # and through a marketplace
        utility, footprint = self.api_utility(), self.footprint
        office = enterprise.office_presence(footprint.offices, footprint.covered(),
                                            footprint.spillover)
        target = market.logit_shares(utility + p.beta_office_direct * office, selling)
        self.api_share = economics.adjust_shares(self.api_share, target, selling,
                                                 p.api_share_adjustment)  # direct sales
        self.market_share = economics.adjust_shares(
            self.market_share, market.logit_shares(utility, listed), listed,
            p.api_share_adjustment)
        # Organisations adopt where some firm sells to them; each better model widens what
        # they buy for as it widens the consumers' pool (the ceiling's growth).
        self.organisations = np.where(selling.any(axis=0), market.bass_step(
            self.organisations, *self.api_bass), self.organisations)
        spend = economics.api_spend(self.geo.gdp_usd, p.api_spend_share_gdp,
                                    self.organisations * np.divide(
                                        self.addressable, self.start_addressable,
                                        out=np.zeros(self.geo.size),
                                        where=self.start_addressable > 0))
        # Cost-plus: the API price falls with the compute cost.
        direct, marketplace = enterprise.channel_spend(spend, p.direct_sales_share,
                                                       listed.any(axis=0))
        price = econ.api_price_per_char(self.region_of) * self.factor
        api = sum(economics.api_revenue(share, channel, price, econ.reference_per_char,
                                        p.api_price_elasticity)
                  for share, channel in ((self.api_share, direct),
                                         (self.market_share, marketplace)))
        return api

    def _talent(self) -> None:
        p, geo = self.params, self.geo
        reserve = p.cash_reserve_months * self.burn
        allowed = self.alive & (self.cash > reserve)
        cutting = self.alive & ~allowed & (self.net < 0)
        laid_off = self.staff * (p.layoff_monthly * cutting)[:, None, None]
        self.staff -= laid_off
        self.pool += laid_off.sum(axis=0)
        hiring = self.footprint.hiring & ~self.forbidden_to("hire")
        hired = talent.hire(self.pool, self.staff, self.targets, hiring,
                            self.pay_weight, allowed, p.hire_rate_monthly)
        self.staff += hired
        self.pool -= hired.sum(axis=0)
        leavers, joiners = talent.attrition(self.staff, self.salary_premium, p.attrition_monthly,
                                            p.premium_retention, p.poach_share, self.pay_weight)
        self.staff += joiners - leavers
        self.pool += leavers.sum(axis=0) - joiners.sum(axis=0)
        noise = np.exp(self.streams["talent"].normal(
            0.0, p.migration_noise_sd, (*geo.neighbours.shape, 2)))
        self.pool += talent.migration(self.pool, self.migration_rates, geo.neighbours, noise)
        self.ledger.flows["salaries"] += (self.staff * self.monthly_pay).sum(axis=2)
        # Researchers advance the model only with the compute to train it.
        self.knowledge = talent.knowledge_step(
            self.knowledge, self.staff * self.training[:, None, None], p.rd_productivity,
            p.rd_elasticity, p.engineer_research_weight, p.knowledge_obsolescence)

    def _finance(self, month: int) -> None:
        running = per_level(self.params.commitment_monthly_usd, self.footprint.level)
        abroad = self.footprint.abroad(self.home, self.alive)
        self.ledger.flows["commitment_spend"] += (np.where(abroad, running, 0.0)
                                                  + self.footprint.region_cost)
        rows = np.arange(len(self.home))
        self.ledger.flows["training_spend"][rows, self.home] += (
            self.econ.training_monthly * self.factor * self.training)
        equity = self.equity_rounds[min(month, self.months)] * self.alive
        self.ledger.flows["equity_raised"][rows, self.home] += equity
        # A parent covers the unit's loss, up to what it can pay a month.
        parent = np.minimum(np.maximum(-self.ledger.net(), 0.0), self.parent_funding_cap)
        self.ledger.flows["parent_funding"][rows, self.home] += parent * self.alive
        self.financed += equity + parent * self.alive
        self.net = self.ledger.net()
        self.cash += self.net
        self.burn = self.ledger.costs()
        self.last_revenue = self.ledger.flows["revenue"].copy()
        broke = self.alive & (self.cash < 0)
        if broke.any():
            self._exit(broke, month)

    def _exit(self, broke: np.ndarray, month: int) -> None:
        """Firms out of cash leave every market; their users switch or leave, staff return."""
        self.alive &= ~broke
        self.exit_month[broke] = month
        shares = market.logit_shares(self.utility(), self.choosable(month))
        moved = shares * self.chosen[broke].sum(axis=0) * self.params.switch_share
        self.chosen += moved
        self.users += moved
        self.chosen[broke] = 0.0
        self.users[broke] = 0.0
        self.api_share[broke] = 0.0
        self.pool += self.staff[broke].sum(axis=0)
        self.staff[broke] = 0.0
        self.footprint.exit(broke)
        self.training[broke] = False
