"""Generation speed side by side on one trained model: PyTorch eager, the product's ORT loop, genai.

In one run, on the same registered and exported model (train one first: random weights
give flat logits and meaningless comparisons), greedy generation of exactly `--new`
tokens after a `--prompt`-token prompt of real test text, at each batch size:

- PyTorch eager with its key/value cache (the model as trained, `torch.inference_mode`);
- the product's onnxruntime loop (`hub.runtime.Generator`), fp32 and int8;
- onnxruntime-genai running the same `model.onnx` with the bundle's `genai_config.json`.

Every engine gets `--threads` intra-op threads, a warm-up run, then the median of `--runs`
timed runs. int8 quality against fp32 is measured on the corpus test split with
`hub.evaluate` (next-token top-1 agreement, bits per byte). Ratios are checked against the
targets of issue 6 and everything is printed as Markdown for benchmarks/RESULTS.md.

Example:
    python benchmarks/bench_generation.py --home /tmp/h6 --region eu --threads 2
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

TARGETS = [  # (label, numerator, denominator, batch, at least)
    ("ORT fp32 / PyTorch eager", "ort fp32", "pytorch eager", 1, 4.0),
    ("ORT fp32 / PyTorch eager", "ort fp32", "pytorch eager", 8, 2.5),
    ("ORT int8 / ORT fp32", "ort int8", "ort fp32", 1, 1.3),
    ("product loop fp32 / onnxruntime-genai", "ort fp32", "onnxruntime-genai", 1, 0.8),
]


def prompts(stream: list[int], bos: int, length: int, batch: int) -> np.ndarray:
    """`batch` prompts of `length` tokens of real text (shared with `hub bench`)."""
    from hub.bench import prompt_rows

    return np.array(prompt_rows(stream, bos, length, batch), dtype=np.int64)


def pytorch_eager(model, ids: np.ndarray, new: int) -> None:
    """Greedy decoding with the model's own cache, PyTorch eager."""
    import torch

    with torch.inference_mode():
        tokens = torch.from_numpy(ids)
        logits, past = model(tokens)
        for _ in range(new - 1):
            tokens = logits[:, -1].argmax(-1, keepdim=True)
            logits, past = model(tokens, past_key_values=past)


def genai_folder(folder: Path, threads: int, max_length: int, workdir: Path) -> Path:
    """The bundle's genai_config.json with explicit threads and room for the run's length."""
    config = json.loads((folder / "genai_config.json").read_text())
    config["model"]["decoder"]["session_options"]["intra_op_num_threads"] = threads
    config["model"]["decoder"]["session_options"]["inter_op_num_threads"] = 1
    config["model"]["context_length"] = max(config["model"]["context_length"], max_length)
    config["search"]["max_length"] = max_length
    (workdir / "genai_config.json").write_text(json.dumps(config))
    os.symlink(folder.resolve() / "model.onnx", workdir / "model.onnx")
    return workdir


def genai_run(model, og, ids: np.ndarray, new: int) -> None:
    """Greedy decoding with onnxruntime-genai, exactly `new` tokens (min_length = max_length)."""
    total = ids.shape[1] + new
    params = og.GeneratorParams(model)
    params.set_search_options(
        max_length=total, min_length=total, do_sample=False, batch_size=ids.shape[0]
    )
    generator = og.Generator(model, params)
    generator.append_tokens(ids.astype(np.int32))
    while not generator.is_done():
        generator.generate_next_token()


def median_tokens_per_s(run, batch: int, new: int, runs: int) -> float:
    """Warm up once, then the median tokens/s of `runs` timed runs."""
    run()
    seconds = []
    for _ in range(runs):
        began = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - began)
    return batch * new / statistics.median(seconds)


def int8_quality(version, home, rows: int) -> dict:
    """int8 vs fp32 on the test split: top-1 agreement and bits per byte (hub.evaluate)."""
    from hub.bpb import bits_per_byte
    from hub.compressor import scored_bytes
    from hub.evaluate import ort_scores, scoring_rows_by_lang, test_sample
    from hub.runtime import Generator

    fp32, int8 = Generator(version.path), Generator(version.path, int8=True)
    samples = test_sample(home, version.config()["languages"], rows, 0)
    context = version.config()["model"]["context_length"]
    scoring = scoring_rows_by_lang(fp32.tokenizer, samples, fp32.special, context)
    pad = fp32.special["pad"]
    full = ort_scores(fp32.session, scoring, pad, 16)
    quant = ort_scores(int8.session, scoring, pad, 16)
    same = np.concatenate(
        [
            np.concatenate(quant[lang].predictions) == np.concatenate(full[lang].predictions)
            for lang in scoring
        ]
    )
    n_bytes = sum(len(scored_bytes(samples[lang].texts)) for lang in scoring)
    return {
        "top1_agreement": float(same.mean()),
        "positions": int(same.size),
        "bpb_fp32": bits_per_byte(sum(s.nats for s in full.values()), n_bytes),
        "bpb_int8": bits_per_byte(sum(s.nats for s in quant.values()), n_bytes),
    }


