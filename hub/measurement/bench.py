"""Serving speed of a model with the product's onnxruntime runtime (`hub bench`).

For each precision (fp32, int8), in a fresh process so its peak resident memory is its own:
latency per token and time to first token at batch 1, throughput at larger batches, each
with a prompt of `prompt_tokens` tokens of real evaluation text and exactly `new_tokens`
greedy new tokens (end-of-text does not stop a row: the work per run is fixed), after a
warm-up. Each figure is the median of `repeats` runs (at least MIN_REPEATS) and carries
the spread of the runs in the metric's `low` (fastest run) and `high` (slowest run).

These timings are figures of their own and price nothing: on a shared 2-core machine eight
identical architectures measured 3,522-4,481 tokens/s, which is noise, not a cost
difference. Cost comes from the model's size and a reference accelerator
(`hub.prices.REFERENCE_HARDWARE`, written by `hub eval`).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from hub.measurement.evaluate import test_sample
from hub.metrics import Metric
from hub.serving import bundle
from hub.serving.runtime import Generator
from plumbing.errors import InputError

MIN_REPEATS = 5  # fewer runs give no spread worth reporting
# Unset lengths: a 64-token prompt and 128 new tokens where the context allows (a chat
# turn's order of magnitude), else half the context each, so every size runs as is.
PROMPT_TOKENS, NEW_TOKENS = 64, 128
Progress = Callable[[str], None]


@dataclass(frozen=True)
class BenchSettings:
    """What a benchmark runs.

    Attributes:
        prompt_tokens: Prompt length in tokens (beginning of sequence included; None:
            PROMPT_TOKENS or half the model's context, whichever is less).
        new_tokens: Tokens generated per row (None: NEW_TOKENS or what the context has
            left after the prompt, whichever is less).
        batches: Batch sizes; the first must be 1 (latency and time to first token).
        repeats: Timed runs per batch size (at least MIN_REPEATS); the median counts.
        device: "cpu" or "cuda".
        threads: onnxruntime intra-op threads (None: onnxruntime's default).
    """

    prompt_tokens: int | None = None
    new_tokens: int | None = None
    batches: tuple[int, ...] = (1, 8, 32)
    repeats: int = MIN_REPEATS
    device: str = "cpu"
    threads: int | None = None

    def fitted(self, context: int) -> BenchSettings:
        """These settings with unset lengths filled to fit a model of `context` tokens.

        Raises:
            InputError: a prompt plus new tokens longer than the context.
        """
        prompt = self.prompt_tokens or min(PROMPT_TOKENS, context // 2)
        new = self.new_tokens or min(NEW_TOKENS, context - prompt)
        if prompt + new > context:
            raise InputError(
                f"--prompt-tokens {prompt} plus --new-tokens {new} exceed the model's context "
                f"of {context} tokens"
            )
        return replace(self, prompt_tokens=prompt, new_tokens=new)


@dataclass(frozen=True)
class Spread:
    """A timed figure over several runs: median, fastest-run and slowest-run values."""

    median: float
    low: float
    high: float

    @staticmethod
    def of(values: list[float]) -> Spread:
        """The median, minimum and maximum of `values`."""
        return Spread(statistics.median(values), min(values), max(values))

    def scaled(self, factor: float) -> Spread:
        """Every value times `factor` (units)."""
        return Spread(self.median * factor, self.low * factor, self.high * factor)

    def inverse(self, work: float) -> Spread:
        """`work / value` for each (seconds to a rate: the slowest run gives the low rate)."""
        return Spread(work / self.median, work / self.high, work / self.low)


@dataclass
class SpeedFigures:
    """One precision's measured speed."""

    precision: str
    latency_ms_per_token: Spread  # batch 1, per decoded token after the first
    time_to_first_token_ms: Spread  # batch 1: prefill and the first token
    tokens_per_s: dict[int, Spread] = field(default_factory=dict)  # by batch size
    peak_rss_mb: float = 0.0

    @property
    def best_tokens_per_s(self) -> Spread:
        """The throughput of the batch size with the highest median."""
        return max(self.tokens_per_s.values(), key=lambda spread: spread.median)


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


    generator = Generator(
        Path(folder), int8=precision == "int8", device=settings.device, threads=settings.threads
    )
    bos = generator.special["bos"]
    tokens_per_s, latency, first_token = {}, None, None
    for batch in settings.batches:
        prompts = prompt_rows(stream, bos, settings.prompt_tokens, batch)
        time_generation(generator, prompts, min(8, settings.new_tokens))  # warm-up
        runs = [
            time_generation(generator, prompts, settings.new_tokens)
            for _ in range(settings.repeats)
        ]
        total = Spread.of([run[2] for run in runs])
        tokens_per_s[batch] = total.inverse(batch * settings.new_tokens)
        if batch == 1:
            first_token = Spread.of([run[0] for run in runs]).scaled(1e3)
            latency = Spread.of([run[1] for run in runs]).scaled(1e3)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    return SpeedFigures(precision, latency, first_token, tokens_per_s, peak_kb / 1024)


def measure_in_child(folder: Path, precision: str, stream: list[int], settings: BenchSettings):
    """`measure_precision` in a spawned process, so peak memory is this precision's alone."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(measure_precision, str(folder), precision, stream, settings).result()


def benchmark(target, home, settings: BenchSettings, progress: Progress | None = None):
    """Measure a Target's speed; returns (Metric rows, SpeedFigures per precision).

    Raises:
        InputError: fewer than MIN_REPEATS runs, a first batch size other than 1, or no
            corpus test rows for the model's languages (for the prompts).
    """
    from tokenizers import Tokenizer


    step = progress or (lambda message: None)
    settings = settings.fitted(int(target.config.model["context_length"]))
    if settings.batches[0] != 1:
        raise InputError("the first batch size must be 1 (latency and time to first token)")
    if settings.repeats < MIN_REPEATS:
        raise InputError(f"--repeats must be at least {MIN_REPEATS}, got {settings.repeats}")
    step("reading evaluation rows")
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

    runs = f"median of {settings.repeats} runs; low/high: min/max"

    def add(metric, spread, unit, precision):
        metrics.append(
            Metric(
                target.model_id, target.region, "all", metric, spread.median, f"{unit} ({runs})",
                precision, settings.device, low=spread.low, high=spread.high,
            )
        )  # fmt: skip

    for precision, speed in speeds.items():
        add("latency_ms_per_token", speed.latency_ms_per_token, "ms/token", precision)
        add("time_to_first_token_ms", speed.time_to_first_token_ms, "ms", precision)
        for batch, spread in speed.tokens_per_s.items():
            add(f"tokens_per_s_batch{batch}", spread, "tokens/s", precision)
        add("tokens_per_s", speed.best_tokens_per_s, "tokens/s", precision)
        metrics.append(
            Metric(
                target.model_id, target.region, "all", "peak_rss_mb", speed.peak_rss_mb, "MB",
                precision, settings.device,
            )
        )  # fmt: skip
    return metrics, speeds
