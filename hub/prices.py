"""Cloud instance prices per hour and LLM API prices per million tokens (shipped tables).

`data/gpu_prices.csv` holds on-demand list prices of common GPU instances and of small
2-vCPU CPU instances (what `hub bench` uses to price CPU serving); `data/api_prices.csv`
holds list prices of hosted LLM APIs. Each row names its source and date (`data/SOURCES.md`).
A user overrides an instance price by passing their own figure where a command asks for one.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from hub.errors import InputError
from hub.shipped import shipped_path
from hub.tables import read_table

# The CPU instance that prices serving on a 2-core machine like the one the hub is built on.
DEFAULT_CPU_INSTANCE = "m7i.large"


def _positive(row: dict, *columns: str) -> list[tuple[str, str]]:
    return [(c, f"expected a price above 0, got {row[c]}") for c in columns if row[c] <= 0]


@dataclass(frozen=True)
class InstancePrice:
    """On-demand price of one cloud instance type."""

    provider: str
    instance: str
    accelerator: str  # GPU model, or 'cpu'
    accelerator_count: int
    accelerator_memory_gb: float
    vcpus: int
    memory_gb: float
    cloud_region: str
    usd_per_hour: float
    price_date: str  # YYYY-MM the list price was read
    source_publisher: str
    source_title: str
    source_url: str
    year: int

    @staticmethod
    def check(row: dict) -> list[tuple[str, str]]:
        """Problems with one row's values, as (column, what was expected)."""
        return _positive(row, "usd_per_hour")


@dataclass(frozen=True)
class ApiPrice:
    """List price of a hosted LLM API, US dollars per million tokens."""

    provider: str
    model: str
    input_usd_per_1m: float
    output_usd_per_1m: float
    price_date: str
    source_publisher: str
    source_title: str
    source_url: str
    year: int

    @staticmethod
    def check(row: dict) -> list[tuple[str, str]]:
        """Problems with one row's values, as (column, what was expected)."""
        return _positive(row, "input_usd_per_1m", "output_usd_per_1m")


@cache
def load_gpu_prices() -> tuple[InstancePrice, ...]:
    """Every instance price (data/gpu_prices.csv)."""
    return tuple(read_table(shipped_path("gpu_prices.csv"), InstancePrice))


@cache
def load_api_prices() -> tuple[ApiPrice, ...]:
    """Every API price (data/api_prices.csv)."""
    return tuple(read_table(shipped_path("api_prices.csv"), ApiPrice))


def instance_price(name: str) -> float:
    """US dollars per hour of an instance type, e.g. 'g6.xlarge'; InputError lists the known."""
    prices = {row.instance: row.usd_per_hour for row in load_gpu_prices()}
    if name not in prices:
        raise InputError(f"unknown instance {name!r}: expected one of {', '.join(prices)}")
    return prices[name]
