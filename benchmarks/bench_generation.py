"""Generation speed side by side on the same weights: PyTorch, the product's loop, genai, llama.cpp.

Part 1, a trained registered model (export it first: `hub export --region R`), greedy
generation of exactly `--new` tokens after a `--prompt`-token prompt of real test text, at
each batch size:

- PyTorch eager with its key/value cache (`torch.inference_mode`), and torch.compile of the
  same model (`dynamic=True`) where it compiles;
- the product's loop (`hub.serving.runtime.Generator`) on the genai graphs, fp32/int8/int4;
- onnxruntime-genai itself on the same fp32 and int8 folders;
- llama.cpp (llama-cpp-python) on the same weights written as a Q8_0 GGUF (batch 1 only:
  its Python API decodes one sequence).

Part 2 (`--base`): the `base` size with random weights (speed does not depend on them),
batch 1: the product's int8 loop, onnxruntime-genai int8 and llama.cpp Q8_0, decoding alone
(a run of 1 + `--new` tokens minus a run of 1, so the prompt's cost drops out), against the
memory-bandwidth roofline: weight bytes read per token (the int8 graph's initializers, the
embedding table counted as the one row a token reads) over the bandwidth this run
measures (best of five single-threaded passes summing a 1 GiB array).

Every engine gets `--threads` intra-op threads and a warm-up run; then the engines take
turns for `--runs` timed runs each, and the median counts. int8 quality against fp32 is
measured on the corpus test split (`hub.measurement.evaluate`): bits per byte and top-1
agreement. Everything is printed as Markdown for benchmarks/RESULTS.md.

Example:
    python benchmarks/bench_generation.py --home models --region eu --threads 1 --base
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

sys.path.insert(0, str(Path(__file__).parent))

TARGETS = [  # (label, numerator, denominator, batch, at least)
    ("product loop fp32 / onnxruntime-genai fp32", "product fp32", "genai fp32", 1, 0.9),
    ("product loop fp32 / onnxruntime-genai fp32", "product fp32", "genai fp32", 8, 0.9),
    ("product loop int8 / onnxruntime-genai int8", "product int8", "genai int8", 1, 0.9),
    ("product loop int8 / onnxruntime-genai int8", "product int8", "genai int8", 8, 0.9),
    ("product loop int8 / product loop fp32", "product int8", "product fp32", 1, 2.0),
]


def prompts(stream: list[int], bos: int, length: int, batch: int) -> np.ndarray:
    """`batch` prompts of `length` tokens of real text (shared with `hub bench`)."""
    from hub.measurement.bench import prompt_rows

    return np.array(prompt_rows(stream, bos, length, batch), dtype=np.int64)


def pytorch_greedy(model, ids: np.ndarray, new: int) -> None:
    """Greedy decoding with the model's own cache."""
    import torch

    with torch.inference_mode():
        tokens = torch.from_numpy(ids)
        logits, past = model(tokens)
        for _ in range(new - 1):
            tokens = logits[:, -1].argmax(-1, keepdim=True)
            logits, past = model(tokens, past_key_values=past)


def genai_folder(graph_folder: Path, threads: int, max_length: int, workdir: Path) -> Path:
    """A genai folder's config with explicit threads and room for the run; graph linked."""
    target = Path(tempfile.mkdtemp(prefix=f"{graph_folder.name}-", dir=workdir))
    config = json.loads((graph_folder / "genai_config.json").read_text())
    options = config["model"]["decoder"]["session_options"]
    options.update(intra_op_num_threads=threads, inter_op_num_threads=1)
    config["search"]["max_length"] = max_length
    (target / "genai_config.json").write_text(json.dumps(config))
    for name in os.listdir(graph_folder):
        if name != "genai_config.json":
            os.symlink(graph_folder.resolve() / name, target / name)
    return target


def genai_greedy(model, og, ids: np.ndarray, new: int) -> None:
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


