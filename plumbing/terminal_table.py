"""Rich tables that fit the terminal without cutting a number.

Rich shrinks columns that do not fit and cuts their cells with an ellipsis, so a figure
piped at 80 columns could read `250.…`. Here number columns keep the width of their widest
cell (no wrapping) and only text columns wrap; where the number columns alone are wider
than the terminal, they are dealt out to several tables that each repeat the key columns.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table

# A column's cost beyond its text: one space of padding either side and one rule.
COLUMN_CHROME = 3
KEY_WIDTH = 12


def _width(header: str, cells: Sequence[str]) -> int:
    return max([len(header), *(len(c) for c in cells)])


def fitted_tables(
    keys: Sequence[str],
    numbers: Sequence[str],
    rows: Sequence[Sequence[str]],
    width: int,
    title: str | None = None,
) -> list[Table]:
    """Tables of `rows` (key cells, then number cells, as text) that fit `width` columns.

    Args:
        keys: Headers of the leading text columns, repeated in every table (they wrap).
        numbers: Headers of the number columns, never wrapped nor cut.
        rows: One sequence of len(keys) + len(numbers) cells per row.
        width: The terminal's width in characters.
        title: Title of the first table.
    """
    columns = list(zip(*rows, strict=True)) if rows else [()] * (len(keys) + len(numbers))
    # Key columns wrap, so each is counted at most KEY_WIDTH wide when the numbers are dealt.
    key_width = sum(
        min(_width(header, columns[i]), KEY_WIDTH) + COLUMN_CHROME for i, header in enumerate(keys)
    )
    groups: list[list[int]] = [[]]
    used = key_width + 1
    for index, header in enumerate(numbers):
        need = _width(header, columns[len(keys) + index]) + COLUMN_CHROME
        if groups[-1] and used + need > width:
            groups.append([])
            used = key_width + 1
        groups[-1].append(index)
        used += need
    tables = []
    for number, group in enumerate(groups):
        table = Table(title=title if number == 0 else None)
        for header in keys:
            table.add_column(header, overflow="fold")
        for index in group:
            cells = columns[len(keys) + index]
            table.add_column(numbers[index], justify="right", no_wrap=True,
                             min_width=_width(numbers[index], cells))
        for row in rows:
            table.add_row(*row[: len(keys)], *(row[len(keys) + i] for i in group))
        tables.append(table)
    return tables
