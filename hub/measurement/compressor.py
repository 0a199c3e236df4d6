"""The compressor baseline: how many bits per byte general-purpose compressors need.

A language model that predicts text worse than xz or zstd compress it has learnt little,
so `hub eval` reports the better of the two next to the model's bits per byte, computed
on exactly the bytes the model is scored on: each text's UTF-8 bytes followed by one
separator byte (a newline), the byte the model's end-of-text token stands for
(`hub.measurement.bpb`).

Settings are each tool's strongest: xz (LZMA2) at preset 9 with the extreme flag, zstd at
level 22 (its maximum, "ultra"). Container overhead (headers, checksums) is counted: a
real file would carry it too, and on a few kilobytes it is a visible part of the cost.
"""

from __future__ import annotations

import lzma
from collections.abc import Sequence
from dataclasses import dataclass

SEPARATOR = b"\n"
ZSTD_LEVEL = 22
XZ_PRESET = 9 | lzma.PRESET_EXTREME


@dataclass(frozen=True)
class CompressorResult:
    """The better compressor's figure on a block of text."""

    name: str  # "xz" or "zstd"
    bits_per_byte: float
    compressed_bytes: int
    original_bytes: int


def scored_bytes(texts: Sequence[str]) -> bytes:
    """The bytes a model is scored on: every text's UTF-8 followed by a separator byte."""
    return b"".join(text.encode("utf-8") + SEPARATOR for text in texts)


def compressed_sizes(data: bytes) -> dict[str, int]:
    """Compressed size in bytes of `data` under xz -9e and zstd -22."""
    import zstandard

    return {
        "xz": len(lzma.compress(data, format=lzma.FORMAT_XZ, preset=XZ_PRESET)),
        "zstd": len(zstandard.ZstdCompressor(level=ZSTD_LEVEL).compress(data)),
    }


def compressor_baseline(texts: Sequence[str]) -> CompressorResult:
    """The better of xz and zstd on the texts' scored bytes, as bits per original byte.

    Raises:
        ValueError: when there are no texts (no bytes to compress).
    """
    data = scored_bytes(texts)
    if not texts:
        raise ValueError("the compressor baseline needs at least one text")
    sizes = compressed_sizes(data)
    name = min(sizes, key=lambda key: (sizes[key], key))
    return CompressorResult(name, 8 * sizes[name] / len(data), sizes[name], len(data))