def interleaved_seconds(engines: dict, runs: int) -> dict:
    """Warm every engine up, then time them in turn `runs` times: median seconds each."""
    seconds: dict[str, list[float]] = {name: [] for name in engines}
    for run in engines.values():
        run()
    for _ in range(runs):
        for name, run in engines.items():
            began = time.perf_counter()
            run()
            seconds[name].append(time.perf_counter() - began)
    return {name: statistics.median(times) for name, times in seconds.items()}


def interleaved_tokens_per_s(engines: dict, batch: int, new: int, runs: int) -> dict:
    """Median tokens/s of each engine, prompt processing included (`interleaved_seconds`)."""
    return {name: batch * new / t for name, t in interleaved_seconds(engines, runs).items()}


def try_compile(model, ids: np.ndarray, new: int):
    """torch.compile of the model (dynamic shapes), compiled by one warm-up; None if it fails."""
    import torch

    try:
        compiled = torch.compile(model, dynamic=True)
        began = time.perf_counter()
        pytorch_greedy(compiled, ids, new)
        print(f"torch.compile: compiled in {time.perf_counter() - began:.0f} s", file=sys.stderr)
        return compiled
    except Exception as error:  # noqa: BLE001 - report any compiler failure and go on
        print(f"torch.compile failed: {type(error).__name__}: {error}"[:400], file=sys.stderr)
        return None


def llama_cpp(model, version, workdir: Path, threads: int, context: int):
    """A LlamaCpp engine on the model's Q8_0 GGUF, or None (with the reason) if unavailable."""
    try:
        from llama_cpp_engine import LlamaCpp

        from hub.serving.gguf_file import write_gguf

        path = workdir / "model.q8_0.gguf"
        write_gguf(model, version.file("tokenizer.json"), path, file_type="q8_0")
        return LlamaCpp(path, threads, context)
    except Exception as error:  # noqa: BLE001 - a missing or failing llama.cpp is reported
        print(f"llama.cpp unavailable: {type(error).__name__}: {error}"[:400], file=sys.stderr)
        return None


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


def engines_for(version, model, threads: int, max_length: int, workdir: Path, compile_ids=None):
    """Every engine on one registered, exported version: name -> run(ids, new)."""
    import onnxruntime_genai as og

    from hub.serving.runtime import Generator

    engines = {"pytorch eager": lambda ids, new: pytorch_greedy(model, ids, new)}
    compiled = None if compile_ids is None else try_compile(model, *compile_ids)
    if compiled is not None:  # an OptimizedModule has no truth value (it has no len())
        engines["torch.compile"] = lambda ids, new: pytorch_greedy(compiled, ids, new)
    for precision in ("fp32", "int8", "int4"):
        generator = Generator(version.path, precision=precision, threads=threads)
        engines[f"product {precision}"] = lambda ids, new, g=generator: g.generate_ids(
            ids.tolist(), new, stop_at_eos=False
        )
    for precision in ("fp32", "int8"):
        folder = genai_folder(version.path / f"genai-{precision}", threads, max_length, workdir)
        genai_model = og.Model(str(folder))
        engines[f"genai {precision}"] = lambda ids, new, m=genai_model: genai_greedy(
            m, og, ids, new
        )
    return engines


def measure(engines: dict, stream, bos, args, batches) -> dict:
    """tokens/s per (engine, batch); llama.cpp only at batch 1."""
    results = {}
    for batch in batches:
        ids = prompts(stream, bos, args.prompt, batch)
        chosen = {
            name: (lambda run=run, ids=ids: run(ids, args.new))
            for name, run in engines.items()
            if batch == 1 or name != "llama.cpp Q8_0"
        }
        for name, value in interleaved_tokens_per_s(chosen, batch, args.new, args.runs).items():
            results[(name, batch)] = value
            print(f"{name:>16} batch {batch:>2}: {value:8.0f} tokens/s", file=sys.stderr)
    return results


