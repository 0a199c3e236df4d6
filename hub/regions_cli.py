"""The `regions` command (shared by `hub regions` and `simulator regions`)."""

from __future__ import annotations

from pathlib import Path

import rich_click as click

from plumbing.json_output import echo_json, json_option
from plumbing.numbers import compact

REGIONS_SCHEMA = (
    '{"regions": [{"name", "description", "territories": [ISO 3166 code], "population": int, '
    '"languages": [{"lang", "speakers": number}]}]}; with --region one such object with '
    '"share" (of the region) per language; with --territories {"territories": [{"code", '
    '"population", "m49_region", "languages": [{"lang", "share"}]}]}; --top languages each'
)


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
@json_option(REGIONS_SCHEMA)
def regions(region_name: str | None, extra_file: Path | None, top: int | None,
            territories: bool, as_json: bool) -> None:
    """List world regions with their territories, population and top languages by speakers.

    Languages come from CLDR (population x share of speakers, per territory).

    Example: `hub regions --top 5`, `simulator regions --region eu`,
    `hub regions --file data/regions.example.toml --region dach`,
    `simulator regions --json | jq '.regions[].population'`
    """
    from rich.console import Console
    from rich.table import Table

    from hub import cldr
    from hub.regions import all_regions, get_region

    console = Console()
    if territories:
        listed = sorted(cldr.territory_info().items())
        if as_json:
            echo_json({"territories": [
                {"code": code, "population": i.population,
                 "m49_region": cldr.subregion_of().get(code, ""),
                 "languages": [{"lang": lang, "share": share}
                               for lang, share, _ in i.languages[:top or 3]]}
                for code, i in listed]})
            return
        table = Table("code", "population", "M.49 region", "top languages")
        for code, info in listed:
            langs = ", ".join(f"{lang} {share:.0%}" for lang, share, _ in
                              info.languages[:top or 3])
            subregion = cldr.subregion_of().get(code, "")
            table.add_row(code, compact(info.population), subregion, langs)
        console.print(table)
        return
    if region_name is not None:
        region = get_region(region_name, extra_file)
        if as_json:
            echo_json(_region_entry(region, top or 10, shares=True))
            return
        console.print(f"[bold]{region.name}[/]: {region.description}")
        console.print(f"{len(region.territories)} territories: {' '.join(region.territories)}")
        console.print(f"population {compact(region.population)}")
        table = Table("language", "speakers", "share of region")
        for lang, speakers in region.top_languages(top or 10):
            table.add_row(lang, compact(speakers), f"{speakers / region.population:.1%}")
        console.print(table)
        return
    top = top or 3
    if as_json:
        echo_json({"regions": [_region_entry(r, top) for r in all_regions(extra_file)]})
        return
    table = Table("region", "territories", "population", f"top {top} languages (speakers)")
    for region in all_regions(extra_file):
        langs = ", ".join(f"{lang} {compact(n)}" for lang, n in region.top_languages(top))
        count, population = str(len(region.territories)), compact(region.population)
        table.add_row(region.name, count, population, langs)
    console.print(table)


def _region_entry(region, top: int, shares: bool = False) -> dict:
    """One region as REGIONS_SCHEMA states it."""
    languages = [{"lang": lang, "speakers": speakers,
                  **({"share": speakers / region.population} if shares else {})}
                 for lang, speakers in region.top_languages(top)]
    return {"name": region.name, "description": region.description,
            "territories": list(region.territories), "population": region.population,
            "languages": languages}
