"""Bits per byte: a tokenizer-independent measure of how well a model predicts text.

bits per byte = (total negative log-likelihood in nats) / ln 2 / (total UTF-8 bytes scored).
Dividing by bytes, not tokens, makes models with different tokenizers comparable with each
other and with byte-level compressors (xz, zstd). A text is scored as `<bos><lang> text <eos>`:
every token of the text and the end-of-text token count, the tags are given; the eos stands
for the separator a compressor would also have to encode, so each text adds one byte.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
import torch.nn.functional as F

IGNORE = -100  # cross_entropy's ignore_index: positions that are given, not predicted


def bits_per_byte(total_nats: float, total_bytes: int) -> float:
    """Bits per UTF-8 byte from summed nats; NaN when there are no bytes."""
    return total_nats / math.log(2) / total_bytes if total_bytes else float("nan")


def scoring_rows(
    ids: Sequence[int], prefix: Sequence[int], eos: int, context_length: int
) -> list[tuple[list[int], list[int]]]:
    """Split one text into (inputs, targets) rows of at most `context_length` inputs.

    Each row starts with `prefix` (`<bos><lang>`); a text longer than one row continues in
    the next one, again after the prefix. Targets are IGNORE where the token is given.
    """
    content = [*ids, eos]
    step = context_length + 1 - len(prefix)
    rows = []
    for start in range(0, len(content), step):
        chunk = content[start : start + step]
        sequence = [*prefix, *chunk]
        rows.append((sequence[:-1], [IGNORE] * (len(prefix) - 1) + chunk))
    return rows


@torch.no_grad()
def score_rows(
    model: torch.nn.Module,
    rows: list[tuple[list[int], list[int]]],
    pad_id: int,
    batch_size: int = 32,
    device: str | torch.device = "cpu",
) -> float:
    """Summed negative log-likelihood (nats) of all targets of `rows` under `model`.

    Rows are batched by length and right-padded; padding comes after every scored position,
    so under the causal mask it never changes a score.
    """
    total = 0.0
    ordered = sorted(rows, key=lambda row: len(row[0]))
    for start in range(0, len(ordered), batch_size):
        batch = ordered[start : start + batch_size]
        width = max(len(inputs) for inputs, _ in batch)
        inputs = torch.full((len(batch), width), pad_id, dtype=torch.long)
        targets = torch.full((len(batch), width), IGNORE, dtype=torch.long)
        for row, (x, y) in enumerate(batch):
            inputs[row, : len(x)] = torch.tensor(x)
            targets[row, : len(y)] = torch.tensor(y)
        logits, _ = model(inputs.to(device))
        total += F.cross_entropy(
            logits.float().flatten(0, 1), targets.to(device).flatten(), reduction="sum"
        ).item()
    return total
