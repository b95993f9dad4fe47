"""`parse FILE…` and `demo`: tools that need no configuration."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TextIO

import click

from edgarwatch.cli.base import main


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--index-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Where {accession}-index.htm pages are, to add EDGAR's declared items.",
)
def parse(files: tuple[Path, ...], index_dir: Path | None) -> None:
    """Parse local 8-K files: one JSON object per file (items, text, exhibits)."""
    raise SystemExit(run_parse(list(files), index_dir, sys.stdout))


def run_parse(paths: list[Path], index_dir: Path | None, out: TextIO) -> int:
    """Parse each file; a file that fails prints `{"file", "error"}` instead.

    Returns the exit status: 0 when every file parsed, 1 otherwise. Never lets
    a traceback out: one bad file must not stop a run over thousands. Imports
    only the parser (no requests, sqlite_utils, APScheduler): start-up time
    counts over thousands of files (`benchmarks/parse_corpus.py`).
    """
    from edgarwatch.edgar.local_files import parse_file

    failed = False
    for path in paths:
        try:
            result = parse_file(path, index_dir=index_dir)
        except Exception as error:  # noqa: BLE001 - reported per file; the run goes on
            failed = True
            result = {"file": str(path), "error": f"{type(error).__name__}: {error}"}
        out.write(json.dumps(result, ensure_ascii=False))
        out.write("\n")
    return 1 if failed else 0


@main.command()
@click.option("--seconds", type=float, default=20.0, show_default=True)
@click.option(
    "--log-level",
    type=click.Choice(["debug", "info", "warning", "error"]),
    default="warning",
    show_default=True,
)
def demo(seconds: float, log_level: str) -> None:
    """Run the daemon against a built-in EDGAR replay for ~20 s (no network)."""
    from edgarwatch import logs
    from edgarwatch.demo import run_demo

    logs.configure(log_level)
    raise SystemExit(run_demo(seconds))
