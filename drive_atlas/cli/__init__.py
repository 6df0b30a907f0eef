"""``drive-atlas``: one entry point, one module per subcommand group."""

from __future__ import annotations

import click

from .atlas_commands import list_command, schema_command, show_command, validate_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="drive-atlas")
def main() -> None:
    """An executable atlas of the circuits that compute innate drives."""


for command in (validate_command, list_command, show_command, schema_command):
    main.add_command(command)
