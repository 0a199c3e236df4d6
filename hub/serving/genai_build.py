"""Serving graphs made by onnxruntime-genai's model builder from a bundle's Hugging Face folder.

One folder per precision (`genai-fp32/`, `genai-int8/`, `genai-int4/`; `genai-cuda-fp16/`
when asked), each holding `model.onnx` (+ `model.onnx.data`), its `genai_config.json` and
the bundle's tokenizer files, so `og.Model(folder)` and `og.Tokenizer(model)` work on it
as it is. The builder emits GroupQueryAttention with rotary positions inside the op and
`past_present_share_buffer: true`: the cache is one preallocated buffer of the context
length per layer, written in place, and batches are right padded (each row's length is
the sum of its attention mask).

The builder runs in a child process (`python -m onnxruntime_genai.models.builder`): it
imports transformers to read the config, which the hub itself never imports, and it runs
offline (HF_HUB_OFFLINE) on a local folder, so nothing is downloaded.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import rich_click as click

from hub.serving.hf_folder import copy_tokenizer_files

BUILDER = "onnxruntime_genai.models.builder"
# Weight-only quantisation (MatMulNBits): blocks of 32 input rows (every hub width is a
# multiple of 32, `hub.model.MLP_MULTIPLE`); accuracy level 4 multiplies in int8 on CPU.
QUANT_OPTIONS = ("block_size=32", "accuracy_level=4")
BUILD_TIMEOUT_S = 1800


@dataclass(frozen=True)
class GraphKind:
    """One serving graph: its folder name, builder precision and execution provider."""

    folder: str
    precision: str
    provider: str

    @property
    def options(self) -> tuple[str, ...]:
        """The builder's --extra_options for this kind."""
        return QUANT_OPTIONS if self.precision in ("int8", "int4") else ()


CPU_GRAPHS = {
    "fp32": GraphKind("genai-fp32", "fp32", "cpu"),
    "int8": GraphKind("genai-int8", "int8", "cpu"),
    "int4": GraphKind("genai-int4", "int4", "cpu"),
}
CUDA_GRAPH = GraphKind("genai-cuda-fp16", "fp16", "cuda")


class BuildError(click.ClickException):
    """The model builder failed or is not installed (exit code 1): nothing was written."""


def require_builder() -> None:
    """Refuse clearly when onnxruntime-genai's builder (or the transformers it needs) is absent."""
    missing = [m for m in ("onnxruntime_genai", "transformers") if not importlib.util.find_spec(m)]
    if missing:
        raise BuildError(
            f"hub export builds its serving graphs with onnxruntime-genai's model builder, "
            f"which needs {' and '.join(missing)}: pip install 'intl-strategy[export]'"
        )


def build_graph(hf_folder: Path, kind: GraphKind, out: Path, work: Path) -> Path:
    """Run the builder for one kind into the new folder `out`; return `out`.

    Raises:
        BuildError: the builder exits non-zero (its last output lines are shown).
    """
    command = [
        sys.executable,
        "-m",
        BUILDER,
        "-i",
        str(hf_folder),
        "-o",
        str(out),
        "-p",
        kind.precision,
        "-e",
        kind.provider,
        "-c",
        str(work / f"cache-{kind.folder}"),
    ]
    if kind.options:
        command += ["--extra_options", *kind.options]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, env=env, timeout=BUILD_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired:
        raise BuildError(f"the model builder took over {BUILD_TIMEOUT_S} s for {kind}") from None
    if done.returncode != 0 or not (out / "model.onnx").is_file():
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        raise BuildError(f"the model builder failed for {kind.folder}:\n{tail}")
    # The builder re-saves the tokenizer through transformers; ship the bundle's own files
    # (whose tokenizer_config.json carries the template transformers 5 also writes apart).
    copy_tokenizer_files(hf_folder, out)
    (out / "chat_template.jinja").unlink(missing_ok=True)
    pin_head_size(out / "model.onnx", head_size(out))
    return out


def head_size(folder: Path) -> int:
    """The attention head size a genai folder's config declares."""
    genai = json.loads((folder / "genai_config.json").read_text(encoding="utf-8"))
    return int(genai["model"]["decoder"]["head_size"])


def pin_head_size(graph_path: Path, size: int) -> None:
    """Write the head size into the cache inputs' and outputs' shapes; weights untouched.

    The builder leaves it symbolic (`kv_cache_dim`, for packed int4 caches, which these
    graphs do not use); pinned, plain onnxruntime users read the cache shape from the session.
    """
    import onnx

    model = onnx.load(str(graph_path), load_external_data=False)
    for value in [*model.graph.input, *model.graph.output]:
        if value.name.startswith(("past_key_values.", "present.")):
            value.type.tensor_type.shape.dim[3].dim_value = size
    onnx.save(model, str(graph_path))
