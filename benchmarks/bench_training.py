"""Training throughput and model FLOPs utilisation (MFU) of `hub train`'s loop, side by side.

For each size (tiny, small) the product's training step (`hub.training.train._train_step`: the
DecoderLM, fused AdamW, clipping, the batch sampler) runs interleaved with a straightforward
fp32 baseline of the same shape: a GPT-2-style model (LayerNorm with biases, learned
positions, masked-softmax attention) with PyTorch's default AdamW, batch 16 x 128 for small.
Rounds alternate A, B, A, B so both see the same machine load; medians are reported.

MFU = FLOPs per token (6N + 12·L·d·T, PaLM appendix B) x tokens/s / peak, where the peak is
this machine's measured fp32 matmul rate (2048^3 GEMMs) at the same thread count.

Run: python benchmarks/bench_training.py [--sizes tiny small] [--rounds 5] [--threads N]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from hub.model import DecoderLM
from hub.model_config import config_for, flops_per_token
from hub.training.distributed import Distributed
from hub.training.train import SIZE_DEFAULTS, TrainSettings, _train_step, make_optimizer
from hub.training.train_data import BatchSampler, RegionData

VOCAB = 8192  # the hub tokenizers' default vocabulary


class GPT2Block(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.up, self.down = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)
        self.heads = heads

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(d, dim=-1)
        q, k, v = (z.view(b, t, self.heads, d // self.heads).transpose(1, 2) for z in (q, k, v))
        scores = q @ k.transpose(-2, -1) / (d // self.heads) ** 0.5
        mask = torch.ones(t, t, dtype=torch.bool).tril()
        att = torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=-1) @ v
        x = x + self.proj(att.transpose(1, 2).reshape(b, t, d))
        return x + self.down(F.gelu(self.up(self.ln2(x))))


class GPT2(nn.Module):
    def __init__(self, vocab, d, layers, heads, context):
        super().__init__()
        self.tok, self.pos = nn.Embedding(vocab, d), nn.Embedding(context, d)
        self.blocks = nn.Sequential(*(GPT2Block(d, heads) for _ in range(layers)))
        self.ln = nn.LayerNorm(d)

    def forward(self, ids):
        x = self.tok(ids) + self.pos(torch.arange(ids.shape[1]))
        return self.ln(self.blocks(x)) @ self.tok.weight.T


def baseline_step(model, optimizer, batch):
    logits = model(batch[:, :-1])
    loss = F.cross_entropy(logits.flatten(0, 1), batch[:, 1:].flatten())
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    optimizer.zero_grad()


def matmul_peak(seconds=2.0, n=2048):
    a, b = torch.randn(n, n), torch.randn(n, n)
    a @ b
    count, began = 0, time.perf_counter()
    while time.perf_counter() - began < seconds:
        a @ b
        count += 1
    return 2 * n**3 * count / (time.perf_counter() - began)


def timed(step, repeats):
    step()  # warm-up
    began = time.perf_counter()
    for _ in range(repeats):
        step()
    return (time.perf_counter() - began) / repeats


def bench(size, rounds, repeats, threads):
    config = config_for(size, VOCAB)
    defaults = SIZE_DEFAULTS[size]
    batch_size, context = defaults["batch_size"], config.context_length
    settings = TrainSettings(size=size, threads=threads).resolved()
    dist = Distributed.from_environment("cpu", threads)
    rng = np.random.default_rng(0)
    stream = rng.integers(0, VOCAB, 1_000_000).astype(np.int32)
    data = RegionData(["xx"], np.ones(1), [stream], [3], {"bos": 1, "eos": 2, "pad": 0}, VOCAB)
    sampler = BatchSampler(data, context, seed=0)
    torch.manual_seed(0)
    product = DecoderLM(config)
    product_opt = make_optimizer(product, settings)
    baseline = GPT2(VOCAB, config.d_model, config.n_layer, config.n_head, context)
    baseline_opt = torch.optim.AdamW(baseline.parameters(), lr=1e-3, weight_decay=0.1)
    batch = torch.from_numpy(rng.integers(0, VOCAB, (batch_size, context + 1)))
    tokens = batch_size * context
    product_rates, baseline_rates = [], []
    for _ in range(rounds):
        seconds = timed(lambda: _train_step(product, product_opt, sampler, settings, dist), repeats)
        product_rates.append(tokens / seconds)
        seconds = timed(lambda: baseline_step(baseline, baseline_opt, batch), repeats)
        baseline_rates.append(tokens / seconds)
    peak = matmul_peak()
    product_rate, baseline_rate = (
        statistics.median(product_rates),
        statistics.median(baseline_rates),
    )
    n_base = sum(p.numel() for p in baseline.parameters())
    return {
        "size": size,
        "params": sum(p.numel() for p in product.parameters()),
        "baseline_params": n_base,
        "batch": f"{batch_size}x{context}",
        "product_tok_s": product_rate,
        "baseline_tok_s": baseline_rate,
        "ratio": product_rate / baseline_rate,
        "mfu": flops_per_token(config) * product_rate / peak,
        "peak_gflops": peak / 1e9,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["tiny", "small"])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    print(
        "| size | params | batch | hub train tok/s | baseline tok/s | ratio | MFU | peak GFLOP/s |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for size in args.sizes:
        r = bench(size, args.rounds, args.repeats, args.threads)
        print(
            f"| {r['size']} | {r['params'] / 1e6:.2f}M (baseline {r['baseline_params'] / 1e6:.2f}M)"
            f" | {r['batch']} | {r['product_tok_s']:,.0f} | {r['baseline_tok_s']:,.0f}"
            f" | {r['ratio']:.2f} | {r['mfu']:.1%} | {r['peak_gflops']:.0f} |",
            flush=True,
        )
    print(f"threads: {torch.get_num_threads()}, load average: {__import__('os').getloadavg()}")


if __name__ == "__main__":
    main()
