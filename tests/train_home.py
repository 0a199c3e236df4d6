"""A tiny but real hub home for training tests: a corpus of CLDR names and its BPE tokenizer.

The texts are babel's territory and language names in four EU languages (with their English
originals, so translation examples exist), built and tokenized by the product's own
`build_corpus` and `train_tokenizer`.
"""

import shutil
from pathlib import Path

from babel import Locale

from hub.corpus.records import Row, Source, Unit
from hub.corpus.store import build_corpus
from hub.tokenizer import train_tokenizer

LANGS = ("en", "de", "fr", "es")


def cldr_names() -> list[Row]:
    """Territory and language names per language, each with its English name."""
    english = Locale("en")
    rows = []
    for lang in LANGS:
        locale = Locale.parse(lang)
        for names, originals in (
            (locale.territories, english.territories),
            (locale.languages, english.languages),
        ):
            for code, name in names.items():
                rows.append(Row(lang, name, None if lang == "en" else originals.get(code)))
    return rows


def build_template(folder: Path) -> Path:
    """Build corpus and `eu` tokenizer once into `folder`."""
    build_corpus(folder, [Source("cldr-names", "test", [Unit("names", cldr_names)])])
    train_tokenizer(folder, "eu", vocab_size=600)
    return folder


def copy_home(template: Path, home: Path) -> Path:
    """A fresh home with the template's corpus and tokenizers (training writes the rest)."""
    for part in ("_corpus", "_tokenizers"):
        shutil.copytree(template / part, home / part)
    return home
