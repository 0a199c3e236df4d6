"""`hub profile`: the registry's measurements as the simulator's technology profile."""

from __future__ import annotations

import shlex
import sys

import rich_click as click

from hub.cli_options import device_option
from hub.home import home_option
from plumbing.errors import InputError
from plumbing.json_output import echo_json, json_option

SHOWN = [
    ("bits_per_byte", "bpb"),
    ("bits_per_char", "bpc"),
    ("primed_compressor_bits_per_char", "xz bpc\nprimed"),
    ("info_parity", "info\nparity"),
    ("token_premium_vs_en", "premium"),
    ("usd_per_1m_chars", "USD/1M chars"),
]


@click.command()
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    default=None,
    help="Parquet file to write [default: technology_profile.parquet in the hub home].",
)
@device_option("Whose speed and cost figures to use.")
@click.option("--all-versions", is_flag=True, help="Every version, not just each region's latest.")
@click.option(
    "--hub-rows-from",
    type=click.Path(dir_okay=False, exists=True),
    default=None,
    help="Take the hub rows from this existing profile instead of the registry (they keep "
    "their own provenance), e.g. to add production tokenizers without retraining.",
)
@click.option(
    "--tokenizer",
    "tokenizers",
    multiple=True,
    metavar="NAME",
    help="Add rows (kind production) for this production tokenizer, e.g. cl100k_base "
    "(repeatable; see `hub premium --help`).",
)
@home_option
@json_option('{"out": path, "notes": [str], "rows": [row of the profile Parquet]}')
def profile(out, device, all_versions, hub_rows_from, tokenizers, home, as_json):
    """Flatten the registry's measurements into a technology profile for the simulator.

    One row per model, region and language (kind hub): bits per byte and per character,
    information parity against English, the compressor baselines, top-1 accuracy, chrF,
    tokens per character, token premium, the reference cost per million characters (with
    95% intervals), the measured latency and throughput (median, min and max run),
    training compute, and provenance (this command, when and where the figures were
    measured, the evaluation set's and the weights' sha256). With --tokenizer, rows for
    production tokenizers (kind production) on the same evaluation sets. Run `hub eval`
    (and `hub bench` for the speed columns) first.

    Example: `hub profile --out data/technology_profile.parquet --tokenizer cl100k_base`
    """
    from pathlib import Path

    from rich.console import Console
    from rich.table import Table

    from hub.home import hub_home
    from hub.measurement.profile import (
        carried_hub_rows,
        production_rows,
        profile_rows,
        profile_table,
    )
    from plumbing.atomic import write_parquet
    from plumbing.outputs import check_output_file

    command = shlex.join(["hub", *sys.argv[1:]]) if sys.argv[1:2] == ["profile"] else "hub profile"
    path = Path(out) if out else hub_home(home) / "technology_profile.parquet"
    check_output_file(path, "--out")  # before the measurements, not after them
    if hub_rows_from:
        rows, notes = carried_hub_rows(Path(hub_rows_from)), []
    else:
        rows, notes = profile_rows(home, device, command, all_versions)
    console = Console(stderr=as_json)  # with --json, stdout holds only the document
    for note in notes:
        console.print(f"[yellow]{note}[/]")
    if not rows:
        where = hub_rows_from or hub_home(home)
        raise InputError(f"nothing to profile in {where}: no hub rows with `hub eval` figures")
    rows += production_rows(hub_home(home), list(tokenizers), command) if tokenizers else []
    table = profile_table(rows)
    write_parquet(table, path)
    if as_json:
        echo_json({"out": path, "notes": notes, "rows": table})
        return
    view = Table(
        "model or tokenizer",
        "lang",
        *(title for _, title in SHOWN),
        title=f"technology profile (speed on {device})",
    )
    for row in table.to_pylist():
        cells = [f"{row[c]:.4g}" if row[c] is not None else "" for c, _ in SHOWN]
        view.add_row(row["model_id"] or row["tokenizer"], row["lang"], *cells)
    console.print(view)
    console.print(f"  {table.num_rows} rows -> {path}")
