"""`hub corpus build|stats`: build the multilingual corpus and show what it holds."""

from __future__ import annotations

import warnings
from pathlib import Path

import rich_click as click

from hub.home import home_option, hub_home
from plumbing.json_output import echo_json, json_option
from plumbing.numbers import compact

# Skipped inputs shown one by one; the rest are counted (all are listed in the manifest).
SHOWN_WARNINGS = 10


@click.group()
def corpus() -> None:
    """Build and inspect the multilingual corpus under the hub home.

    Example: `hub corpus build && hub corpus stats`
    """


@corpus.command()
@home_option
@click.option(
    "--sources",
    default="cldr,iso-codes,gettext",
    show_default=True,
    help="Comma-separated built-in sources: cldr, iso-codes, gettext, and the optional "
    "debian-docs (man pages and HTML documentation in many languages) ('' for none).",
)
@click.option(
    "--doc-dir",
    "doc_dirs",
    multiple=True,
    type=click.Path(file_okay=False),
    help="Folder of HTML documentation for debian-docs (repeatable) [default: the "
    "installation-guide-*, debian-reference-* and LibreOffice help folders that exist].",
)
@click.option(
    "--gettext-dir",
    "gettext_dirs",
    multiple=True,
    type=click.Path(file_okay=False),
    help="Folder of PO/MO catalogs for the gettext source (default /usr/share/locale).",
)
@click.option(
    "--add",
    "added",
    multiple=True,
    metavar="[LANG=]FILE",
    help="Add a .tmx, .txt, .jsonl, .parquet, .po or .mo file (repeatable).",
)
@click.option("--strict", is_flag=True, help="Fail on an unreadable input instead of skipping it.")
@json_option('{"corpus": path, "manifest": path, "rows": int, "languages": {lang: rows}, '
             '"files": {split: {"name", "sha256"}}, "skipped": [{"source", "file", "reason"}], '
             '"dropped": {reason: int}}')
def build(home, sources, doc_dirs, gettext_dirs, added, strict, as_json) -> None:
    """Read, clean, split and store the corpus in {home}/_corpus/.

    Example: `hub corpus build --sources cldr,iso-codes,gettext,debian-docs --add memory.tmx`
    """
    from rich.console import Console
    from rich.progress import Progress

    from hub.corpus.sources import make_sources
    from hub.corpus.store import MANIFEST, build_corpus, corpus_dir

    names = [name.strip() for name in sources.split(",") if name.strip()]
    chosen = make_sources(
        names, [Path(d) for d in gettext_dirs], list(added), [Path(d) for d in doc_dirs]
    )
    console = Console(stderr=True)
    total = sum(len(source.units) for source in chosen)
    with warnings.catch_warnings(record=True) as caught, Progress(console=console) as progress:
        warnings.simplefilter("always")
        task = progress.add_task("reading sources", total=total)
        manifest = build_corpus(
            hub_home(home), chosen, strict, lambda label: progress.advance(task)
        )
    folder = corpus_dir(hub_home(home))
    for warning in caught[:SHOWN_WARNINGS]:
        console.print(f"[yellow]warning:[/] {warning.message}", markup=True, highlight=False)
    if len(caught) > SHOWN_WARNINGS:
        console.print(
            f"[yellow]... {len(caught) - SHOWN_WARNINGS} more skipped inputs, "
            "listed in the manifest[/]"
        )
    if as_json:  # the warnings above went to stderr; the skipped inputs are in here too
        echo_json({"corpus": folder, "manifest": folder / MANIFEST, "rows": manifest["rows"],
                   "languages": {lang: sum(counts["rows"].values())
                                 for lang, counts in manifest["languages"].items()},
                   "files": manifest["files"], "skipped": manifest["skipped"],
                   "dropped": manifest["dropped"]})
        return
    click.echo(
        f"{manifest['rows']} rows in {len(manifest['languages'])} languages, "
        f"{len(manifest['skipped'])} inputs skipped -> {folder}"
    )


@corpus.command()
@home_option
@click.option("--min-chars", default=0, show_default=True, help="Hide languages below this size.")
@json_option('{"rows": int, "languages": {lang: {"rows": {split: int}, "chars": {split: int}, '
             '"source_chars": {source: int}}} (those of --min-chars or more), "sources": '
             '[{"name", "version", "read", "skipped", ...}], "dropped": {...}}')
def stats(home, min_chars, as_json) -> None:
    """Print rows and characters per language, split and source.

    Example: `hub corpus stats --min-chars 200000`
    """
    from rich.console import Console
    from rich.table import Table

    from hub.corpus.store import read_manifest

    manifest = read_manifest(hub_home(home))
    if as_json:
        shown = {lang: counts for lang, counts in manifest["languages"].items()
                 if sum(counts["chars"].values()) >= min_chars}
        echo_json({"rows": manifest["rows"], "languages": shown,
                   "sources": manifest["sources"], "dropped": manifest["dropped"]})
        return
    source_names = [source["name"] for source in manifest["sources"]]
    console = Console()
    table = Table(title="corpus per language (characters per split and per source)")
    table.add_column("lang", no_wrap=True)
    for column in ("rows", "chars", "train", "valid", "test", *source_names):
        table.add_column(column, justify="right")
    big = 0
    for lang, counts in manifest["languages"].items():
        chars = sum(counts["chars"].values())
        big += chars >= 200_000
        if chars >= min_chars:
            cells = [counts["chars"].get(s, 0) for s in ("train", "valid", "test")]
            cells += [counts["source_chars"].get(name, 0) for name in source_names]
            rows = sum(counts["rows"].values())
            table.add_row(lang, *map(compact, [rows, chars, *cells]))
    console.print(table)
    sources = Table(title="sources")
    for column in ("source", "version", "inputs read", "inputs skipped"):
        sources.add_column(column)
    for source in manifest["sources"]:
        sources.add_row(
            source["name"], source["version"], str(source["read"]), str(source["skipped"])
        )
    console.print(sources)
    console.print(
        f"{manifest['rows']:,} rows, {len(manifest['languages'])} languages, "
        f"{big} with >= 200,000 characters; dropped: {manifest['dropped']}"
    )
