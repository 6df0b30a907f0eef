"""``drive-atlas``: one entry point, one module per subcommand group.

Subcommands are imported only when run, so ``drive-atlas validate`` does not pay
for NEST, neo or Dash (click's documented lazy-loading pattern).
"""

from __future__ import annotations

import importlib

import click

COMMANDS: dict[str, str] = {
    "validate": "atlas_commands:validate_command",
    "list": "atlas_commands:list_command",
    "show": "atlas_commands:show_command",
    "schema": "atlas_commands:schema_command",
    "simulate": "simulate_command:simulate_command",
    "test": "assay_command:assay_command",
    "serve": "serve_command:serve_command",
    "check": "contrib_commands:check_command",
    "diff": "contrib_commands:diff_command",
    "changed": "contrib_commands:changed_command",
    "new": "contrib_commands:new_command",
    "migrate": "contrib_commands:migrate_command",
    "export": "export_command:export_command",
    "train": "train_command:train_command",
    "sweep": "sweep_command:sweep_command",
    "robustness": "sweep_command:robustness_command",
    "audit": "audit_command:audit_command",
}


class LazyGroup(click.Group):
    """A group whose subcommands are named here and imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, attr = COMMANDS[cmd_name].split(":")
        return getattr(importlib.import_module(f"{__name__}.{module}"), attr)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="drive-atlas")
def main() -> None:
    """An executable atlas of the circuits that compute innate drives."""
