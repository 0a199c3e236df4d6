"""Per-region byte-level BPE tokenizers: training, loading, special tokens.

A region's tokenizer is trained on its corpus languages (English always among them) with
temperature sampling over language sizes, so small languages are not drowned, and saved as a
Hugging Face `tokenizer.json` in `{home}/_tokenizers/{region}/`. Every tokenizer carries the
same special tokens: `<pad>`, `<bos>`, `<eos>` and one tag per corpus language (`<de>`,
`<pt-BR>`), so a model of any region can be prompted with any language's tag. Text is
NFC-normalised before it is split (NFD input gives the same tokens), and encoding with
special tokens adds `<bos>` in front (a TemplateProcessing post-processor), as Hugging Face
tokenizers of Llama-family models do; the hub's own code encodes with
`add_special_tokens=False` and places `<bos>` and the language tag itself (`PROMPT_FORMATS`).

What a tokenizer costs per language (tokens per character, the token premium against
English) is measured by `hub.measurement.premium`, the one recipe every figure uses.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from hub.languages import language_weights, normalize_lang, region_corpus_langs
from hub.names import check_name
from plumbing.atomic import write_text, write_with
from plumbing.errors import InputError

TOKENIZERS_DIR = "_tokenizers"
DEFAULT_VOCAB = 8192  # small models: the embedding table stays a modest share of the weights
# Characters of training text: enough for stable merges at 8k, and well under a minute to train.
DEFAULT_MAX_CHARS = 3_000_000
DEFAULT_ALPHA = 0.3  # temperature over language sizes (p ~ n^alpha), as XLM-R (Conneau 2020)
# A small language is repeated at most this often to reach its sampled share.
MAX_UPSAMPLE = 4
SPECIALS = ("<pad>", "<bos>", "<eos>")
SEED = 0
# How the models are prompted, as text a tokenizer with the hub's specials turns into ids.
PROMPT_FORMATS = {
    "continue": "<bos><{lang}>{text}",
    "translate": "<bos><{source_lang}>{text}<{target_lang}>",
}


def tokenizer_path(home: Path, region: str) -> Path:
    """Where a region's tokenizer.json lives."""
    return Path(home) / TOKENIZERS_DIR / check_name("region", region) / "tokenizer.json"


def lang_tag(lang: str) -> str:
    """The special token that marks text in a language (`pt_BR` -> `<pt-BR>`)."""
    return f"<{normalize_lang(lang)}>"


def add_serving_rules(tokenizer) -> None:
    """NFC normaliser and a `<bos>`-adding post-processor (idempotent; special ids kept)."""
    from tokenizers import normalizers, processors

    bos = special_ids(tokenizer)["bos"]
    tokenizer.normalizer = normalizers.NFC()
    tokenizer.post_processor = processors.TemplateProcessing(
        single="<bos> $A", pair="<bos> $A <bos> $B", special_tokens=[("<bos>", bos)]
    )


def sample_training_text(
    texts_by_lang: dict[str, list[str]], alpha: float, max_chars: int
) -> tuple[list[str], dict[str, int]]:
    """Draw up to `max_chars` characters across languages with p ~ n^alpha (n: characters).

    Returns the texts and the characters drawn per language. Each language's texts are
    shuffled with a fixed seed and, when its share exceeds its size, repeated up to
    MAX_UPSAMPLE times.
    """
    sizes = {lang: sum(map(len, texts)) for lang, texts in texts_by_lang.items()}
    weights = language_weights(sizes, alpha)
    rng = random.Random(SEED)
    drawn, chosen = {}, []
    for lang in sorted(texts_by_lang):
        budget = min(weights[lang] * max_chars, sizes[lang] * MAX_UPSAMPLE)
        texts = list(texts_by_lang[lang])
        rng.shuffle(texts)
        total = 0
        while texts and total < budget:
            for text in texts:
                chosen.append(text)
                total += len(text)
                if total >= budget:
                    break
        drawn[lang] = total
    return chosen, drawn


def train_tokenizer(
    home: Path,
    region: str,
    vocab_size: int = DEFAULT_VOCAB,
    alpha: float = DEFAULT_ALPHA,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> Path:
    """Train the region's byte-level BPE tokenizer on the corpus train split; return its path.

    Raises:
        InputError: no corpus, a region without corpus languages, or a vocabulary too small.
    """
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers

    from hub.corpus.store import load_corpus, read_manifest

    path = tokenizer_path(home, region)
    corpus_langs = sorted(read_manifest(home)["languages"])
    specials = [*SPECIALS, *(lang_tag(lang) for lang in corpus_langs)]
    if vocab_size < len(specials) + 256 + 1:
        raise InputError(
            f"--vocab-size {vocab_size} is too small: the {len(specials)} special "
            f"tokens and 256 bytes need at least {len(specials) + 257}"
        )
    langs = region_corpus_langs(corpus_langs, region)
    table = load_corpus(home, langs, split="train")
    texts_by_lang: dict[str, list[str]] = {lang: [] for lang in langs}
    for lang, text in zip(table["lang"].to_pylist(), table["text"].to_pylist(), strict=True):
        texts_by_lang[lang].append(text)
    texts, drawn = sample_training_text(texts_by_lang, alpha, max_chars)

    tokenizer = Tokenizer(models.BPE())
    tokenizer.normalizer = normalizers.NFC()
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=specials,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(texts, trainer, length=len(texts))
    add_serving_rules(tokenizer)
    write_with(path, lambda tmp: tokenizer.save(str(tmp)))
    info = {
        "region": region,
        "vocab_size": tokenizer.get_vocab_size(),
        "alpha": alpha,
        "max_chars": max_chars,
        "chars_per_language": drawn,
    }
    write_text(path.with_name("training.json"), json.dumps(info, indent=1))
    return path


def load_tokenizer(home: Path, region: str):
    """The region's trained tokenizer (a `tokenizers.Tokenizer`).

    Raises:
        InputError: when it is missing (naming the command that trains it) or unreadable.
    """
    from tokenizers import Tokenizer

    path = tokenizer_path(home, region)
    if not path.is_file():
        raise InputError(
            f"no tokenizer for region {region!r} at {path}: "
            f"run `hub tokenizer train --region {region}`"
        )
    try:
        return Tokenizer.from_file(str(path))
    except Exception as error:  # noqa: BLE001 - the Rust library raises a bare Exception
        raise InputError(
            f"{path}: not a readable tokenizer.json ({error}); "
            f"run `hub tokenizer train --region {region}`"
        ) from None


def special_ids(tokenizer) -> dict[str, int]:
    """Ids of the `bos`, `eos` and `pad` tokens.

    Raises:
        InputError: when the tokenizer lacks one of them (it was not made by the hub).
    """
    ids = {token.strip("<>"): tokenizer.token_to_id(token) for token in SPECIALS}
    missing = [name for name, token_id in ids.items() if token_id is None]
    if missing:
        raise InputError(f"tokenizer has no {', '.join(missing)} token: train it with the hub")
    return ids
