"""The `hub` command: corpus, tokenizers, training, export, runtime and measurement."""

from __future__ import annotations

import rich_click as click

from plumbing.lazy_group import LazyGroup

# One line per subcommand: name -> "module:click command". Keep modules light at import.
COMMANDS: dict[str, str] = {
    "regions": "hub.regions_cli:regions",
    "train": "hub.training.train_cli:train",
    "corpus": "hub.corpus.cli:corpus",
    "tokenizer": "hub.training.tokenizer_cli:tokenizer",
    "export": "hub.serving.export_cli:export",
    "generate": "hub.serving.generate_cli:generate",
    "list": "hub.registry_cli:list_models",
    "show": "hub.registry_cli:show",
    "verify": "hub.registry_cli:verify",
    "rm": "hub.registry_cli:rm",
    "eval": "hub.measurement.eval_cli:eval_command",
    "bench": "hub.measurement.bench_cli:bench",
    "profile": "hub.measurement.profile_cli:profile",
    "premium": "hub.measurement.premium_cli:premium",
}


@click.group(cls=LazyGroup, lazy_commands=COMMANDS)
@click.version_option(package_name="intl-strategy")
def main() -> None:
    """Train, export, run and measure multilingual language models per world region.

    Example: `hub regions`
    """
