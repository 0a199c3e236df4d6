"""A click group whose subcommands are imported only when used.

`hub --help` must stay fast, so command modules are imported by name on demand;
each command module keeps its heavy imports (torch, onnxruntime) inside the
command body.
"""

from __future__ import annotations

import importlib

import rich_click as click


class LazyGroup(click.RichGroup):
    """Group that maps a command name to "module:attribute" and imports it late."""

    def __init__(self, *args, lazy_commands: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Eager and lazy command names, sorted."""
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Import a lazy command's module on first use."""
        if cmd_name in self.lazy_commands:
            module_name, attribute = self.lazy_commands[cmd_name].split(":")
            return getattr(importlib.import_module(module_name), attribute)
        return super().get_command(ctx, cmd_name)
