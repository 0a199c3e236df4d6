"""Per-language quality of a model on the fixed evaluation set (`hub eval`).

Every model is scored on the same bytes: each language's evaluation set
(`hub.measurement.eval_set`: all its test rows in hash order, up to 20 KB), whatever other
languages the model has. Every per-language row carries the set's sha256. For each language:

- bits per byte (raw), bits per character and information parity on the parallel rows
  (`hub.measurement.quality`), each with a 95% bootstrap interval, scored as in training
  (`hub.measurement.bpb`: `<bos><lang> text <eos>`) with onnxruntime in fp32 and int8 and,
  where the PyTorch weights are at hand, with PyTorch; PyTorch and onnxruntime fp32 must
  agree within 0.5% (else the export is wrong);
- next-token top-1 accuracy over the same positions, and int8's agreement with fp32;
- two compressor baselines on exactly the scored bytes: cold (better of xz -9e and
  zstd -22 on the set alone) and primed on the language's training split
  (`hub.measurement.compressor.primed_baseline`), the one to compare a model with;
- tokens per character, and the token premium against English on the parallel rows;
- chrF of the model's translations of the first `chrf_rows` parallel rows of the set
  (`hub.measurement.translation_eval`); generation is the slow part, hence the cap, which
  is per language and fixed, so it too is the same rows for every model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from hub import registry
from hub.corpus import load_corpus
from hub.measurement.bootstrap import Interval
from hub.measurement.bpb import (  # noqa: F401 - scoring_rows_by_lang: for the benchmarks
    bits_per_byte,
    ort_scores,
    score_rows,
    scoring_groups,
    scoring_rows_by_lang,
)
from hub.measurement.compressor import baselines_by_lang, prime_of, scored_bytes
from hub.measurement.eval_set import EvalSet, evaluation_sets
from hub.measurement.premium import TokenCounter, language_premium
from hub.measurement.production_tokenizers import (
    HUB_PREFIX,
    HUB_VENDOR,
    LoadedTokenizer,
    TokenizerIdentity,
)
from hub.measurement.quality import model_figures, text_bits
from hub.measurement.size_cache import cache_folder, cached
from hub.measurement.translation_eval import chrf_by_lang, translation_prompts
from hub.metrics import Metric
from hub.prices import REFERENCE_HARDWARE as ref
from hub.serving import bundle
from hub.serving.runtime import Generator
from plumbing.atomic import sha256_file
from plumbing.errors import InputError

TORCH_ORT_TOLERANCE = 0.005  # relative: PyTorch and onnxruntime bits per byte
ENGLISH_SOURCES = "en>"  # scoring group of the English originals (information parity)


class Progress(Protocol):
    """What a measurement reports as it runs (`hub.measurement.measure_target.StepProgress`)."""

    def __call__(self, message: str, total: int | None = None) -> None:
        """A new phase of `total` steps (None: not counted)."""

    def advance(self) -> None:
        """One step of the phase done."""


class _Quiet:
    def __call__(self, message: str, total: int | None = None) -> None:
        pass

    def advance(self) -> None:
        pass


@dataclass(frozen=True)
class EvalSettings:
    """Translation sample and batching of an evaluation.

    Attributes:
        chrf_rows: Parallel rows translated per language for chrF, at most.
        batch_size: Rows per onnxruntime / PyTorch call.
        threads: onnxruntime intra-op threads (None: onnxruntime's default).
    """

    chrf_rows: int = 8
    batch_size: int = 16
    threads: int | None = None


@dataclass
class LanguageSample:
    """The evaluation rows of one language: its set, and the pairs translated for chrF."""

    texts: list[str] = field(default_factory=list)
    parallel: list[tuple[str, str]] = field(default_factory=list)  # (English, translation)
    all_parallel: list[tuple[str, str]] = field(default_factory=list)
    eval_set: EvalSet | None = None  # None for a hand-made sample


def language_samples(home, langs: list[str], chrf_rows: int) -> dict[str, LanguageSample]:
    """Per language with test rows, its evaluation set and its first `chrf_rows` pairs.

    Raises:
        InputError: no corpus (naming `hub corpus build`).
    """
    return {
        lang: LanguageSample(list(found.texts), found.pairs[:chrf_rows], found.pairs, found)
        for lang, found in evaluation_sets(home, langs).items()
    }


def test_sample(home, langs: list[str], max_rows: int, max_parallel: int) -> dict:
    """`language_samples` with at most `max_rows` texts each (the benchmarks' prompts)."""
    samples = language_samples(home, langs, max_parallel)
    for sample in samples.values():
        sample.texts = sample.texts[:max_rows]
    return samples


def tokenizer_figures(tokenizer, target, samples: dict) -> dict[str, dict]:
    """Per language, tokens per character and (with pairs) the premium vs English, intervals.

    Counted as `hub premium` counts them (`hub.measurement.premium.language_premium`), so
    the two commands give the same figures for `hub:REGION`.
    """
    path = target.folder / bundle.TOKENIZER
    identity = TokenizerIdentity(
        f"{HUB_PREFIX}{target.region}", "hub", HUB_VENDOR,
        tokenizer.get_vocab_size(with_added_tokens=True), sha256_file(path), "hub registry",
        target.model_id, str(path),
    )  # fmt: skip
    encode = lambda text: tokenizer.encode(text, add_special_tokens=False).ids  # noqa: E731
    counter = TokenCounter(LoadedTokenizer(identity, encode))
    figures = {}
    for lang, sample in samples.items():
        found = language_premium(counter, sample.eval_set)
        figures[lang] = {"tokens_per_char": found.tokens_per_char}
        if found.n_pairs and found.premium is not None:  # English vs itself: 1 by definition
            figures[lang]["token_premium_vs_en"] = found.premium
    return figures


def evaluate(target, home, settings: EvalSettings, progress: Progress | None = None):
    """Measure a Target (`hub.measurement.measure_target`) per language.

    Returns (Metric rows, facts). Facts: `torch_ort_worst` (largest relative
    PyTorch/onnxruntime difference, None without weights), `chrf_rows`, `scored_bytes`
    (per language, the bytes both the model and the compressors were scored on) and
    `samples` (the LanguageSample of each language).

    Raises:
        InputError: the corpus lacks test rows for every language of the model.
        click.ClickException: PyTorch and onnxruntime disagree by more than 0.5%.
    """
    step = progress or _Quiet()
    step(f"reading the evaluation sets ({settings.chrf_rows} translations per language)")
    samples = language_samples(home, target.languages, settings.chrf_rows)
    if not samples:
        raise InputError(f"the corpus in {home} has no test rows for {target.model_id}'s languages")
    precisions = ["fp32"] + (["int8"] if (target.folder / bundle.MODEL_INT8).is_file() else [])
    generators = {
        p: Generator(target.folder, int8=p == "int8", threads=settings.threads, spin=False)
        for p in precisions
    }
    fp32 = generators["fp32"]
    tokenizer, special = fp32.tokenizer, fp32.special
    context = target.config.model["context_length"]
    sources = sorted({en for s in samples.values() for en, _ in s.all_parallel})
    groups = {lang: (lang, s.texts) for lang, s in samples.items()}
    groups[ENGLISH_SOURCES] = ("en", sources)
    rows, owners = scoring_groups(tokenizer, groups, special, context)
    langs = [lang for lang in samples if lang in rows]
    n_bytes = {lang: len(scored_bytes(samples[lang].texts)) for lang in langs}
    metrics: list[Metric] = []

    def add(lang, metric, value, unit, precision="fp32", interval=None, device="cpu"):
        low, high = (interval.low, interval.high) if interval is not None else (None, None)
        digest = samples[lang].eval_set.sha256 if lang in samples else None
        metrics.append(
            Metric(
                target.model_id, target.region, lang, metric, float(value), unit, precision,
                device, low=low, high=high, eval_set_sha256=digest,
            )
        )  # fmt: skip

    units = {"bits_per_byte": "bits/byte", "bits_per_char": "bits/char", "info_parity": "ratio"}
    scores = {}
    for precision, generator in generators.items():
        batches = -(-sum(map(len, rows.values())) // settings.batch_size)
        step(f"scoring with onnxruntime {precision} (batches)", batches)
        found = ort_scores(
            generator.session, rows, special["pad"], settings.batch_size, owners, step.advance
        )
        scores[precision] = found
        english = found.get(ENGLISH_SOURCES)
        english_bits = (
            dict(zip(sources, text_bits(english.text_nats, len(sources)), strict=True))
            if english is not None and sources
            else None
        )
        for lang in langs:
            eval_set = samples[lang].eval_set
            bits = text_bits(found[lang].text_nats, len(eval_set.texts))
            for metric, figure in model_figures(eval_set, bits, english_bits).items():
                add(lang, metric, figure.value, units[metric], precision, figure)
            top1 = found[lang].correct / found[lang].positions
            add(lang, "top1_accuracy", top1, "share", precision)
    if "int8" in scores:
        for lang in langs:
            same = np.concatenate(scores["int8"][lang].predictions) == np.concatenate(
                scores["fp32"][lang].predictions
            )
            add(lang, "top1_agreement_vs_fp32", same.mean(), "share", "int8")
    worst = None
    if target.version is not None:
        step("PyTorch check (languages)", len(langs))
        lang_rows = {lang: rows[lang] for lang in langs}
        worst = _check_torch(
            target, lang_rows, n_bytes, scores["fp32"], special, settings, add, step.advance
        )
    step("compressor baselines (languages)", len(langs))
    _baselines(home, samples, langs, n_bytes, add, settings.threads, step.advance)
    step("tokens per character and premium")
    params = target.config.training.get("params")
    measured = tokenizer_figures(tokenizer, target, {k: samples[k] for k in langs})
    for lang, figures in measured.items():
        for metric, figure in figures.items():
            unit = "tokens/char" if metric == "tokens_per_char" else "ratio"
            add(lang, metric, figure.value, unit, "n/a", figure)
        if params:
            _reference_cost(lang, figures["tokens_per_char"], int(params), add)
    chrf_samples = {lang: samples[lang] for lang in langs}
    n_prompts = len(translation_prompts(tokenizer, special, chrf_samples, context))
    for precision, generator in generators.items():
        batches = -(-n_prompts // settings.batch_size)
        step(f"translating for chrF, {precision} (batches)", batches)
        chrf = chrf_by_lang(
            generator, chrf_samples, context, settings.batch_size, on_batch=step.advance
        )
        for lang, score in chrf.items():
            add(lang, "chrf", score, "chrF", precision)
    facts = {"torch_ort_worst": worst, "chrf_rows": settings.chrf_rows}
    return metrics, {**facts, "scored_bytes": n_bytes, "samples": samples}


def _reference_cost(lang, tokens_per_char, params: int, add) -> None:
    # Tokens per character times a cost per token from the model's size on the reference
    # accelerator; never this machine's timings (hub.prices).

    def cost(value):
        return ref.usd_per_1m_chars(value, params)

    unit = (
        f"USD at 2 x {params} FLOPs/token on {ref.accelerator} at {ref.utilisation:.0%} of "
        f"{ref.peak_flops:.3g} FLOP/s, {ref.instance} {ref.usd_per_hour} USD/h"
    )
    interval = Interval(*(cost(v) for v in (tokens_per_char.value, tokens_per_char.low,
                                             tokens_per_char.high)))  # fmt: skip
    add(lang, "usd_per_1m_chars", interval.value, unit, "n/a", interval, f"ref:{ref.accelerator}")


def _baselines(home, samples, langs, n_bytes, add, threads, advance) -> None:
    import os


    train = load_corpus(home, langs, "train")
    by_lang: dict[str, list[str]] = {}
    for lang, text in zip(train["lang"].to_pylist(), train["text"].to_pylist(), strict=True):
        by_lang.setdefault(lang, []).append(text)
    jobs = {lang: (samples[lang].texts, prime_of(by_lang.get(lang, []))) for lang in langs}
    # One language per core at a time (the machine's, or --threads): xz -9e is the slow part.
    workers = threads or len(os.sched_getaffinity(0))
    # The sizes depend on the corpus only: remembered in the home for every later evaluation.
    size_of = cached(cache_folder(home))
    found = baselines_by_lang(jobs, workers, lambda lang: advance(), size_of)
    for lang in langs:
        cold, primed = found[lang]
        # Same bytes as the model's score, or the comparison means nothing.
        assert cold.original_bytes == n_bytes[lang], (lang, cold, n_bytes[lang])
        add(lang, "compressor_bits_per_byte", cold.bits_per_byte, f"bits/byte ({cold.name})", "n/a")
        how = f"xz primed on {primed.prime_bytes} train bytes"
        for metric, value, unit in (
            ("primed_compressor_bits_per_byte", primed.bits_per_byte, "bits/byte"),
            ("primed_compressor_bits_per_char", primed.bits_per_char, "bits/char"),
        ):
            add(lang, metric, value, f"{unit} ({how})", "n/a")


def _check_torch(target, rows, n_bytes, ort_fp32, special, settings, add, advance) -> float:
    import rich_click as click


    model, _, _ = registry.load_model(target.version)
    worst, problems = 0.0, []
    for lang, lang_rows in rows.items():
        nats = score_rows(model, lang_rows, special["pad"], batch_size=settings.batch_size)
        torch_bpb = bits_per_byte(nats, n_bytes[lang])
        ort_bpb = bits_per_byte(ort_fp32[lang].nats, n_bytes[lang])
        add(lang, "bits_per_byte_pytorch", torch_bpb, "bits/byte")
        relative = abs(torch_bpb - ort_bpb) / max(torch_bpb, 1e-12)
        worst = max(worst, relative)
        if relative > TORCH_ORT_TOLERANCE:
            problems.append(f"{lang}: PyTorch {torch_bpb:.4f} vs onnxruntime {ort_bpb:.4f}")
        advance()
    if problems:
        raise click.ClickException(
            f"{target.model_id}: onnxruntime and PyTorch bits per byte differ by more than "
            f"{TORCH_ORT_TOLERANCE:.1%} ({'; '.join(problems[:5])}); re-export the model"
        )
    return worst