def main() -> None:
    """Parse arguments, measure, print Markdown."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", required=True)
    parser.add_argument("--region", default="eu")
    parser.add_argument("--version", default=None, help="default: the latest")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--prompt", type=int, default=32)
    parser.add_argument("--new", type=int, default=64)
    parser.add_argument("--batches", default="1,8")
    parser.add_argument("--quality-rows", type=int, default=32, help="test rows per language")
    parser.add_argument("--base", action="store_true", help="also the base-size roofline part")
    parser.add_argument("--no-compile", action="store_true", help="skip torch.compile")
    args = parser.parse_args()

    import torch

    from hub import registry
    from hub.measurement.evaluate import test_sample
    from hub.tokenizer import special_ids

    torch.set_num_threads(args.threads)
    version = registry.check(registry.resolve(args.home, args.region, args.version))
    model, config, tokenizer = registry.load_model(version)
    samples = test_sample(args.home, version.config()["languages"], 16, 0)
    texts = [t for lang in sorted(samples) for t in samples[lang].texts]
    stream = [i for e in tokenizer.encode_batch(texts, add_special_tokens=False) for i in e.ids]
    bos = special_ids(tokenizer)["bos"]
    batches = [int(b) for b in args.batches.split(",")]
    length = args.prompt + args.new
    with tempfile.TemporaryDirectory() as work:
        workdir = Path(work)
        warm = (prompts(stream, bos, args.prompt, 1), args.new)
        engines = engines_for(
            version, model, args.threads, length, workdir, None if args.no_compile else warm
        )
        if cpp := llama_cpp(model, version, workdir, args.threads, length):
            engines["llama.cpp Q8_0"] = lambda ids, new: cpp.greedy(ids[0].tolist(), new)
        results = measure(engines, stream, bos, args, batches)
        if cpp:
            cpp.close()
        base = measure_base(args, tokenizer, stream, bos, workdir) if args.base else None
    quality = int8_quality(version, Path(args.home), args.quality_rows)
    report(args, version, config, results, batches, quality, base)


def measure_base(args, tokenizer, stream, bos, workdir: Path) -> dict:
    """The base size with random weights: batch-1 int8 speed against the roofline."""
    import torch
    from click.testing import CliRunner

    from hub import registry
    from hub.cli import main as hub_main
    from hub.model import DecoderLM, count_parameters
    from hub.model_config import config_for

    home = workdir / "base-home"
    torch.manual_seed(0)
    model = DecoderLM(config_for("base", tokenizer.get_vocab_size())).eval()
    tokenizer_path = workdir / "tokenizer.json"
    tokenizer.save(str(tokenizer_path))
    meta = {
        "model": model.config.to_dict(),
        "languages": ["en"],
        "training": {"size": "base", "params": count_parameters(model), "sources": ["random"]},
    }
    version = registry.register(home, "base", meta, model.state_dict(), tokenizer_path)
    done = CliRunner().invoke(
        hub_main, ["export", "--region", "base", "--home", str(home), "--out", str(workdir / "b")]
    )
    assert done.exit_code == 0, done.output
    engines = engines_for(version, model, args.threads, args.prompt + args.new, workdir)
    engines = {k: v for k, v in engines.items() if k in ("product int8", "genai int8")}
    if cpp := llama_cpp(model, version, workdir, args.threads, args.prompt + args.new):
        engines["llama.cpp Q8_0"] = lambda ids, new: cpp.greedy(ids[0].tolist(), new)
    ids = prompts(stream, bos, args.prompt, 1)
    # Decoding alone: a run of 1 + new tokens minus a run of 1 (prompt and first token).
    chosen = {
        (name, new): (lambda run=run, new=new: run(ids, new))
        for name, run in engines.items()
        for new in (1, args.new + 1)
    }
    seconds = interleaved_seconds(chosen, args.runs)
    speeds = {
        name: (
            args.new / (seconds[(name, args.new + 1)] - seconds[(name, 1)]),
            (args.new + 1) / seconds[(name, args.new + 1)],
        )
        for name in engines
    }
    if cpp:
        cpp.close()
    from roofline import bytes_per_token, read_bandwidth_gb_s

    weight_bytes = bytes_per_token(version.path / "genai-int8" / "model.onnx", 512)
    return {
        "speeds": speeds,
        "bytes": weight_bytes,
        "bandwidth": read_bandwidth_gb_s(),
        "params": count_parameters(model),
    }


def report(args, version, config, results, batches, quality, base) -> None:
    """Print the results as Markdown."""
    from hub.model import DecoderLM, count_parameters

    params = count_parameters(DecoderLM(config))
    print(
        f"Model {version.model_id}: {params / 1e6:.2f}M parameters, {config.n_layer} layers, "
        f"d_model {config.d_model}, vocab {config.vocab_size}; prompt {args.prompt} tokens, "
        f"{args.new} new tokens, {args.threads} thread(s) everywhere, median of {args.runs} "
        f"runs after a warm-up, engines in turn; {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs.\n"
    )
    names = list(dict.fromkeys(name for name, _ in results))
    print("| engine | " + " | ".join(f"tokens/s batch {b}" for b in batches) + " |")
    print("|---" * (len(batches) + 1) + "|")
    for name in names:
        cells = [f"{results[(name, b)]:.0f}" if (name, b) in results else "-" for b in batches]
        print(f"| {name} | " + " | ".join(cells) + " |")
    print("\n| target | batch | measured | target | met |\n|---|---|---|---|---|")
    for label, top, bottom, batch, target in TARGETS:
        if (top, batch) in results and (bottom, batch) in results:
            ratio = results[(top, batch)] / results[(bottom, batch)]
            print(
                f"| {label} | {batch} | {ratio:.2f} | >= {target} | "
                f"{'yes' if ratio >= target else 'NO'} |"
            )
    drift = quality["bpb_int8"] / quality["bpb_fp32"] - 1
    print(
        f"| int8 bits per byte vs fp32 ({quality['bpb_int8']:.4f} vs {quality['bpb_fp32']:.4f},"
        f" {quality['positions']} test positions, top-1 agreement "
        f"{quality['top1_agreement']:.2%}) | | {drift:+.3%} | within 0.5% | "
        f"{'yes' if abs(drift) <= 0.005 else 'NO'} |"
    )
    if base is None:
        return
    speeds, gb_s = base["speeds"], base["bandwidth"]
    roofline = gb_s * 1e9 / base["bytes"]
    print(
        f"\nBase size, random weights ({base['params'] / 1e6:.1f}M parameters), batch 1: "
        f"int8 graph reads {base['bytes'] / 1e6:.1f} MB of weights per token; measured read "
        f"bandwidth {gb_s:.1f} GB/s (one thread), so the roofline is {roofline:.0f} tokens/s.\n"
    )
    print("| engine | decoding tokens/s | share of roofline | tokens/s with the prompt |")
    print("|---|---|---|---|")
    for name, (value, overall) in speeds.items():
        print(f"| {name} | {value:.0f} | {value / roofline:.0%} | {overall:.0f} |")
    ours = speeds["product int8"][0]
    print("\n| target | batch | measured | target | met |\n|---|---|---|---|---|")
    print(
        f"| product int8 decoding >= 50% of roofline | 1 | {ours / roofline:.0%} | >= 50% | "
        f"{'yes' if ours >= 0.5 * roofline else 'NO'} |"
    )
    if "llama.cpp Q8_0" in speeds:
        ratio = ours / speeds["llama.cpp Q8_0"][0]
        print(
            f"| product int8 / llama.cpp Q8_0, decoding | 1 | {ratio:.2f} | > 1 | "
            f"{'yes' if ratio > 1 else 'NO'} |"
        )


if __name__ == "__main__":
    main()
