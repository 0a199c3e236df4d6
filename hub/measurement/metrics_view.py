"""Measurements as a rich table: one row per language, one column per (metric, precision)."""

from __future__ import annotations

from collections.abc import Sequence

from hub.metrics import Metric

Column = tuple[str, str, str]  # (title, metric, precision)


def metrics_grid(title: str, rows: Sequence[Metric], columns: Sequence[Column], digits: int = 4):
    """A rich Table of `rows` pivoted by language; columns nobody measured are left out."""
    from rich.table import Table

    values: dict[str, dict[tuple[str, str], float]] = {}
    for row in rows:
        values.setdefault(row.lang, {})[(row.metric, row.precision)] = row.value
    shown = [c for c in columns if any((c[1], c[2]) in cells for cells in values.values())]
    table = Table(title=title)
    table.add_column("lang")
    for heading, _, _ in shown:
        table.add_column(heading, justify="right")
    for lang in sorted(values):
        cells = values[lang]
        table.add_row(
            lang,
            *(f"{cells[(m, p)]:.{digits}g}" if (m, p) in cells else "" for _, m, p in shown),
        )
    return table
