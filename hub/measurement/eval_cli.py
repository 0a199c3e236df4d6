"""`hub eval`: per-language quality of a registered model or a bundle, fp32 and int8."""

from __future__ import annotations

import rich_click as click

from hub.cli_options import METRIC_ROWS, model_version_option
from hub.home import home_option
from plumbing.json_output import echo_json, json_option

EVAL_SCHEMA = (
    '{"model_id", "metrics": ' + METRIC_ROWS + ', "facts": {"chrf_rows", '
    '"torch_ort_worst": float|null, ...}, "saved": [path]}'
)

# What fits a terminal; every figure (torch, int8, intervals) is in metrics.parquet.
COLUMNS = [
    ("bpb", "bits_per_byte", "fp32"),
    ("bpc", "bits_per_char", "fp32"),
    ("xz\nbpc", "primed_compressor_bits_per_char", "n/a"),
    ("par-\nity", "info_parity", "fp32"),
    ("top1", "top1_accuracy", "fp32"),
    ("chrF", "chrf", "fp32"),
    ("tok/\nchar", "tokens_per_char", "n/a"),
    ("prem", "token_premium_vs_en", "n/a"),
    ("int8\n=fp32", "top1_agreement_vs_fp32", "int8"),
]


@click.command("eval")
@click.option("--region", default=None, help="Evaluate this region's registered model.")
@model_version_option()
@click.option("--bundle", "bundle_path", type=click.Path(exists=True), help="Bundle folder or tar.")
@click.option(
    "--chrf-rows",
    default=8,
    show_default=True,
    type=click.IntRange(0),
    help="Parallel rows of each language's evaluation set translated for chrF, at most.",
)
@click.option(
    "--threads", default=None, type=click.IntRange(1), help="onnxruntime intra-op threads."
)
@home_option
@json_option(EVAL_SCHEMA)
def eval_command(
    region,
    version,
    bundle_path,
    chrf_rows,
    threads,
    home,
    as_json,
):
    """Measure a model's quality per language on the fixed evaluation set.

    Every model is scored on the same bytes per language (all test rows in hash order, up
    to 20 KB; the set's sha256 is on every row): bits per byte with onnxruntime (fp32 and
    int8) and PyTorch (which must agree within 0.5%), bits per character and information
    parity against English with 95% bootstrap intervals, next-token top-1 accuracy, the
    xz/zstd baseline cold and primed on the training split, tokens per character, the
    token premium against English, and chrF of the model's translations of held-out
    parallel rows. The corpus comes from the hub home; results are merged into the
    model's metrics.parquet and printed. The compressors' sizes depend on the corpus only
    and are kept in {home}/_cache/compressed_sizes/ for later evaluations (checked on every
    read; safe to delete).

    Example: `hub eval --bundle bundles/eu-v1 --chrf-rows 4`
    """
    import os

    # Idle OpenMP threads sleep instead of spinning (as in `hub train`): on a shared CPU the
    # PyTorch check ran 8x slower with spinning threads (benchmarks/RESULTS.md). Set before
    # torch loads its OpenMP runtime; a user's own setting wins.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    from rich.console import Console

    from hub.measurement.eval_set import DEFAULT_MAX_BYTES
    from hub.measurement.evaluate import EvalSettings, evaluate
    from hub.measurement.measure_target import measure_and_save
    from hub.measurement.metrics_view import metrics_grid

    settings = EvalSettings(chrf_rows, threads=threads)
    console = Console()
    # Progress on stderr, so stdout carries only the results when piped.
    target, rows, facts, written = measure_and_save(
        home,
        region,
        version,
        bundle_path,
        Console(stderr=True),
        lambda target, hub_home, step: evaluate(target, hub_home, settings, step),
    )
    if as_json:
        echo_json({"model_id": target.model_id, "metrics": rows, "facts": facts,
                   "saved": written})
        return
    console.print(
        metrics_grid(
            f"{target.model_id}: quality per language (evaluation set)", rows, COLUMNS, digits=3
        )
    )
    console.print(
        "  bpb/bpc: bits per byte/character, fp32; xz bpc: primed on the training split; "
        "parity: bits vs the English source; prem: tokens vs English"
    )
    console.print(
        f"  all test rows up to {DEFAULT_MAX_BYTES // 1000} KB per language; "
        f"{facts['chrf_rows']} translations per language at most"
    )
    if facts["torch_ort_worst"] is not None:
        console.print(
            "  PyTorch vs onnxruntime bits per byte: worst relative difference "
            f"{facts['torch_ort_worst']:.2g}"
        )
    else:
        console.print("  PyTorch check skipped: the bundle's registry version is not in this home")
    for path in written:
        console.print(f"  saved {path}")
    if not written:
        console.print("  [yellow]not saved: a bundle tar the registry does not know[/]")
