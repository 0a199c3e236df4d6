"""Cloud instance prices per hour and LLM API prices per million tokens (shipped tables).

`data/gpu_prices.csv` holds on-demand list prices of common GPU instances and of small
2-vCPU CPU instances (what `hub bench` uses to price CPU serving); `data/api_prices.csv`
holds list prices of hosted LLM APIs. Each row names its source and date (`data/SOURCES.md`).
A user overrides an instance price by passing their own figure where a command asks for one.

Serving cost is not priced from a model's own timing on this machine (eight identical
architectures measured 3,522-4,481 tokens/s here: timing noise, not a regional difference).
It comes from the model's size and a reference accelerator (`REFERENCE_HARDWARE`):

    seconds per token = 2 x parameters FLOPs / (peak FLOP/s x utilisation)
    USD per token     = seconds per token x the instance's USD per hour / 3600
    USD per 1M chars  = tokens per character x 1e6 x USD per token
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from plumbing.errors import InputError
from plumbing.shipped import shipped_path
from plumbing.tables import read_table

# The CPU instance that prices serving on a 2-core machine like the one the hub is built on.
DEFAULT_CPU_INSTANCE = "m7i.large"
FLOPS_PER_PARAM_PER_TOKEN = 2  # a forward pass: one multiply and one add per weight


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


@dataclass(frozen=True)
class ReferenceHardware:
    """The accelerator that stands for serving in the cost figures, each number with its source.

    Attributes:
        instance: A row of data/gpu_prices.csv whose hourly price applies.
        accelerator: Its accelerator, as in that row.
        peak_flops: Dense 16-bit tensor FLOP/s of one accelerator.
        peak_source: Where `peak_flops` comes from.
        utilisation: Share of the peak a serving stack reaches on average.
        utilisation_source: Why that share.
    """

    instance: str
    accelerator: str
    peak_flops: float
    peak_source: str
    utilisation: float
    utilisation_source: str

    @property
    def usd_per_hour(self) -> float:
        """The instance's list price (data/gpu_prices.csv)."""
        return instance_price(self.instance)

    def usd_per_token(self, params: int, usd_per_hour: float | None = None) -> float:
        """Reference cost of one token of a model with `params` parameters.

        Args:
            params: the model's parameter count.
            usd_per_hour: a price to use instead of the instance's list price.
        """
        seconds = FLOPS_PER_PARAM_PER_TOKEN * params / (self.peak_flops * self.utilisation)
        hourly = self.usd_per_hour if usd_per_hour is None else usd_per_hour
        return seconds * hourly / 3600.0

    def usd_per_1m_chars(self, tokens_per_char: float, params: int) -> float:
        """Reference cost of serving one million characters at `tokens_per_char`."""
        return tokens_per_char * 1e6 * self.usd_per_token(params)


REFERENCE_HARDWARE = ReferenceHardware(
    instance="g6.xlarge",
    accelerator="L4",
    peak_flops=121e12,
    peak_source=(
        "NVIDIA L4 Tensor Core GPU datasheet (2023): 242 TFLOPS FP16/BF16 tensor with "
        "structured sparsity, i.e. 121 TFLOPS dense"
    ),
    utilisation=0.3,
    utilisation_source=(
        "assumption, between low-batch decoding (a few percent of peak: it is bound by "
        "memory bandwidth) and the 76% model FLOPS utilisation Pope et al. 2022 "
        "('Efficiently Scaling Transformer Inference') reach on large-batch prefill"
    ),
)
