"""The training loop of a region's model, from corpus and tokenizer to a registered version.

AdamW with decoupled weight decay (Loshchilov & Hutter 2019) on matrices only, linear warmup
then cosine decay to a floor, gradient clipping, gradient accumulation and bf16 autocast on
CUDA. Evaluation on the valid split reports loss and bits per byte per language. Checkpoints
(see `hub.training.checkpoint`) let a killed run continue; on CPU a resumed run ends with the same
weights, bit for bit, as an uninterrupted one. Under `torchrun` the same loop runs with
DistributedDataParallel: every rank draws the same global batch and trains on its slice.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import torch
import torch.nn.functional as F

from hub import registry
from hub.model import DecoderLM, count_parameters
from hub.model_config import SIZES, ModelConfig, config_for, flops_per_token, parameter_count
from hub.tokenizer import tokenizer_path
from hub.training import checkpoint as ckpt
from hub.training.distributed import Distributed
from hub.training.train_data import BatchSampler, load_region_data
from hub.training.train_eval import autocast, evaluate
from plumbing.atomic import write_parquet
from plumbing.errors import InputError

# Per size: defaults chosen so `small` trains a profile's eight models on this 2-core machine
# in about an hour, two at a time with one thread each (900 steps x 16 x 128 tokens took
# 13 minutes a model at ~2,300 tok/s per idle core). That is the matched budget of a
# profile's models: one size and step count give every region the same 1,843,200 tokens
# (0.35 per parameter, 6.16e13 FLOPs at an 8k vocabulary), FLOPs differing only by
# vocabulary. 300 steps (0.12 tokens per parameter) left the models near chance (median
# top-1 0.107, chrF 2.5); 900 lowered bits per character by 15% (top-1 0.157, chrF 7.2;
# benchmarks/RESULTS.md, issue 14).
SIZE_DEFAULTS: dict[str, dict] = {
    "tiny": dict(steps=40, batch_size=8, learning_rate=3e-3, eval_every=20, checkpoint_every=10),
    "small": dict(
        steps=900, batch_size=16, learning_rate=2e-3, eval_every=100, checkpoint_every=100
    ),
    "base": dict(
        steps=5000, batch_size=32, learning_rate=6e-4, eval_every=500, checkpoint_every=500
    ),
}


@dataclass
class TrainSettings:
    """How to train; None fields take the size's default from SIZE_DEFAULTS."""

    size: str = "small"
    steps: int | None = None
    batch_size: int | None = None  # sequences per rank per micro-step
    grad_accum: int = 1
    learning_rate: float | None = None
    min_lr_ratio: float = 0.1  # cosine decays to 10% of the peak (Chinchilla, Hoffmann 2022)
    warmup_fraction: float = 0.05
    weight_decay: float = 0.1  # GPT-3's value, applied to matrices only
    beta2: float = 0.95  # steadier than 0.999 with small batches (GPT-3)
    grad_clip: float = 1.0
    eval_every: int | None = None
    checkpoint_every: int | None = None
    seed: int = 0
    device: str = "cpu"
    threads: int | None = None  # CPU threads per process (None: usable cores / local ranks)
    translation_examples: bool = True

    def resolved(self) -> TrainSettings:
        """A copy with every None replaced by the size's default; refuses bad values."""
        if self.size not in SIZE_DEFAULTS:
            raise InputError(
                f"--size {self.size!r} is unknown: expected one of {list(SIZE_DEFAULTS)}"
            )
        filled = {k: v for k, v in SIZE_DEFAULTS[self.size].items() if getattr(self, k) is None}
        settings = replace(self, **filled)
        for name in ("steps", "batch_size", "grad_accum", "eval_every", "checkpoint_every"):
            if getattr(settings, name) < 1:
                raise InputError(f"{name} must be at least 1, got {getattr(settings, name)}")
        return settings


@dataclass
class TrainResult:
    """What a finished run produced."""

    version: object | None  # hub.registry.ModelVersion on rank 0, None elsewhere
    weights_sha256: str
    steps: int
    tokens: int
    seconds: float
    params: int
    flops_per_token: int
    valid_bpb: dict[str, float]


def learning_rate(step: int, settings: TrainSettings) -> float:
    """Linear warmup to the peak, then cosine decay to `min_lr_ratio` of it."""
    peak, total = settings.learning_rate, settings.steps
    warmup = max(1, round(settings.warmup_fraction * total))
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    floor = peak * settings.min_lr_ratio
    return floor + 0.5 * (1.0 + math.cos(math.pi * progress)) * (peak - floor)


def make_optimizer(model: torch.nn.Module, settings: TrainSettings) -> torch.optim.AdamW:
    """AdamW that decays matrices (and the embedding) but not norm gains."""
    decay = [p for p in model.parameters() if p.dim() >= 2]
    keep = [p for p in model.parameters() if p.dim() < 2]
    groups = [
        {"params": decay, "weight_decay": settings.weight_decay},
        {"params": keep, "weight_decay": 0.0},
    ]
    return torch.optim.AdamW(
        groups, lr=settings.learning_rate, betas=(0.9, settings.beta2), fused=True
    )


