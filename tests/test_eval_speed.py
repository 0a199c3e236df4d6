"""`hub eval`'s faster parts give the figures of the slow ones, its progress counts what it
does, and Ctrl-C stops it with exit 130 and no metrics file touched.

Speed itself is measured in benchmarks/RESULTS.md (no timed asserts here).
"""

import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest
from scipy.special import log_softmax

from hub.measurement.bpb import IGNORE, _position_scores
from hub.measurement.compressor import (
    baselines_by_lang,
    compressor_baseline,
    prime_of,
    primed_baseline,
    scored_bytes,
)
from hub.measurement.evaluate import EvalSettings, evaluate
from hub.measurement.measure_target import open_target
from hub.serving import bundle
from tests.measured_hub import REGION, measured_home


@pytest.fixture(scope="module")
def hub_home(tmp_path_factory):
    return measured_home(tmp_path_factory.getbasetemp() / "measured-hub")


def test_batched_scores_are_the_float64_log_softmax_row_by_row():
    rng = np.random.default_rng(0)
    logits = (rng.normal(size=(5, 40, 300)) * 8).astype(np.float32)
    targets = rng.integers(0, 300, size=(5, 40))
    targets[:, :2] = IGNORE  # the given prefix
    targets[1, 30:] = IGNORE  # a shorter, right-padded row
    targets[3, 5:] = IGNORE
    nats, prediction, truth, ends = _position_scores(logits, targets)
    for row in range(5):
        where = np.nonzero(targets[row] != IGNORE)[0]
        exact = -log_softmax(logits[row, where].astype(np.float64), axis=-1)
        expected = exact[np.arange(len(where)), targets[row, where]]
        lo, hi = ends[row], ends[row + 1]
        assert hi - lo == len(where)
        np.testing.assert_allclose(nats[lo:hi], expected, rtol=0, atol=1e-6)
        assert (prediction[lo:hi] == logits[row, where].argmax(-1)).all()
        assert (truth[lo:hi] == targets[row, where]).all()


def test_compressor_baselines_in_parallel_are_those_of_one_language_at_a_time():
    texts = {
        "de": ["Grüne Wiesen und Berge.", "Die Stadt am Fluss."] * 3,
        "fr": ["Les prés verts et les montagnes.", "La ville au bord du fleuve."] * 3,
        "ja": ["緑の草原と山。", "川沿いの町。"] * 3,
    }
    jobs = {lang: (t, prime_of(t * 5)) for lang, t in texts.items()}
    done = []
    found = baselines_by_lang(jobs, workers=2, done=done.append)
    assert sorted(done) == sorted(texts) and list(found) == list(texts)
    for lang, (t, prime) in jobs.items():
        assert found[lang] == (compressor_baseline(t), primed_baseline(t, prime))


@pytest.mark.parametrize("lang", ["de", "ja", "ru", "el"])
def test_the_fitted_xz_dictionary_gives_preset_9es_sizes_on_real_text(lang):
    import lzma

    from babel import Locale

    from hub.measurement.compressor import XZ_PRESET, compressed_sizes, xz_filters

    names = Locale(lang)
    prime = scored_bytes(sorted(names.territories.values()) * 3)
    data = scored_bytes(sorted(names.languages.values()))
    for chunk in (data, prime + data, prime):
        preset = lzma.compress(chunk, format=lzma.FORMAT_RAW,
                               filters=[{"id": lzma.FILTER_LZMA2, "preset": XZ_PRESET}])
        fitted = lzma.compress(chunk, format=lzma.FORMAT_RAW, filters=xz_filters(len(chunk)))
        assert len(fitted) == len(preset)
        assert xz_filters(len(chunk))[0]["dict_size"] >= len(chunk)
    container = lzma.compress(data, format=lzma.FORMAT_XZ, preset=XZ_PRESET)
    assert compressed_sizes(data)["xz"] == len(container)


class Recorded:
    """A progress display that keeps what it was told: phases, totals and steps done."""

    def __init__(self):
        self.phases = []

    def __call__(self, message, total=None):
        self.phases.append([message, total, 0])

    def advance(self):
        self.phases[-1][2] += 1


def test_every_counted_phase_advances_to_its_total(hub_home):
    home, _, _ = hub_home
    shown = Recorded()
    with tempfile.TemporaryDirectory() as workdir:
        target = open_target(home, REGION, None, None, Path(workdir))
        rows, facts = evaluate(target, home, EvalSettings(chrf_rows=2), shown)
    counted = [(m, t, d) for m, t, d in shown.phases if t is not None]
    assert any("compressor" in m for m, _, _ in counted)
    for message, total, done in counted:
        assert done == total > 0, message
    languages = len(facts["scored_bytes"])
    assert [t for m, t, _ in counted if "compressor" in m or "PyTorch" in m] == [languages] * 2


def test_ctrl_c_exits_130_and_leaves_no_metrics_file(hub_home, tmp_path):
    home, version, out = hub_home
    target = tmp_path / "bundle"
    subprocess.run(["cp", "-r", str(out), str(target)], check=True)
    before = {p: p.read_bytes() for p in target.iterdir() if p.is_file()}
    registry_metrics = version.file("metrics.parquet")
    registry_before = registry_metrics.read_bytes() if registry_metrics.is_file() else None
    # FORCE_COLOR makes rich draw the progress bar into the pipe as it would on a terminal.
    env = {**os.environ, "FORCE_COLOR": "1", "COLUMNS": "160"}
    child = subprocess.Popen(
        [str(Path(sys.executable).parent / "hub"), "eval", "--bundle", str(target),
         "--home", str(home), "--chrf-rows", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip
    seen, deadline = b"", time.monotonic() + 300
    while b"scoring" not in seen and child.poll() is None and time.monotonic() < deadline:
        if select.select([child.stderr], [], [], 1.0)[0]:
            seen += os.read(child.stderr.fileno(), 65536)
    assert b"scoring" in seen, seen.decode(errors="replace")[-2000:]
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=120)
    assert child.returncode == 130, (seen + err).decode(errors="replace")[-2000:]
    assert b"interrupted" in err and b"Traceback" not in err
    assert {p: p.read_bytes() for p in target.iterdir() if p.is_file()} == before
    registry_after = registry_metrics.read_bytes() if registry_metrics.is_file() else None
    assert registry_after == registry_before
    assert bundle.verify_bundle(target) == []
