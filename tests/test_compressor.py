"""The primed compressor baseline: it learns from the training split, the cold one cannot."""

import random

import pytest

from hub.measurement.compressor import compressor_baseline, prime_of, primed_baseline


def _sentences(seed, n):
    # Repeated structure: a fixed vocabulary of German-like words in a few templates.
    words = "Haus Baum Katze Straße Fenster Wasser Sonne Stadt Brücke Tür über schön".split()
    rng = random.Random(seed)
    templates = ["Die {} steht neben dem {}.", "Ein {} ist größer als eine {}.", "{} und {}!"]
    return [rng.choice(templates).format(rng.choice(words), rng.choice(words)) for _ in range(n)]


def test_primed_beats_cold_and_is_below_raw_bytes():
    train, test = _sentences(1, 5000), _sentences(2, 150)
    cold = compressor_baseline(test)
    primed = primed_baseline(test, prime_of(train))
    assert primed.bits_per_byte < 0.8 * cold.bits_per_byte < 8
    assert primed.original_bytes == cold.original_bytes
    chars = sum(len(t) + 1 for t in test)
    expected = primed.bits_per_byte * primed.original_bytes / chars
    assert primed.bits_per_char == pytest.approx(expected)


def test_prime_of_is_whole_texts_in_a_fixed_order_within_the_limit():
    train = _sentences(3, 500)
    prime = prime_of(train, limit=2000)
    assert len(prime) <= 2000 and prime.endswith(b"\n")
    assert prime == prime_of(list(reversed(train)), limit=2000)
    unprimed = primed_baseline(["abc"], b"")
    assert unprimed.prime_bytes == 0 and unprimed.bits_per_byte > 0
    with pytest.raises(ValueError, match="at least one text"):
        primed_baseline([], prime)
