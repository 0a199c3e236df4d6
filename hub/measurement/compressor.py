"""The compressor baseline: how many bits per byte general-purpose compressors need.

A language model that predicts text worse than xz or zstd compress it has learnt little,
so `hub eval` reports the better of the two next to the model's bits per byte, computed
on exactly the bytes the model is scored on: each text's UTF-8 bytes followed by one
separator byte (a newline), the byte the model's end-of-text token stands for
(`hub.measurement.bpb`).

Settings are each tool's strongest: xz (LZMA2) at preset 9 with the extreme flag, zstd at
level 22 (its maximum, "ultra"). Container overhead (headers, checksums) is counted: a
real file would carry it too, and on a few kilobytes it is a visible part of the cost.

That cold figure is weak: on 20 KB a compressor has barely begun to learn the language. The
meaningful baseline is primed on the training split, as the model is: `primed_baseline`
counts the bits xz needs for the evaluation bytes after it has seen up to PRIME_BYTES of the
language's training text, xz(train + eval) - xz(train), in raw LZMA2 (no container; the
difference cancels it anyway). Its dictionary (preset 9's 64 MiB, fitted down to the input:
`xz_filters`) holds the whole prime, so every repetition between train and eval can be used,
as a model could. zstd with a
dictionary trained on the same text was measured too and was weaker on every language tried
(German 2.51 against 1.81 bits/byte, Japanese 2.11 against 1.47), so it is not used.
"""

from __future__ import annotations

import _lzma
import functools
import lzma
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

SEPARATOR = b"\n"
# Training text the primed baseline sees first: enough for xz to hold most of a language's
# vocabulary, small enough that ~400 languages take minutes on two cores (about 1 s per MiB).
PRIME_BYTES = 1 << 20
ZSTD_LEVEL = 22
XZ_PRESET = 9 | lzma.PRESET_EXTREME
# Preset 9's dictionary; a smaller input gets a dictionary of its own size (next power of two,
# at least liblzma's 4 KiB minimum), as one larger than the input is never reached.
XZ_DICTIONARY = 64 << 20
XZ_MIN_DICTIONARY = 4 << 10


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


def xz_filters(size: int) -> list[dict]:
    """LZMA2 at preset 9e with the dictionary fitted to `size` input bytes.

    Setting up preset 9's 64 MiB dictionary (zeroing its hash table) cost more than
    compressing an evaluation set, and it was done for every language. With the dictionary
    no larger than the input the output was byte-for-byte the same size on every evaluation
    set and prime measured (benchmarks/RESULTS.md, issue 27); the match finder's hash table
    shrinks with the dictionary, which could in principle change a match it finds.
    """
    dictionary = XZ_MIN_DICTIONARY
    while dictionary < min(size, XZ_DICTIONARY):
        dictionary *= 2
    return [{"id": lzma.FILTER_LZMA2, "preset": XZ_PRESET, "dict_size": dictionary}]


def settings_of(tool: str, input_size: int) -> dict:
    """What fixes `tool`'s output on `input_size` bytes: library version and settings.

    Tools: "xz" (the .xz container), "xz-raw" (raw LZMA2, the primed baseline), "zstd".

    Two runs with equal settings and input give the same size, so a size can be remembered
    under them (`hub.measurement.size_cache`).
    """
    if tool in ("xz", "xz-raw"):
        return {"tool": tool, "liblzma": _liblzma_version(), "filters": xz_filters(input_size)}
    if tool == "zstd":
        import zstandard

        return {"tool": tool, "zstd": ".".join(map(str, zstandard.ZSTD_VERSION)),
                "level": ZSTD_LEVEL}
    raise ValueError(f"unknown compressor {tool!r} (xz, xz-raw or zstd)")


def compressed_size(tool: str, data: bytes) -> int:
    """Bytes `tool` (see `settings_of`) compresses `data` to, computed."""
    if tool == "zstd":
        import zstandard

        return len(zstandard.ZstdCompressor(level=ZSTD_LEVEL).compress(data))
    form = {"xz": lzma.FORMAT_XZ, "xz-raw": lzma.FORMAT_RAW}[tool]
    return len(lzma.compress(data, format=form, filters=xz_filters(len(data))))


# (tool, data) -> compressed bytes: `compressed_size`, or a cache in front of it.
SizeOf = Callable[[str, bytes], int]


