"""A registry version -> a bundle: Hugging Face folder, GGUF file, onnxruntime-genai graphs, card.

The Hugging Face folder is written first (`hub.serving.hf_folder`); onnxruntime-genai's
model builder turns it into one serving graph per precision (`hub.serving.genai_build`).
Nothing is kept before it is validated:
- fp32: the graph run by plain onnxruntime agrees with the PyTorch model within 1e-4 on a
  right-padded batch with an empty cache, and on one decoding step over the cache;
- int8/int4: finite logits, and their next-token agreement with fp32 is reported.

The hand-written torch.onnx graph of earlier versions is gone: the builder's graph is the
one onnxruntime-genai serves, plain onnxruntime runs it too (the model card shows how),
and one graph per precision keeps the bundle from carrying two copies of the weights.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import rich_click as click
import torch
from tokenizers import Tokenizer

from hub import manifest, registry
from hub.model import DecoderLM
from hub.serving import bundle, card_data, genai_build, gguf_file, hf_folder, model_card
from hub.tokenizer import special_ids
from plumbing.atomic import write_text

FP32_TOLERANCE = 1e-4


class ExportError(click.ClickException):
    """An export that failed validation (exit code 1): nothing was written."""


def right_padded(rows: list[list[int]], pad_id: int) -> tuple[np.ndarray, np.ndarray]:
    """(ids, attention mask) of rows padded on the right, as GroupQueryAttention needs."""
    width = max(len(r) for r in rows)
    ids = np.full((len(rows), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(rows), width), dtype=np.int64)
    for i, row in enumerate(rows):
        ids[i, : len(row)], mask[i, : len(row)] = row, 1
    return ids, mask


def plain_session(path: Path):
    """A plain onnxruntime CPU session (no onnxruntime-genai involved)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 3
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def empty_cache(session, batch: int) -> dict[str, np.ndarray]:
    """Zero-length past inputs (batch, kv heads, 0, head size) for a graph's cache."""
    feed = {}
    for node in session.get_inputs():
        if node.name.startswith("past_key_values"):
            shape = (batch, node.shape[1], 0, node.shape[3])
            feed[node.name] = np.zeros(shape, dtype=np.float32)
    return feed


