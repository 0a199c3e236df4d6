"""Evaluation during training: loss and bits per byte per language on the valid split."""

from __future__ import annotations

from contextlib import nullcontext

import torch

from hub.measurement.bpb import IGNORE, bits_per_byte, score_rows, scoring_rows
from hub.model import DecoderLM
from hub.training.train_data import RegionData


@torch.no_grad()
def evaluate(
    model: DecoderLM, data: RegionData, context_length: int, device: torch.device
) -> dict[str, dict[str, float]]:
    """Per language (and "all"): mean loss per token and bits per byte on the valid texts."""
    was_training = model.training
    model.eval()
    results, all_nats, all_bytes = {}, 0.0, 0
    special = data.special
    for lang, tag in zip(data.langs, data.tag_ids, strict=True):
        docs = data.valid.get(lang, [])
        if not docs:
            continue
        rows = [
            row
            for doc in docs
            for row in scoring_rows(doc.ids, [special["bos"], tag], special["eos"], context_length)
        ]
        with autocast(device):
            nats = score_rows(model, rows, special["pad"], device=device)
        tokens = sum(t != IGNORE for _, targets in rows for t in targets)
        n_bytes = sum(doc.n_bytes + 1 for doc in docs)  # + 1: the separator eos stands for
        results[lang] = {"valid_loss": nats / tokens, "valid_bpb": bits_per_byte(nats, n_bytes)}
        all_nats, all_bytes = all_nats + nats, all_bytes + n_bytes
    results["all"] = {"valid_bpb": bits_per_byte(all_nats, all_bytes)}
    model.train(was_training)
    return results


def autocast(device: torch.device):
    """bf16 autocast on CUDA, nothing elsewhere."""
    # bf16 only on GPUs: CPU bf16 matmuls are slower than fp32 on most CPUs.
    if device.type == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return nullcontext()
