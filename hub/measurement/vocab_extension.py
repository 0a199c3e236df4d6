"""Vocabulary extension of a production tokenizer for a region, and the premium it buys.

Recipe (continued BPE): the region's training text (its corpus languages other than
English, train split, drawn with the temperature sampling of the hub's own tokenizers,
`hub.tokenizer.sample_training_text`) is cut into words by the production tokenizer's own
pre-tokenizer (its split pattern) and each distinct word is encoded to production tokens.
Then, as BPE training does from bytes, the most frequent adjacent pair of tokens (weighted
by word frequency) becomes a new token, N times; pair counts are updated incrementally for
the words a merge touches (a heap with lazy deletion picks the next pair), never recounted.
A pair whose bytes are already a token (of the production vocabulary or learned before) is
never merged, so every learned token is new. The extended encoder is the production
encoding of each word with the learned merges applied in rank order on top; decoding joins
the tokens' bytes, so decode(encode(text)) == text, and a merge only ever joins two tokens
into one: the extended encoding of any text has at most as many tokens as the production one.

How it relates to published extensions: Chinese-LLaMA (Cui et al. 2023) trained a separate
SentencePiece vocabulary on Chinese text and took its union with LLaMA's; Swallow (Fujii et
al. 2024) added Japanese characters and subwords learned on Japanese text to Llama 2's
(swallow-llm.github.io/swallow-llama.en.html: the gain is mostly efficiency, the scores
with and without the extension differing little). Learning merges on top of the production
tokens instead makes every added token a merge of two tokens the model already has (a new
embedding can start from theirs) and gives the guarantee above, which a union of separately
learned vocabularies does not. The premium before and after is
`hub.measurement.premium.language_premium` on the fixed evaluation set, the recipe of
`hub premium`.
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from hub.corpus.store import load_corpus, read_manifest
from hub.languages import region_corpus_langs
from hub.measurement.premium import ENGLISH
from hub.measurement.production_tokenizers import LoadedTokenizer
from hub.tokenizer import DEFAULT_ALPHA, DEFAULT_MAX_CHARS, sample_training_text
from plumbing.errors import InputError

# A pair seen once in the training text is one word memorised, not a pattern of a language.
MIN_PAIR_COUNT = 2
TRAIN_CHARS = DEFAULT_MAX_CHARS  # the budget of the hub's own region tokenizers


# The production tokenizers that are plain tiktoken BPEs (their `LoadedTokenizer.bpe` is set).
EXTENDABLE = ("cl100k_base", "o200k_base", "tekken")


@dataclass(frozen=True)
class Extension:
    """Merges learned on a region's text on top of a production tokenizer.

    Attributes:
        base: The production tokenizer (its `bpe` a tiktoken encoding).
        region: The region whose training text the merges were learned on.
        merges: Pairs of token ids in rank order; merge r makes token `first_id + r`.
        first_id: The first new id (the production encoding's size, so ids never collide).
    """

    base: LoadedTokenizer
    region: str
    merges: tuple[tuple[int, int], ...]
    first_id: int
    # Each distinct word is encoded once: evaluation text repeats most of its words.
    _words: dict[str, tuple[int, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def limited(self, added: int) -> Extension:
        """The extension with only its first `added` merges (what learning `added` gives)."""
        return replace(self, merges=self.merges[:added])

    @cached_property
    def _ranks(self) -> dict[tuple[int, int], int]:
        return {pair: rank for rank, pair in enumerate(self.merges)}

    @cached_property
    def _split(self):
        import regex

        # tiktoken keeps the split pattern private; the test checks the words' encodings
        # add up to tiktoken's own encoding of the whole text.
        return regex.compile(self.base.bpe._pat_str)

    @cached_property
    def token_bytes(self) -> dict[int, bytes]:
        """The bytes of each learned token."""
        found: dict[int, bytes] = {}
        for rank, (left, right) in enumerate(self.merges):
            found[self.first_id + rank] = self._bytes(left, found) + self._bytes(right, found)
        return found

    def _bytes(self, token: int, learned: dict[int, bytes]) -> bytes:
        if token >= self.first_id:
            return learned[token]
        return self.base.bpe.decode_single_token_bytes(token)

    def encode(self, text: str) -> list[int]:
        """Production tokens of each word, then the learned merges in rank order."""
        ids: list[int] = []
        for word in self._split.findall(text):
            if word not in self._words:
                base = self.base.bpe.encode_ordinary(word)
                self._words[word] = tuple(apply_merges(base, self._ranks, self.first_id))
            ids.extend(self._words[word])
        return ids

    def decode(self, ids: Iterable[int]) -> str:
        """The text of the ids (their bytes joined, read as UTF-8)."""
        learned = self.token_bytes
        return b"".join(self._bytes(token, learned) for token in ids).decode("utf-8")

    def tokenizer(self) -> LoadedTokenizer:
        """The extended encoder as a tokenizer `hub premium` can count with."""
        return LoadedTokenizer(self.base.identity, self.encode)


def merge_pair(ids: Sequence[int], pair: tuple[int, int], new: int) -> list[int]:
    """`ids` with each occurrence of `pair` (left to right, not overlapping) made `new`."""
    out, i = [], 0
    while i < len(ids):
        if i + 1 < len(ids) and ids[i] == pair[0] and ids[i + 1] == pair[1]:
            out.append(new)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


def apply_merges(ids: Sequence[int], ranks: dict[tuple[int, int], int], first_id: int) -> list[int]:
    """The lowest-ranked learned pair merged first, until none applies.

    Equal to applying the merges one by one in rank order: a merge of rank r never makes a
    pair of lower rank (those involve only tokens that existed before it).
    """
    ids = list(ids)
    while len(ids) > 1:
        present = (pair for pair in zip(ids, ids[1:], strict=False) if pair in ranks)
        best = min(present, key=ranks.__getitem__, default=None)
        if best is None:
            break
        ids = merge_pair(ids, best, first_id + ranks[best])
    return ids


def learn_merges(
    words: dict[tuple[int, ...], int], added: int, token_bytes, known: set[bytes], first_id: int
) -> list[tuple[int, int]]:
    """Up to `added` merges, most frequent adjacent pair first (ties: the smaller ids).

    Args:
        words: Each distinct word as production token ids, with its frequency.
        added: How many tokens to learn.
        token_bytes: The bytes of a production token id.
        known: The bytes of every production token (a merge must make a new one).
        first_id: The id of the first learned token.

    Returns:
        The merged pairs in rank order; fewer than `added` where no pair is left that occurs
        at least MIN_PAIR_COUNT times.
    """
    seqs = [list(word) for word in words]
    freqs = list(words.values())
    counts: defaultdict[tuple[int, int], int] = defaultdict(int)
    holders: defaultdict[tuple[int, int], set[int]] = defaultdict(set)
    for index, (seq, freq) in enumerate(zip(seqs, freqs, strict=True)):
        for pair in zip(seq, seq[1:], strict=False):
            counts[pair] += freq
            holders[pair].add(index)
    heap = [(-count, pair) for pair, count in counts.items()]
    heapq.heapify(heap)
    made: dict[int, bytes] = {}
    known = set(known)
    merges: list[tuple[int, int]] = []
    while len(merges) < added and heap:
        negative, pair = heapq.heappop(heap)
        if counts.get(pair, 0) != -negative:
            continue  # stale: the pair's count changed after this entry was pushed
        if -negative < MIN_PAIR_COUNT:
            break
        merged = b"".join(made[t] if t >= first_id else token_bytes(t) for t in pair)
        del counts[pair]
        if merged in known:
            continue  # already a token: merging would add nothing new to the vocabulary
        new = first_id + len(merges)
        merges.append(pair)
        made[new], changed = merged, set()
        known.add(merged)
        for index in holders.pop(pair, ()):
            seq, freq = seqs[index], freqs[index]
            after = merge_pair(seq, pair, new)
            if len(after) == len(seq):
                continue  # the word lost the pair to an earlier merge
            for old in zip(seq, seq[1:], strict=False):
                if old != pair:
                    counts[old] -= freq
                    changed.add(old)
            for fresh in zip(after, after[1:], strict=False):
                counts[fresh] += freq
                holders[fresh].add(index)
                changed.add(fresh)
            seqs[index] = after
        for other in changed:
            if counts[other] > 0:
                heapq.heappush(heap, (-counts[other], other))
            else:
                counts.pop(other, None)
    return merges


def training_words(
    home: Path, region: str, base: LoadedTokenizer, max_chars: int = TRAIN_CHARS
) -> tuple[dict[tuple[int, ...], int], dict[str, int]]:
    """The region's training words as production tokens with their frequencies.

    Returns:
        (word ids -> frequency, for words of two tokens or more; characters drawn per language).

    Raises:
        InputError: no corpus, or a region without languages other than English in it.
    """
    import regex

    langs = [
        lang for lang in region_corpus_langs(read_manifest(home)["languages"], region)
        if lang != ENGLISH
    ]
    if not langs:
        raise InputError(f"--extend {region}: the region has no corpus language besides English")
    table = load_corpus(home, langs, split="train")
    texts_by_lang: dict[str, list[str]] = {lang: [] for lang in langs}
    for lang, text in zip(table["lang"].to_pylist(), table["text"].to_pylist(), strict=True):
        texts_by_lang[lang].append(text)
    texts, drawn = sample_training_text(
        {lang: texts for lang, texts in texts_by_lang.items() if texts}, DEFAULT_ALPHA, max_chars
    )
    split = regex.compile(base.bpe._pat_str)
    chunks = Counter(word for text in texts for word in split.findall(text))
    words: Counter[tuple[int, ...]] = Counter()
    for chunk, ids in zip(chunks, base.bpe.encode_ordinary_batch(list(chunks)), strict=True):
        if len(ids) > 1:
            words[tuple(ids)] += chunks[chunk]
    return dict(words), drawn


def extend(
    home: Path, region: str, base: LoadedTokenizer, added: int, max_chars: int = TRAIN_CHARS
) -> Extension:
    """Learn `added` tokens for `region` on top of `base` (see the module's recipe).

    Raises:
        InputError: a tokenizer that is not a tiktoken BPE, or no training text.
    """
    if base.bpe is None:
        raise InputError(
            f"--extend: tokenizer {base.identity.name!r} cannot be extended; "
            f"expected one of {', '.join(EXTENDABLE)}"
        )
    words, _ = training_words(home, region, base, max_chars)
    bpe = base.bpe
    known = set(bpe.token_byte_values())
    merges = learn_merges(words, added, bpe.decode_single_token_bytes, known, bpe.n_vocab)
    return Extension(base, region, tuple(merges), bpe.n_vocab)
