"""`hub list`, `hub show`, `hub verify`, `hub rm`: browse and maintain the model registry."""

from __future__ import annotations

import statistics

import rich_click as click

from hub.errors import InputError
from hub.home import home_option, hub_home
from hub.names import check_name
from hub.numbers import compact

# Headline columns of `hub list`: metric -> (column title, how to summarise over languages).
HEADLINE = {
    "bits_per_byte": ("bits/byte", statistics.fmean),  # mean over languages
    "tokens_per_s": ("tokens/s", max),
}


def parse_ref(ref: str, need_version: bool = False) -> tuple[str, str | None]:
    """Split `REGION[@VERSION]`, checking both parts as names that become paths."""
    region, _, version = ref.partition("@")
    check_name("region", region)
    if version:
        check_name("version", version)
    elif need_version:
        raise InputError(f"{ref!r}: name the version too, e.g. {region}@v1")
    return region, version or None


def _bytes(version) -> int:
    return sum(p.stat().st_size for p in version.path.rglob("*") if p.is_file())


def _metrics(version) -> dict[str, dict[str, float]]:
    """A version's metrics by language; InputError naming a damaged metrics.parquet."""
    import pyarrow as pa

    from hub.serving.model_card import metrics_by_lang

    path = version.file("metrics.parquet")
    try:
        return metrics_by_lang(path)
    except (OSError, KeyError, pa.ArrowException) as error:
        raise InputError(f"{path}: damaged metrics ({error}); measure again with `hub eval` "
                         "and `hub bench`") from None


def _headlines(version) -> list[str]:
    try:
        table = _metrics(version)
    except InputError:
        return ["damaged"] * len(HEADLINE)  # `hub list` goes on; `hub verify` names it
    cells = []
    for metric, (_, summary) in HEADLINE.items():
        values = [row[metric] for row in table.values() if metric in row]
        cells.append(f"{summary(values):.3g}" if values else "")
    return cells


@click.command("list")
@home_option
def list_models(home):
    """List every registered model version with its size, languages and headline metrics.

    Example: `hub list --home models`
    """
    from rich.console import Console
    from rich.table import Table

    from hub import registry
    from hub.registry_catalog import catalog

    table = Table(
        "region",
        "ver",
        "size",
        "params",
        "disk",
        "languages",
        *(title for title, _ in HEADLINE.values()),
    )
    # The catalog (Parquet) names the versions; sizes and metrics are read from their files.
    for row in catalog(home).to_pylist():
        version = registry.ModelVersion(hub_home(home), row["region"], row["version"])
        languages, params = row["languages"] or [], row["params"]
        more = f" +{len(languages) - 3}" if len(languages) > 3 else ""
        table.add_row(
            row["region"],
            f"v{row['version']}",
            row["size"] or "",
            compact(params) if params else "",
            f"{_bytes(version) / 1e6:.1f} MB" if version.path.is_dir() else "missing",
            " ".join(languages[:3]) + more,
            *_headlines(version),
        )
    if not table.row_count:
        raise InputError("no registered models in this hub home; train one with `hub train`")
    Console().print(table)


@click.command()
@click.argument("ref")
@home_option
def show(ref, home):
    """Show one model version: config, training facts, files and per-language metrics.

    REF is REGION or REGION@VERSION (default: the latest version).

    Example: `hub show eu@v1`
    """
    from rich.console import Console
    from rich.table import Table

    from hub import registry
    from hub.serving.model_card import CARD_METRICS

    region, version_name = parse_ref(ref)
    version = registry.resolve(home, region, version_name)
    config, manifest = version.config(), version.manifest()
    console = Console()
    console.print(f"[bold]{version.model_id}[/]  {version.path}")
    facts = Table("field", "value", title="config", show_header=False)
    for key, value in {**config["model"], **config.get("training", {})}.items():
        facts.add_row(key, str(value))
    facts.add_row("languages", ", ".join(config.get("languages", [])))
    console.print(facts)
    files = Table("file", "bytes", "sha256", title="files")
    for name, digest in sorted(manifest["files"].items()):
        path = version.file(name)
        files.add_row(
            name, f"{path.stat().st_size:,}" if path.is_file() else "missing", digest[:16]
        )
    console.print(files)
    metrics = _metrics(version)
    if metrics:
        shown = [m for m in CARD_METRICS if any(m in row for row in metrics.values())]
        per_lang = Table("lang", *shown, title="metrics per language (fp32, cpu)")
        for lang in sorted(metrics):
            per_lang.add_row(
                lang, *(f"{metrics[lang][m]:.4g}" if m in metrics[lang] else "" for m in shown)
            )
        console.print(per_lang)
    else:
        console.print("no metrics yet: run `hub eval` and `hub bench`")


@click.command()
@click.argument("ref", required=False)
@home_option
def verify(ref, home):
    """Re-hash every file of every version (or of REGION[@VERSION]); exit 1 on any mismatch.

    Example: `hub verify` or `hub verify eu@v1`
    """
    from hub import registry

    if ref is not None:
        region, version_name = parse_ref(ref)
        found = (
            [registry.resolve(home, region, version_name)]
            if version_name
            else registry.versions(home, region)
        )
        if not found:
            registry.resolve(home, region)  # raises, naming what exists
    else:
        found = registry.all_versions(home)
    home_path = hub_home(home)
    # The home's own state first: removals a killed `hub rm` left are completed, and a
    # damaged or stale catalog (derived from the versions) is named and rebuilt.
    for model_id in registry.finish_removals(home_path):
        click.secho(f"completed the interrupted removal of {model_id}", fg="yellow")
    home_problems = registry.catalog_problems(home_path) if ref is None else []
    for problem in home_problems:
        click.secho(f"FAILED {problem}", fg="red", bold=True)
        registry.rebuild_catalog(home_path)
        click.echo("  rebuilt from the versions on disk")
    failed = 0
    for version in found:
        problems = registry.verify(version)
        if problems:
            failed += 1
            click.secho(f"FAILED {version.model_id}", fg="red", bold=True)
            for problem in problems:
                click.echo(f"  {problem}")
        else:
            click.secho(
                f"ok     {version.model_id} ({len(version.manifest()['files'])} files)", fg="green"
            )
    click.echo(f"{len(found)} versions checked, {failed} failed")
    if failed or home_problems:
        raise SystemExit(1)


@click.command()
@click.argument("ref")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@home_option
def rm(ref, yes, home):
    """Delete a model version (asks first unless --yes).

    REF is REGION@VERSION; the version must be named.

    Example: `hub rm eu@v1 --yes`
    """
    from hub import registry

    region, version_name = parse_ref(ref, need_version=True)
    version = registry.resolve(home, region, version_name)
    if not yes:
        click.confirm(f"Delete {version.model_id} ({version.path})?", abort=True)
    registry.remove(home, region, version.version)
    click.echo(f"removed {version.model_id}")
