"""Train/valid/test split from a stable hash, so a text and its translations share a split."""

from __future__ import annotations

import hashlib

SPLITS = ("train", "valid", "test")
# 90/5/5: the held-out parts are small but, over a whole corpus, thousands of rows each.
FRACTIONS = (0.90, 0.05, 0.05)
_SCALE = 2**64


def split_of(key: str) -> str:
    """The split of a row whose English original (or, without one, its text) is `key`.

    blake2b of the UTF-8 key, never Python's salted hash(), so the split is the same in every
    process, on every machine and in every version.
    """
    value = int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "big")
    position = value / _SCALE
    if position < FRACTIONS[0]:
        return SPLITS[0]
    if position < FRACTIONS[0] + FRACTIONS[1]:
        return SPLITS[1]
    return SPLITS[2]