def graph_logits(session, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Logits (batch, length, vocab) of a builder graph for ids/mask with an empty cache."""
    feed = {"input_ids": ids, "attention_mask": mask, **empty_cache(session, len(ids))}
    return session.run(["logits"], feed)[0]


def _torch_logits(model: DecoderLM, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return model(torch.from_numpy(ids), torch.from_numpy(mask))[0].numpy()


def validate_fp32(model: DecoderLM, path: Path, tolerance: float = FP32_TOLERANCE) -> float:
    """Compare the fp32 graph with PyTorch; return the largest |logit difference|.

    Cases: a right-padded batch of three prompts of different lengths (real positions
    compared); a one-row prompt, then one token decoded over the cache it returned.

    Raises:
        ExportError: if any difference exceeds `tolerance`.
    """
    config = model.config
    session = plain_session(path)
    gen = torch.Generator().manual_seed(0)

    def tokens(n: int) -> list[int]:
        return torch.randint(3, config.vocab_size, (n,), generator=gen).tolist()

    ids, mask = right_padded([tokens(7), tokens(4), tokens(2)], pad_id=0)
    real = mask.astype(bool)
    padded = np.abs(graph_logits(session, ids, mask) - _torch_logits(model, ids, mask))[real]
    prompt = np.array([tokens(5)])
    feed = {"input_ids": prompt, "attention_mask": np.ones_like(prompt), **empty_cache(session, 1)}
    names = [o.name for o in session.get_outputs()]
    _, *present = session.run(names, feed)
    step = np.array([tokens(1)])
    feed = {"input_ids": step, "attention_mask": np.ones((1, 6), np.int64)}
    feed.update(zip(empty_cache(session, 1), present, strict=True))
    decoded = session.run(["logits"], feed)[0][0, -1]
    full = np.concatenate([prompt, step], axis=1)
    expected = _torch_logits(model, full, np.ones_like(full))[0, -1]
    cases = {
        "right-padded batch, no cache": float(padded.max()),
        "batch of 1, 1 token on the cache": float(np.abs(decoded - expected).max()),
    }
    for name, diff in cases.items():
        if not diff <= tolerance:
            raise ExportError(
                f"{path}: ONNX differs from PyTorch by {diff:.3g} (> {tolerance:g}) on {name}"
            )
    return max(cases.values())


def agreement(fp32_path: Path, quant_path: Path, model: DecoderLM) -> float:
    """Share of real positions where a quantised graph picks fp32's next token.

    Raises:
        ExportError: if the quantised graph gives non-finite logits.
    """
    gen = torch.Generator().manual_seed(1)
    rows = [torch.randint(3, model.config.vocab_size, (n,), generator=gen).tolist() for n in (9, 5)]
    ids, mask = right_padded(rows, pad_id=0)
    full = graph_logits(plain_session(fp32_path), ids, mask)
    quant = graph_logits(plain_session(quant_path), ids, mask)
    if not np.isfinite(quant).all():
        raise ExportError(f"{quant_path}: the quantised graph gives non-finite logits")
    return float((full.argmax(-1) == quant.argmax(-1))[mask.astype(bool)].mean())


def build_bundle(
    version, staging: Path, precisions=("fp32", "int8", "int4"), cuda=False, progress=None
) -> dict:
    """Export a registry version into the empty folder `staging` and validate everything.

    Writes the Hugging Face folder, the GGUF file, one genai folder per precision (and
    `genai-cuda-fp16/` with `cuda`), intl_config.json, README.md, metrics.parquet when measured and
    manifest.json. Nothing here touches the registry.

    Returns:
        Facts for the report: largest fp32 difference, quantised agreements, file sizes.
    """
    step = progress or (lambda message: None)
    genai_build.require_builder()
    model, _, _ = registry.load_model(version)
    config = version.config()
    step("writing the Hugging Face folder")
    hf_folder.write_hf_folder(
        model, version.file(registry.TOKENIZER), staging, list(config.languages)
    )
    step("writing the GGUF file for llama.cpp")
    gguf_file.write_gguf(
        model, staging / hf_folder.TOKENIZER, staging / gguf_file.GGUF,
        chat_template=hf_folder.chat_template(list(config.languages)),
    )
    kinds = [genai_build.CPU_GRAPHS[p] for p in dict.fromkeys(("fp32", *precisions))]
    kinds += [genai_build.CUDA_GRAPH] if cuda else []
    work = staging / ".build"
    work.mkdir()
    try:
        for kind in kinds:
            step(f"building {kind.folder} with onnxruntime-genai's model builder")
            genai_build.build_graph(staging, kind, work / kind.folder, work)
            shutil.move(work / kind.folder, staging / kind.folder)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    step("validating the graphs against PyTorch")
    fp32 = staging / bundle.MODEL_FP32
    facts: dict = {"max_abs_diff_fp32": validate_fp32(model, fp32)}
    for precision in precisions:
        if precision != "fp32":
            path = staging / bundle.MODEL_BY_PRECISION[precision]
            facts[f"{precision}_top1_agreement"] = agreement(fp32, path, model)
    step("writing config, model card and manifest")
    shutil.copyfile(version.file(registry.CONFIG), staging / bundle.CONFIG)
    if version.file(bundle.METRICS).is_file():
        shutil.copyfile(version.file(bundle.METRICS), staging / bundle.METRICS)
    special = special_ids(Tokenizer.from_file(str(staging / hf_folder.TOKENIZER)))
    sources = model_card.training_sources(version.home, config.training)
    metrics = staging / bundle.METRICS
    card = model_card.render(version.model_id, config, special, metrics, sources)
    write_text(staging / bundle.MODEL_CARD, card)
    licence = card_data.licence_text(model_card.WEIGHTS_LICENCE, sources)
    write_text(staging / card_data.LICENCE_FILE, licence)
    facts["bytes"] = manifest.write_manifest(staging)["bytes"]
    return facts
