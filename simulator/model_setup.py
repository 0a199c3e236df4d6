"""How a StrategyModel sets itself up from its scenario: markets, talent, entry, channels.

`WorldSetup` is the model's set-up half (a mixin of `simulator.model.StrategyModel`): the
arrays each mechanism starts from, read once from the scenario, the world data and the
technology profile. Some are recomputed when a branch adopts a move mid-run
(`simulator.run.branching`): the price options, the serving mask and entry's experience.
"""

from __future__ import annotations

import numpy as np

from simulator import economics, enterprise, market, talent
from simulator.availability import (
    ACTIVITIES,
    activity_forbidden,
    forbidden_by_month,
    strategy_notes,
)
from simulator.entry import experience_needed, regulatory_burden
from simulator.finance import Ledger, list_prices, lite_prices, local_price
from simulator.firm_economics import localised_premiums
from simulator.footprint import Footprint
from simulator.technology import scaled_premium
from simulator.tokenizers import firm_premiums
from simulator.world import curated


class WorldSetup:
    """The set-up of a StrategyModel's state from its scenario (see the module)."""

    def _tokenizer_changes(self) -> dict[int, list[tuple]]:
        """Month -> (firm, premium per country, English tokens per char, once localised)."""
        geo, changes = self.geo, {}
        hub_global = self.tech.token_premium[self.global_index]
        scale = self.scenario.technology.token_premium_scale
        for f, firm in enumerate(self.scenario.firms):
            for change in firm.model.tokenizer_changes:
                month = self.scenario.month_of(change.month)
                if month > self.months:
                    continue
                premium, tpc, note = firm_premiums(self.profile, change.tokenizer,
                                                   geo.lang_codes, geo.lang_weights, hub_global)
                premium = scaled_premium(premium, scale)
                localised = localised_premiums(self.profile, change.tokenizer,
                                               firm.strategy.localise, self.tech.regions, geo,
                                               scale, premium)
                changes.setdefault(max(month, 1), []).append((f, premium, tpc, localised))
                if note and note not in self.notes:
                    self.notes.append(note)
        return changes

    def _setup_channels(self) -> None:
        """Each channel's firm, first month and reach x conversion per country."""
        geo, firm_of, start, share = self.geo, [], [], []
        for f, firm in enumerate(self.scenario.firms):
            for channel in firm.channels:
                row = np.zeros(geo.size)
                row[geo.places(channel.countries) if channel.countries else slice(None)] = (
                    channel.reach * channel.conversion)
                firm_of.append(f)
                start.append(self.scenario.month_of(channel.start))
                share.append(row)
        self.channel_firm = np.array(firm_of, dtype=int)
        self.channel_start = np.array(start, dtype=float)
        self.channel_share = np.array(share).reshape(len(share), geo.size)

    def _setup_market(self) -> None:
        """Addressable markets, prices, users, API shares, taste shocks and money."""
        p, geo, firms = self.params, self.geo, self.scenario.firms
        shape = (len(firms), geo.size)
        self.home = np.array([geo.index(f.home) for f in firms])
        self.launch_month = np.array([f.launch_month for f in firms])
        self.app_month = np.array([0 if f.own_app is None else self.scenario.month_of(f.own_app)
                                   for f in firms])  # first month users may choose the firm
        # People a perfect assistant could reach; the ceiling's share of them grows with the
        # best model each country has been served (market.capability_ceiling).
        self.reachable = geo.is_market * market.addressable_market(geo.population, geo.online,
                                                                   1.0)
        self.capability_start = 1.0 + max(f.capability for f in firms)
        self.best_capability = np.full(geo.size, self.capability_start)
        self.addressable = self.start_addressable = self.reachable * p.adoption_ceiling
        self.bass = market.monthly_rate(p.bass_p_annual), market.monthly_rate(p.bass_q_annual)
        self.api_bass = (market.monthly_rate(p.api_bass_p_annual),
                         market.monthly_rate(p.api_bass_q_annual))
        self.organisations = np.zeros(geo.size)  # share of organisations buying AI, [C]
        self.price_options = self.list_price_options()
        self.lite = lite_prices(firms, geo)  # [F, C], NaN where a firm sells no lite tier
        ppp = np.array([f.strategy.pricing.ppp_adjusted for f in firms])
        self.price_choice = np.repeat(ppp.astype(int)[:, None], geo.size, axis=1)
        self.set_prices()
        self.region_of = np.full(shape, self.global_index)
        self.shock = np.zeros(shape)
        self.users = np.zeros(shape)  # this month's users: chosen ones and channel-only ones
        self.chosen = np.zeros(shape)  # users who chose the firm in the market (its state)
        self.entered = np.full(shape, np.inf)  # month people could first choose it there
        self.api_share = np.zeros(shape)
        self.market_share = np.zeros(shape)  # API shares through cloud marketplaces
        self.marketplace_from = enterprise.marketplace_months(self.scenario, geo)
        self.cash = np.array([f.cash_usd for f in firms], dtype=float)
        self.alive = np.ones(len(firms), dtype=bool)
        self.parent_funding_cap = np.array([f.parent_funding_usd_monthly for f in firms])
        self.financed = np.zeros(len(firms))  # equity and a parent's funding received so far
        self.equity_rounds = np.zeros((self.months + 1, len(firms)))  # [month, firm] raised
        for f, spec in enumerate(firms):
            for round_ in spec.funding:
                month = self.scenario.month_of(round_.month)
                if 1 <= month <= self.months:  # one before the start is in cash_usd already
                    self.equity_rounds[month, f] += round_.usd
        self.exit_month = np.full(len(firms), -1)
        self.burn = np.zeros(len(firms))
        self.net = np.zeros(len(firms))
        self.last_revenue = np.zeros(shape)
        self.ledger = Ledger(shape)

    def list_price_options(self) -> np.ndarray:
        """[2, F, C] price options per country: 0 the list price, 1 the PPP-adjusted one."""
        p, geo = self.params, self.geo
        list_price = list_prices(self.scenario.firms, geo)  # [F, C], regional tiers included
        everywhere = np.ones(len(self.scenario.firms), dtype=bool)
        return np.stack([local_price(list_price, ~everywhere, geo.gdp_per_capita,
                                     p.reference_gdp_per_capita_usd, p.ppp_price_floor),
                         local_price(list_price, everywhere, geo.gdp_per_capita,
                                     p.reference_gdp_per_capita_usd, p.ppp_price_floor)])

    def set_prices(self) -> None:
        """Consumer prices from each firm's chosen option, the paying shares they convert.

        `paying` pays the full tier, `lite_paying` the lite one at `lite_price` (0 where it
        sells nothing).
        """
        rows, columns = np.indices(self.price_choice.shape)
        self.price = self.price_options[self.price_choice, rows, columns]
        self.paying, self.lite_price, self.lite_paying = self.econ.menu(self.price, self.lite)
        self.price_term = self.econ.price_term(self.price, self.lite)  # the logit's variable

    def _setup_talent(self) -> None:
        """Pay, hiring targets and places, staff at home, pools, knowledge."""
        p, geo, firms = self.params, self.geo, self.scenario.firms
        n_firms, n = len(firms), geo.size
        self.salary_premium = np.array([f.strategy.hiring.salary_premium for f in firms])
        self.pay_weight = np.exp(self.salary_premium)
        self.targets = np.array([[f.strategy.hiring.target_researchers,
                                  f.strategy.hiring.target_engineers] for f in firms], dtype=float)
        self.salary = talent.salaries(geo.gdp_per_capita, p.reference_gdp_per_capita_usd,
                                      np.array([p.salary_researcher_usd, p.salary_engineer_usd]),
                                      p.salary_gdp_elasticity)
        self.monthly_pay = (self.salary[None, :, :] * (1.0 + self.salary_premium)[:, None, None]
                            / 12.0)
        self.migration_rates = talent.migration_rates(
            self.salary, geo.openness, geo.neighbours, geo.distance, p.migration_rate_monthly,
            p.migration_distance_decay)
        self.staff = np.zeros((n_firms, n, 2))
        for i, f in enumerate(firms):
            self.staff[i, self.home[i]] = (f.talent.researchers, f.talent.engineers)
        totals = np.array([p.talent_pool_researchers, p.talent_pool_engineers])
        self.pool = geo.talent_share * totals[None, :]
        self.knowledge = np.array([f.capability for f in firms], dtype=float)
        self.released = self.knowledge.copy()  # the capability users meet (simulator.releases)
        self.training = np.zeros(n_firms, dtype=bool)  # paying for this month's training

    def _setup_entry(self) -> None:
        """The footprint (home: the lab), availability, compliance, experience rules."""
        p, geo, s = self.params, self.geo, self.scenario
        n_firms, n = len(s.firms), geo.size
        report = np.array(geo.report_region)
        # A country in no summary region (Europe outside the EU) takes the region of its
        # nearest CAGE neighbour for offices' spill-over (the United Kingdom's is the EU).
        inside = report != "other"
        if inside.any():
            nearest = np.argmin(np.where(inside[None, :], geo.distance, np.inf), axis=1)
            report = np.where(inside, report, report[nearest])
        self.report_regions = tuple(sorted(set(report)))
        self.region_mask = np.stack([report == r for r in self.report_regions])  # [R, C]
        hiring = np.zeros((n_firms, n), dtype=bool)
        for i, f in enumerate(s.firms):
            hiring[i, geo.places(f.strategy.hiring.countries or [f.home])] = True
        self.footprint = Footprint.start(
            self.home, geo.is_market[self.home], self.region_mask, hiring,
            geo.in_bloc[self.home].copy(), p.office_spillover,  # at home in the EU: complies
            geo.in_bloc)
        rules, homes = curated.load_availability(), [f.home for f in s.firms]
        start = s.month_dates(1)[0]
        self.forbidden = self.serving_forbidden()
        # What the rules forbid beyond serving; strategies naming it are noted, not errors.
        self.constraints = {activity: activity_forbidden(activity, self.months, geo.iso2,
                                                         homes, rules, start)
                            for activity in ACTIVITIES[1:]}
        self.notes += strategy_notes(s.firms, geo, rules, self.constraints)
        self.home_distance = geo.distance[self.home]
        self.potential, self.experience_needed = self.entry_experience()

    def serving_forbidden(self) -> np.ndarray:
        """[months + 1, F, C] bool: the firm may not serve the country that month.

        Rules of data/availability.csv, the firms' own lists and their suspensions (a branch
        that edits a strategy reads it again, `simulator.run.branching`).
        """
        geo, s = self.geo, self.scenario
        excluded = np.zeros((len(s.firms), geo.size), dtype=bool)
        for i, f in enumerate(s.firms):
            excluded[i, geo.places(f.strategy.exclude)] = True
        forbidden = forbidden_by_month(self.months, geo.iso2, [f.home for f in s.firms],
                                       excluded, [f.suspensions for f in s.firms],
                                       curated.load_availability(), s.month_dates(1)[0])
        for i, f in enumerate(s.firms):  # the firm's own launch calendar
            for rollout in f.strategy.rollout:
                before = min(self.months + 1, max(0, s.month_of(rollout.start)))
                forbidden[:before, i, geo.places([rollout.place])] = True
        return forbidden

    def entry_experience(self) -> tuple[np.ndarray, np.ndarray]:
        """Yearly revenue potential per firm and country, and the experience entries need.

        Potential at the start's market and the firms' prices; the Uppsala experience each
        entry needs from it ([F, C] each).
        """
        p, s = self.params, self.scenario
        potential = 12.0 * economics.consumer_revenue(
            self.start_addressable[None, :], self.price, self.paying, self.lite_price,
            self.lite_paying, 1.0)
        burden = regulatory_burden(self.entry_cost(np.arange(len(s.firms)))[0], potential,
                                   p.burden_revenue_share)
        return potential, np.stack([
            experience_needed(f.strategy.entry_rule, self.home_distance[i] + burden[i],
                              p.uppsala_learning_months, p.uppsala_distance_weight)
            for i, f in enumerate(s.firms)])
