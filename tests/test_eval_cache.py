"""`hub eval`'s compressed sizes, remembered in the hub home, are exactly the computed ones.

A size is read back only when its entry repeats what it depends on and its checksum holds:
a corrupt, forged or foreign entry is recomputed and rewritten, never trusted.
"""

import json
import shutil
import tempfile
from pathlib import Path

import pytest

from hub.measurement import size_cache
from hub.measurement.compressor import (
    baselines_by_lang,
    compressed_size,
    compressor_baseline,
    prime_of,
    primed_baseline,
)
from hub.measurement.evaluate import EvalSettings, evaluate
from hub.measurement.measure_target import open_target
from tests.measured_hub import REGION, measured_home

TEXTS = {
    "de": ["Grüne Wiesen und Berge.", "Die Stadt am Fluss.", "Ein Haus am See."] * 4,
    "ja": ["緑の草原と山。", "川沿いの町。", "湖のほとりの家。"] * 4,
}
TRAIN = {lang: [f"{text} {i}" for i in range(200) for text in texts[:3]]
         for lang, texts in TEXTS.items()}


class Counting:
    """The real compressor, counting its calls (how many sizes were not read back)."""

    def __init__(self):
        self.calls = 0

    def __call__(self, tool, data):
        self.calls += 1
        return compressed_size(tool, data)


def jobs():
    return {lang: (texts, prime_of(TRAIN[lang])) for lang, texts in TEXTS.items()}


def uncached():
    return {lang: (compressor_baseline(t), primed_baseline(t, p)) for lang, (t, p) in
            jobs().items()}


def test_cached_baselines_are_the_computed_ones_and_computed_once(tmp_path):
    folder = size_cache.cache_folder(tmp_path)
    first, second = Counting(), Counting()
    filled = baselines_by_lang(jobs(), 2, size_of=size_cache.cached(folder, first))
    read = baselines_by_lang(jobs(), 2, size_of=size_cache.cached(folder, second))
    assert filled == read == uncached()
    # Per language: xz and zstd of the set, raw xz of prime and of prime + set.
    assert first.calls == 4 * len(TEXTS) and second.calls == 0
    entries = sorted(folder.glob("*.json"))
    assert len(entries) == 4 * len(TEXTS)
    for path in entries:  # plain JSON data, each naming its input by sha256
        entry = json.loads(path.read_text())
        assert entry["size"] > 0 and len(entry["description"]["input_sha256"]) == 64


def _entry(folder: Path, tool: str, data: bytes) -> Path:
    size_cache.cached(folder)(tool, data)
    wanted = size_cache.description(tool, data)
    (path,) = [p for p in folder.glob("*.json")
               if json.loads(p.read_text())["description"] == wanted]
    return path


def _bump_size(path: Path) -> None:  # still valid JSON, checksum now stale
    entry = json.loads(path.read_text())
    entry["size"] -= 1
    path.write_text(json.dumps(entry))


def _forge_other_version(path: Path) -> None:  # self-consistent, but for another liblzma
    entry = json.loads(path.read_text())
    entry["description"]["liblzma"] = "0.0.1"
    entry["size"] = 1
    entry["checksum"] = size_cache._digest(size_cache._canonical([entry["description"], 1]))
    path.write_text(json.dumps(entry))


def _forge_bad_size(path: Path) -> None:  # checksum matches, size is no size
    entry = json.loads(path.read_text())
    entry["size"] = -5
    entry["checksum"] = size_cache._digest(size_cache._canonical([entry["description"], -5]))
    path.write_text(json.dumps(entry))


CORRUPTIONS = {
    "size changed": _bump_size,
    "truncated": lambda path: path.write_bytes(path.read_bytes()[:40]),
    "not UTF-8": lambda path: path.write_bytes(b"\xff\xfe\x00garbage"),
    "empty": lambda path: path.write_bytes(b""),
    "another version's entry": _forge_other_version,
    "negative size": _forge_bad_size,
}


@pytest.mark.parametrize("corrupt", CORRUPTIONS.values(), ids=CORRUPTIONS.keys())
@pytest.mark.parametrize("tool", ["xz", "xz-raw", "zstd"])
def test_a_corrupt_entry_is_recomputed_and_rewritten(tmp_path, corrupt, tool):
    data = prime_of(TRAIN["de"])
    truth = compressed_size(tool, data)
    path = _entry(tmp_path, tool, data)
    corrupt(path)
    counting = Counting()
    assert size_cache.cached(tmp_path, counting)(tool, data) == truth
    assert counting.calls == 1  # recomputed, not read
    assert size_cache.read_entry(path, size_cache.description(tool, data)) == truth
    again = Counting()
    assert size_cache.cached(tmp_path, again)(tool, data) == truth and again.calls == 0


def test_sizes_are_kept_apart_by_tool_and_input(tmp_path):
    data = prime_of(TRAIN["de"])
    size_of = size_cache.cached(tmp_path)
    for tool in ("xz", "xz-raw", "zstd"):
        assert size_of(tool, data) == compressed_size(tool, data)
        assert size_of(tool, data + b"x") == compressed_size(tool, data + b"x")
    assert len(list(tmp_path.glob("*.json"))) == 6


def test_a_cache_that_cannot_be_written_still_gives_the_figures(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache folder would be")
    counting = Counting()
    size_of = size_cache.cached(blocked / "sizes", counting)
    data = prime_of(TRAIN["ja"])
    assert size_of("xz-raw", data) == size_of("xz-raw", data) == compressed_size("xz-raw", data)
    assert counting.calls == 2  # nothing kept, nothing read


@pytest.mark.slow
@pytest.mark.xdist_group("measured-hub")
def test_an_evaluation_from_the_cache_gives_the_uncached_figures(tmp_path_factory):
    home, _, _ = measured_home(tmp_path_factory.getbasetemp() / "measured-hub")
    folder = size_cache.cache_folder(home)
    shutil.rmtree(folder, ignore_errors=True)

    def run():
        with tempfile.TemporaryDirectory() as workdir:
            target = open_target(home, REGION, None, None, Path(workdir))
            rows, _ = evaluate(target, home, EvalSettings(chrf_rows=1))
        return {(r.lang, r.metric, r.precision): (r.value, r.low, r.high, r.unit) for r in rows}

    computed = run()
    entries = sorted(folder.glob("*.json"))
    assert entries  # the first evaluation filled the cache
    _bump_size(entries[0])
    from_cache = run()
    assert from_cache == computed  # every figure, bit for bit
    primed = [key for key in computed if key[1] == "primed_compressor_bits_per_byte"]
    assert {lang for lang, _, _ in primed} == {"de", "en", "fr"}
