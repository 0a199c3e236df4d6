"""`hub train`: train a region's model on its corpus and tokenizer, then register it."""

from __future__ import annotations

import rich_click as click

from hub.home import home_option, hub_home
from plumbing.json_output import echo_json, json_option
from plumbing.seed_option import seed_option


@click.command()
@click.option("--region", required=True, help="Region whose corpus and tokenizer to use.")
# Options left out take the defaults of hub.training.train.TrainSettings (and of the size),
# so the command and the library never disagree; that module imports torch, so it is read
# when the command runs, not when `hub --help` lists it.
@click.option(
    "--size",
    default=None,
    help="Model size (hub.model.SIZES): tiny takes seconds (tests), small minutes on a CPU, "
    "base wants a GPU [default: small].",
)
@click.option(
    "--steps", type=click.IntRange(1), default=None, help="Optimizer steps [size default]."
)
@click.option("--batch-size", type=click.IntRange(1), default=None, help="Sequences per step.")
@click.option(
    "--grad-accum", type=click.IntRange(1), default=None,
    help="Micro-batches summed per optimizer step [default: 1].",
)  # fmt: skip
@click.option(
    "--lr", "learning_rate", type=click.FloatRange(min=0, min_open=True), default=None,
    help="Peak learning rate [size default].",
)  # fmt: skip
@click.option("--eval-every", type=click.IntRange(1), default=None, help="Steps between evals.")
@click.option("--device", type=click.Choice(["cpu", "cuda"]), default=None,
              help="Where to train [default: cpu].")
@click.option("--threads", type=click.IntRange(1), default=None, help="CPU threads [all cores].")
@click.option("--resume", is_flag=True, help="Continue from the newest sound checkpoint.")
@click.option(
    "--overwrite", is_flag=True,
    help="Start afresh, removing the checkpoints of an unfinished run (without it, such a run "
    "is refused: continue it with --resume).",
)  # fmt: skip
@seed_option("Seed of weights and batches [default: 0].")
@click.option(
    "--translation-examples/--no-translation-examples",
    default=None,
    help="Also train on `<en> English <lang> translation` examples from parallel rows.",
)
@home_option
@json_option('{"model_id", "path", "steps": int, "tokens": int, "seconds": float, "flops": '
             'float, "valid_bpb": {lang: float, "all": float}} (progress on stderr)')
def train(
    region,
    size,
    steps,
    batch_size,
    grad_accum,
    learning_rate,
    eval_every,
    device,
    threads,
    resume,
    overwrite,
    seed,
    translation_examples,
    home,
    as_json,
):
    """Train a region's decoder-only Transformer and register it as a new model version.

    Needs `hub corpus build` and `hub tokenizer train --region R` first. Progress shows step,
    loss, tokens per second and time left; valid bits per byte per language are logged and
    saved with the model. A killed run continues with `--resume`; a fresh run never removes
    its checkpoints unless `--overwrite` says so. Time on a 2-core CPU: tiny about 2
    minutes, small (the default) 45-60 minutes (benchmarks/RESULTS.md). For several processes
    or GPUs, run the same command under torchrun:
    `torchrun --standalone --nproc-per-node N --no-python hub train --region eu`.

    Example: `hub train --region eu --size small`
    """
    import os

    # Idle OpenMP threads sleep instead of spinning: on a shared, busy CPU spinning threads
    # steal the cores the working ones need (measured 4x slower steps; see RESULTS.md).
    # Must be set before torch loads its OpenMP runtime; a user's own setting wins.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from hub.names import check_name
    from hub.training.checkpoint import checkpoint_root, unfinished_run
    from hub.training.train import TrainSettings
    from hub.training.train import train as run_training
    from plumbing.errors import InputError

    check_name("region", region)
    if resume and overwrite:
        raise InputError("--resume and --overwrite: choose one (continue the run, or start over)")
    root = checkpoint_root(hub_home(home), region)
    if not (resume or overwrite) and (found := unfinished_run(root)):
        step, total = found
        raise InputError(
            f"{root}: an unfinished run's checkpoint (step {step} of {total or '?'}) is there; "
            "continue it with --resume, or start over with --overwrite (removes it)"
        )
    console = Console(stderr=True)
    given = dict(size=size, steps=steps, batch_size=batch_size, grad_accum=grad_accum,
                 learning_rate=learning_rate, eval_every=eval_every, seed=seed, device=device,
                 threads=threads, translation_examples=translation_examples)
    settings = TrainSettings(**{name: value for name, value in given.items() if value is not None})
    is_main = int(os.environ.get("RANK", "0")) == 0
    progress = Progress(
        TextColumn("[bold]train {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("loss {task.fields[loss]:.3f}"),
        TextColumn("{task.fields[rate]:,.0f} tok/s"),
        TimeRemainingColumn(),
        console=console,
        disable=not is_main,
    )
    task = progress.add_task(region, total=None, loss=float("nan"), rate=0.0)
    rates: list[float] = []

    def on_step(step: int, total: int, loss: float, rate: float) -> None:
        rates.append(rate)
        recent = rates[-20:]
        progress.update(
            task, completed=step, total=total, loss=loss, rate=sum(recent) / len(recent)
        )

    def log(message: str) -> None:
        if is_main:
            progress.console.print(message)

    with progress:
        result = run_training(hub_home(home), region, settings, resume, on_step, log)
    if result.version is None:
        return
    if as_json:
        echo_json({"model_id": result.version.model_id, "path": result.version.path,
                   "steps": result.steps, "tokens": result.tokens, "seconds": result.seconds,
                   "flops": result.flops_per_token * result.tokens,
                   "valid_bpb": result.valid_bpb})
        return
    console.print(
        f"trained {result.steps} steps, {result.tokens:,} tokens in {result.seconds:.0f} s "
        f"({result.tokens / max(result.seconds, 1e-9):,.0f} tok/s, "
        f"{result.flops_per_token * result.tokens:.3g} FLOPs)"
    )
    table = sorted((lang, bpb) for lang, bpb in result.valid_bpb.items() if lang != "all")
    console.print(
        "valid bits per byte: "
        + ", ".join(f"{lang} {bpb:.3f}" for lang, bpb in table)
        + f"; all {result.valid_bpb.get('all', float('nan')):.3f}"
    )
    click.echo(f"registered {result.version.model_id} at {result.version.path}")
