"""The registry's catalog: one Parquet row per version, derived from the version folders.

`hub.registry` writes it whenever versions change; it can always be rebuilt from them, so a
damaged catalog is named and rebuilt (`hub verify`), never trusted.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from hub.home import hub_home
from plumbing.atomic import write_parquet
from plumbing.errors import InputError

CATALOG = "catalog.parquet"
CATALOG_SCHEMA = pa.schema(
    [
        ("region", pa.string()),
        ("version", pa.int32()),
        ("model_id", pa.string()),
        ("size", pa.string()),
        ("params", pa.int64()),
        ("languages", pa.list_(pa.string())),
        ("created_at", pa.string()),
        ("content_hash", pa.string()),
        ("path", pa.string()),
    ]
)


def catalog(home: Path) -> pa.Table:
    """The catalog: one row per version (empty table with the schema when none).

    Raises:
        InputError: catalog.parquet is damaged (`hub verify` rebuilds it from the versions).
    """
    path = hub_home(home) / CATALOG
    if not path.is_file():
        return CATALOG_SCHEMA.empty_table()
    try:
        return pq.read_table(path, schema=CATALOG_SCHEMA)
    except (OSError, pa.ArrowException) as error:
        raise InputError(f"{path}: damaged catalog ({error}); `hub verify` rebuilds it") \
            from None


def catalog_differences(home: Path, model_ids: list[str]) -> list[str]:
    """How the catalog of `home` differs from the versions `model_ids` on disk ([]: none)."""
    try:
        listed = catalog(home).column("model_id").to_pylist()
    except InputError as error:
        return [error.message]
    if sorted(listed) != sorted(model_ids):
        return [f"{home / CATALOG}: lists {', '.join(listed) or 'nothing'}, the home holds "
                f"{', '.join(model_ids) or 'nothing'}"]
    return []


def write_catalog(home: Path, rows: list[dict]) -> None:
    """Replace the catalog with these rows (atomically)."""
    write_parquet(pa.Table.from_pylist(rows, schema=CATALOG_SCHEMA), home / CATALOG)
