"""The tidy metrics table of DESIGN.md (one measurement per row)."""

from __future__ import annotations

import platform
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

import pyarrow as pa

METRICS_SCHEMA = pa.schema(
    [
        ("model_id", pa.string()),
        ("region", pa.string()),
        ("lang", pa.string()),
        ("metric", pa.string()),
        ("value", pa.float64()),
        ("unit", pa.string()),
        ("precision", pa.string()),  # fp32 | int8 | n/a (tokenizer-only figures)
        ("device", pa.string()),
        ("measured_at", pa.string()),  # ISO 8601, UTC
        ("machine", pa.string()),
    ]
)


def machine_name() -> str:
    """A short description of this machine for provenance."""
    return f"{platform.node()} {platform.machine()} {platform.processor() or ''}".strip()


def now_iso() -> str:
    """The current UTC time, ISO 8601, to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class Metric:
    """One measurement."""

    model_id: str
    region: str
    lang: str
    metric: str
    value: float
    unit: str
    precision: str = "fp32"
    device: str = "cpu"
    measured_at: str = field(default_factory=now_iso)
    machine: str = field(default_factory=machine_name)


def metrics_table(rows: list[Metric]) -> pa.Table:
    """Rows as a table in METRICS_SCHEMA."""
    return pa.Table.from_pylist([asdict(r) for r in rows], schema=METRICS_SCHEMA)
