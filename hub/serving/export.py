"""The export: build a version's bundle, attach it to the registry, put it in place.

`export_bundle` builds the bundle (`hub.serving.build`), attaches its serving files to the
registry version and places it as a folder or a tar; `hub export` and the TUI's export both
run it.

The bundle is built in a staging folder next to where it goes (`plumbing.staging`), so `--out`
holds the old bundle or the new one, never a mix, and what a killed export left behind is
removed by the next one there.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

from hub import manifest, registry
from hub.names import check_name
from hub.serving import bundle
from plumbing.outputs import check_output_file, check_replaceable_folder
from plumbing.staging import publish, staging_folder

COMMAND = "hub export"  # names the bundle folders it made (plumbing.outputs)
DEFAULT_FOLDER = Path("bundles")
"""Where bundles go without --out: bundles/REGION-vN (or bundles/REGION-vN.tar)."""


def default_out(version, fmt: str) -> Path:
    """A version's bundle path under DEFAULT_FOLDER."""
    name = check_name("bundle name", f"{version.region}-v{version.version}")
    return DEFAULT_FOLDER / f"{name}{'.tar' if fmt == 'tar' else ''}"


def check_out(out: Path, fmt: str) -> Path:
    """Refuse an output that cannot take the bundle, before the (slow) export.

    Raises:
        InputError: a folder for a tar; for a folder bundle, a file or a folder holding
            anything but a bundle `hub export` made; a place that cannot be written.
    """
    if fmt == "tar":
        return check_output_file(out, "--out")
    return check_replaceable_folder(out, COMMAND, "a bundle")


def attached_files(staging: Path) -> list[str]:
    """Files an export adds to the registry version: the card and the serving-graph folders.

    With them, `hub generate --region` (and eval, bench) run the version as they run a bundle.
    """
    return [n for n in manifest.listed_files(staging) if n.startswith("genai-") or n == "README.md"]


def export_bundle(version, out: Path, fmt: str = "dir", precisions=("fp32", "int8", "int4"),
                  cuda: bool = False, progress: Callable[[str], None] | None = None) -> dict:
    """Build, validate, attach and place a version's bundle at `out`; the export's facts.

    Raises:
        InputError: `out` cannot take the bundle (checked before anything is built).
    """
    from hub.serving.build import build_bundle  # torch, onnx: only when exporting

    step = progress or (lambda message: None)
    check_out(out, fmt)
    with staging_folder(out.parent) as staging:
        facts = build_bundle(version, staging, precisions, cuda, progress=step)
        step("attaching the graphs to the registry version")
        for name in attached_files(staging):
            source = staging / name
            registry.attach(version, name, lambda tmp, s=source: shutil.copyfile(s, tmp))
        if fmt == "tar":
            # Written in a staging folder of this process too, so the temporary tar of a
            # killed export is removed by the next one.
            with staging_folder(out.parent) as holder:
                bundle.write_tar(staging, holder / out.name)
                os.replace(holder / out.name, out)
        else:
            publish(staging, out, owner=COMMAND)
    return facts
