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
model predicts, the separator a compressor encodes; `hub.measurement.bpb`). Intervals
resample the set's texts (`hub.measurement.bootstrap`); tokenizer figures (tokens per
character, the token premium) come from `hub.measurement.premium`, with the same intervals.
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
