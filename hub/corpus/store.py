"""Build the corpus from its sources and store it under `{home}/_corpus/`; load it back.

On disk: one Parquet file per split and build (`train-{build}.parquet`, ...; columns lang,
text, source, en, split; rows sorted by language) and `manifest.json` with the sources,
their versions and licences, rows and characters per language and split (and characters per source),
skipped inputs with their reasons, dropped rows per reason and each file's name and sha256.
Every file is written atomically under a name of its own build and the manifest last, so a
killed build leaves the previous corpus whole; files of older builds go once the manifest is in.
"""

from __future__ import annotations

import json
import secrets
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

from hub.corpus.cleaning import Cleaner
from hub.corpus.records import CorruptInput, Source
from hub.corpus.split import SPLITS, split_of
from hub.metrics import now_iso
from plumbing.atomic import sha256_file, write_parquet, write_text
from plumbing.errors import InputError

CORPUS_DIR = "_corpus"
MANIFEST = "manifest.json"
COLUMNS = ("lang", "text", "source", "en", "split")


def corpus_dir(home: Path) -> Path:
    """The corpus folder of a hub home."""
    return Path(home) / CORPUS_DIR


def build_corpus(
    home: Path,
    sources: Iterable[Source],
    strict: bool = False,
    on_unit: Callable[[str], None] | None = None,
) -> dict:
    """Read, clean, split and store every source; return the manifest.

    Args:
        home: the hub home.
        sources: what to read (see hub.corpus.sources).
        strict: raise on the first unreadable input instead of skipping it.
        on_unit: called with each unit's label after it is read (progress).

    Raises:
        InputError: an input is unreadable and `strict` is set, or nothing was read at all.
    """
    cleaner = Cleaner()
    columns: dict[str, list] = {name: [] for name in COLUMNS}
    skipped, described = [], []
    for source in sources:
        read = 0
        for unit in source.units:
            try:
                rows = list(unit.read())
            except CorruptInput as error:
                if strict:
                    raise InputError(f"{unit.label}: {error}") from None
                warnings.warn(f"skipped {unit.label}: {error}", stacklevel=2)
                skipped.append({"source": source.name, "file": unit.label, "reason": str(error)})
            else:
                read += 1
                for row in rows:
                    kept = cleaner.clean(row)
                    if kept is not None:
                        columns["lang"].append(kept.lang)
                        columns["text"].append(kept.text)
                        columns["source"].append(source.name)
                        columns["en"].append(kept.en)
                        columns["split"].append(split_of(kept.en or kept.text))
            if on_unit is not None:
                on_unit(unit.label)
        described.append(
            {
                "name": source.name,
                "version": source.version,
                "licence": source.licence,
                "read": read,
                "skipped": len(source.units) - read,
            }
        )
    if not columns["text"]:
        raise InputError("the corpus is empty: no source gave any text (check --sources/--add)")
    return _store(home, columns, described, skipped, dict(cleaner.dropped))


def _store(home: Path, columns: dict, sources: list, skipped: list, dropped: dict) -> dict:
    import pyarrow as pa
    import pyarrow.compute as pc

    table = pa.table({name: pa.array(values, pa.string()) for name, values in columns.items()})
    table = table.sort_by([("lang", "ascending"), ("split", "ascending")])
    folder = corpus_dir(home)
    build = secrets.token_hex(4)
    files = {}
    for split in SPLITS:
        path = folder / f"{split}-{build}.parquet"
        write_parquet(table.filter(pc.equal(table["split"], split)), path)
        files[split] = {"name": path.name, "sha256": sha256_file(path)}
    manifest = {
        "format": 1,
        "built_at": now_iso(),
        "sources": sources,
        "rows": table.num_rows,
        "languages": _counts(table),
        "skipped": skipped,
        "dropped": dropped,
        "files": files,
    }
    write_text(folder / MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False))
    current = {entry["name"] for entry in files.values()}
    for old in folder.glob("*.parquet"):
        if old.name not in current:
            old.unlink()
    return manifest


def _counts(table) -> dict:
    import pyarrow.compute as pc

    chars = pc.utf8_length(table["text"])
    grouped = table.select(["lang", "split", "source"]).append_column("chars", chars)
    counts: dict[str, dict] = defaultdict(lambda: {"rows": {}, "chars": {}, "source_chars": {}})
    for key, field in (("split", "chars"), ("split", "rows"), ("source", "source_chars")):
        stats = grouped.group_by(["lang", key]).aggregate([("chars", "sum"), ("chars", "count")])
        value = "chars_count" if field == "rows" else "chars_sum"
        for rec in stats.to_pylist():
            counts[rec["lang"]][field][rec[key]] = rec[value]
    return dict(sorted(counts.items()))


def read_manifest(home: Path) -> dict:
    """The corpus manifest.

    Raises:
        InputError: when there is no corpus (saying to run `hub corpus build`) or it is unreadable.
    """
    path = corpus_dir(home) / MANIFEST
    if not path.is_file():
        raise InputError(f"no corpus at {corpus_dir(home)}: run `hub corpus build` first")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InputError(
            f"{path}: unreadable corpus manifest ({error}); run `hub corpus build`"
        ) from None


def load_corpus(home: Path, langs: Iterable[str] | None = None, split: str | None = None):
    """The corpus as a pyarrow Table (columns lang, text, source, en, split).

    Args:
        home: the hub home.
        langs: keep only these languages (BCP 47, as in the corpus); None keeps all.
        split: `train`, `valid` or `test`; None reads all three.

    Raises:
        InputError: no corpus, an unknown split, or a file whose sha256 does not match.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    if split is not None and split not in SPLITS:
        raise InputError(f"split {split!r} is unknown: expected one of {', '.join(SPLITS)}")
    manifest = read_manifest(home)
    wanted = None if langs is None else sorted(set(langs))
    tables = []
    for name in SPLITS if split is None else (split,):
        entry = manifest["files"].get(name, {})
        path = corpus_dir(home) / entry.get("name", f"{name}.parquet")
        if not path.is_file() or sha256_file(path) != entry.get("sha256"):
            raise InputError(
                f"{path}: missing or changed since the build; run `hub corpus build`"
            ) from None
        filters = None if wanted is None else [("lang", "in", wanted)]
        tables.append(pq.read_table(path, filters=filters) if wanted != [] else None)
    tables = [t for t in tables if t is not None]
    if not tables:
        return pa.table({name: pa.array([], pa.string()) for name in COLUMNS})
    return pa.concat_tables(tables)
