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
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

IGNORE = -100  # cross_entropy's ignore_index: positions that are given, not predicted


Rows = list[tuple[list[int], list[int]]]


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


def text_rows(tokenizer, texts: Sequence[str], prefix: Sequence[int], eos: int, context: int):
    """`scoring_rows` of every text, and per row the index of the text it belongs to."""
    rows: Rows = []
    owners: list[int] = []
    for index, encoding in enumerate(tokenizer.encode_batch(list(texts), add_special_tokens=False)):
        found = scoring_rows(encoding.ids, prefix, eos, context)
        rows += found
        owners += [index] * len(found)
    return rows, owners


def scoring_groups(tokenizer, groups: dict, special: dict, context_length: int):
    """Rows and owners per group for groups of `{key: (lang, texts)}`, each under `<lang>`.

    Groups whose language has no tag in the tokenizer are skipped.

    Returns:
        ({key: rows}, {key: owners}): see `text_rows`.
    """
    from hub.tokenizer import lang_tag

    rows, owners = {}, {}
    for key, (lang, texts) in groups.items():
        tag = tokenizer.token_to_id(lang_tag(lang))
        if tag is None:
            continue
        prefix = [special["bos"], tag]
        rows[key], owners[key] = text_rows(tokenizer, texts, prefix, special["eos"], context_length)
    return rows, owners


def scoring_rows_by_lang(tokenizer, samples: dict, special: dict, context_length: int) -> dict:
    """`scoring_rows` for every text of each language's sample (`.texts`), untagged skipped."""
    groups = {lang: (lang, sample.texts) for lang, sample in samples.items()}
    return scoring_groups(tokenizer, groups, special, context_length)[0]


@dataclass
class Scores:
    """Summed scores of one group of texts under one model.

    Attributes:
        nats: Negative log-likelihood of every scored position, summed.
        correct: Positions where the most likely token was the true one.
        positions: Scored positions.
        predictions: Argmax per scored position, per row in scoring order.
        text_nats: Nats per text (index as in the group's texts), where owners were given.
    """

    nats: float = 0.0
    correct: int = 0
    positions: int = 0
    predictions: list[np.ndarray] = field(default_factory=list)
    text_nats: dict[int, float] = field(default_factory=dict)


def ort_scores(
    session, rows_by_key: dict, pad_id: int, batch_size: int, owners: dict | None = None
) -> dict[str, Scores]:
    """Score (inputs, targets) rows per group with an onnxruntime session (empty cache).

    Rows of all groups share batches, sorted by length so little is padded; padding is on
    the right, after every scored position, with attention mask 0. With `owners` (per
    group, the text index of each row) the nats are also summed per text.
    """
    flat = [
        (key, row, owners[key][i] if owners else None)
        for key, rows in rows_by_key.items()
        for i, row in enumerate(rows)
    ]
    flat.sort(key=lambda item: len(item[1][0]))
    past = [i for i in session.get_inputs() if i.name.startswith("past_key_values")]
    n_head, head_dim = past[0].shape[1], past[0].shape[3]
    results = {key: Scores() for key in rows_by_key}
    for start in range(0, len(flat), batch_size):
        batch = flat[start : start + batch_size]
        width = max(len(inputs) for _, (inputs, _), _ in batch)
        ids = np.full((len(batch), width), pad_id, dtype=np.int64)
        mask = np.zeros_like(ids)
        targets = np.full_like(ids, IGNORE)
        for row, (_, (x, y), _) in enumerate(batch):
            ids[row, : len(x)], mask[row, : len(x)], targets[row, : len(y)] = x, 1, y
        empty = np.zeros((len(batch), n_head, 0, head_dim), dtype=np.float32)
        feed = {"input_ids": ids, "attention_mask": mask, **{i.name: empty for i in past}}
        logits = session.run(["logits"], feed)[0]
        for row, (key, _, owner) in enumerate(batch):
            where = np.nonzero(targets[row] != IGNORE)[0]
            chosen = logits[row, where].astype(np.float64)
            top = chosen.max(-1)
            lse = top + np.log(np.exp(chosen - top[:, None]).sum(-1))
            truth = targets[row, where]
            scores = results[key]
            nats = float((lse - chosen[np.arange(len(where)), truth]).sum())
            scores.nats += nats
            if owner is not None:
                scores.text_nats[owner] = scores.text_nats.get(owner, 0.0) + nats
            prediction = chosen.argmax(-1)
            scores.correct += int((prediction == truth).sum())
            scores.positions += len(where)
            scores.predictions.append(prediction)
    return results
