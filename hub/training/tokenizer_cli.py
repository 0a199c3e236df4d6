"""`hub tokenizer train|eval`: per-region tokenizers and their token premium."""

from __future__ import annotations

import rich_click as click

from hub.home import home_option, hub_home
from hub.languages import region_corpus_langs
from hub.tokenizer import (
    DEFAULT_ALPHA,
    DEFAULT_MAX_CHARS,
    DEFAULT_VOCAB,
    tokenizer_path,
    train_tokenizer,
)
from plumbing.atomic import write_parquet
from plumbing.errors import InputError
from plumbing.json_output import echo_json, json_option

REGION_HELP = "Region name (see `hub regions`), `global` or `english` (English-centric baseline)."


@click.group()
def tokenizer() -> None:
    """Train per-region byte-level BPE tokenizers and measure their token premium.

    Example: `hub tokenizer train --region eu && hub tokenizer eval --region eu`
    """


@tokenizer.command()
@home_option
@click.option(
    "--region", "regions", required=True, multiple=True, help=f"{REGION_HELP} Repeatable."
)
@click.option("--vocab-size", type=click.IntRange(1), default=DEFAULT_VOCAB, show_default=True,
              help="Vocabulary size.")
@click.option(
    "--alpha",
    type=click.FloatRange(0),
    default=DEFAULT_ALPHA,
    show_default=True,
    help="Temperature sampling exponent over language sizes (p ~ n^alpha).",
)
@click.option(
    "--max-chars",
    type=click.IntRange(1),
    default=DEFAULT_MAX_CHARS,
    show_default=True,
    help="Characters of training text drawn from the corpus.",
)
def train(home, regions, vocab_size, alpha, max_chars) -> None:
    """Train {home}/_tokenizers/{region}/tokenizer.json on the corpus train split.

    `hub tokenizer eval --region R` compares R with `global` and `english`: train all three.

    Example: `hub tokenizer train --region eu --region global --region english`
    """
    import math
    import time

    from rich.console import Console

    from hub.corpus.store import read_manifest

    if not math.isfinite(alpha):
        raise InputError(f"--alpha {alpha}: expected a finite number of at least 0")
    home = hub_home(home)
    regions = list(dict.fromkeys(regions))
    # Every region is checked before any tokenizer is replaced: a bad second --region must
    # not leave the first one retrained and the rest as they were.
    corpus_langs = read_manifest(home)["languages"]
    for region in regions:
        tokenizer_path(home, region)
        region_corpus_langs(corpus_langs, region)
    console = Console(stderr=True)
    for region in regions:
        started = time.perf_counter()
        with console.status(f"training the {region} tokenizer"):
            path = train_tokenizer(home, region, vocab_size, alpha, max_chars)
        click.echo(f"{path} ({time.perf_counter() - started:.1f} s)")


@tokenizer.command(name="eval")
@home_option
@click.option("--region", required=True, help=REGION_HELP)
@json_option('{"out": path, "metrics": [row of the metrics Parquet: "model_id", "lang", '
             '"metric", "value", ...]}')
def evaluate(home, region, as_json) -> None:
    """Tokens per char, bytes per token and token premium per language, side by side.

    Compares the region's tokenizer with the global one and the English-centric baseline on
    each language's evaluation set (`hub.measurement.premium`, with intervals); writes
    tidy rows to {home}/_tokenizers/{region}/metrics.parquet.

    Example: `hub tokenizer eval --region eu`
    """
    from rich.console import Console
    from rich.table import Table

    from hub.measurement.premium import region_tokenizer_metrics
    from hub.metrics import metrics_table

    home = hub_home(home)
    with Console(stderr=True).status(f"measuring tokenizers on the {region} languages"):
        metrics = region_tokenizer_metrics(home, region)
    out = tokenizer_path(home, region).with_name("metrics.parquet")
    write_parquet(metrics_table(metrics), out)
    if as_json:
        echo_json({"out": out, "metrics": metrics})
        return
    models = list(dict.fromkeys(m.model_id for m in metrics))
    values = {(m.lang, m.model_id, m.metric): m.value for m in metrics}
    table = Table(title=f"tokenizers on the {region} languages (evaluation sets)")
    table.add_column("lang", no_wrap=True)
    for short in ("tok/char", "premium"):
        for model in models:
            table.add_column(f"{short} {model.split('/', 1)[1]}", justify="right")
    for lang in dict.fromkeys(m.lang for m in metrics):
        cells = [
            f"{values[key]:.3f}" if (key := (lang, model, metric)) in values else "-"
            for metric in ("tokens_per_char", "token_premium_vs_en")
            for model in models
        ]
        table.add_row(lang, *cells)
    Console().print(table)
    click.echo(f"{len(metrics)} rows -> {out}")
