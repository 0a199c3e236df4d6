"""PyTorch -> ONNX with a key/value cache (fp32 and int8), validated before it is kept.

One graph serves prefill and decoding: the cache inputs may have zero length.
Names follow DESIGN.md: inputs `input_ids`, `attention_mask`,
`past_key_values.N.key/value`; outputs `logits`, `present.N.key/value`; batch,
sequence and past axes are dynamic.

Measured pitfalls this module works around (issue 6):
- torch's default (dynamo) exporter specialises any dimension whose example size is
  1, so the example batch, sequence and past lengths are all at least 2.
- SDPA attention exports to a slower graph than explicit matmul + softmax, so the
  model is exported with explicit attention (same results within 1e-5).
- `quantize_dynamic` with its defaults also quantises the tied embedding's Gather
  and makes decoding 2-4x slower, so only MatMul weights are quantised (in blocks,
  which agree with fp32 more often than one scale per tensor does).

onnxruntime's graph optimiser runs when a session is created (ORT_ENABLE_ALL in
`hub.serving.runtime`). Saving its output into the bundle would only save load time (here
0.13 s -> 0.09 s for the small size; a session ends with the same 184-node graph
either way), and graphs optimised past the "extended" level are specific to the
machine that made them, so the bundle keeps the portable exported graph. The
transformers optimiser's RMSNorm fusion emits an op that onnx.checker refuses, so
it is not used either.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import warnings
from pathlib import Path

import numpy as np
import rich_click as click
import torch

from hub.model import DecoderLM

FP32_TOLERANCE = 1e-4
# Protobuf caps a single file at 2 GiB; stay well below it before splitting out the weights.
SINGLE_FILE_LIMIT_BYTES = 1_500_000_000


class ExportError(click.ClickException):
    """An export that failed validation (exit code 1): nothing was written."""


def input_names(n_layer: int) -> list[str]:
    """Graph input names in order."""
    past = [f"past_key_values.{i}.{kv}" for i in range(n_layer) for kv in ("key", "value")]
    return ["input_ids", "attention_mask", *past]


def output_names(n_layer: int) -> list[str]:
    """Graph output names in order."""
    present = [f"present.{i}.{kv}" for i in range(n_layer) for kv in ("key", "value")]
    return ["logits", *present]


class _FlatCache(torch.nn.Module):
    """The model with its cache as flat positional tensors, as an ONNX graph needs it."""

    def __init__(self, model: DecoderLM):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, *flat_past):
        past = tuple(zip(flat_past[0::2], flat_past[1::2], strict=True))
        logits, present = self.model(input_ids, attention_mask, past)
        return (logits, *(t for layer in present for t in layer))


def explicit_copy(model: DecoderLM) -> DecoderLM:
    """An eval-mode copy with explicit attention (the faster graph); the original is untouched."""
    twin = copy.deepcopy(model).eval()
    twin.set_attention("explicit")
    return twin


def export_fp32(model: DecoderLM, path: Path) -> None:
    """Export `model` to an ONNX file at `path` (weights beside it only if over 1.5 GB)."""
    config = model.config
    twin = explicit_copy(model)
    batch, length, past = 2, 3, 2  # all >= 2: the exporter specialises dimensions of size 1
    ids = torch.randint(0, config.vocab_size, (batch, length))
    mask = torch.ones(batch, past + length, dtype=torch.long)
    flat = tuple(
        torch.zeros(batch, config.n_head, past, config.head_dim) for _ in range(2 * config.n_layer)
    )
    dynamic = {
        "input_ids": {0: "batch", 1: "sequence"},
        "attention_mask": {0: "batch", 1: "total_sequence"},
        "flat_past": tuple({0: "batch", 2: "past_sequence"} for _ in flat),
    }
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        program = torch.onnx.export(
            _FlatCache(twin),
            (ids, mask, *flat),
            input_names=input_names(config.n_layer),
            output_names=output_names(config.n_layer),
            dynamic_shapes=dynamic,
            dynamo=True,
            optimize=True,
            verbose=False,
        )
    weight_bytes = sum(p.numel() * p.element_size() for p in twin.parameters())
    program.save(str(path), external_data=weight_bytes > SINGLE_FILE_LIMIT_BYTES)


def _left_padded(rows: list[list[int]], pad_id: int) -> tuple[np.ndarray, np.ndarray]:
    width = max(len(r) for r in rows)
    ids = np.full((len(rows), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(rows), width), dtype=np.int64)
    for i, row in enumerate(rows):
        ids[i, width - len(row) :] = row
        mask[i, width - len(row) :] = 1
    return ids, mask


def _session(path: Path):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 3
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def _run_both(model, session, ids, mask, past):
    feed = {"input_ids": ids, "attention_mask": mask}
    names = input_names(model.config.n_layer)[2:]
    feed.update({name: t.numpy() for name, t in zip(names, past, strict=True)})
    with torch.no_grad():
        expected = _FlatCache(model)(torch.from_numpy(ids), torch.from_numpy(mask), *past)
    actual = session.run(None, feed)
    diff = max(float(np.abs(a - e.numpy()).max()) for a, e in zip(actual, expected, strict=True))
    return diff, expected


def validate_fp32(model: DecoderLM, path: Path, tolerance: float = FP32_TOLERANCE) -> float:
    """Compare ONNX and PyTorch on padded batches, with and without a cache.

    Cases: a left-padded batch of three prompts of different lengths with an empty
    cache; two more tokens per row on top of that cache; a single-row prefill and
    one-token decode (batch and sequence of 1, which the graph must not specialise).

    Returns:
        The largest absolute difference over logits and cache outputs.

    Raises:
        ExportError: if any difference exceeds `tolerance`.
    """
    config = model.config
    twin = explicit_copy(model)
    session = _session(path)
    gen = torch.Generator().manual_seed(0)

    def tokens(*shape):
        return torch.randint(0, config.vocab_size, shape, generator=gen).numpy()

    def empty(batch):
        shape = (batch, config.n_head, 0, config.head_dim)
        return [torch.zeros(shape) for _ in range(2 * config.n_layer)]

    worst = 0.0
    ids, mask = _left_padded([list(tokens(7)), list(tokens(4)), list(tokens(2))], pad_id=0)
    cases = []
    diff, out = _run_both(twin, session, ids, mask, empty(3))
    cases.append(("padded batch, no cache", diff))
    mask2 = np.concatenate([mask, np.ones((3, 2), dtype=np.int64)], axis=1)
    diff, _ = _run_both(twin, session, tokens(3, 2), mask2, list(out[1:]))
    cases.append(("padded batch, 2 tokens on the cache", diff))
    single = tokens(1, 5)
    diff, out = _run_both(twin, session, single, np.ones_like(single), empty(1))
    cases.append(("batch of 1, no cache", diff))
    diff, _ = _run_both(twin, session, tokens(1, 1), np.ones((1, 6), np.int64), list(out[1:]))
    cases.append(("batch of 1, 1 token on the cache", diff))
    for name, diff in cases:
        worst = max(worst, diff)
        if not diff <= tolerance:
            raise ExportError(
                f"{path}: ONNX differs from PyTorch by {diff:.3g} (> {tolerance:g}) on {name}"
            )
    return worst


# int8 weights in blocks of this many input rows, each block with its own scale.
INT8_BLOCK = 16


def quantize_int8(fp32_path: Path, int8_path: Path) -> None:
    """8-bit weights for every MatMul with a constant weight (MatMulNBits, blocks of 16).

    Accuracy level 4 also quantises the activations per block and multiplies in int8.
    The tied embedding stays fp32: its Gather is not a MatMul, and the output projection
    reads it through a Transpose, so it is not a constant weight either. Measured on the
    eight small models (benchmarks/RESULTS.md): next-token agreement with fp32 99.34-99.85%
    (per-tensor dynamic int8: 99.39% on eu), and int8 disagrees only where fp32's own two
    best logits are at most 0.032 apart; decoding is as fast as with blocks of 32.
    """
    import onnx
    from onnxruntime.quantization.matmul_nbits_quantizer import (
        DefaultWeightOnlyQuantConfig,
        MatMulNBitsQuantizer,
    )

    settings = dict(block_size=INT8_BLOCK, is_symmetric=True, accuracy_level=4, bits=8)
    quantizer = MatMulNBitsQuantizer(
        onnx.load(str(fp32_path)),
        **settings,
        algo_config=DefaultWeightOnlyQuantConfig(**settings),
    )
    quantizer.process()
    quantizer.model.save_model_to_file(str(int8_path), use_external_data_format=False)


def check_onnx(path: Path) -> None:
    """`onnx.checker` with full shape checks, given the path so external data is checked too."""
    import onnx

    try:
        onnx.checker.check_model(str(path), full_check=True)
    except Exception as err:  # noqa: BLE001 - the checker raises several types
        raise ExportError(f"{path}: fails onnx.checker ({err})") from None


@contextlib.contextmanager
def _quiet_exporters():
    # The exporter and the quantiser log advice (torchvision ops, pre-processing) that
    # does not apply here and would bury the progress bar; levels are restored after.
    loggers = [logging.getLogger(n) for n in ("torch.onnx", "torch._dynamo", "torch.export", "")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def build_bundle(version, staging: Path, int8: bool = True, progress=None) -> dict:
    """Export a registry version into the empty folder `staging` and validate everything.

    Writes model.onnx (and model.int8.onnx), tokenizer.json, config.json, README.md,
    metrics.parquet when measured, genai_config.json and manifest.json. Nothing here
    touches the registry; the caller attaches and moves the results once this returns.

    Returns:
        Facts for the report: largest fp32 difference, int8 top-1 agreement, file sizes.
    """
    import json
    import shutil

    from hub import registry
    from hub.atomic import write_text
    from hub.serving import bundle, model_card
    from hub.tokenizer import special_ids

    step = progress or (lambda message: None)
    model, _, tokenizer = registry.load_model(version)
    special = special_ids(tokenizer)
    step("exporting fp32")
    fp32 = staging / bundle.MODEL_FP32
    with _quiet_exporters():
        export_fp32(model, fp32)
    check_onnx(fp32)
    step("validating fp32 against PyTorch")
    facts = {"max_abs_diff_fp32": validate_fp32(model, fp32)}
    if int8:
        step("quantising to int8")
        with _quiet_exporters():
            quantize_int8(fp32, staging / bundle.MODEL_INT8)
        check_onnx(staging / bundle.MODEL_INT8)
        facts["int8_top1_agreement"] = int8_agreement(fp32, staging / bundle.MODEL_INT8, model)
    step("writing tokenizer, config, model card and manifest")
    for name in (bundle.TOKENIZER, bundle.CONFIG, bundle.METRICS):
        if version.file(name).is_file():
            shutil.copyfile(version.file(name), staging / name)
    config = version.config()
    metrics = staging / bundle.METRICS
    sources = model_card.training_sources(version.home, config.get("training", {}))
    card = model_card.render(version.model_id, config, special, metrics, sources)
    write_text(staging / bundle.MODEL_CARD, card)
    genai = bundle.genai_config(config["model"], special)
    write_text(staging / bundle.GENAI_CONFIG, json.dumps(genai, indent=2) + "\n")
    manifest = bundle.write_manifest(staging)
    facts["bytes"] = manifest["bytes"]
    return facts


def int8_agreement(fp32_path: Path, int8_path: Path, model: DecoderLM) -> float:
    """Share of positions where int8 and fp32 pick the same next token (a padded batch).

    Raises:
        ExportError: if the int8 model gives non-finite logits.
    """
    gen = torch.Generator().manual_seed(1)
    rows = [torch.randint(0, model.config.vocab_size, (n,), generator=gen).tolist() for n in (9, 5)]
    ids, mask = _left_padded(rows, pad_id=0)
    shape = (2, model.config.n_head, 0, model.config.head_dim)
    feed = {"input_ids": ids, "attention_mask": mask}
    feed.update(
        {name: np.zeros(shape, np.float32) for name in input_names(model.config.n_layer)[2:]}
    )
    full = _session(fp32_path).run(["logits"], feed)[0]
    quant = _session(int8_path).run(["logits"], feed)[0]
    if not np.isfinite(quant).all():
        raise ExportError(f"{int8_path}: int8 model gives non-finite logits")
    real = mask.astype(bool)
    return float((full.argmax(-1) == quant.argmax(-1))[real].mean())
