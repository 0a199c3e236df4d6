"""`hub profile`: the registry's measurements as the simulator's technology profile."""

from __future__ import annotations

import shlex
import sys

import rich_click as click

from hub.errors import InputError
from hub.home import home_option

SHOWN = [
    ("bits_per_byte", "bpb"),
    ("compressor_bits_per_byte", "xz|zstd"),
    ("chrf", "chrF"),
    ("token_premium_vs_en", "premium"),
    ("tokens_per_s", "tokens/s"),
    ("usd_per_1m_chars", "USD/1M chars"),
]


@click.command()
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    default=None,
    help="Parquet file to write [default: technology_profile.parquet in the hub home].",
)
@click.option(
    "--device",
    type=click.Choice(["cpu", "cuda"]),
    default="cpu",
    show_default=True,
    help="Whose speed and cost figures to use.",
)
@click.option("--all-versions", is_flag=True, help="Every version, not just each region's latest.")
@home_option
def profile(out, device, all_versions, home):
    """Flatten the registry's measurements into a technology profile for the simulator.

    One row per model, region and language: bits per byte, the compressor baseline,
    top-1 accuracy, chrF, tokens per character, token premium, latency, throughput, cost
    per million characters, training compute, and provenance (this command, when and where
    the figures were measured, the weights' sha256). Run `hub eval` and `hub bench` first.

    Example: `hub profile --out data/technology_profile.parquet`
    """
    from pathlib import Path

    from rich.console import Console
    from rich.table import Table

    from hub.atomic import write_parquet
    from hub.home import hub_home
    from hub.measurement.profile import profile_rows

    command = shlex.join(["hub", *sys.argv[1:]]) if sys.argv[1:2] == ["profile"] else "hub profile"
    table, notes = profile_rows(home, device, command, all_versions)
    console = Console()
    for note in notes:
        console.print(f"[yellow]{note}[/]")
    if table.num_rows == 0:
        raise InputError(
            f"nothing to profile in {hub_home(home)}: no version has both `hub eval` and "
            "`hub bench` figures"
        )
    path = Path(out) if out else hub_home(home) / "technology_profile.parquet"
    write_parquet(table, path)
    view = Table(
        "model", "lang", *(title for _, title in SHOWN), title=f"technology profile ({device})"
    )
    for row in table.to_pylist():
        cells = [f"{row[c]:.4g}" if row[c] is not None else "" for c, _ in SHOWN]
        view.add_row(row["model_id"], row["lang"], *cells)
    console.print(view)
    console.print(f"  {table.num_rows} rows -> {path}")
