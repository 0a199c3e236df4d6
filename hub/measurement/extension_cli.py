"""`hub premium --extend REGION:N`: a production tokenizer's premium before and after."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from hub.measurement import premium_view
from hub.measurement.eval_set import evaluation_sets
from hub.measurement.extension_premium import (
    extension_csv,
    extension_table,
    measure_extensions,
    parse_extend,
    region_langs,
)
from hub.measurement.premium import ENGLISH
from hub.measurement.production_tokenizers import load_tokenizer
from hub.measurement.vocab_extension import EXTENDABLE, TRAIN_CHARS
from hub.metrics import now_iso
from plumbing.atomic import write_parquet, write_text
from plumbing.errors import InputError
from plumbing.json_output import echo_json


def run_extension(
    console: Console,
    command: str,
    names: Sequence[str],
    langs: Sequence[str],
    extends: Sequence[str],
    train_chars: int | None,
    out: str | None,
    csv_out: str | None,
    corpus_home: Path,
    as_json: bool = False,
) -> None:
    """Check the options, learn, measure, print; write --out and --extend-csv if asked.

    With `as_json`, the rows of --out and the short extensions are printed as one JSON
    document instead of tables (`plumbing.json_output`).

    Raises:
        InputError: a bad REGION:N, a tokenizer that cannot be extended, a language outside
            the regions or without test rows, or no corpus.
    """
    specs = [parse_extend(spec) for spec in extends]
    names = list(dict.fromkeys(names or EXTENDABLE))
    for name in names:
        if name not in EXTENDABLE:
            raise InputError(
                f"--tokenizer {name!r} cannot be extended: --extend continues a tiktoken "
                f"BPE, expected one of {', '.join(EXTENDABLE)}"
            )
    in_regions = sorted({lang for region, _ in specs for lang in region_langs(corpus_home, region)})
    outside = [lang for lang in langs if lang not in in_regions]
    if outside:
        regions = ", ".join(dict.fromkeys(region for region, _ in specs))
        raise InputError(f"--lang: {', '.join(outside)} not a corpus language of {regions}")
    wanted = list(dict.fromkeys([ENGLISH, *langs])) if langs else in_regions
    eval_sets = evaluation_sets(corpus_home, wanted)
    missing = [lang for lang in langs if lang not in eval_sets]
    if missing:
        raise InputError(f"--lang: no test rows in the corpus for {', '.join(missing)}")
    tokenizers = [load_tokenizer(name) for name in names]
    with console.status("learning tokens") as status:
        results = measure_extensions(
            corpus_home, tokenizers, specs, eval_sets, train_chars or TRAIN_CHARS, status.update
        )
    short = sorted({(r.before.identity.name, r.region, r.requested, r.added_tokens)
                    for r in results if r.added_tokens < r.requested})
    table = extension_table(results, command, now_iso())
    if out:
        write_parquet(table, out)
    if as_json:
        echo_json({"extension": table, "short": [
            {"tokenizer": name, "region": region, "requested": requested, "added": added}
            for name, region, requested, added in short]})
    else:
        for grid in premium_view.extension_grids(results, console.width):
            console.print(grid)
        for name, region, requested, added in short:
            console.print(f"  {name} {region}: {added} of {requested} tokens learned (no "
                          "pair left that occurs twice in the training text)")
    if out:
        console.print(f"  {table.num_rows} rows -> {out}")
    if csv_out:
        write_text(csv_out, extension_csv(results, command))
        console.print(f"  before/after table -> {csv_out}")
