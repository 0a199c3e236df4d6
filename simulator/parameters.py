"""Behavioural parameters of the strategy model, each default with its source or reason.

A scenario overrides any of them under `[parameters]`; a sweep varies them (`[uncertain]`).
Sources are given in full in `simulator/ODD.md` (section Details, Parameters).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Parameters(BaseModel):
    """Every number the model's equations use that is not data about a country or a firm."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Market: Bass (1969) diffusion. Mean coefficients of the meta-analysis of
    # Sultan, Farley and Lehmann (1990): p = 0.03, q = 0.38 per year.
    bass_p_annual: float = Field(0.03, gt=0, le=1)
    bass_q_annual: float = Field(0.38, ge=0, le=5)
    # Share of the literate, able-to-pay population that ever uses an AI assistant:
    # ChatGPT reached ~10% of the world's adults in 2025 with ~800M weekly users (OpenAI).
    adoption_ceiling: float = Field(0.6, gt=0, le=1)
    # Affordability: logistic in log GDP per capita (PPP); half the literate people can
    # afford a device and data at this income (ITU Facts and Figures 2023: internet use
    # is ~50% around 10-15k USD PPP per head).
    affordability_gdp_pc_usd: float = Field(12_000.0, gt=0)
    affordability_slope: float = Field(1.5, gt=0)
    # Income at which prices and salaries are quoted: US GDP per head, PPP (IMF WEO 2024).
    reference_gdp_per_capita_usd: float = Field(80_000.0, gt=0)
    # Paying users among all users (OpenAI: ~20M subscribers of ~500M weekly users, 2025).
    paying_share: float = Field(0.05, ge=0, le=1)
    # Usage: requests per user per month and characters (prompt + answer) per request.
    requests_per_user_month: float = Field(150.0, ge=0)
    chars_per_request: float = Field(3_000.0, ge=0)
    # Measured small-model serving cost -> production cost; 1 = the measured figures as is.
    serving_cost_multiplier: float = Field(1.0, gt=0)
    # Churn and switching: monthly churn of consumer subscriptions ~4-8% (Recurly 2023);
    # of churners this share re-chooses among the firms present, the rest leave the category.
    churn_monthly: float = Field(0.04, ge=0, lt=1)
    switch_share: float = Field(0.6, ge=0, le=1)

    # Multinomial logit (McFadden 1974) utility weights; calibration assumptions.
    beta_quality: float = Field(6.0, ge=0)  # per bit per byte of language-weighted quality
    beta_price: float = Field(-0.4, le=0)  # per percent of monthly income per head
    beta_localised: float = Field(0.5, ge=0)  # a model trained for the country's region
    beta_commitment: float = Field(0.25, ge=0)  # per establishment-chain step above API
    beta_compliance: float = Field(1.0, ge=0)  # x regulatory intensity, when fully compliant
    # AR(1) taste shocks per firm and country, the model's stochastic term.
    demand_shock_sd: float = Field(0.05, ge=0)
    demand_shock_persistence: float = Field(0.9, ge=0, lt=1)

    # Technology: localisation compute (profile train_flops x multiplier) on the
    # scenario's GPUs; at least this many months however many GPUs.
    localisation_compute_multiplier: float = Field(1.0, gt=0)
    localisation_min_months: int = Field(3, ge=0)

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
    # R&D: ideas production with diminishing returns (Jones 1995): dK = a R^lambda - d K.
    rd_productivity: float = Field(0.02, ge=0)
    rd_elasticity: float = Field(0.5, gt=0, le=1)
    engineer_research_weight: float = Field(0.2, ge=0, le=1)
    knowledge_obsolescence: float = Field(0.02, ge=0, lt=1)  # the frontier moves on
    capability_weight: float = Field(0.1, ge=0)  # bits per byte per log unit of knowledge

    # Entry: gravity (Head and Mayer 2014 meta-analysis: mass ~1, distance ~0.9).
    gravity_mass_elasticity: float = Field(1.0, ge=0)
    gravity_distance_elasticity: float = Field(0.9, ge=0)
    # Uppsala risk rule: months of experience per step, x (1 + psychic distance).
    uppsala_learning_months: float = Field(12.0, ge=0)
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
    # Compliance: regulatory intensity is compliance cost / this (capped at 1).
    compliance_cost_reference_usd: float = Field(1e7, gt=0)


def parameter_names() -> list[str]:
    """Names of the parameters a scenario may override or sweep, in declaration order."""
    return list(Parameters.model_fields)
