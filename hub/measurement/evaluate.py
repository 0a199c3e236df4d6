"""Per-language quality of a model on the corpus test split (`hub eval`).

For each of the model's languages, on a capped, stable sample of its test rows:

- bits per byte, scored as in training (`hub.measurement.bpb`: `<bos><lang> text <eos>`), with
  onnxruntime in fp32 and int8 and, where the PyTorch weights are at hand, with PyTorch;
  PyTorch and onnxruntime fp32 must agree within 0.5% (else the export is wrong);
- next-token top-1 accuracy over the same positions, and int8's agreement with fp32;
- the compressor baseline (better of xz -9e and zstd -22) on exactly the scored bytes;
- tokens per character, and the token premium against English on the parallel rows;
- chrF of the model's translations of held-out parallel rows (`hub.measurement.translation_eval`).

Caps keep a run of the `small` model to a minute or two on two cores even for `global`'s
~400 languages: at most `max_rows` rows per language and `max_total_rows` over all
languages (split evenly, at least MIN_ROWS each), and likewise `chrf_rows` and
`max_total_chrf_rows` translations (at least one per language with parallel rows).
Rows are taken in the order of a hash of their text, so the sample is stable and does
not favour one corpus source.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from hub.errors import InputError
from hub.measurement.bpb import IGNORE, bits_per_byte, score_rows, scoring_rows
from hub.metrics import Metric

TORCH_ORT_TOLERANCE = 0.005  # relative: PyTorch and onnxruntime bits per byte
MIN_ROWS = 8
Progress = Callable[[str], None]


@dataclass(frozen=True)
class EvalSettings:
    """Sample sizes and batching of an evaluation.

    Attributes:
        max_rows: Test rows scored per language, at most.
        max_total_rows: Test rows over all languages, at most (split evenly).
        chrf_rows: Parallel rows translated per language, at most.
        max_total_chrf_rows: Parallel rows translated over all languages, at most.
        batch_size: Rows per onnxruntime / PyTorch call.
        threads: onnxruntime intra-op threads (None: onnxruntime's default).
    """

    max_rows: int = 64
    max_total_rows: int = 4000
    chrf_rows: int = 8
    max_total_chrf_rows: int = 400
    batch_size: int = 16
    threads: int | None = None


@dataclass
class LanguageSample:
    """The test rows of one language that an evaluation uses."""

    texts: list[str] = field(default_factory=list)
    parallel: list[tuple[str, str]] = field(default_factory=list)  # (English, translation)
    # Every test row, for the tokenizer figures (cheap: no model involved).
    all_texts: list[str] = field(default_factory=list)
    all_parallel: list[tuple[str, str]] = field(default_factory=list)


def per_language_cap(limit: int, total: int, n_langs: int, floor: int = MIN_ROWS) -> int:
    """Rows per language: `limit`, lowered so all languages fit in `total`, but >= `floor`."""
    return max(0, min(limit, max(floor, total // max(n_langs, 1))))


def _stable_key(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


def test_sample(home, langs: list[str], max_rows: int, max_parallel: int) -> dict:
    """Per language, up to `max_rows` test texts and `max_parallel` (English, text) pairs.

    Each LanguageSample also carries all of the language's test rows (`all_texts`,
    `all_parallel`) for the tokenizer figures.

    Raises:
        InputError: no corpus (naming `hub corpus build`).
    """
    from hub.corpus import load_corpus

    table = load_corpus(home, langs, "test")
    found: dict[str, list[tuple[str, str | None]]] = {lang: [] for lang in langs}
    for lang, text, en in zip(*(table[c].to_pylist() for c in ("lang", "text", "en")), strict=True):
        if text:
            found.setdefault(lang, []).append((text, en))
    samples = {}
    for lang, rows in found.items():
        rows.sort(key=lambda row: _stable_key(row[0]))
        pairs = [(en, text) for text, en in rows if en and lang != "en"]
        if rows:
            texts = [text for text, _ in rows]
            samples[lang] = LanguageSample(texts[:max_rows], pairs[:max_parallel], texts, pairs)
    return samples


@dataclass
class Scores:
    """Summed scores of one language under one model."""

    nats: float = 0.0
    correct: int = 0
    positions: int = 0
    predictions: list[np.ndarray] = field(default_factory=list)  # argmax per scored position


def ort_scores(session, rows_by_lang: dict, pad_id: int, batch_size: int) -> dict[str, Scores]:
    """Score (inputs, targets) rows per language with an onnxruntime session (empty cache).

    Rows of all languages share batches, sorted by length so little is padded; padding
    is on the right, after every scored position, with attention mask 0.
    """
    flat = [(lang, row) for lang, rows in rows_by_lang.items() for row in rows]
    flat.sort(key=lambda item: len(item[1][0]))
    past = [i for i in session.get_inputs() if i.name.startswith("past_key_values")]
    n_head, head_dim = past[0].shape[1], past[0].shape[3]
    results = {lang: Scores() for lang in rows_by_lang}
    for start in range(0, len(flat), batch_size):
        batch = flat[start : start + batch_size]
        width = max(len(inputs) for _, (inputs, _) in batch)
        ids = np.full((len(batch), width), pad_id, dtype=np.int64)
        mask = np.zeros_like(ids)
        targets = np.full_like(ids, IGNORE)
        for row, (_, (x, y)) in enumerate(batch):
            ids[row, : len(x)], mask[row, : len(x)], targets[row, : len(y)] = x, 1, y
        empty = np.zeros((len(batch), n_head, 0, head_dim), dtype=np.float32)
        feed = {"input_ids": ids, "attention_mask": mask, **{i.name: empty for i in past}}
        logits = session.run(["logits"], feed)[0]
        for row, (lang, _) in enumerate(batch):
            where = np.nonzero(targets[row] != IGNORE)[0]
            chosen = logits[row, where].astype(np.float64)
            top = chosen.max(-1)
            lse = top + np.log(np.exp(chosen - top[:, None]).sum(-1))
            truth = targets[row, where]
            scores = results[lang]
            scores.nats += float((lse - chosen[np.arange(len(where)), truth]).sum())
            prediction = chosen.argmax(-1)
            scores.correct += int((prediction == truth).sum())
            scores.positions += len(where)
            scores.predictions.append(prediction)
    return results


def scoring_rows_by_lang(tokenizer, samples: dict, special: dict, context_length: int) -> dict:
    """`hub.measurement.bpb.scoring_rows` for every sampled text, per language.

    Untagged languages are skipped.
    """
    from hub.tokenizer import lang_tag

    rows = {}
    for lang, sample in samples.items():
        tag = tokenizer.token_to_id(lang_tag(lang))
        if tag is None:
            continue
        prefix = [special["bos"], tag]
        encoded = tokenizer.encode_batch(sample.texts, add_special_tokens=False)
        rows[lang] = [
            row
            for encoding in encoded
            for row in scoring_rows(encoding.ids, prefix, special["eos"], context_length)
        ]
    return rows


def tokenizer_figures(tokenizer, samples: dict) -> dict[str, dict[str, tuple[float, str]]]:
    """Per language, tokens per character and (with parallel rows) the token premium vs English.

    Both are computed on all of the language's test rows, so `hub eval` and `hub bench`
    agree whatever their caps.
    """
    from hub.tokenizer import token_premium, tokens_per_char

    figures = {}
    for lang, sample in samples.items():
        found = {"tokens_per_char": (tokens_per_char(tokenizer, sample.all_texts), "tokens/char")}
        if sample.all_parallel:
            found["token_premium_vs_en"] = (token_premium(tokenizer, sample.all_parallel), "ratio")
        figures[lang] = found
    return figures


def evaluate(target, home, settings: EvalSettings, progress: Progress | None = None):
    """Measure a Target (`hub.measurement.measure_target`) per language.

    Returns (Metric rows, facts).

    Facts: `torch_ort_worst` (largest relative PyTorch/onnxruntime difference, None
    without weights), `rows` and `chrf_rows` (per-language caps used), `scored_bytes`
    (per language, the bytes both the model and the compressors were scored on) and
    `samples` (the LanguageSample of each language).

    Raises:
        InputError: the corpus lacks test rows for every language of the model.
        click.ClickException: PyTorch and onnxruntime disagree by more than 0.5%.
    """
    from hub.measurement.compressor import compressor_baseline, scored_bytes
    from hub.measurement.translation_eval import chrf_by_lang
    from hub.serving import bundle
    from hub.serving.runtime import Generator

    step = progress or (lambda message: None)
    langs = target.languages
    rows_cap = per_language_cap(settings.max_rows, settings.max_total_rows, len(langs))
    chrf_cap = per_language_cap(
        settings.chrf_rows, settings.max_total_chrf_rows, len(langs), floor=1
    )
    step(f"reading test rows ({rows_cap} per language, {chrf_cap} translated)")
    samples = test_sample(home, langs, rows_cap, chrf_cap)
    if not samples:
        raise InputError(f"the corpus in {home} has no test rows for {target.model_id}'s languages")
    precisions = ["fp32"] + (["int8"] if (target.folder / bundle.MODEL_INT8).is_file() else [])
    generators = {
        p: Generator(target.folder, int8=p == "int8", threads=settings.threads) for p in precisions
    }
    fp32 = generators["fp32"]
    tokenizer, special = fp32.tokenizer, fp32.special
    context = target.config["model"]["context_length"]
    rows = scoring_rows_by_lang(tokenizer, samples, special, context)
    n_bytes = {lang: len(scored_bytes(samples[lang].texts)) for lang in rows}
    metrics: list[Metric] = []

    def add(lang, metric, value, unit, precision="fp32"):
        metrics.append(
            Metric(target.model_id, target.region, lang, metric, float(value), unit, precision)
        )

    scores = {}
    for precision, generator in generators.items():
        step(f"bits per byte, onnxruntime {precision}")
        scores[precision] = ort_scores(generator.session, rows, special["pad"], settings.batch_size)
        for lang, found in scores[precision].items():
            add(
                lang,
                "bits_per_byte",
                bits_per_byte(found.nats, n_bytes[lang]),
                "bits/byte",
                precision,
            )
            add(lang, "top1_accuracy", found.correct / found.positions, "share", precision)
    if "int8" in scores:
        for lang, found in scores["int8"].items():
            same = np.concatenate(found.predictions) == np.concatenate(
                scores["fp32"][lang].predictions
            )
            add(lang, "top1_agreement_vs_fp32", same.mean(), "share", "int8")
    worst = None
    if target.version is not None:
        step("bits per byte, PyTorch")
        worst = _check_torch(target, rows, n_bytes, scores["fp32"], special, settings, add)
    step("compressor baseline, tokens per character, token premium")
    for lang in rows:
        sample = samples[lang]
        baseline = compressor_baseline(sample.texts)
        # Same bytes as the model's score, or the comparison means nothing.
        assert baseline.original_bytes == n_bytes[lang], (lang, baseline, n_bytes[lang])
        add(
            lang,
            "compressor_bits_per_byte",
            baseline.bits_per_byte,
            f"bits/byte ({baseline.name})",
            "n/a",
        )
    for lang, figures in tokenizer_figures(tokenizer, samples).items():
        for metric, (value, unit) in figures.items():
            add(lang, metric, value, unit, "n/a")
    for precision, generator in generators.items():
        step(f"translating held-out parallel rows, {precision}")
        for lang, score in chrf_by_lang(generator, samples, context, settings.batch_size).items():
            add(lang, "chrf", score, "chrF", precision)
    facts = {"torch_ort_worst": worst, "rows": rows_cap, "chrf_rows": chrf_cap}
    return metrics, {**facts, "scored_bytes": n_bytes, "samples": samples}


def _check_torch(target, rows, n_bytes, ort_fp32, special, settings, add) -> float:
    import rich_click as click

    from hub import registry

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
    if problems:
        raise click.ClickException(
            f"{target.model_id}: onnxruntime and PyTorch bits per byte differ by more than "
            f"{TORCH_ORT_TOLERANCE:.1%} ({'; '.join(problems[:5])}); re-export the model"
        )
    return worst
