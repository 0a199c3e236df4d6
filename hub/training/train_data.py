"""Training data: the region's corpus through its tokenizer, as language-tagged token streams.

Each corpus row becomes a document `<bos><lang> text <eos>`; a row that translates an
English original also becomes a translation example `<bos><en> English <lang> text <eos>`
(on by default), so the model learns to translate. The documents of a language are
concatenated into one token stream. A training sequence picks a language with the
temperature-sampling weights the tokenizer used (`language_weights`), a random offset in
that language's stream, and is prefixed with the language's tag so the model always knows
which language it is reading. The sampler's whole state is a numpy PCG64 state, so the
data position survives a checkpoint exactly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from hub.corpus import corpus_dir, load_corpus, read_manifest
from hub.languages import language_weights, region_corpus_langs
from hub.tokenizer import lang_tag, load_tokenizer, special_ids, tokenizer_path
from plumbing.atomic import sha256_file
from plumbing.errors import InputError

LANGUAGE_ALPHA = 0.3  # the tokenizer's sampling temperature (hub.languages.language_weights)
EVAL_DOCS_TOTAL = 3000  # validation texts scored per evaluation, across all languages
COVERAGE = 4  # encode 4x the tokens a language is expected to be sampled for
FIRST_CHUNK, MAX_CHUNK = 256, 16384  # rows per tokenizer call


@dataclass
class Document:
    """One scored text: its token ids (without tags or eos) and its UTF-8 length."""

    ids: list[int]
    n_bytes: int


@dataclass
class RegionData:
    """Token streams and held-out documents of one region, ready for training."""

    langs: list[str]
    weights: np.ndarray
    streams: list[np.ndarray]
    tag_ids: list[int]
    special: dict[str, int]
    vocab_size: int
    valid: dict[str, list[Document]] = field(default_factory=dict)

    @property
    def train_tokens(self) -> int:
        """Tokens in all training streams together."""
        return int(sum(len(s) for s in self.streams))


def encode_region(
    train,
    valid,
    tokenizer,
    langs: list[str],
    tag_ids: dict[str, int],
    special: dict[str, int],
    translation_examples: bool = True,
    alpha: float = LANGUAGE_ALPHA,
    budget_tokens: int | None = None,
    seed: int = 0,
) -> RegionData:
    """Encode corpus tables (columns lang, text, en) into a RegionData.

    Args:
        train: pyarrow Table of training rows.
        valid: pyarrow Table of validation rows (scored per language during training).
        tokenizer: a `tokenizers.Tokenizer`.
        langs: the region's languages, in a fixed order.
        tag_ids: token id of each language's tag (`<de>`), English included.
        special: ids of "bos", "eos" and "pad".
        translation_examples: also add `<bos><en> English <lang> text <eos>` documents.
        alpha: language sampling temperature.
        budget_tokens: tokens the run will train on. Only a seeded random subset of each
            language's rows is encoded, COVERAGE times its expected share (a short run on a
            large corpus would otherwise spend minutes encoding text it never reads).
            None encodes everything.
        seed: picks the subset.
    """
    tables = {lang: train.filter(_lang_is(train, lang)) for lang in langs}
    tables = {lang: table for lang, table in tables.items() if table.num_rows}
    if not tables:
        raise InputError(
            f"no training text for languages {', '.join(langs)}; run `hub corpus build`"
        )
    # Characters, as the tokenizer counted them, set each language's sampling weight.
    counts = {lang: sum(map(len, t.column("text").to_pylist())) for lang, t in tables.items()}
    weights = language_weights(counts, alpha)
    kept = list(tables)
    english: dict[str, list[int]] = {}  # English originals recur across languages
    streams = []
    for index, lang in enumerate(kept):
        target = None if budget_tokens is None else COVERAGE * weights[lang] * budget_tokens
        order = np.random.default_rng([seed, index]).permutation(tables[lang].num_rows)
        streams.append(
            _language_stream(
                tables[lang].take(order), lang, tokenizer, tag_ids, special,
                translation_examples, target, english,
            )
        )  # fmt: skip
    data = RegionData(
        langs=kept,
        weights=np.array([weights[lang] for lang in kept], dtype=np.float64),
        streams=streams,
        tag_ids=[tag_ids[lang] for lang in kept],
        special=dict(special),
        vocab_size=tokenizer.get_vocab_size(),
    )
    for lang in kept:
        texts = valid.filter(_lang_is(valid, lang)).column("text").to_pylist()
        data.valid[lang] = [
            Document(ids, len(text.encode("utf-8")))
            for ids, text in zip(_encode(tokenizer, texts), texts, strict=True)
        ]
    return data


def _language_stream(
    rows, lang, tokenizer, tag_ids, special, translation_examples, target, english
) -> np.ndarray:
    # Encode rows chunk by chunk until the stream holds `target` tokens (None: all rows).
    bos, eos, tag, en_tag = special["bos"], special["eos"], tag_ids[lang], tag_ids.get("en")
    pieces, length, start, size = [], 0, 0, FIRST_CHUNK
    while start < rows.num_rows:
        # Chunks double in size: small languages and short runs encode little.
        chunk, start, size = rows.slice(start, size), start + size, min(2 * size, MAX_CHUNK)
        texts = chunk.column("text").to_pylist()
        encoded = _encode(tokenizer, texts)
        docs = [[bos, tag, *ids, eos] for ids in encoded]
        if translation_examples and lang != "en" and en_tag is not None:
            originals = chunk.column("en").to_pylist()
            missing = sorted({e for e in originals if e and e not in english})
            english.update(zip(missing, _encode(tokenizer, missing), strict=True))
            docs += [
                [bos, en_tag, *english[e], tag, *ids, eos]
                for e, ids in zip(originals, encoded, strict=True)
                if e
            ]
        pieces.append(np.fromiter((i for doc in docs for i in doc), dtype=np.int32))
        length += len(pieces[-1])
        if target is not None and length >= target:
            break
    return np.concatenate(pieces)


def _lang_is(table, lang: str):
    import pyarrow.compute as pc

    return pc.equal(table.column("lang"), lang)


def _encode(tokenizer, texts: list[str]) -> list[list[int]]:
    return [e.ids for e in tokenizer.encode_batch(texts, add_special_tokens=False)]


def load_region_data(
    home: Path,
    region: str,
    translation_examples: bool = True,
    eval_docs: int = 200,
    budget_tokens: int | None = None,
    seed: int = 0,
) -> tuple[RegionData, dict]:
    """Load and encode a region's corpus with its tokenizer (see `encode_region`).

    Returns:
        The data and provenance: tokenizer path and sha256, corpus manifest sha256.

    Raises:
        InputError: no corpus (`hub corpus build`) or no tokenizer (`hub tokenizer train`).
    """
    manifest = read_manifest(home)
    langs = region_corpus_langs(manifest["languages"], region)
    tokenizer = load_tokenizer(home, region)
    tag_ids = {}
    for lang in langs:
        tag = tokenizer.token_to_id(lang_tag(lang))
        if tag is None:
            raise InputError(
                f"the {region} tokenizer has no tag {lang_tag(lang)} for corpus language {lang}; "
                f"retrain it with `hub tokenizer train --region {region}`"
            )
        tag_ids[lang] = tag
    train = load_corpus(home, langs, "train").select(["lang", "text", "en"])
    valid = load_corpus(home, langs, "valid").select(["lang", "text"])
    # A fixed subset keeps evaluation during training cheap, also for `global`'s ~400 languages.
    valid = _first_per_lang(valid, min(eval_docs, max(20, EVAL_DOCS_TOTAL // len(langs))))
    path = tokenizer_path(home, region)
    alpha = _tokenizer_alpha(path.with_name("training.json"))
    special = special_ids(tokenizer)
    data = encode_region(
        train, valid, tokenizer, langs, tag_ids, special, translation_examples, alpha,
        budget_tokens, seed,
    )  # fmt: skip
    provenance = {
        "tokenizer_path": str(path),
        "tokenizer_sha256": sha256_file(path),
        "corpus_sha256": sha256_file(corpus_dir(home) / "manifest.json"),
        "language_alpha": alpha,
    }
    return data, provenance


def _tokenizer_alpha(info_path: Path) -> float:
    # Sample languages with the temperature the tokenizer was trained with.
    try:
        return float(json.loads(info_path.read_text(encoding="utf-8"))["alpha"])
    except (OSError, ValueError, KeyError, TypeError):
        return LANGUAGE_ALPHA


def _first_per_lang(table, limit: int):
    import pyarrow as pa

    langs = table.column("lang").to_pylist()
    seen: dict[str, int] = {}
    keep = []
    for lang in langs:
        seen[lang] = seen.get(lang, 0) + 1
        keep.append(seen[lang] <= limit)
    return table.filter(pa.array(keep))


class BatchSampler:
    """Draws training sequences: a sampled language's tag, then a window of its stream."""

    def __init__(self, data: RegionData, context_length: int, seed: int):
        """Seeded sampler; `context_length` tokens in, the next `context_length` out."""
        if data.train_tokens < context_length + 1:
            raise InputError(
                f"context_length {context_length} is longer than the training data "
                f"({data.train_tokens} tokens); use a smaller --size or a bigger corpus"
            )
        self.data = data
        self.context_length = context_length
        self.rng = np.random.Generator(np.random.PCG64(seed))

    def draw(self, batch_size: int) -> torch.Tensor:
        """A (batch_size, context_length + 1) LongTensor: inputs are [:, :-1], targets [:, 1:]."""
        langs = self.rng.choice(len(self.data.langs), size=batch_size, p=self.data.weights)
        rows = np.empty((batch_size, self.context_length + 1), dtype=np.int64)
        for row, lang in enumerate(langs):
            stream = self.data.streams[lang]
            start = self.rng.integers(len(stream))
            rows[row, 0] = self.data.tag_ids[lang]
            # Wrapping lets a language with less text than one window still be sampled.
            rows[row, 1:] = np.take(
                stream, np.arange(start, start + self.context_length), mode="wrap"
            )
        return torch.from_numpy(rows)

    def state(self) -> dict:
        """JSON-able sampler position."""
        return self.rng.bit_generator.state

    def restore(self, state: dict) -> None:
        """Continue from a saved `state()`."""
        self.rng.bit_generator.state = state
