"""Enterprise (API) buying: direct sales and cloud marketplaces (ODD 3.3, "Enterprise").

Organisations in a country buy a share `Parameters.direct_sales_share` of their API spend
from the labs' own sales teams and the rest through the cloud marketplaces they already
have contracts with (Azure, AWS Bedrock, Google Vertex): a hyperscaler contract is the
path of least resistance (Forrester 2025, 71% of organisations) and the labs pay the
clouds a share of those sales (The Information, 2025). Each channel is a logit market of
its own:

- direct: every firm selling there; a local sales office lifts its utility by
  `beta_office_direct` in its own country and by the office spill-over share in its
  summary region's other countries (`office_presence`);
- marketplace: only the firms listed on a cloud (`[[firms.enterprise.marketplaces]]`)
  whose region keeps the data in the country or its bloc (data/cloud_regions.csv,
  `marketplace_from`). Where no firm sells through a marketplace, its buyers buy direct.

Revenue = sum over channels of spend_channel x share_channel x (price / reference)^(1-e),
the same price elasticity as before (`simulator.economics.api_revenue`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from plumbing.shipped import shipped_path
from plumbing.tables import read_table
from simulator.scenario.firm import CLOUDS, check_country, check_month


@dataclass(frozen=True)
class CloudRegion:
    """A row of data/cloud_regions.csv: a cloud's serving region in one country."""

    provider: str
    country: str
    region: str
    since: str  # YYYY-MM: the launch month, or the month a dated page shows it serving
    source_publisher: str
    source_title: str
    source_url: str
    year: int
    checked: str

    @staticmethod
    def check(values: dict) -> list[tuple[str, str]]:
        """(column, why) for each cell `plumbing.tables` cannot check by type alone."""
        problems = []
        if values["provider"] not in CLOUDS:
            problems.append(("provider", f"expected one of {', '.join(CLOUDS)}, "
                                         f"got {values['provider']!r}"))
        for name, check in (("country", check_country), ("since", check_month)):
            try:
                check(values[name])
            except ValueError as error:
                problems.append((name, str(error)))
        return problems


def cloud_regions() -> tuple[CloudRegion, ...]:
    """The shipped cloud regions (InputError names the file, row and column when bad)."""
    return _read(shipped_path("cloud_regions.csv"))


@cache
def _read(path) -> tuple[CloudRegion, ...]:
    return tuple(read_table(path, CloudRegion))


def region_months(regions, iso2: list[str], in_bloc: np.ndarray, month_of) -> np.ndarray:
    """[clouds, countries] first month each cloud keeps a country's data in it or its bloc.

    inf: never. A region in an EU member serves every member.
    """
    index = {code: i for i, code in enumerate(iso2)}
    months = np.full((len(CLOUDS), len(iso2)), np.inf)
    for row in regions:
        c = index.get(row.country)
        if c is None:
            continue
        k, month = CLOUDS.index(row.provider), month_of(row.since)
        served = in_bloc if in_bloc[c] else np.arange(len(iso2)) == c
        months[k] = np.where(served, np.minimum(months[k], month), months[k])
    return months


def marketplace_from(listed: np.ndarray, regions: np.ndarray) -> np.ndarray:
    """[firms, countries] first month a firm sells through a marketplace there.

    `listed` [F, K] is the month each firm is listed on each cloud (inf: never); a listing
    sells in a country once the cloud serves it: min over clouds of the later month.
    """
    if listed.size == 0:
        return np.full((listed.shape[0], regions.shape[1]), np.inf)
    return np.maximum(listed[:, :, None], regions[None, :, :]).min(axis=1)


def office_presence(offices: np.ndarray, covered: np.ndarray, spillover: float) -> np.ndarray:
    """[F, C] 1 where the firm has a sales office, `spillover` elsewhere in its region."""
    return np.where(offices, 1.0, np.where(covered, spillover, 0.0))


def channel_spend(spend: np.ndarray, direct_share: float,
                  marketplace_open: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """([C] direct, [C] marketplace) spend of the month.

    Marketplace buyers buy direct where no firm is listed on a cloud that serves their
    country (`marketplace_open`, [C] bool).
    """
    marketplace = np.where(marketplace_open, spend * (1.0 - direct_share), 0.0)
    return spend - marketplace, marketplace


def marketplace_months(scenario, geo) -> np.ndarray:
    """[firms, countries] first month each firm sells there through a cloud marketplace.

    inf: never; from its listings and data/cloud_regions.csv.
    """
    listed = np.full((len(scenario.firms), len(CLOUDS)), np.inf)
    for f, firm in enumerate(scenario.firms):
        for listing in firm.enterprise.marketplaces:
            k = CLOUDS.index(listing.cloud)
            listed[f, k] = min(listed[f, k], scenario.month_of(listing.start))
    if not np.isfinite(listed).any():
        return np.full((len(scenario.firms), geo.size), np.inf)  # the table is not read
    return marketplace_from(listed, region_months(cloud_regions(), list(geo.iso2),
                                                  geo.in_bloc, scenario.month_of))
