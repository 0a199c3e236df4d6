"""Behavioural parameters of the strategy model, each default with its source or reason.

A scenario overrides any of them under `[parameters]`; a sweep varies them (`[uncertain]`).
Sources are given in full in `simulator/ODD.md` (section Details, Parameters).
"""

from __future__ import annotations

from pydantic import Field, model_validator

from plumbing.checked import CheckedModel
from simulator.economics import lite_value_share


class Parameters(CheckedModel):
    """Every number the model's equations use that is not data about a country or a firm.

    Unknown keys and unchecked numbers are refused (`plumbing.checked`).
    """

    # Market: Bass (1969) diffusion. Mean coefficients of the meta-analysis of
    # Sultan, Farley and Lehmann (1990): p = 0.03, q = 0.38 per year.
    bass_p_annual: float = Field(0.03, gt=0, le=1)
    bass_q_annual: float = Field(0.38, ge=0, le=5)
    # Share of the people online (ITU; simulator.world.internet_use) who ever use an AI assistant:
    # ChatGPT reached ~10% of the world's adults in 2025 with ~800M weekly users (OpenAI).
    adoption_ceiling: float = Field(0.6, gt=0, le=1)
    # The ceiling rises with the best model a country is served, x (C / C0)^this, C = 1 +
    # knowledge (simulator.market.capability_ceiling): each technology generation brings
    # its own market potential (Norton and Bass 1987). No estimate exists for LLM
    # assistants; 0 keeps the ceiling fixed, and history.toml lets calibration decide.
    ceiling_capability_elasticity: float = Field(0.0, ge=0)
    # Income at which prices and salaries are quoted: US GDP per head, PPP (IMF WEO 2024).
    reference_gdp_per_capita_usd: float = Field(80_000.0, gt=0)
    # A PPP-adjusted price falls with income per head down to this share of the list price:
    # global subscriptions' cheapest country tiers are about a quarter of the US price
    # (ChatGPT Go at 399 rupees in India against Plus at $20, 2025). Calibration prior.
    ppp_price_floor: float = Field(0.25, gt=0, le=1)
    # Paying users among all users at paying_reference_price_usd in a country at
    # paying_reference_gdp_pc_usd (OpenAI: ~20M subscribers of ~500M weekly users, 2025).
    paying_share: float = Field(0.05, gt=0, le=1)
    paying_reference_price_usd: float = Field(20.0, gt=0)  # ChatGPT Plus when measured
    # ...and the income (PPP) it holds at: those subscribers are of users worldwide, richer
    # than the world's ~$23k a head. Calibrated: at $20 the default's US frontier lab then
    # converts 4.6% of its users at month 36 (23,000: 9.8%; 80,000: 1.4%).
    paying_reference_gdp_pc_usd: float = Field(40_000.0, gt=0)
    # Paid conversion (simulator.economics.paying_share): users' willingness to pay is
    # log-logistic, so the paying share is max / (1 + (price / WTP)^k). k is the conversion's
    # price elasticity where few pay: -1 to -4 for freemium apps (Enache, Friberg and
    # Wiklander 2023, IJIO 88), 2 the range's geometric middle. The most that would ever pay:
    # Spotify, a mature freemium subscription with regional tiers, had 263M paying of 675M
    # monthly users (39%, Q4 2024); assumed alike for AI assistants (calibration prior).
    conversion_price_elasticity: float = Field(2.0, gt=0)
    paying_share_max: float = Field(0.4, gt=0, le=1)
    # Willingness to pay scales with income per head (PPP) to this power: 1 = the same share
    # of income everywhere (assumption; prices are US dollars, incomes PPP; calibration prior).
    wtp_income_elasticity: float = Field(1.0, ge=0)
    # A lite tier beside the full one (`strategy.pricing.lite`) carries a share theta of the
    # full tier's value and paid use (simulator.economics.menu_shares). theta is set from a
    # launch: ChatGPT Go at $4.60 a month beside Plus at $20 in India (price ratio 0.23), after
    # which paid subscriptions there doubled (as reported, October 2025), so theta = 0.23 x
    # 2^(1/k) (lite_value_share; data/SOURCES.md, "ChatGPT Go").
    lite_tier_price_ratio: float = Field(0.23, gt=0, lt=1)
    lite_tier_payers_multiple: float = Field(2.0, gt=1)
    # Consumer usage a month per WEEKLY active user, by tier, at usage_reference_gdp_pc_usd
    # (the anchors count prompts over weekly users; a monthly user makes weekly_active_share
    # of these, firm_economics). ChatGPT: 1 billion prompts a day at 300M weekly users
    # (December 2024) and 2.5 billion at about 680M (July 2025, between March's 500M and
    # August's 700M): 101 and 112 a weekly user a month. The free tier's limit keeps free
    # users below paid ones, who use several times more (assumption: 5x); at 3% paying that
    # is 100 and 500. Free users cost serving, pay nothing.
    free_requests_per_month: float = Field(100.0, ge=0)
    paid_requests_per_month: float = Field(500.0, ge=0)
    # Requests per user scale with income per head (PPP) to this power (work use rises with
    # income): Claude's use per working-age person rises 0.7% per 1% of GDP per head across
    # countries (Anthropic Economic Index, September 2025); about half of that is adoption,
    # which the share of people online gives, so 0.35 per user (calibration prior). The usage
    # figures above are the world's average user: world GDP (PPP) per head, ~$185T / 8.1B.
    usage_income_elasticity: float = Field(0.35, ge=0)
    usage_reference_gdp_pc_usd: float = Field(23_000.0, gt=0)
    # Characters a request shows (prompt + answer), and how many times over the model
    # processes them: each turn re-sends the conversation so far (a 5-turn chat processes
    # its text ~3x), plus system prompts; hidden reasoning adds more. Assumptions.
    chars_per_request: float = Field(3_000.0, ge=0)
    context_multiplier: float = Field(3.0, ge=1)
    # Serving cost beyond the physics of simulator.compute (batching, caching, speculative
    # decoding and a cloud partner's discount lower it; idle capacity and hidden reasoning
    # tokens raise it): 1 = the formula as is. history.toml's [uncertain] lets OpenAI's
    # reported inference spend decide it (data/observations.csv, metric serving_cost_ytd).
    serving_cost_multiplier: float = Field(1.0, gt=0)
    # API/enterprise segment, paid per token. Spend once every organisation buys, a share of
    # GDP (PPP) a year, growing with the adoption ceiling as better models widen the uses
    # (simulator.model, ODD "API segment"). ~$8.4B of model API spend in mid-2025 (Menlo
    # Ventures, "2025 Mid-Year LLM Market Update") at roughly a third of the way up the
    # adoption curve, over ~$185T of world GDP (PPP) -> ~1.5e-4. Calibration prior.
    api_spend_share_gdp: float = Field(1.5e-4, ge=0)
    # Organisations adopt on their own Bass curve (simulator.market.bass_step), later and
    # slower than consumers: the Ramp AI Index's share of US businesses paying for AI went
    # from 7% in January 2023 (lindresearch.com citing Ramp) to 46.8% in January 2026 (Ramp
    # Economics Lab); p 0.03 and q 0.65 a year take 7% to about 43% over those three years.
    api_bass_p_annual: float = Field(0.03, gt=0, le=1)
    api_bass_q_annual: float = Field(0.65, ge=0, le=5)
    # Token demand falls with the price per character: constant elasticity against a
    # reference list price (blended input/output, order of data/api_prices.csv). Cheaper
    # tokens bring more use; assumption, calibration prior.
    api_price_elasticity: float = Field(1.2, ge=0)
    api_reference_usd_per_1m_tokens: float = Field(3.0, gt=0)
    # Cost-plus: list price per token = serving cost x (1 + markup); the dearest server is
    # held to the next dearest one's price, never below its own cost (economics.api_prices).
    # data/api_prices.csv list prices are ~2-4x this module's serving cost of models of
    # their reported sizes.
    api_markup: float = Field(2.0, ge=0)
    # Enterprise buyers choose by quality and log price per character; integrations make
    # them move slowly: this share of the gap to the choice shares closes a month.
    beta_api_price: float = Field(-1.5, le=0)
    api_share_adjustment: float = Field(0.1, gt=0, le=1)
    # Enterprise channels (simulator.enterprise): organisations buy this share of API spend
    # from the labs' own sales teams, the rest through the cloud marketplaces they have
    # contracts with (where a listed firm's model is served in the country or its bloc).
    # Not published as a spend share: 71% of organisations reached frontier models through
    # a hyperscaler contract (Forrester 2025, as cited by anchor.is; a count, not spend),
    # and the labs' payouts to the clouds were forecast at about a tenth of Anthropic's
    # revenue at about half the gross profit on those sales (The Information, 2025), which
    # puts a third or more of its sales through marketplaces. Assumed 0.6; calibrated in
    # history.toml's [uncertain].
    direct_sales_share: float = Field(0.6, ge=0, le=1)
    # A local sales office's lift to a firm's direct-sales utility (its own country fully,
    # its summary region's others by office_spillover): sales, support and contracts are
    # local. No published elasticity; an assumption for calibration.
    beta_office_direct: float = Field(0.5, ge=0)
    # Churn and switching: monthly churn of consumer subscriptions ~4-8% (Recurly 2023);
    # of churners this share re-chooses among the firms present, the rest leave the category.
    churn_monthly: float = Field(0.04, ge=0, lt=1)
    switch_share: float = Field(0.6, ge=0, le=1)
    # Novelty: a new category's first users include triers who leave fast, an extra churn
    # trial_churn_monthly x exp(-(t - 1) / trial_decay_months) from the start (ChatGPT's
    # web traffic fell for three months from June 2023, its first declines, Similarweb;
    # "the novelty wearing off" was one reading). 0: no novelty; calibrated in history.
    trial_churn_monthly: float = Field(0.0, ge=0, lt=1)
    trial_decay_months: float = Field(6.0, gt=0)

    # Multinomial logit (McFadden 1974) utility weights; calibration assumptions.
    beta_capability: float = Field(0.6, ge=0)  # per log unit of the firm's knowledge stock
    # Per unit of language quality gap (log of normalised bits over the global model's
    # English, simulator.technology): a language with 10% more bits than English costs 0.3.
    beta_quality: float = Field(3.0, ge=0)
    # Per percent of monthly income per head of the price, where paying_share pays; the
    # logit weighs the paid-tier surplus a user gives up (market.price_burden), so price
    # weighs more where more would pay and less where few would. -0.15 (calibration prior).
    beta_price: float = Field(-0.15, le=0)
    # A flat preference for a model localised for the country's region beyond its measured
    # quality: none is published, so 0; what localising buys is the quality gain below
    # (simulator.family_quality) and, for firms without a family, the hub models' gap.
    beta_localised: float = Field(0.0, ge=0)
    beta_commitment: float = Field(0.25, ge=0)  # per establishment-chain step above API
    # Installed base and switching costs (Klemperer 1995): a user who re-chooses pays this
    # to leave the firm they use; new users lean to what the country already uses (word
    # of mouth, per unit of the firm's share there). Calibration priors.
    switching_cost: float = Field(1.5, ge=0)
    beta_installed: float = Field(1.0, ge=0)
    # Order of entry (Urban, Carter, Gaskin and Mucha 1986: a brand's share is log-linear
    # in its order of entry into the category): the logit's -b ln(order) makes the n-th
    # firm people can choose in a country hold n^-b of the pioneer's share, all else
    # equal. 0, none, unless calibrated (history.toml).
    beta_entry_order: float = Field(0.0, ge=0)
    # AR(1) taste shocks per firm and country, the model's stochastic term.
    demand_shock_sd: float = Field(0.05, ge=0)
    demand_shock_persistence: float = Field(0.9, ge=0, lt=1)

    # Compute (simulator.compute): a model generation's training compute is the final
    # run (6 N D) times this multiple for experiments, ablations and failed runs. OpenAI
    # spent ~$3B on training compute in 2024 (The Information, 2024) against final runs
    # estimated at a few hundred million dollars (Cottier et al. 2024, Epoch AI).
    research_compute_multiple: float = Field(10.0, ge=1)
    # Localising a region = continued pre-training on regional tokens plus post-training
    # (instruction and preference data) in its languages, both per effective language of
    # the region (the inverse Simpson index of its speakers' languages: the EU counts ~10,
    # North America ~2). Per language: ~100B tokens, as Swallow's continued pre-training
    # of Llama 2 70B for Japanese (Fujii et al. 2024), and ~$2M of post-training data
    # (Llama 2 used ~1.4M human comparisons, Touvron et al. 2023; at $5-20 a comparison a
    # tenth of that for one language is $1-3M). Calibration priors.
    localisation_tokens_per_language: float = Field(1e11, gt=0)
    localisation_post_training_usd_per_language: float = Field(2e6, ge=0)
    localisation_compute_multiplier: float = Field(1.0, gt=0)  # x the 6 N D of the tokens
    localisation_min_months: int = Field(3, ge=0)
    # Relative quality (score / English score) a localised model gains in the region's
    # languages, up to the family's English level: the median target-language gain of the
    # published continued pre-training results, 5.3 points (p10 2.66, p90 7.96; Swallow
    # family, data/localisation_results.csv), read as a share of a 100-point English score.
    localisation_quality_gain: float = Field(0.053, ge=0, le=1)
    # Distribution channels (simulator.channels): months for a partner channel's users to
    # reach 63% of their level. Meta AI: 'more than 500 million' monthly users 13 months
    # after its US launch, 'about one billion' after 20 (data/observations.csv); assumption
    # for calibration.
    channel_ramp_months: float = Field(12.0, gt=0)
    # Share of a month's users active in a given week: the model counts monthly users,
    # firms often report weekly ones (ChatGPT's 100M-800M weekly users). No figure is
    # published for assistants; history decides it (data/scenarios/history.toml
    # [uncertain]), from a prior as wide as consumer apps' stickiness.
    weekly_active_share: float = Field(0.6, gt=0, le=1)
    # Decisions compare options by expected margin over this many months (the commitment
    # rule's three years of payback); prices are reviewed this often.
    decision_horizon_months: float = Field(36.0, gt=0)
    price_review_months: int = Field(12, ge=1)

    # Talent pools, world (shares by country: data/talent.csv, MacroPolo 2023). Element AI,
    # Global AI Talent Report 2019: ~22,400 authors at top AI conferences; 2020: ~478,000
    # people with AI skills on LinkedIn.
    talent_pool_researchers: float = Field(22_000.0, gt=0)
    talent_pool_engineers: float = Field(480_000.0, gt=0)
    # US yearly total pay, order of Levels.fyi 2024 figures for ML research scientists and
    # ML engineers; other countries scale with GDP per head to this elasticity (assumption).
    salary_researcher_usd: float = Field(400_000.0, gt=0)
    salary_engineer_usd: float = Field(200_000.0, gt=0)
    salary_gdp_elasticity: float = Field(0.6, ge=0, le=1)  # pay vs GDP per head, cross-country
    hire_rate_monthly: float = Field(0.01, gt=0, le=1)  # max share of a pool hired per month
    attrition_monthly: float = Field(0.015, ge=0, lt=1)  # ~17% a year (LinkedIn: tech ~13%)
    poach_share: float = Field(0.5, ge=0, le=1)  # leavers who join a rival in the country
    premium_retention: float = Field(2.0, ge=0)  # attrition x exp(-this x salary premium)
    migration_rate_monthly: float = Field(0.002, ge=0, le=1)
    migration_distance_decay: float = Field(3.0, ge=0)  # per unit of CAGE distance
    migration_neighbours: int = Field(8, ge=1)  # CAGE graph edges kept per country
    # Lognormal noise on each month's migration flows (sd of log): shocks to visas and
    # offers that the gravity form leaves out. Assumption.
    migration_noise_sd: float = Field(0.1, ge=0)
    # R&D: ideas production with diminishing returns (Jones 1995): dK = a R^lambda - d K.
    rd_productivity: float = Field(0.02, ge=0)
    rd_elasticity: float = Field(0.5, gt=0, le=1)
    engineer_research_weight: float = Field(0.2, ge=0, le=1)
    knowledge_obsolescence: float = Field(0.02, ge=0, lt=1)  # the frontier moves on

    # Entry: gravity (Head and Mayer 2014 meta-analysis: mass ~1, distance ~0.9).
    gravity_mass_elasticity: float = Field(1.0, ge=0)
    gravity_distance_elasticity: float = Field(0.9, ge=0)
    # Uppsala risk rule: months of experience per step, x (1 + uppsala_distance_weight x
    # psychic distance): twice as long at a psychic distance of 0.5 (assumption).
    uppsala_learning_months: float = Field(12.0, ge=0)
    uppsala_distance_weight: float = Field(2.0, ge=0)
    # Regulatory burden: compliance cost against this share of a market's yearly revenue
    # potential (a firm weighs a cost of a tenth of a year's revenue as heavy; assumption).
    burden_revenue_share: float = Field(0.1, gt=0)
    # Sequential entry rules break ties between equal markets with a small normal jitter
    # on the sort key (the entry stream); far below any key difference that matters.
    entry_tie_jitter_sd: float = Field(0.01, ge=0)
    # Establishment chain: API, partner/localised product, sales office with data
    # residency, local lab or data centre. One-off cost, monthly cost, ARPU multiplier.
    commitment_setup_usd: tuple[float, float, float, float] = (0.0, 2e6, 1.5e7, 1.5e8)
    commitment_monthly_usd: tuple[float, float, float, float] = (0.0, 1e5, 8e5, 4e6)
    commitment_arpu: tuple[float, float, float, float] = (1.0, 1.15, 1.4, 1.6)
    # Months of running cost a firm keeps in cash before it starts something new; below
    # that reserve, while losing money, it stops hiring and lays off this share a month.
    cash_reserve_months: float = Field(6.0, ge=0)
    layoff_monthly: float = Field(0.05, ge=0, le=1)
    # Regulation (data/regulation.csv lists the regimes; these price them): a regime's
    # cost = this default by kind + the documented estimates of its obligations; entry
    # waits the longest regime's months. Assumptions: legal set-up anywhere ~$0.2M and a
    # month; a privacy regime (GDPR-like) ~$1M and 3 months (PwC GDPR survey 2017: most
    # large US firms expected $1-10M); an AI regime ~$3M and 6 months (conformity and
    # transparency documentation, China's algorithm filing).
    compliance_base_usd: float = Field(2e5, ge=0)
    compliance_base_months: float = Field(1.0, ge=0)
    compliance_privacy_usd: float = Field(1e6, ge=0)
    compliance_privacy_months: float = Field(3.0, ge=0)
    compliance_ai_usd: float = Field(3e6, ge=0)
    compliance_ai_months: float = Field(6.0, ge=0)
    # Offices (simulator.footprint): an office sells in its own country (level 3 there)
    # and this share of the way to level 3 in its summary region's other served countries
    # (a regional sales team covers neighbours partly: travel, one contract language).
    # No published figure: an assumption for calibration, small by design (data residency
    # and local sales are national).
    office_spillover: float = Field(0.25, ge=0, le=1)
    # Data residency (simulator.footprint): organisations' API utility where their data can
    # stay in the country or its bloc with the firm (its home, a data region). Buyers name
    # residency among their first requirements (the EU's GDPR transfer rules; OpenAI, Azure
    # and Anthropic opened in-region processing for that reason), but no elasticity is
    # published: an assumption for calibration. A data region's monthly cost: the firm's
    # own (power, staff, capacity held for the country) or a cloud partner's region (the
    # partner's capacity, paid per use; the fixed part is the contract). Assumptions.
    beta_residency: float = Field(0.5, ge=0)
    data_region_own_monthly_usd: float = Field(2e6, ge=0)
    data_region_cloud_monthly_usd: float = Field(2e5, ge=0)
    # Research labs abroad (simulator.offices): -log researcher pay and -CAGE distance from
    # home (the language and institutions a firm works in). Assumed weights.
    office_weight_salary: float = Field(1.0, ge=0)
    office_weight_distance: float = Field(6.0, ge=0)
    # Research labs abroad go where researchers are and want to live: log researcher pool
    # and log openness (data/talent.csv: workplace over origin share, where talent
    # settles), less log researcher pay and CAGE distance (the office weights). Assumed.
    lab_weight_talent: float = Field(1.5, ge=0)
    lab_weight_openness: float = Field(1.0, ge=0)

    @model_validator(mode="after")
    def _conversion(self) -> Parameters:
        if self.paying_share >= self.paying_share_max:
            raise ValueError(f"paying_share: expected below paying_share_max "
                             f"({self.paying_share_max}), got {self.paying_share}")
        return self

    @model_validator(mode="after")
    def _lite_tier(self) -> Parameters:
        theta = lite_value_share(self.lite_tier_price_ratio, self.lite_tier_payers_multiple,
                                 self.conversion_price_elasticity)
        if theta >= 1:
            raise ValueError(f"lite_tier_payers_multiple: expected a lite tier worth less than "
                             f"the full one (price ratio x multiple^(1/k) below 1), got "
                             f"{self.lite_tier_price_ratio} x {self.lite_tier_payers_multiple}"
                             f"^(1/{self.conversion_price_elasticity}) = {theta:.3g}")
        return self

    @model_validator(mode="after")
    def _churn(self) -> Parameters:
        # The month's churn is churn_monthly plus the novelty's, at most their sum at launch.
        if self.churn_monthly + self.trial_churn_monthly >= 1:
            raise ValueError(f"trial_churn_monthly: expected churn_monthly + trial_churn_monthly "
                             f"below 1, got {self.churn_monthly} + {self.trial_churn_monthly}")
        return self


def parameter_names() -> list[str]:
    """Names of the parameters a scenario may override or sweep, in declaration order."""
    return list(Parameters.model_fields)