def weights_sha256(model: torch.nn.Module) -> str:
    """Hash of every tensor's name and bytes: equal only for identical weights."""
    digest = hashlib.sha256()
    for name, tensor in sorted(model.state_dict().items()):
        digest.update(name.encode())
        digest.update(tensor.detach().cpu().contiguous().view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()


def train(
    home: Path,
    region: str,
    settings: TrainSettings,
    resume: bool = False,
    on_step: Callable[[int, int, float, float], None] | None = None,
    log: Callable[[str], None] = print,
) -> TrainResult:
    """Train a region's model and register it; see the module docstring.

    Args:
        home: The hub home.
        region: Region name.
        settings: Hyper-parameters (None fields take the size's defaults).
        resume: Continue from the newest sound checkpoint instead of starting over.
        on_step: Called after each step with (step, total steps, loss, tokens per second).
        log: Receives one-line messages (warnings, evaluation summaries).
    """
    settings = settings.resolved()
    dist = Distributed.from_environment(settings.device, settings.threads)
    budget = settings.steps * settings.batch_size * settings.grad_accum * dist.world_size
    budget *= SIZES[settings.size]["context_length"]
    data, provenance = load_region_data(
        home, region, settings.translation_examples, budget_tokens=budget, seed=settings.seed
    )
    try:
        config = config_for(settings.size, data.vocab_size)
    except ValueError as error:
        raise InputError(f"model config for --size {settings.size}: {error}") from None
    if dist.is_main:
        log(f"{region} {settings.size}: {model_summary(config)}, {len(data.langs)} languages")
    sampler = BatchSampler(data, config.context_length, settings.seed)
    torch.manual_seed(settings.seed)
    model = DecoderLM(config).to(dist.device)
    optimizer = make_optimizer(model, settings)
    identity = {
        "region": region,
        "model": config.to_dict(),
        # Device and threads may change between a run and its resumption.
        "settings": asdict(replace(settings, device="any", threads=None)),
        "world_size": dist.world_size,
        **provenance,
    }
    root = ckpt.checkpoint_root(home, region)
    run = _Progress(identity=identity)
    with ExitStack() as lock:
        refusal = None
        if dist.is_main:  # rank 0 holds the region's lock for all ranks
            try:
                lock.enter_context(ckpt.exclusive_run(root))
            except InputError as error:
                refusal = error
        dist.raise_if_any(refusal)
        _restore_or_clear(run, root, resume, model, optimizer, sampler, dist, log)
        dist.barrier()
        trained = dist.wrap(model)
        tokens_per_step = settings.batch_size * settings.grad_accum * dist.world_size
        tokens_per_step *= config.context_length
        began = time.perf_counter() - run.seconds
        for step in range(run.step + 1, settings.steps + 1):
            step_began = time.perf_counter()
            lr = learning_rate(step - 1, settings)
            for group in optimizer.param_groups:
                group["lr"] = lr
            loss = _train_step(trained, optimizer, sampler, settings, dist)
            run.step, run.tokens = step, run.tokens + tokens_per_step
            run.seconds = time.perf_counter() - began
            run.add(step, "all", {"train_loss": loss, "learning_rate": lr})
            if on_step and dist.is_main:
                rate = tokens_per_step / (time.perf_counter() - step_began)
                on_step(step, settings.steps, loss, rate)
            last = step == settings.steps
            if dist.is_main and (step % settings.eval_every == 0 or last):
                results = evaluate(model, data, config.context_length, dist.device)
                for lang, values in results.items():
                    run.add(step, lang, values)
                log(f"step {step}: valid bits per byte {results['all']['valid_bpb']:.3f}")
            if dist.is_main and (step % settings.checkpoint_every == 0 or last):
                run.seconds = time.perf_counter() - began
                rng = ckpt.rng_states(dist.device)
                state = {**run.state(), "sampler": sampler.state()}
                saved = ckpt.Checkpoint(
                    step, model.state_dict(), optimizer.state_dict(), rng, state
                )
                ckpt.save_checkpoint(root, saved)
                _write_curve(run.curve, root / "training_curve.parquet")
            dist.barrier()
        run.seconds = time.perf_counter() - began
        digest = weights_sha256(model)
        dist.check_same(digest, "weights sha256")
        valid_bpb = {
            row["lang"]: row["value"]
            for row in run.curve
            if row["metric"] == "valid_bpb" and row["step"] == settings.steps
        }
        params, per_token = count_parameters(model), flops_per_token(config)
        version = None
        if dist.is_main:
            training = {
                **asdict(settings),
                "params": params,
                "flops_per_token": per_token,
                # Actual compute: every position of every sequence trained on (the sampler
                # packs streams, nothing is padding), so models of one size and step count
                # are matched in tokens and differ in FLOPs only by their vocabulary.
                "tokens": run.tokens,
                "train_flops": per_token * run.tokens,
                "tokens_per_param": run.tokens / params,
                "distinct_train_tokens": data.train_tokens,
                "epochs": run.tokens / data.train_tokens,
                "train_seconds": round(run.seconds, 3),
                "world_size": dist.world_size,
                "device_name": dist.device_name(),
                "corpus_sha256": provenance["corpus_sha256"],
                "language_alpha": provenance["language_alpha"],
                "final_valid_bpb": valid_bpb,
            }
            version = _register(home, region, model, data, provenance, training, root)
    dist.close()
    return TrainResult(
        version, digest, settings.steps, run.tokens, run.seconds, params, per_token, valid_bpb
    )


@dataclass
class _Progress:
    # Where a run stands: restored from and saved into checkpoints.
    identity: dict
    step: int = 0
    tokens: int = 0
    seconds: float = 0.0
    curve: list[dict] = field(default_factory=list)

    def add(self, step: int, lang: str, values: dict[str, float]) -> None:
        self.curve += [
            {"step": step, "tokens": self.tokens, "lang": lang, "metric": k, "value": float(v)}
            for k, v in values.items()
        ]

    def state(self) -> dict:
        return {
            "identity": self.identity,
            "curve": self.curve,
            "tokens": self.tokens,
            "train_seconds": self.seconds,
        }


def _restore_or_clear(run, root, resume, model, optimizer, sampler, dist, log) -> None:
    # --resume: continue from the newest sound checkpoint; else a fresh start drops old ones.
    saved = ckpt.load_latest(root, warn=log) if resume else None
    if saved is not None:
        _check_same_run(saved.state["identity"], run.identity, root)
        model.load_state_dict(saved.model)
        optimizer.load_state_dict(saved.optimizer)
        sampler.restore(saved.state["sampler"])
        ckpt.restore_rng(saved.rng, dist.device)
        run.step, run.curve = saved.step, saved.state["curve"]
        run.tokens, run.seconds = saved.state["tokens"], saved.state["train_seconds"]
        log(f"resuming from step {run.step} of {run.identity['settings']['steps']}")
    elif dist.is_main:
        if resume:
            log(f"no checkpoint in {root}: starting from step 0")
        elif removed := ckpt.clear_checkpoints(root):
            log(f"fresh run: removed {removed} old checkpoint(s) in {root}; --resume continues one")


def _register(home, region, model, data, provenance, training, root):
    metadata = {
        "model": model.config.to_dict(),
        "languages": data.langs,
        "tokenizer": {
            "vocab_size": data.vocab_size,
            "special_ids": data.special,
            "lang_tag_ids": dict(zip(data.langs, data.tag_ids, strict=True)),
            "sha256": provenance["tokenizer_sha256"],
        },
        "training": training,
    }
    curve = {"training_curve.parquet": root / "training_curve.parquet"}
    tensors = model.state_dict()
    return registry.register(home, region, metadata, tensors, tokenizer_path(home, region), curve)


def _train_step(model, optimizer, sampler: BatchSampler, settings: TrainSettings, dist) -> float:
    # One optimizer step over grad_accum micro-batches; returns the mean loss (all ranks).
    total = 0.0
    for micro in range(settings.grad_accum):
        batch = dist.slice(sampler.draw(settings.batch_size * dist.world_size)).to(dist.device)
        sync = micro == settings.grad_accum - 1
        with dist.no_sync(model, sync):
            with autocast(dist.device):
                logits, _ = model(batch[:, :-1])
            loss = F.cross_entropy(logits.float().flatten(0, 1), batch[:, 1:].flatten())
            (loss / settings.grad_accum).backward()
        total += loss.detach()
    torch.nn.utils.clip_grad_norm_(model.parameters(), settings.grad_clip)
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    return dist.mean(total / settings.grad_accum)


def _write_curve(curve: list[dict], path: Path) -> None:
    import pyarrow as pa

    schema = pa.schema(
        [
            ("step", pa.int32()),
            ("tokens", pa.int64()),
            ("lang", pa.string()),
            ("metric", pa.string()),
            ("value", pa.float64()),
        ]
    )
    write_parquet(pa.Table.from_pylist(curve, schema=schema), path)


def _check_same_run(saved: dict, current: dict, root: Path) -> None:
    differing = sorted(key for key in {*saved, *current} if saved.get(key) != current.get(key))
    if differing:
        raise InputError(
            f"the checkpoint in {root} belongs to a different run (differs in: "
            f"{', '.join(differing)}); start over with --overwrite"
        )


def model_summary(config: ModelConfig) -> str:
    """One line with the computed size and cost of a config."""
    return (
        f"{parameter_count(config) / 1e6:.2f}M parameters, "
        f"{flops_per_token(config) / 1e6:.1f} MFLOPs per training token "
        "(6N + 12·L·d·T, PaLM appendix B)"
    )
