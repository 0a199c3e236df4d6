"""The tidy metrics table of DESIGN.md (one measurement per row).

`low` and `high` bound a figure's 95% bootstrap interval where it has one
(`hub.measurement.bootstrap`); `eval_set_sha256` names the evaluation set
(`hub.measurement.eval_set`) a per-language figure was measured on. Files written before
these three columns existed are read with them null (`upgrade_metrics`).
"""

from __future__ import annotations

import platform
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

import pyarrow as pa

from plumbing.errors import InputError

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
        ("low", pa.float64()),  # 95% interval, where the figure has one
        ("high", pa.float64()),
        ("eval_set_sha256", pa.string()),  # the language's evaluation set, where one was used
    ]
)
# Columns added after the first release; older files lack them and read them as null.
ADDED_COLUMNS = ("low", "high", "eval_set_sha256")


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
    low: float | None = None
    high: float | None = None
    eval_set_sha256: str | None = None


def metrics_table(rows: list[Metric]) -> pa.Table:
    """Rows as a table in METRICS_SCHEMA."""
    return pa.Table.from_pylist([asdict(r) for r in rows], schema=METRICS_SCHEMA)


def upgrade_metrics(table: pa.Table, source: str) -> pa.Table:
    """A metrics table read from `source` in METRICS_SCHEMA, columns added since filled null.

    Raises:
        InputError: a column of the first release is missing (naming `source` and the columns).
    """
    missing = [n for n in METRICS_SCHEMA.names if n not in table.column_names]
    lost = [n for n in missing if n not in ADDED_COLUMNS]
    if lost:
        raise InputError(
            f"{source}: not a metrics table: missing columns {', '.join(lost)} "
            f"(expected {', '.join(METRICS_SCHEMA.names)})"
        )
    for name in missing:
        table = table.append_column(name, pa.nulls(table.num_rows, METRICS_SCHEMA.field(name).type))
    return table.select(METRICS_SCHEMA.names).cast(METRICS_SCHEMA)
