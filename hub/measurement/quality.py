"""Per-language figures normalised across scripts, each with its bootstrap interval.

From the bits a model spends on every text of a language's evaluation set:

- bits per byte, the raw figure: it favours scripts whose characters take several UTF-8
  bytes (a Cyrillic or Deseret letter is 2-4 bytes, so the same information costs fewer
  bits per byte);
- bits per character: per Unicode code point, which removes the encoding's share;
- information parity, on the parallel rows: bits on the translation / bits on its English
  original, under the same model. Both sides carry the same content, so 1 means the
  language costs the model what English does, whatever the script; this is the figure
  that compares languages.

Each text counts one extra byte and character for its end (the end-of-text token the
model predicts, the separator a compressor encodes; `hub.measurement.bpb`). Tokenizer
figures (tokens per character, token premium against English) get the same intervals.
Intervals resample the set's texts (`hub.measurement.bootstrap`).
"""

from __future__ import annotations

import math

from hub.measurement.bootstrap import Interval, ratio_interval
from hub.measurement.eval_set import EvalSet


def text_bits(text_nats: dict[int, float], n_texts: int) -> list[float]:
    """Bits per text, in the set's order.

    Raises:
        ValueError: a text that was not scored (every text yields at least its end token).
    """
    missing = [i for i in range(n_texts) if i not in text_nats]
    if missing:
        raise ValueError(f"texts {missing[:5]} were not scored")
    return [text_nats[i] / math.log(2) for i in range(n_texts)]


def model_figures(
    eval_set: EvalSet, bits: list[float], english_bits: dict[str, float] | None
) -> dict[str, Interval]:
    """bits_per_byte, bits_per_char and (with parallel rows) info_parity of one language.

    Args:
        eval_set: the language's evaluation set.
        bits: bits per text of the set (`text_bits`).
        english_bits: bits the model spends on each English original (under `<en>`), or
            None when the model cannot score English.
    """
    n_bytes = [len(text.encode("utf-8")) + 1 for text in eval_set.texts]
    n_chars = [len(text) + 1 for text in eval_set.texts]
    figures = {
        "bits_per_byte": ratio_interval(bits, n_bytes),
        "bits_per_char": ratio_interval(bits, n_chars),
    }
    if english_bits and eval_set.lang != "en":
        paired = [
            (b, english_bits[en]) for b, en in zip(bits, eval_set.english, strict=True) if en
        ]
        if paired:
            figures["info_parity"] = ratio_interval(*zip(*paired, strict=True))
    return figures


def token_figures(tokenizer, eval_set: EvalSet) -> dict[str, Interval]:
    """tokens_per_char and (with parallel rows) token_premium_vs_en under a tokenizer.

    Characters are the texts' own (no end marker): tokens per character is what a bill in
    tokens costs per character of text.
    """
    counts = _counts(tokenizer, eval_set.texts)
    figures = {"tokens_per_char": ratio_interval(counts, [len(t) for t in eval_set.texts])}
    pairs = eval_set.pairs
    if pairs:
        translated = _counts(tokenizer, [text for _, text in pairs])
        english = _counts(tokenizer, [en for en, _ in pairs])
        if sum(english):
            figures["token_premium_vs_en"] = ratio_interval(translated, english)
    return figures


def _counts(tokenizer, texts) -> list[int]:
    return [len(e.ids) for e in tokenizer.encode_batch(list(texts), add_special_tokens=False)]
