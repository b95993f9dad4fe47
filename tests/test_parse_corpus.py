"""The parser against the shared corpus of real EDGAR files, when it is present.

`../shared/corpus` (next to the repository) holds real 8-K files and index
pages with MANIFEST.tsv's ground truth: the items EDGAR records for each
filing. CI has it; a user's clone does not, and then these tests skip.
The files are read in place, never copied into the repository.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from edgarwatch.edgar.headings import parse_heading
from edgarwatch.edgar.index_page import parse_index_page
from edgarwatch.edgar.lines import is_signature_line
from edgarwatch.edgar.local_files import parse_file
from edgarwatch.edgar.sec_header import parse_header

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


@dataclass(frozen=True)
class Case:
    path: Path
    accession: str
    items: frozenset[str]
    notes: str

    @property
    def edgar_alone_knows(self) -> bool:
        """False where only EDGAR's list can tell: a blank header line the body contradicts."""
        return not ("CONFLICT" in self.notes and "blank" in self.notes)


def _cases(kind: str) -> list[Case]:
    manifest = CORPUS / "MANIFEST.tsv"
    if not manifest.is_file():
        return []
    with manifest.open(newline="", encoding="utf-8") as rows:
        return [
            Case(
                CORPUS / row["local_path"],
                row["accession"],
                frozenset(i for i in row["items"].split(",") if i),
                row["notes"],
            )
            for row in csv.DictReader(rows, delimiter="\t")
            if row["local_path"].startswith(kind)
        ]


def _params(kind: str, item: str | None = None, suffix: str = "") -> list[object]:
    cases = [
        c
        for c in _cases(kind)
        if (item is None or item in c.items) and c.path.name.endswith(suffix)
    ]
    if not cases:
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"no corpus at {CORPUS}"))]
    return [pytest.param(case, id=case.path.name) for case in cases]


def _numbers(result: dict[str, object]) -> frozenset[str]:
    items = result["items"]
    assert isinstance(items, list)
    return frozenset(item["number"] for item in items)


@pytest.mark.parametrize("case", _params("8k/"))
def test_it_gets_every_item_set_right_with_edgars_index_page(case: Case) -> None:
    result = parse_file(case.path, index_dir=CORPUS / "index")

    assert _numbers(result) == case.items


@pytest.mark.parametrize("case", _params("8k/"))
def test_it_gets_the_item_set_right_from_the_file_alone(case: Case) -> None:
    result = parse_file(case.path)

    if case.edgar_alone_knows:
        assert _numbers(result) == case.items
    else:
        assert _numbers(result) != case.items  # the body names another item: see notes


@pytest.mark.parametrize("case", _params("8k/", item="1.01"))
def test_it_cuts_item_1_01_at_its_heading_and_before_the_next(case: Case) -> None:
    result = parse_file(case.path)
    item = next(i for i in result["items"] if i["number"] == "1.01")
    lines = item["text"].split("\n")

    assert item["text"], "Item 1.01 found but empty"
    assert parse_heading(lines[0]) is None
    assert not any(is_signature_line(line) for line in lines)
    assert not any(re.match(r"(?i)^items?\s*\d{1,2}\.\d{2}\b", line) for line in lines)
    assert "Check the appropriate box" not in item["text"]


@pytest.mark.parametrize("case", _params("index/", suffix="-index.html"))
def test_it_reads_edgars_items_from_every_index_page(case: Case) -> None:
    page = parse_index_page(case.path.read_bytes())

    assert page.accession == case.accession
    assert frozenset(page.items) == case.items
    assert page.primary_document is not None
    assert all(d.url.startswith("https://www.sec.gov/Archives/") for d in page.documents)


def test_it_reads_the_corpus_tag_style_headers() -> None:
    files = sorted((CORPUS / "index").glob("*.hdr.sgml")) + sorted(
        (CORPUS / "index").glob("*-index-headers.html")
    )
    if not files:
        pytest.skip(f"no corpus at {CORPUS}")
    for path in files:
        header = parse_header(path.read_bytes())
        assert header.accession is not None
        assert header.accession in path.name
        assert header.form == "8-K"
        assert header.items
        assert header.companies
        assert header.accepted_at is not None
