"""`hub export`: a registered model -> a validated bundle (Hugging Face folder + genai graphs)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import rich_click as click

from hub.errors import InputError
from hub.home import home_option
from hub.names import check_name


def attached_files(staging: Path) -> list[str]:
    """Files an export adds to the registry version: the card and the serving-graph folders.

    With them, `hub generate --region` (and eval, bench) run the version as they run a bundle.
    """
    from hub.serving import bundle

    return [n for n in bundle.bundle_files(staging) if n.startswith("genai-") or n == "README.md"]


def _check_out(out: Path, fmt: str) -> None:
    # Checked before the (slow) export; only an earlier bundle may be replaced.
    if fmt == "tar" and out.is_dir():
        raise InputError(f"--out {out}: is a folder; --format tar needs a file name")
    if fmt == "dir" and out.exists() and not (out / "manifest.json").is_file():
        raise InputError(f"--out {out}: exists and is not a bundle; choose a new folder")


def _place_folder(staging: Path, out: Path) -> None:
    # Replace an earlier bundle in one rename each way, so `out` is never half-written.
    if out.exists():
        old = out.with_name(f".{out.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        os.rename(out, old)
        os.rename(staging, out)
        shutil.rmtree(old)
    else:
        os.rename(staging, out)


@click.command()
@click.option("--region", required=True, help="Region whose registered model to export.")
@click.option("--version", default=None, help="Version (N or vN; default: the latest).")
@click.option("--out", type=click.Path(), default=None, help="Bundle folder or .tar file.")
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
@click.option("--cuda", is_flag=True, help="Also build an fp16 graph for CUDA (genai-cuda-fp16/).")
@home_option
def export(region, version, out, fmt, precisions, cuda, home):
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
    from hub.atomic import temp_dir
    from hub.serving import bundle
    from hub.serving.export import build_bundle

    if version is not None:
        check_name("version", version)
    found = registry.resolve(home, region, version)
    name = check_name("bundle name", f"{found.region}-v{found.version}")
    suffix = ".tar" if fmt == "tar" else ""
    out_path = Path(out) if out else Path("bundles") / f"{name}{suffix}"
    _check_out(out_path, fmt)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    staging = temp_dir(out_path.parent, f".{out_path.name}.")
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    try:
        with Progress(*columns, transient=True) as progress:
            task = progress.add_task(f"{found.model_id}: loading", total=None)

            def step(message: str) -> None:
                progress.update(task, description=f"{found.model_id}: {message}")

            facts = build_bundle(found, staging, precisions, cuda, progress=step)
            step("attaching the graphs to the registry version")
            for file_name in attached_files(staging):
                source = staging / file_name
                registry.attach(found, file_name, lambda tmp, s=source: shutil.copyfile(s, tmp))
            if fmt == "tar":
                bundle.write_tar(staging, out_path)
            else:
                _place_folder(staging, out_path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    console = Console()
    console.print(f"[bold]{found.model_id}[/] -> {out_path}")
    console.print(f"  fp32 largest |logit difference| vs PyTorch: {facts['max_abs_diff_fp32']:.2e}")
    for precision in ("int8", "int4"):
        if (share := facts.get(f"{precision}_top1_agreement")) is not None:
            console.print(f"  {precision} next-token agreement with fp32: {share:.1%}")
    for file_name, size in sorted(facts["bytes"].items()):
        console.print(f"  {file_name:<32} {size:>12,} bytes")
