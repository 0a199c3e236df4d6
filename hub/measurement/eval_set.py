"""The fixed held-out evaluation set: one per language, the same bytes for every model.

A language's evaluation set is every row of its corpus test split (the split is a stable
hash of the English original, `hub.corpus.split`, so no model and no tokenizer has any say
in it), in the order of the sha256 of the row's text. Nothing depends on which model asks or
on how many languages it has: two models that share a language are scored on identical bytes,
and the set's sha256 (`EvalSet.sha256`) goes on every metric row so that a reader can check.

Where a language's test split is large, the first texts in hash order that reach
`max_bytes` form the set (a reproducible prefix, at least MIN_BYTES). With the default cap
of 20 KB the default corpus (394 languages) gives a 1.76 MB set, which the `small` model
scores in minutes on two cores; uncapped it would be 4.2 MB, but only 54 languages have
more than 20 KB of test text, and for all the others the set is their whole test split.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from hub.corpus import load_corpus

# Every language's set holds at least this many UTF-8 bytes where the test split has them.
MIN_BYTES = 20_000
# The same cap for every model and tokenizer, so a language's bytes never depend on who asks.
DEFAULT_MAX_BYTES = MIN_BYTES


@dataclass(frozen=True)
class EvalSet:
    """The evaluation texts of one language.

    Attributes:
        lang: BCP 47 tag, as in the corpus.
        texts: The texts, in the order of the sha256 of their UTF-8 bytes.
        english: Per text, its English original where the row is a translation, else None.
        sha256: Hex sha256 over the set (see `set_digest`).
    """

    lang: str
    texts: tuple[str, ...]
    english: tuple[str | None, ...]
    sha256: str

    @property
    def n_bytes(self) -> int:
        """UTF-8 bytes of all texts (no separators)."""
        return sum(len(text.encode("utf-8")) for text in self.texts)

    @property
    def n_chars(self) -> int:
        """Unicode code points of all texts."""
        return sum(len(text) for text in self.texts)

    @property
    def pairs(self) -> list[tuple[str, str]]:
        """(English original, translation) for the parallel rows; none for English itself."""
        if self.lang == "en":
            return []
        return [(en, text) for text, en in zip(self.texts, self.english, strict=True) if en]


def _text_key(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


def set_digest(lang: str, texts: Iterable[str], english: Iterable[str | None]) -> str:
    """sha256 over the language tag and every (text, English) row, each length-prefixed.

    Length prefixes make the digest unambiguous (no two different sets share one by
    concatenation), and the English originals are part of it since information parity and
    the token premium are computed on them.
    """
    digest = hashlib.sha256()
    for part in (lang, *(p for row in zip(texts, english, strict=True) for p in row)):
        data = b"\xff" if part is None else part.encode("utf-8")
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def make_eval_set(lang: str, rows: Iterable[tuple[str, str | None]], max_bytes: int) -> EvalSet:
    """The evaluation set of one language from its (text, English) test rows.

    Duplicate texts are kept once (the corpus may hold one text from two sources); the order
    is the sha256 of the text, and the set is the shortest prefix of that order that reaches
    `max_bytes` (all rows where they hold less).
    """
    unique: dict[str, str | None] = {}
    for text, en in rows:
        if text and (text not in unique or (unique[text] is None and en)):
            unique[text] = en
    ordered = sorted(unique, key=_text_key)
    kept, size = [], 0
    for text in ordered:
        if size >= max_bytes:
            break
        kept.append(text)
        size += len(text.encode("utf-8"))
    english = tuple(unique[text] for text in kept)
    return EvalSet(lang, tuple(kept), english, set_digest(lang, kept, english))


def evaluation_sets(
    home: Path, langs: Iterable[str], max_bytes: int = DEFAULT_MAX_BYTES
) -> dict[str, EvalSet]:
    """The evaluation set of each language that has test rows in the corpus of `home`.

    Args:
        home: the hub home whose corpus (`hub corpus build`) is read.
        langs: the languages wanted; those without test rows are left out of the result.
        max_bytes: cap in UTF-8 bytes per language (at least MIN_BYTES).

    Raises:
        InputError: no corpus, or a corpus file changed since its build.
        ValueError: `max_bytes` below MIN_BYTES.
    """
    if max_bytes < MIN_BYTES:
        raise ValueError(f"max_bytes must be at least {MIN_BYTES}, got {max_bytes}")
    wanted = sorted(set(langs))
    table = load_corpus(home, wanted, "test")
    found: dict[str, list[tuple[str, str | None]]] = {}
    columns = (table[name].to_pylist() for name in ("lang", "text", "en"))
    for lang, text, en in zip(*columns, strict=True):
        found.setdefault(lang, []).append((text, en))
    return {
        lang: make_eval_set(lang, found[lang], max_bytes) for lang in wanted if found.get(lang)
    }
