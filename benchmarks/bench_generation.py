"""Generation speed side by side on one trained model: PyTorch eager, the product's ORT loop, genai.

In one run, on the same registered and exported model (train one first: random weights
give flat logits and meaningless comparisons), greedy generation of exactly `--new`
tokens after a `--prompt`-token prompt of real test text, at each batch size:

- PyTorch eager with its key/value cache (the model as trained, `torch.inference_mode`);
- the product's onnxruntime loop (`hub.serving.runtime.Generator`), fp32 and int8;
- onnxruntime-genai running the same `model.onnx` with the bundle's `genai_config.json`;
- a graph of nothing but the model's fp32 weight MatMuls, one decode step's worth per
  token: no fp32 graph of this model can decode faster on this machine.

Every engine gets `--threads` intra-op threads and a warm-up run; then the engines take
turns for `--runs` timed runs each, and the median counts. int8 quality against fp32 is
measured on the corpus test split with `hub.measurement.evaluate` (next-token top-1 agreement, bits
per byte). Ratios are checked against the targets of issue 6, and everything is printed
as Markdown for benchmarks/RESULTS.md.

Example:
    python benchmarks/bench_generation.py --home models --region eu --threads 1
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

FLOOR = "fp32 weight MatMuls only (ceiling)"
TARGETS = [  # (label, numerator, denominator, batch, at least)
    ("ORT fp32 / PyTorch eager", "ort fp32", "pytorch eager", 1, 4.0),
    ("ORT fp32 / PyTorch eager", "ort fp32", "pytorch eager", 8, 2.5),
    ("ORT int8 / ORT fp32", "ort int8", "ort fp32", 1, 1.3),
    ("product loop fp32 / onnxruntime-genai", "ort fp32", "onnxruntime-genai", 1, 0.8),
]


def prompts(stream: list[int], bos: int, length: int, batch: int) -> np.ndarray:
    """`batch` prompts of `length` tokens of real text (shared with `hub bench`)."""
    from hub.measurement.bench import prompt_rows

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


def weight_floor(model, threads: int):
    """Decoding that does nothing but the fp32 weight MatMuls: the ceiling of any fp32 graph.

    An ONNX graph of the model's own weights, one MatMul per weight matrix as a decode step
    reads them (qkv, attention output, MLP up and down per block, the tied output
    projection), without attention, norms or the cache. Returns run(batch, new).
    """
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper

    from hub.serving.runtime import session_options

    nodes, weights, outputs = [], [], []

    def matmul(x: str, name: str, weight) -> str:
        weights.append(numpy_helper.from_array(weight.detach().T.contiguous().numpy(), name))
        nodes.append(helper.make_node("MatMul", [x, name], [f"{name}.out"]))
        return f"{name}.out"

    x = "x"
    for i, block in enumerate(model.blocks):
        outputs += [matmul(x, f"qkv{i}", block.attn.qkv.weight)]
        outputs += [matmul(x, f"proj{i}", block.attn.proj.weight)]
        x = matmul(matmul(x, f"up{i}", block.mlp.up.weight), f"down{i}", block.mlp.down.weight)
    outputs += [matmul(x, "output", model.embed.weight)]
    width = model.config.d_model
    graph = helper.make_graph(
        nodes,
        "weight_floor",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", width])],
        [helper.make_tensor_value_info(name, TensorProto.FLOAT, None) for name in outputs],
        weights,
    )
    graph_model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    session = ort.InferenceSession(
        graph_model.SerializeToString(),
        session_options(threads),
        providers=["CPUExecutionProvider"],
    )

    def run(batch: int, new: int) -> None:
        feed = {"x": np.zeros((batch, width), np.float32)}
        for _ in range(new):
            session.run(None, feed)

    return run


def interleaved_tokens_per_s(engines: dict, batch: int, new: int, runs: int) -> dict:
    """Warm every engine up, then time them in turn `runs` times: median tokens/s each.

    Taking turns spreads the machine's slow moments over all engines alike.
    """
    seconds: dict[str, list[float]] = {name: [] for name in engines}
    for run in engines.values():
        run()
    for _ in range(runs):
        for name, run in engines.items():
            began = time.perf_counter()
            run()
            seconds[name].append(time.perf_counter() - began)
    return {name: batch * new / statistics.median(times) for name, times in seconds.items()}


def int8_quality(version, home, rows: int) -> dict:
    """int8 vs fp32 on the test split: top-1 agreement and bits per byte (evaluate)."""
    from hub.measurement.bpb import bits_per_byte
    from hub.measurement.compressor import scored_bytes
    from hub.measurement.evaluate import ort_scores, scoring_rows_by_lang, test_sample
    from hub.serving.runtime import Generator

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
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--prompt", type=int, default=32)
    parser.add_argument("--new", type=int, default=128)
    parser.add_argument("--batches", default="1,8")
    parser.add_argument("--quality-rows", type=int, default=32, help="test rows per language")
    args = parser.parse_args()

    import onnxruntime_genai as og
    import torch

    from hub import registry
    from hub.measurement.evaluate import test_sample
    from hub.serving.runtime import Generator

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
    floor = weight_floor(model, args.threads)
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
                FLOOR: lambda batch=batch: floor(batch, args.new),
            }
            measured = interleaved_tokens_per_s(engines, batch, args.new, args.runs)
            for name, tokens_per_s in measured.items():
                results[(name, batch)] = tokens_per_s
                print(f"{name:>34} batch {batch:>2}: {tokens_per_s:8.0f} tokens/s", file=sys.stderr)
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
    for name in ("pytorch eager", "ort fp32", "ort int8", "onnxruntime-genai", FLOOR):
        print(f"| {name} | " + " | ".join(f"{results[(name, b)]:.0f}" for b in batches) + " |")
    print("\n| ratio | batch | measured | target | met |\n|---|---|---|---|---|")
    for label, top, bottom, batch, target in TARGETS:
        if batch in batches:
            ratio = results[(top, batch)] / results[(bottom, batch)]
            print(
                f"| {label} | {batch} | {ratio:.2f} | >= {target} | "
                f"{'yes' if ratio >= target else 'NO'} |"
            )
    for batch in batches:
        ceiling = results[(FLOOR, batch)] / results[("pytorch eager", batch)]
        print(
            f"| ceiling of any fp32 graph: weight MatMuls only / PyTorch eager | {batch} | "
            f"{ceiling:.2f} | (bounds the first two rows) | |"
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
