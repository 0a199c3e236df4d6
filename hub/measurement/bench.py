"""Serving speed and cost of a model with the product's onnxruntime runtime (`hub bench`).

For each precision (fp32, int8), in a fresh process so its peak resident memory is its own:
latency per token and time to first token at batch 1, throughput at larger batches, each
with a prompt of `prompt_tokens` tokens of real test text and exactly `new_tokens` greedy
new tokens (end-of-text does not stop a row: the work per run is fixed), the median of
`repeats` runs after a warm-up.

Cost per language follows from the best throughput:

    USD per 1M characters = tokens_per_char x 1e6 / tokens_per_s x usd_per_hour / 3600

with tokens per character measured on the language's test rows and the hourly price of the
instance the figures stand for (`hub.prices`; the 2-vCPU `m7i.large` for CPU serving).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from hub.metrics import Metric

DEFAULT_GPU_INSTANCE = "g6.xlarge"  # one L4: the cheapest current-generation GPU in the table
Progress = Callable[[str], None]


@dataclass(frozen=True)
class BenchSettings:
    """What a benchmark runs.

    Attributes:
        prompt_tokens: Prompt length in tokens (beginning of sequence included).
        new_tokens: Tokens generated per row.
        batches: Batch sizes; the first must be 1 (latency and time to first token).
        repeats: Timed runs per batch size; the median counts.
        device: "cpu" or "cuda".
        threads: onnxruntime intra-op threads (None: onnxruntime's default).
    """

    prompt_tokens: int = 64
    new_tokens: int = 128
    batches: tuple[int, ...] = (1, 8, 32)
    repeats: int = 3
    device: str = "cpu"
    threads: int | None = None


@dataclass
class SpeedFigures:
    """One precision's measured speed."""

    precision: str
    latency_ms_per_token: float  # batch 1, per decoded token after the first
    time_to_first_token_ms: float  # batch 1: prefill and the first token
    tokens_per_s: dict[int, float] = field(default_factory=dict)  # by batch size
    peak_rss_mb: float = 0.0

    @property
    def best_tokens_per_s(self) -> float:
        """The highest throughput over the measured batch sizes."""
        return max(self.tokens_per_s.values())


def usd_per_1m_chars(tokens_per_char: float, tokens_per_s: float, usd_per_hour: float) -> float:
    """Serving cost of one million characters: their tokens' seconds at the hourly price."""
    return tokens_per_char * 1e6 / tokens_per_s * usd_per_hour / 3600.0


def prompt_rows(stream: list[int], bos: int, length: int, batch: int) -> list[list[int]]:
    """`batch` prompts of `length` tokens: `<bos>` then windows of a real token stream."""
    need = length - 1
    rows = []
    for row in range(batch):
        start = (row * 97) % max(len(stream), 1)  # different text per row
        window = [stream[(start + i) % len(stream)] for i in range(need)]
        rows.append([bos, *window])
    return rows


def time_generation(
    generator, prompts: list[list[int]], new_tokens: int
) -> tuple[float, float, float]:
    """One run: (seconds to the first token, seconds per later token, total seconds)."""
    stamps: list[float] = []
    began = time.perf_counter()
    generator.generate_ids(
        prompts, new_tokens, on_step=lambda _: stamps.append(time.perf_counter()), stop_at_eos=False
    )
    first, last = stamps[0] - began, stamps[-1] - began
    per_token = (last - first) / max(len(stamps) - 1, 1)
    return first, per_token, last


def measure_precision(
    folder: str, precision: str, stream: list[int], settings: BenchSettings
) -> SpeedFigures:
    """Time one precision of the model in `folder` (run it in a fresh process for memory)."""
    import resource

    from hub.serving.runtime import Generator

    generator = Generator(
        Path(folder), int8=precision == "int8", device=settings.device, threads=settings.threads
    )
    bos = generator.special["bos"]
    tokens_per_s, latency, first_token = {}, float("nan"), float("nan")
    for batch in settings.batches:
        prompts = prompt_rows(stream, bos, settings.prompt_tokens, batch)
        time_generation(generator, prompts, min(8, settings.new_tokens))  # warm-up
        runs = [
            time_generation(generator, prompts, settings.new_tokens)
            for _ in range(settings.repeats)
        ]
        total = statistics.median(run[2] for run in runs)
        tokens_per_s[batch] = batch * settings.new_tokens / total
        if batch == 1:
            first_token = statistics.median(run[0] for run in runs)
            latency = statistics.median(run[1] for run in runs)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    return SpeedFigures(precision, latency * 1e3, first_token * 1e3, tokens_per_s, peak_kb / 1024)


def measure_in_child(folder: Path, precision: str, stream: list[int], settings: BenchSettings):
    """`measure_precision` in a spawned process, so peak memory is this precision's alone."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(measure_precision, str(folder), precision, stream, settings).result()


def benchmark(
    target,
    home,
    settings: BenchSettings,
    usd_per_hour: float,
    instance: str,
    progress: Progress | None = None,
):
    """Measure a Target's speed and cost; returns (Metric rows, SpeedFigures per precision).

    Raises:
        InputError: no corpus test rows for the model's languages (for prompts and
            tokens per character).
    """
    from tokenizers import Tokenizer

    from hub.errors import InputError
    from hub.measurement.evaluate import test_sample, tokenizer_figures
    from hub.serving import bundle

    step = progress or (lambda message: None)
    if settings.batches[0] != 1:
        raise InputError("the first batch size must be 1 (latency and time to first token)")
    step("reading test rows")
    samples = test_sample(home, target.languages, 64, 0)
    if not samples:
        raise InputError(f"the corpus in {home} has no test rows for {target.model_id}'s languages")
    tokenizer = Tokenizer.from_file(str(target.folder / bundle.TOKENIZER))
    texts = [text for lang in sorted(samples) for text in samples[lang].texts]
    stream = [i for e in tokenizer.encode_batch(texts, add_special_tokens=False) for i in e.ids]
    precisions = ["fp32"] + (["int8"] if (target.folder / bundle.MODEL_INT8).is_file() else [])
    speeds = {}
    for precision in precisions:
        sizes = ", ".join(map(str, settings.batches))
        step(f"timing {precision} on {settings.device} (batches {sizes})")
        speeds[precision] = measure_in_child(target.folder, precision, stream, settings)
    metrics: list[Metric] = []

    def add(lang, metric, value, unit, precision):
        metrics.append(
            Metric(
                target.model_id,
                target.region,
                lang,
                metric,
                float(value),
                unit,
                precision,
                settings.device,
            )
        )

    figures = tokenizer_figures(tokenizer, samples)
    for precision, speed in speeds.items():
        add("all", "latency_ms_per_token", speed.latency_ms_per_token, "ms/token", precision)
        add("all", "time_to_first_token_ms", speed.time_to_first_token_ms, "ms", precision)
        for batch, value in speed.tokens_per_s.items():
            add("all", f"tokens_per_s_batch{batch}", value, "tokens/s", precision)
        add("all", "tokens_per_s", speed.best_tokens_per_s, "tokens/s", precision)
        add("all", "peak_rss_mb", speed.peak_rss_mb, "MB", precision)
        add("all", "usd_per_hour", usd_per_hour, f"USD/h ({instance})", precision)
        for lang, found in figures.items():
            cost = usd_per_1m_chars(
                found["tokens_per_char"][0], speed.best_tokens_per_s, usd_per_hour
            )
            add(lang, "usd_per_1m_chars", cost, "USD", precision)
    return metrics, speeds
