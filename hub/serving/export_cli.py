"""`hub export`: a registered model -> a validated, self-contained ONNX bundle."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import rich_click as click

from hub.errors import InputError
from hub.home import home_option
from hub.names import check_name

# Files an export adds to the registry version, so `hub generate --region` can run it.
ATTACHED = ("model.onnx", "model.int8.onnx", "README.md", "genai_config.json")


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
@click.option("--no-int8", is_flag=True, help="Skip the int8 model.")
@home_option
def export(region, version, out, fmt, no_int8, home):
    """Export a region's model to ONNX (fp32 and int8) as a self-contained bundle.

    Every model is checked with onnx.checker and compared with PyTorch (logits within
    1e-4, with and without the cache, on padded batches) before it is written. The
    models and the model card are also attached to the registry version.

    Example: `hub export --region eu --out bundles/eu`
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

            facts = build_bundle(found, staging, int8=not no_int8, progress=step)
            step("attaching the models to the registry version")
            for file_name in ATTACHED:
                source = staging / file_name
                if source.is_file():
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
    if "int8_top1_agreement" in facts:
        console.print(f"  int8 next-token agreement with fp32: {facts['int8_top1_agreement']:.1%}")
    for file_name, size in sorted(facts["bytes"].items()):
        console.print(f"  {file_name:<20} {size:>12,} bytes")
