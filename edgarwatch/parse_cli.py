"""`edgarwatch parse FILE…`: one JSON object per file, one per line.

Kept free of the daemon's heavy imports (requests, sqlite_utils,
APScheduler): start-up time counts when the command runs over thousands of
files, and the benchmark (`benchmarks/parse_corpus.py`) measures it.
Also runnable as `python -m edgarwatch.parse_cli FILE… [--index-dir DIR]`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TextIO

from edgarwatch.edgar.parse import parse_file


def run_parse(paths: list[Path], index_dir: Path | None, out: TextIO) -> int:
    """Parse each file; a file that fails prints `{"file", "error"}` instead.

    Returns the exit status: 0 when every file parsed, 1 otherwise. Never
    lets a traceback out: one bad file must not stop a run over thousands.
    """
    failed = False
    for path in paths:
        try:
            result = parse_file(path, index_dir=index_dir)
        except Exception as error:  # reported per file: one bad file must not stop the run
            failed = True
            result = {"file": str(path), "error": f"{type(error).__name__}: {error}"}
        out.write(json.dumps(result, ensure_ascii=False))
        out.write("\n")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="edgarwatch parse",
        description="Parse local 8-K files (primary document or complete submission) to JSON.",
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.add_argument(
        "--index-dir",
        type=Path,
        default=None,
        help="folder of {accession}-index.htm(l) pages adding EDGAR's declared items",
    )
    args = parser.parse_args(argv)
    return run_parse(args.files, args.index_dir, sys.stdout)


if __name__ == "__main__":
    sys.exit(main())
