"""`hub generate`: continue prompts with a bundle or registry model, streaming to the terminal."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import rich_click as click

from hub.cli_options import PRECISIONS, device_option, model_version_option
from hub.home import home_option
from plumbing.checked import Number
from plumbing.checked_files import read_user_text
from plumbing.errors import InputError
from plumbing.json_output import echo_json, json_option
from plumbing.renamed_options import renamed_option
from plumbing.seed_option import seed_option

MAX_TEMPERATURE = 100.0  # logits divided by more than this sample nearly uniformly already
MAX_THREADS = os.cpu_count() or 1  # intra-op threads beyond the cores only wait on each other


def _prompts(prompt: tuple[str, ...], prompts_file: str | None) -> list[str]:
    found = list(prompt)
    for index, text in enumerate(found, 1):
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:  # argv bytes that are not UTF-8 (surrogateescape)
            raise InputError(f"--prompt {index}: character {exc.start + 1} is a byte that is "
                             "not UTF-8 text; expected UTF-8 prompts") from None
    if prompts_file:
        lines = read_user_text(prompts_file, "prompts").splitlines()
        found += [line for line in lines if line.strip()]
    if not found:
        raise InputError("no prompt: give --prompt TEXT (repeatable) or --prompts FILE")
    return found


@click.command()
@click.option("--region", default=None, help="Run this region's registered model.")
@model_version_option()
@click.option("--bundle", "bundle_path", type=click.Path(exists=True), help="Bundle folder or tar.")
@click.option("--prompt", multiple=True, help="A prompt; repeat for a batch.")
@click.option(
    "--prompts",
    "prompts_file",
    type=click.Path(exists=True, dir_okay=False),
    help="A file with one prompt per line.",
)
@click.option("--lang", default=None, help="Language tag to prompt with, e.g. de or pt-BR.")
@click.option("--max-new-tokens", default=64, show_default=True, type=click.IntRange(1))
@click.option("--temperature", default=0.0, show_default=True,
              type=Number(low=0, high=MAX_TEMPERATURE), help="0 = greedy.")
@click.option(
    "--top-k", default=0, show_default=True, help="Sample among the k likeliest (0 = all)."
)
@click.option("--top-p", default=1.0, show_default=True, help="Nucleus sampling mass (1 = all).")
@seed_option("Seed for reproducible sampling.")
@click.option(
    "--precision",
    type=click.Choice(PRECISIONS),
    default="fp32",
    show_default=True,
    help="Serving graph to run.",
)
@renamed_option("--int8", "--precision", "precision", flag_value="int8")
@device_option()
@click.option("--threads", default=None, type=Number(integer=True, low=1, high=MAX_THREADS),
              help="intra-op threads (at most this machine's cores).")
@home_option
@json_option('{"precision", "device", "outputs": [{"prompt", "text"}]} (printed when done, '
             'not streamed)')
def generate(
    region,
    version,
    bundle_path,
    prompt,
    prompts_file,
    lang,
    max_new_tokens,
    temperature,
    top_k,
    top_p,
    seed,
    precision,
    device,
    threads,
    home,
    as_json,
):
    """Generate text with onnxruntime from a bundle or a registered model.

    Greedy at temperature 0 (the default); sampling with --temperature, --top-k and
    --top-p, reproducible with --seed. Several prompts run as one right-padded batch on the
    onnxruntime-genai graph of the chosen precision, each row stopping at its own end.

    Example: `hub generate --bundle bundles/eu --lang de --prompt "Guten Tag"`
    """
    from hub.serving.runtime import Generator, model_folder

    texts = _prompts(prompt, prompts_file)
    with tempfile.TemporaryDirectory(prefix="hub-bundle-") as workdir:
        folder = model_folder(Path(workdir), bundle_path, home, region, version)
        generator = Generator(folder, precision=precision, device=device, threads=threads)
        options = dict(
            lang=lang,
            max_new_tokens=max_new_tokens,
            temperature=temperature,
            top_k=top_k,
            top_p=top_p,
            seed=seed,
        )
        generator.encode(texts, lang)  # refuse an unknown --lang before printing anything
        if as_json:
            outputs = generator.generate(texts, **options)
            echo_json({"precision": precision, "device": device, "outputs": [
                {"prompt": p, "text": t} for p, t in zip(texts, outputs, strict=True)]})
        elif len(texts) == 1:
            click.secho(texts[0], nl=False, dim=True)
            (text,) = generator.generate(
                texts, stream_callback=lambda _, t: click.echo(t, nl=False), **options
            )
            click.echo()
            if not text:
                click.secho("(the model ended the text at once; try --temperature 0.8)", dim=True)
        else:
            _stream_batch(generator, texts, options)


def _stream_batch(generator, texts: list[str], options: dict) -> None:
    # A live table, one row per prompt, redrawn a few times a second as tokens arrive.
    from rich.live import Live
    from rich.table import Table

    outputs = [""] * len(texts)

    def table() -> Table:
        view = Table("#", "prompt", "continuation", show_lines=True)
        for index, (prompt, text) in enumerate(zip(texts, outputs, strict=True)):
            view.add_row(str(index + 1), prompt, text)
        return view

    def on_text(row: int, text: str) -> None:
        outputs[row] += text

    with Live(get_renderable=table, refresh_per_second=8):
        generator.generate(texts, stream_callback=on_text, **options)
