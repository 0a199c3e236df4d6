"""Bits per byte: a tokenizer-independent measure of how well a model predicts text.

bits per byte = (total negative log-likelihood in nats) / ln 2 / (total UTF-8 bytes scored).
Dividing by bytes, not tokens, makes models with different tokenizers comparable with each
other and with byte-level compressors (xz, zstd). A text is scored as `<bos><lang> text <eos>`:
every token of the text and the end-of-text token count, the tags are given; the eos stands
for the separator a compressor would also have to encode, so each text adds one byte.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

from hub.tokenizer import lang_tag

IGNORE = -100  # cross_entropy's ignore_index: positions that are given, not predicted
# Logits scored at once (1 M float32 = 4 MiB): a cache-sized block, whatever the vocabulary.
LOG_SOFTMAX_ELEMENTS = 1 << 20


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
    session,
    rows_by_key: dict,
    pad_id: int,
    batch_size: int,
    owners: dict | None = None,
    on_batch: Callable[[], None] | None = None,
) -> dict[str, Scores]:
    """Score (inputs, targets) rows per group with an onnxruntime session (empty cache).

    Rows of all groups share batches, sorted by length so little is padded; padding is on
    the right, after every scored position, with attention mask 0. With `owners` (per
    group, the text index of each row) the nats are also summed per text. `on_batch` is
    called after each batch (progress).
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
        nats, prediction, truth, ends = _position_scores(logits, targets)
        for row, (key, _, owner) in enumerate(batch):
            # Each row's own slice, summed alone: the same additions as one row at a time.
            lo, hi = ends[row], ends[row + 1]
            scores = results[key]
            row_nats = float(nats[lo:hi].sum())
            scores.nats += row_nats
            if owner is not None:
                scores.text_nats[owner] = scores.text_nats.get(owner, 0.0) + row_nats
            scores.correct += int((prediction[lo:hi] == truth[lo:hi]).sum())
            scores.positions += hi - lo
            scores.predictions.append(prediction[lo:hi])
        if on_batch is not None:
            on_batch()
    return results


def _position_scores(logits: np.ndarray, targets: np.ndarray):
    """Nats, argmax and truth of every scored position of a batch, rows one after another.

    The log-sum-exp over the vocabulary is taken in blocks of positions: the exponentials in
    float32 (the logits' own precision; each is within 6e-8 relative of float64's), summed
    and logged in float64. Per position the result is within 1e-7 nats of an all-float64
    computation, below the resolution of the float32 logits, at less than half the cost
    (the exponentials were most of `hub eval`'s scoring time).
    Returns (nats, prediction, truth, row offsets).
    """
    scored = targets != IGNORE
    picked = logits[scored]  # [positions, vocabulary], row-major order
    truth = targets[scored]
    nats = np.empty(len(truth))
    prediction = np.empty(len(truth), dtype=np.int64)
    step = max(1, LOG_SOFTMAX_ELEMENTS // max(1, picked.shape[-1]))
    for start in range(0, len(truth), step):
        part = slice(start, start + step)
        chosen = picked[part]
        top = chosen.max(-1)
        spread = np.exp(chosen - top[:, None]).sum(-1, dtype=np.float64)
        lse = top.astype(np.float64) + np.log(spread)
        nats[part] = lse - chosen[np.arange(len(chosen)), truth[part]].astype(np.float64)
        prediction[part] = chosen.argmax(-1)
    ends = np.concatenate([[0], np.cumsum(scored.sum(axis=1))])
    return nats, prediction, truth, ends
