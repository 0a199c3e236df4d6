"""The multilingual corpus: readers per source, cleaning, split, storage and its CLI."""

from hub.corpus.store import build_corpus, corpus_dir, load_corpus, read_manifest

__all__ = ["build_corpus", "corpus_dir", "load_corpus", "read_manifest"]
