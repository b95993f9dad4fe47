"""Benchmark `edgarwatch parse` over the shared corpus of real 8-K files.

    python benchmarks/parse_corpus.py [CORPUS_DIR]      # default: ../shared/corpus

Runs `python -m edgarwatch parse` over every file of `CORPUS_DIR/8k` in
ONE subprocess (interpreter start-up and imports included, as a user running
`edgarwatch parse 8k/*` pays them; modules compiled, as an installed package
has them), and reports wall time and the subprocess's own CPU time (the
machine may be busy), twice:

1. the documents alone;
2. with `--index-dir CORPUS_DIR/index`, so the files whose filing index page
   the corpus holds also get EDGAR's declared items from it.

It prints, against MANIFEST.tsv's ground truth (the items EDGAR records):
the share of files whose item set is exactly right (and every mismatch), the
Item 1.01 filings found or missed and whether each 1.01 text starts at its
heading and stops before the next item and the signature block, and the
documents per second and peak RSS of each subprocess. Beside it, the deal
terms `parse` printed (`agreements` on each item) against the hand labels of
`tests/agreements_golden.py`: precision and recall of the agreement type,
the counterparties and the amounts. The seed filing (`../shared/seed/`) is
parsed with the corpus when present.
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"
SEED = REPO.parent / "shared" / "seed" / "004_05bac67055bb32f8.txt"

sys.path.insert(0, str(REPO))  # the labels live with the tests: one copy
from tests.agreements_golden import FIELDS, GOLDEN, Score, score_filing  # noqa: E402

_HEADING_RE = re.compile(r"^\s*items?\s*\d{1,2}(?:\.\d{1,2})?(?!\d)", re.IGNORECASE)
_SIGNATURE_RE = re.compile(
    r"^\s*(?:signatures?\s*$|pursuant to the requirements of the securities exchange act)",
    re.IGNORECASE,
)
_COVER_RE = re.compile(r"check the appropriate box|commission file number", re.IGNORECASE)


@dataclass(frozen=True)
class Truth:
    items: frozenset[str]
    accession: str
    notes: str


@dataclass(frozen=True)
class Run:
    label: str
    results: dict[str, dict[str, Any]]
    seconds: float
    peak_rss_mb: float
    cpu_seconds: float = 0.0


def load_truth(corpus: Path) -> dict[str, Truth]:
    """MANIFEST.tsv rows of the `8k/` files, keyed by file name."""
    truth: dict[str, Truth] = {}
    with (corpus / "MANIFEST.tsv").open(newline="", encoding="utf-8") as manifest:
        for row in csv.DictReader(manifest, delimiter="\t"):
            path = row["local_path"]
            if path.startswith("8k/"):
                items = frozenset(i for i in row["items"].split(",") if i)
                truth[path[3:]] = Truth(items, row["accession"], row["notes"])
    return truth


BYTECODE = Path(tempfile.mkdtemp(prefix="edgarwatch-bench-pycache-"))
"""Compiled modules, as an installed package has them (pip compiles at install); an
editable checkout run under PYTHONDONTWRITEBYTECODE would recompile every module at
every start (~40 ms). The first, discarded run fills it."""


def run_parse(label: str, files: list[Path], extra: list[str], *, warm: bool = True) -> Run:
    """One `python -m edgarwatch parse` subprocess over all files (after a warm-up run
    that compiles the modules, when `warm`)."""
    command = [sys.executable, "-m", "edgarwatch", "parse", *map(str, files), *extra]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(BYTECODE)
    if warm:
        subprocess.run(command, stdout=subprocess.DEVNULL, cwd=REPO, env=env, check=False)
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, cwd=REPO, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        lines = out.read().decode("utf-8").splitlines()
    results = {Path(r["file"]).name: r for r in map(json.loads, lines)}
    cpu = usage.ru_utime + usage.ru_stime
    return Run(label, results, seconds, usage.ru_maxrss / 1024, cpu)


def item_set_report(run: Run, truth: dict[str, Truth]) -> list[str]:
    right = 0
    mismatches: list[str] = []
    for name, expected in sorted(truth.items()):
        result = run.results.get(name, {})
        got = frozenset(item["number"] for item in result.get("items", []))
        if got == expected.items and "error" not in result:
            right += 1
            continue
        shown = result.get("error") or ",".join(sorted(got)) or "(none)"
        mismatches.append(
            f"    {name:<48} got {shown:<18} truth {','.join(sorted(expected.items))}"
            f"  | {_conflict_note(expected.notes)}"
        )
    share = 100 * right / len(truth)
    return [f"  {run.label:<28} {right}/{len(truth)} exactly right ({share:.1f}%)", *mismatches]


def _conflict_note(notes: str) -> str:
    match = re.search(r"(CONFLICT:[^;|]*|header has [^;|]*)", notes)
    return match.group(1).strip()[:90] if match else notes[:90]


def item_101_report(run: Run, truth: dict[str, Truth]) -> list[str]:
    """Each filing EDGAR says reports Item 1.01: found, and its text cut right."""
    lines: list[str] = []
    found = 0
    cases = sorted(name for name, t in truth.items() if "1.01" in t.items)
    for name in cases:
        item = next(
            (i for i in run.results.get(name, {}).get("items", []) if i["number"] == "1.01"), None
        )
        text = (item or {}).get("text", "")
        if text:
            found += 1
        preview = " ".join(text[:70].split())
        lines.append(f"    {name:<44} {_checks(text)}\n        “{preview}…”")
    header = f"  found {found}/{len(cases)}, missed {len(cases) - found}"
    return [header, *lines]


def _checks(text: str) -> str:
    if not text:
        return "MISSED"
    body = text.split("\n")
    starts = not _HEADING_RE.match(body[0]) and not _COVER_RE.search(body[0])
    no_signatures = not any(_SIGNATURE_RE.match(line) for line in body)
    no_next_item = not any(_HEADING_RE.match(line) for line in body)
    marks = [
        ("starts at heading", starts),
        ("no SIGNATURES", no_signatures),
        ("no next item", no_next_item),
    ]
    return ", ".join(f"{label}: {'ok' if ok else 'NO'}" for label, ok in marks)


def agreement_report(run: Run) -> list[str]:
    """Deal terms against the hand labels: precision and recall per field."""
    total = Score()
    scored = 0
    for name, filing in GOLDEN.items():
        result = run.results.get(filing.path.name)
        if result is None:
            continue
        scored += 1
        total.add(score_filing(name, filing, result))
    lines = [
        f"  {scored} labelled files; field: precision (right/extracted), recall (found/labelled)"
    ]
    for field in FIELDS:
        tally = total.tallies[field]
        lines.append(
            f"    {field:<15} P {tally.precision:6.1%} ({tally.right}/{tally.extracted})"
            f"   R {tally.recall:6.1%} ({tally.found}/{tally.labelled})"
        )
    lines += [f"    MISSED {miss}" for miss in total.misses]
    lines += [f"    WRONG  {wrong}" for wrong in total.wrong]
    return lines


def speed_line(run: Run, count: int) -> str:
    rate = count / run.seconds if run.seconds else float("inf")
    cpu_rate = count / run.cpu_seconds if run.cpu_seconds else float("inf")
    return (
        f"  {run.label:<28} {count} files in {run.seconds:.3f} s = {rate:.0f} docs/s "
        f"(CPU {run.cpu_seconds:.3f} s = {cpu_rate:.0f} docs/s), "
        f"peak RSS {run.peak_rss_mb:.1f} MB"
    )


def main(argv: list[str]) -> int:
    corpus = Path(argv[1]) if len(argv) > 1 else DEFAULT_CORPUS
    if not (corpus / "8k").is_dir():
        print(f"no corpus at {corpus} (expected {corpus}/8k and MANIFEST.tsv)", file=sys.stderr)
        return 2
    truth = load_truth(corpus)
    files = sorted(p for p in (corpus / "8k").iterdir() if p.is_file())
    files += [SEED] if SEED.is_file() else []
    index_dir = corpus / "index"
    alone = run_parse("document alone:", files, [])
    indexed = run_parse("with EDGAR index page:", files, ["--index-dir", str(index_dir)])
    with_page = sum(
        1 for t in truth.values() if (index_dir / f"{t.accession}-index.html").is_file()
    )
    seed = " and the seed" if SEED.is_file() else ""
    print(f"edgarwatch parse over {len(files)} files of {corpus / '8k'}{seed}")
    print("  (one subprocess per run, interpreter start-up included)\n")
    print("Item sets vs MANIFEST ground truth:")
    print("\n".join(item_set_report(alone, truth)))
    print("\n".join(item_set_report(indexed, truth)))
    print(f"    (the corpus has an index page for {with_page} of the {len(truth)} files)\n")
    print("Item 1.01 (document alone):")
    print("\n".join(item_101_report(alone, truth)))
    print("\nAgreements vs hand labels (tests/agreements_golden.py, document alone):")
    print("\n".join(agreement_report(alone)))
    print("\nSpeed:")
    print(speed_line(alone, len(files)))
    print(speed_line(indexed, len(files)))
    errors = [r for run in (alone, indexed) for r in run.results.values() if "error" in r]
    for error in errors:
        print(f"  ERROR {error['file']}: {error['error']}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
