"""`hub export`: a registered model -> a validated bundle (Hugging Face folder + genai graphs)."""

from __future__ import annotations

from pathlib import Path

import rich_click as click

from hub.cli_options import device_option, model_version_option
from hub.home import home_option
from hub.names import check_name
from plumbing.json_output import echo_json, json_option
from plumbing.renamed_options import renamed_option


@click.command()
@click.option("--region", required=True, help="Region whose registered model to export.")
@model_version_option("Version N or vN (default: the latest).")
@click.option("--out", type=click.Path(), default=None,
              help="Bundle folder or .tar file [default: bundles/REGION-vN].")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["dir", "tar"]),
    default="dir",
    show_default=True,
    help="A folder, or one uncompressed tar file.",
)
@click.option(
    "--precision",
    "precisions",
    multiple=True,
    type=click.Choice(["fp32", "int8", "int4"]),
    default=("fp32", "int8", "int4"),
    show_default=True,
    help="Serving graphs to build (repeatable; fp32 is always built).",
)
@device_option("cuda: also build an fp16 graph for CUDA (genai-cuda-fp16/).")
@renamed_option("--cuda", "--device", "device", flag_value="cuda")
@home_option
@json_option('{"model_id", "out": path, "max_abs_diff_fp32", "int8_top1_agreement", '
             '"int4_top1_agreement", "bytes": {file: int}, ...}')
def export(region, version, out, fmt, precisions, device, home, as_json):
    """Export a region's model as a bundle the usual tools open as it is.

    The bundle is a Hugging Face Llama folder (transformers loads it) plus one
    onnxruntime-genai graph folder per precision (og.Model runs each), made by
    onnxruntime-genai's model builder. The fp32 graph is compared with PyTorch (logits
    within 1e-4, padded batch and cached decoding) before anything is written; the graphs
    and the model card are also attached to the registry version.

    Example: `hub export --region eu --out bundles/eu --precision fp32 --precision int8`
    """
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from hub import registry
    from hub.serving.export import default_out, export_bundle

    if version is not None:
        check_name("version", version)
    found = registry.resolve(home, region, version)
    out_path = Path(out) if out else default_out(found, fmt)
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, transient=True) as progress:
        task = progress.add_task(f"{found.model_id}: loading", total=None)

        def step(message: str) -> None:
            progress.update(task, description=f"{found.model_id}: {message}")

        facts = export_bundle(found, out_path, fmt, precisions, device == "cuda",
                              progress=step)
    if as_json:
        echo_json({"model_id": found.model_id, "out": out_path, **facts})
        return
    console = Console()
    console.print(f"[bold]{found.model_id}[/] -> {out_path}")
    console.print(f"  fp32 largest |logit difference| vs PyTorch: {facts['max_abs_diff_fp32']:.2e}")
    for precision in ("int8", "int4"):
        if (share := facts.get(f"{precision}_top1_agreement")) is not None:
            console.print(f"  {precision} next-token agreement with fp32: {share:.1%}")
    for file_name, size in sorted(facts["bytes"].items()):
        console.print(f"  {file_name:<32} {size:>12,} bytes")
