"""The `regions` command (shared by `hub regions` and `simulator regions`)."""

from __future__ import annotations

from pathlib import Path

import rich_click as click

from plumbing.numbers import compact


@click.command()
@click.option("--region", "-r", "region_name", help="Show one region in detail.")
@click.option(
    "--file",
    "extra_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="TOML file with extra regions ([regions.NAME] territories = [...]). "
    "Default: the file named by $INTL_STRATEGY_REGIONS, if set.",
)
@click.option("--top", type=click.IntRange(1, 1000), default=None,
              help="Languages shown per region or territory (default: 3; 10 with --region).")
@click.option("--territories", is_flag=True, help="List the valid territory codes instead.")
def regions(region_name: str | None, extra_file: Path | None, top: int | None,
            territories: bool) -> None:
    """List world regions with their territories, population and top languages by speakers.

    Languages come from CLDR (population x share of speakers, per territory).

    Example: `hub regions --top 5`, `simulator regions --region eu`,
    `hub regions --file data/regions.example.toml --region dach`
    """
    from rich.console import Console
    from rich.table import Table

    from hub import cldr
    from hub.regions import all_regions, get_region

    console = Console()
    if territories:
        table = Table("code", "population", "M.49 region", "top languages")
        for code, info in sorted(cldr.territory_info().items()):
            langs = ", ".join(f"{lang} {share:.0%}" for lang, share, _ in
                              info.languages[:top or 3])
            subregion = cldr.subregion_of().get(code, "")
            table.add_row(code, compact(info.population), subregion, langs)
        console.print(table)
        return
    if region_name is not None:
        region = get_region(region_name, extra_file)
        console.print(f"[bold]{region.name}[/]: {region.description}")
        console.print(f"{len(region.territories)} territories: {' '.join(region.territories)}")
        console.print(f"population {compact(region.population)}")
        table = Table("language", "speakers", "share of region")
        for lang, speakers in region.top_languages(top or 10):
            table.add_row(lang, compact(speakers), f"{speakers / region.population:.1%}")
        console.print(table)
        return
    top = top or 3
    table = Table("region", "territories", "population", f"top {top} languages (speakers)")
    for region in all_regions(extra_file):
        langs = ", ".join(f"{lang} {compact(n)}" for lang, n in region.top_languages(top))
        count, population = str(len(region.territories)), compact(region.population)
        table.add_row(region.name, count, population, langs)
    console.print(table)