def main() -> None:
    """Parse arguments, measure every engine at every batch size, print Markdown."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", required=True)
    parser.add_argument("--region", default="eu")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--prompt", type=int, default=32)
    parser.add_argument("--new", type=int, default=128)
    parser.add_argument("--batches", default="1,8")
    parser.add_argument("--quality-rows", type=int, default=32, help="test rows per language")
    args = parser.parse_args()

    import onnxruntime_genai as og
    import torch

    from hub import registry
    from hub.evaluate import test_sample
    from hub.runtime import Generator

    torch.set_num_threads(args.threads)
    version = registry.check(registry.resolve(args.home, args.region))
    model, config, _ = registry.load_model(version)
    fp32 = Generator(version.path, threads=args.threads)
    int8 = Generator(version.path, int8=True, threads=args.threads)
    samples = test_sample(args.home, version.config()["languages"], 16, 0)
    texts = [t for lang in sorted(samples) for t in samples[lang].texts]
    stream = [
        i for e in fp32.tokenizer.encode_batch(texts, add_special_tokens=False) for i in e.ids
    ]
    batches = [int(b) for b in args.batches.split(",")]
    results: dict[tuple[str, int], float] = {}
    with tempfile.TemporaryDirectory() as workdir:
        folder = genai_folder(version.path, args.threads, args.prompt + args.new, Path(workdir))
        genai_model = og.Model(str(folder))
        for batch in batches:
            ids = prompts(stream, fp32.special["bos"], args.prompt, batch)
            rows = ids.tolist()
            engines = {
                "pytorch eager": lambda ids=ids: pytorch_eager(model, ids, args.new),
                "ort fp32": lambda rows=rows: fp32.generate_ids(rows, args.new, stop_at_eos=False),
                "ort int8": lambda rows=rows: int8.generate_ids(rows, args.new, stop_at_eos=False),
                "onnxruntime-genai": lambda ids=ids: genai_run(genai_model, og, ids, args.new),
            }
            for name, run in engines.items():
                results[(name, batch)] = median_tokens_per_s(run, batch, args.new, args.runs)
                print(
                    f"{name:>18} batch {batch:>2}: {results[(name, batch)]:8.0f} tokens/s",
                    file=sys.stderr,
                )
    quality = int8_quality(version, Path(args.home), args.quality_rows)
    report(args, version, config, results, batches, quality)


def report(args, version, config, results, batches, quality) -> None:
    """Print the results as Markdown."""
    from hub.model import DecoderLM, count_parameters

    params = count_parameters(DecoderLM(config))
    print(
        f"Model {version.model_id}: {params / 1e6:.2f}M parameters, {config.n_layer} layers, "
        f"d_model {config.d_model}, vocab {config.vocab_size}; prompt {args.prompt} tokens, "
        f"{args.new} new tokens, intra_op_num_threads={args.threads}, median of {args.runs} "
        f"runs after a warm-up; {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs.\n"
    )
    print("| engine | " + " | ".join(f"tokens/s batch {b}" for b in batches) + " |")
    print("|---" * (len(batches) + 1) + "|")
    for name in ("pytorch eager", "ort fp32", "ort int8", "onnxruntime-genai"):
        print(f"| {name} | " + " | ".join(f"{results[(name, b)]:.0f}" for b in batches) + " |")
    print("\n| ratio | batch | measured | target | met |\n|---|---|---|---|---|")
    for label, top, bottom, batch, target in TARGETS:
        if batch in batches:
            ratio = results[(top, batch)] / results[(bottom, batch)]
            print(
                f"| {label} | {batch} | {ratio:.2f} | >= {target} | "
                f"{'yes' if ratio >= target else 'NO'} |"
            )
    agreement, drift = quality["top1_agreement"], quality["bpb_int8"] / quality["bpb_fp32"] - 1
    print(
        f"| int8 top-1 agreement with fp32 ({quality['positions']} test positions) | | "
        f"{agreement:.2%} | >= 99.5% | {'yes' if agreement >= 0.995 else 'NO'} |"
    )
    print(
        f"| int8 bits per byte vs fp32 ({quality['bpb_int8']:.4f} vs {quality['bpb_fp32']:.4f})"
        f" | | {drift:+.2%} | within 1% | {'yes' if abs(drift) <= 0.01 else 'NO'} |"
    )


if __name__ == "__main__":
    main()