@functools.cache
def _liblzma_version() -> str:
    # The version of the liblzma Python's lzma module runs (its output may change between
    # versions); Python does not expose it, the library itself does.
    import ctypes

    try:
        version = ctypes.CDLL(_lzma.__file__).lzma_version_string
    except (OSError, AttributeError):  # statically linked without the symbol: Python's own
        return f"python-{sys.version.split()[0]}"
    version.restype = ctypes.c_char_p
    return version().decode()


def compressed_sizes(data: bytes, size_of: SizeOf = compressed_size) -> dict[str, int]:
    """Compressed size in bytes of `data` under xz -9e and zstd -22."""
    return {tool: size_of(tool, data) for tool in ("xz", "zstd")}


def compressor_baseline(
    texts: Sequence[str], size_of: SizeOf = compressed_size
) -> CompressorResult:
    """The better of xz and zstd on the texts' scored bytes, as bits per original byte.

    Raises:
        ValueError: when there are no texts (no bytes to compress).
    """
    data = scored_bytes(texts)
    if not texts:
        raise ValueError("the compressor baseline needs at least one text")
    sizes = compressed_sizes(data, size_of)
    name = min(sizes, key=lambda key: (sizes[key], key))
    return CompressorResult(name, 8 * sizes[name] / len(data), sizes[name], len(data))


@dataclass(frozen=True)
class PrimedResult:
    """xz's cost of the evaluation bytes after priming on training text."""

    bits_per_byte: float
    bits_per_char: float
    compressed_bytes: int
    original_bytes: int
    prime_bytes: int


def prime_of(train_texts: Sequence[str], limit: int = PRIME_BYTES) -> bytes:
    """The priming bytes: training texts in sha256 order, whole texts up to `limit` bytes."""
    import hashlib

    ordered = sorted(train_texts, key=lambda text: hashlib.sha256(text.encode("utf-8")).digest())
    parts, size = [], 0
    for text in ordered:
        data = text.encode("utf-8") + SEPARATOR
        if size + len(data) > limit:
            break
        parts.append(data)
        size += len(data)
    return b"".join(parts)


def primed_baseline(
    texts: Sequence[str], prime: bytes, size_of: SizeOf = compressed_size
) -> PrimedResult:
    """Bits per byte and per character xz spends on the texts' scored bytes after `prime`.

    Characters count like bytes: every text's code points plus one for its separator.

    Raises:
        ValueError: when there are no texts.
    """
    if not texts:
        raise ValueError("the primed baseline needs at least one text")
    data = scored_bytes(texts)
    chars = sum(len(text) + 1 for text in texts)
    if prime:
        # Floored at 0: the range coder's flush can make a tiny difference come out negative.
        extra = max(size_of("xz-raw", prime + data) - size_of("xz-raw", prime), 0)
    else:
        extra = size_of("xz-raw", data)
    return PrimedResult(8 * extra / len(data), 8 * extra / chars, extra, len(data), len(prime))


def baselines_by_lang(
    jobs: dict[str, tuple[Sequence[str], bytes]],
    workers: int,
    done: Callable[[str], None] | None = None,
    size_of: SizeOf = compressed_size,
) -> dict[str, tuple[CompressorResult, PrimedResult]]:
    """The cold and primed baselines of every language (`{lang: (texts, prime)}`), in parallel.

    xz and zstd release the GIL while they compress, so `workers` threads use that many
    cores; the figures are those of one language at a time. `done(lang)` is called as each
    language finishes; `size_of` measures every compression (`hub.measurement.size_cache`
    remembers them). On an interrupt, languages not yet started are cancelled (the ones
    running finish first: a compression cannot be stopped half-way).
    """
    from concurrent.futures import ThreadPoolExecutor, as_completed

    def both(texts: Sequence[str], prime: bytes) -> tuple[CompressorResult, PrimedResult]:
        return compressor_baseline(texts, size_of), primed_baseline(texts, prime, size_of)

    pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="compressor")
    try:
        futures = {pool.submit(both, *job): lang for lang, job in jobs.items()}
        found = {}
        for future in as_completed(futures):
            found[futures[future]] = future.result()
            if done is not None:
                done(futures[future])
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return {lang: found[lang] for lang in jobs}
