"""`hub list`, `hub show`, `hub verify`, `hub rm`: browse and maintain the model registry."""

from __future__ import annotations

import rich_click as click

from hub import registry_view as view
from hub.home import home_option, hub_home
from hub.names import check_name
from plumbing.errors import InputError
from plumbing.json_output import echo_json, json_option
from plumbing.numbers import compact


def parse_ref(ref: str, need_version: bool = False) -> tuple[str, str | None]:
    """Split `REGION[@VERSION]`, checking both parts as names that become paths."""
    region, _, version = ref.partition("@")
    check_name("region", region)
    if version:
        check_name("version", version)
    elif need_version:
        raise InputError(f"{ref!r}: name the version too, e.g. {region}@v1")
    return region, version or None


def _print_tables(keys, numbers, rows, title=None) -> None:
    from rich.console import Console

    from plumbing.terminal_table import fitted_tables

    console = Console()
    for table in fitted_tables(keys, numbers, rows, console.width, title):
        console.print(table)


@click.command("list")
@json_option(view.LIST_SCHEMA)
@home_option
def list_models(as_json, home):
    """List every registered model version with its size, languages and headline metrics.

    Example: `hub list --home models`, or `hub list --json | jq '.models[].model_id'`
    """
    from hub import registry
    from hub.registry_catalog import catalog

    # The catalog (Parquet) names the versions; sizes and metrics are read from their files.
    entries = [
        view.list_entry(registry.ModelVersion(hub_home(home), row["region"], row["version"]), row)
        for row in catalog(home).to_pylist()
    ]
    if not entries:
        raise InputError("no registered models in this hub home; train one with `hub train`")
    if as_json:
        echo_json({"models": entries})
        return
    rows = []
    for entry in entries:
        languages = entry["languages"]
        more = f" +{len(languages) - 3}" if len(languages) > 3 else ""
        disk = entry["disk_bytes"]
        headline = [
            "damaged" if entry["metrics_damaged"]
            else (f"{entry[m]:.3g}" if entry[m] is not None else "")
            for m in view.HEADLINE
        ]
        rows.append([
            entry["region"], f"v{entry['version']}", entry["size"] or "",
            " ".join(languages[:3]) + more,
            compact(entry["params"]) if entry["params"] else "",
            f"{disk / 1e6:.1f} MB" if disk is not None else "missing",
            *headline,
        ])
    numbers = ["params", "disk", *(title for title, _ in view.HEADLINE.values())]
    _print_tables(["region", "ver", "size", "languages"], numbers, rows)


@click.command()
@click.argument("ref")
@json_option(view.SHOW_SCHEMA)
@home_option
def show(ref, as_json, home):
    """Show one model version: config, training facts, files and per-language metrics.

    REF is REGION or REGION@VERSION (default: the latest version).

    Example: `hub show eu@v1`, or `hub show eu --json | jq .metrics`
    """
    from hub import registry
    from hub.serving.model_card import CARD_METRICS

    region, version_name = parse_ref(ref)
    entry = view.show_entry(registry.resolve(home, region, version_name))
    if as_json:
        echo_json(entry)
        return
    click.echo(f"{entry['model_id']}  {entry['path']}")
    facts = [[k, view.readable(v)] for k, v in {**entry["model"], **entry["training"]}.items()]
    facts.append(["languages", ", ".join(entry["languages"])])
    _print_tables(["field", "value"], [], facts, "config and training")
    files = [
        [f["name"], f["sha256"][:16], "missing" if f["bytes"] is None else f"{f['bytes']:,}"]
        for f in entry["files"]
    ]
    _print_tables(["file", "sha256"], ["bytes"], files, "files")
    table = entry["metrics"]
    if not table:
        click.echo("no metrics yet: run `hub eval` and `hub bench`")
        return
    shown = [m for m in CARD_METRICS if any(m in row for row in table.values())]
    rows = [
        [lang, *(f"{table[lang][m]:.4g}" if m in table[lang] else "" for m in shown)]
        for lang in sorted(table)
    ]
    _print_tables(["lang"], shown, rows, "metrics per language (fp32, cpu)")


@click.command()
@click.argument("ref", required=False)
@json_option(view.VERIFY_SCHEMA)
@home_option
def verify(ref, as_json, home):
    """Re-hash every file of every version (or of REGION[@VERSION]); exit 1 on any mismatch.

    Example: `hub verify` or `hub verify eu@v1 --json`
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
    say = (lambda *args, **kwargs: None) if as_json else click.secho
    # The home's own state first: removals a killed `hub rm` left are completed, and a
    # damaged or stale catalog (derived from the versions) is named and rebuilt.
    for model_id in registry.finish_removals(home_path):
        say(f"completed the interrupted removal of {model_id}", fg="yellow")
    home_problems = registry.catalog_problems(home_path) if ref is None else []
    for problem in home_problems:
        say(f"FAILED {problem}", fg="red", bold=True)
        registry.rebuild_catalog(home_path)
        say("  rebuilt from the versions on disk")
    report = []
    for version in found:
        problems = registry.verify(version)
        files = 0 if problems else len(version.manifest()["files"])
        report.append({"model_id": version.model_id, "ok": not problems, "files": files,
                       "problems": problems})
        if problems:
            say(f"FAILED {version.model_id}", fg="red", bold=True)
            for problem in problems:
                say(f"  {problem}")
        else:
            say(f"ok     {version.model_id} ({files} files)", fg="green")
    failed = sum(not entry["ok"] for entry in report)
    if as_json:
        echo_json({"checked": len(found), "failed": failed, "home_problems": home_problems,
                     "versions": report})
    else:
        click.echo(f"{len(found)} versions checked, {failed} failed")
    if failed or home_problems:
        raise SystemExit(1)


@click.command()
@click.argument("ref")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@home_option
@json_option('{"removed": model_id, "region", "version": int, "path": path}')
def rm(ref, yes, home, as_json):
    """Delete a model version (asks first unless --yes).

    REF is REGION@VERSION; the version must be named.

    Example: `hub rm eu@v1 --yes`
    """
    from hub import registry

    region, version_name = parse_ref(ref, need_version=True)
    version = registry.resolve(home, region, version_name)
    if not yes:  # with --json the question goes to stderr: stdout carries only the document
        click.confirm(f"Delete {version.model_id} ({version.path})?", abort=True, err=as_json)
    registry.remove(home, region, version.version)
    if as_json:
        echo_json({"removed": version.model_id, "region": region, "version": version.version,
                   "path": version.path})
        return
    click.echo(f"removed {version.model_id}")
