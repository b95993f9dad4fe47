"""The `edgarwatch` command.

Command names and `--config PATH` (default `./config.toml`, accepted before
or after the command) are a contract: see DESIGN.md. Each command is thin:
it loads the configuration, calls one part of the package, and prints.
Heavy imports happen inside commands, so `edgarwatch parse` starts fast.
One module per group of commands; importing them registers them on `main`.
"""

from edgarwatch.cli import (  # noqa: F401 - importing a module registers its commands
    backfill,
    daemon,
    first_run,
    notifications,
    reading,
    status,
    tools,
    watch,
)
from edgarwatch.cli.base import main

__all__ = ["main"]
