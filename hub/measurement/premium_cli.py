"""`hub premium`: token premium vs English per language, production and hub tokenizers."""

from __future__ import annotations

import shlex
import sys

import rich_click as click

from hub.home import home_option
from plumbing.json_output import echo_json, json_option

PREMIUM_SCHEMA = (
    '{"premium": [row of --out: "tokenizer", "lang", "tokens_per_char", "premium_vs_en", '
    '"premium_low", "premium_high", ...], '
    '"prices": [row of --prices-out]|null, "out": path|null, "prices_out": path|null}; with '
    '--extend {"extension": [row of --out], "short": [{"tokenizer", "region", "requested", '
    '"added"}]}'
)


@click.command()
@click.option(
    "--tokenizer",
    "names",
    multiple=True,
    metavar="NAME",
    help="cl100k_base, o200k_base, tekken, mistral_v3, qwen, deepseek or hub:REGION "
    "(repeatable) [default: every production one, and each region's with a model or a "
    "trained tokenizer in --home].",
)
@click.option(
    "--lang",
    "langs",
    multiple=True,
    metavar="LANG",
    help="Language as in the corpus (repeatable) [default: every corpus language]. "
    "English, the reference, is always added.",
)
@click.option(
    "--out", type=click.Path(dir_okay=False), default=None, help="Write the rows to this Parquet."
)
@click.option(
    "--prices",
    is_flag=True,
    help="Also print USD per million characters per language for each API model of "
    "data/api_prices.csv (its tokenizer from data/api_tokenizers.csv, with its certainty).",
)
@click.option(
    "--prices-out",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write those money rows to this Parquet (implies --prices).",
)
@click.option(
    "--corpus",
    "corpus_home",
    type=click.Path(file_okay=False),
    default=None,
    help="Hub home whose corpus gives the evaluation set [default: --home].",
)
@click.option(
    "--extend",
    "extends",
    multiple=True,
    metavar="REGION:N",
    help="Learn N tokens on the region's training split on top of each --tokenizer "
    "(cl100k_base, o200k_base or tekken; default all three) and print the region's "
    "languages before and after (repeatable, e.g. apac:4000 --extend apac:16000).",
)
@click.option(
    "--extend-csv",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write the before/after table the simulator reads (as data/vocab_extension.csv).",
)
@click.option(
    "--train-chars",
    type=click.IntRange(1),
    default=None,
    help="Characters of the region's training split drawn for --extend [default: 3,000,000, "
    "the hub's own tokenizers' budget].",
)
@home_option
@json_option(PREMIUM_SCHEMA)
def premium(names, langs, out, prices, prices_out, corpus_home, extends, extend_csv,
            train_chars, home, as_json):
    """Token premium against English per language, production and hub tokenizers side by side.

    On each language's evaluation set (its corpus test rows, the same bytes for every
    tokenizer): tokens per character, and tokens of the translations over tokens of their
    English originals on the parallel rows, each with a seeded 95% bootstrap interval over
    rows. Production tokenizers are read from installed packages and checked by sha256.

    With --extend REGION:N, N tokens learned on the region's text are merged onto each
    production tokenizer (continued BPE, `hub.measurement.vocab_extension`) and the
    region's languages are measured before and after on the same evaluation sets; --out
    then gains `region` and `added_tokens` columns (0: the production tokenizer).

    Example: `hub premium --lang de --lang ja --tokenizer cl100k_base --out premium.parquet`

    Example: `hub premium --tokenizer cl100k_base --extend apac:16000`
    """
    from rich.console import Console

    from hub.measurement import premium_view
    from hub.measurement.eval_set import evaluation_sets
    from hub.measurement.premium import ENGLISH, measure, premium_table
    from hub.measurement.production_tokenizers import PRODUCTION, hub_names, load_tokenizer
    from hub.metrics import now_iso
    from plumbing.atomic import write_parquet
    from plumbing.errors import InputError
    from plumbing.outputs import check_output_file

    if not extends:
        for option, given in (("--extend-csv", extend_csv), ("--train-chars", train_chars)):
            if given is not None:
                raise InputError(f"{option} needs --extend REGION:N")
    elif prices or prices_out:
        raise InputError("--prices prices production tokenizers as shipped: not with --extend")
    outputs = (("--out", out), ("--prices-out", prices_out), ("--extend-csv", extend_csv))
    for option, path in outputs:
        if path:
            check_output_file(path, option)  # before the measurement, not after it
    console = Console(stderr=as_json)  # with --json, stdout holds only the document
    command = shlex.join(["hub", *sys.argv[1:]]) if sys.argv[1:2] == ["premium"] else "hub premium"
    if extends:
        from hub.measurement.extension_cli import run_extension

        run_extension(console, command, names, langs, extends, train_chars, out, extend_csv,
                      _home(corpus_home or home), as_json)
        return
    tokenizers = [load_tokenizer(name, home) for name in (names or [*PRODUCTION, *hub_names(home)])]
    corpus_home = corpus_home or home
    wanted = list(dict.fromkeys([ENGLISH, *langs])) if langs else None
    if wanted is None:
        from hub.corpus.store import read_manifest

        wanted = sorted(read_manifest(_home(corpus_home))["languages"])
    eval_sets = evaluation_sets(_home(corpus_home), wanted)
    missing = [lang for lang in wanted if lang not in eval_sets]
    if langs and missing:
        raise InputError(f"--lang: no test rows in the corpus for {', '.join(missing)}")
    with console.status("counting tokens") as status:
        results = measure(tokenizers, eval_sets, lambda name: status.update(f"counting: {name}"))
    table, costs = premium_table(results, command, now_iso()), None
    if prices or prices_out:
        from hub.measurement.api_costs import api_cost_table

        costs = api_cost_table(table)
    if out:
        write_parquet(table, out)
    if prices_out:
        write_parquet(costs, prices_out)
    if as_json:
        echo_json({"premium": table, "prices": costs, "out": out, "prices_out": prices_out})
        return
    for grid in premium_view.premium_grids(table, console.width):
        console.print(grid)
    console.print(premium_view.identities(tokenizers))
    if out:
        console.print(f"  {table.num_rows} rows -> {out}")
    if costs is not None:
        console.print(premium_view.api_mapping(costs))
        for grid in premium_view.cost_grids(costs, console.width):
            console.print(grid)
        if prices_out:
            console.print(f"  {costs.num_rows} rows -> {prices_out}")


def _home(path):
    from hub.home import hub_home

    return hub_home(path)
