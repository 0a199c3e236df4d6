"""The multilingual corpus: readers per source, cleaning, split, storage and its CLI.

`from hub.corpus import load_corpus` works as usual; the storage module (and pyarrow with
it) is imported on first use so that `hub --help` and the CLI group stay quick to load.
"""

__all__ = ["build_corpus", "corpus_dir", "load_corpus", "read_manifest"]


def __getattr__(name: str):
    if name in __all__:
        from hub.corpus import store

        return getattr(store, name)
    raise AttributeError(f"module 'hub.corpus' has no attribute {name!r}")
