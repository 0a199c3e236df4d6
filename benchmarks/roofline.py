"""The memory-bandwidth roofline of decoding: bytes a step must read, bandwidth measured here."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np


def read_bandwidth_gb_s(gib: float = 1.0, passes: int = 5) -> float:
    """Best single-threaded read bandwidth over `passes` sums of a `gib` GiB float32 array."""
    data = np.ones(int(gib * 2**30 / 4), dtype=np.float32)
    best = float("inf")
    for _ in range(passes):
        began = time.perf_counter()
        data.sum()
        best = min(best, time.perf_counter() - began)
    return data.nbytes / best / 1e9


def bytes_per_token(graph: Path, d_model: int) -> int:
    """Weight bytes one decoding step reads: every initializer, but one embedding row."""
    import onnx

    model = onnx.load(str(graph))
    total = 0
    for tensor in model.graph.initializer:
        size = onnx.numpy_helper.to_array(tensor).nbytes
        total += 4 * d_model if "embed_tokens" in tensor.name else size
    return total
