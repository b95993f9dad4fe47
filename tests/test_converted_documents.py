"""The documents people actually have: converter output, page headers, contents pages.

Issue 11, part 4. Each fixture is written in the shape a real filing or a
real text converter produces; the shared seed file (a converter's
"markdown" of ImmunoGen's 2007 8-K) is read in place when present.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from edgarwatch.edgar.cover import cover_form
from edgarwatch.edgar.document import decode, document_lines, unwrap_document
from edgarwatch.edgar.lines import is_signature_line
from edgarwatch.edgar.local_files import parse_file
from edgarwatch.edgar.parse import parse_document
from edgarwatch.edgar.sections import Section, split_sections
from edgarwatch.edgar.text_lines import running_headers, text_lines

REPO = Path(__file__).resolve().parents[1]
EIGHT_K = Path(__file__).parent / "fixtures" / "8k"
SEED = REPO.parent / "shared" / "seed" / "004_05bac67055bb32f8.txt"


def lines_of(name: str) -> list[str]:
    return document_lines(unwrap_document(decode((EIGHT_K / name).read_bytes())))


def sections_of(name: str, expected: tuple[str, ...] = ()) -> dict[str, Section]:
    sections = split_sections(lines_of(name), expected=expected)
    return {n: s for s in sections for n in s.numbers}


@pytest.fixture
def seed() -> Path:
    if not SEED.is_file():
        pytest.skip(f"the shared seed filing is not present at {SEED}")
    return SEED


# --- text converters' "markdown" ---------------------------------------------------------


def test_it_reads_headings_a_text_converter_marked_up() -> None:
    sections = sections_of("markdown_converted.txt")

    assert list(sections) == ["1.01", "9.01"]
    assert sections["1.01"].heading == "Entry into a Material Definitive Agreement"
    assert sections["1.01"].text.startswith("On June 2, 2015, Larkspur Therapeutics, Inc.")
    assert "with Halvorsen Pharma AS (Halvorsen)" in sections["1.01"].text
    assert sections["9.01"].text == "(d) Exhibits. None."
    assert cover_form(lines_of("markdown_converted.txt")) == "8-K"


@pytest.mark.parametrize(
    ("raw", "line"),
    [
        ("#### ITEM 1.01 — Entry into a Material Definitive Agreement.", "ITEM 1.01 — Entry"),
        ("### **CURRENT REPORT**", "CURRENT REPORT"),
        ("(*see* General Instruction A.2. below)", "(see General Instruction A.2. below)"),
        ("__Item 8.01__ Other Events", "Item 8.01 Other Events"),
    ],
)
def test_it_drops_markdown_marks(raw: str, line: str) -> None:
    assert text_lines(raw)[0].startswith(line)


@pytest.mark.parametrize(
    "raw",
    [
        "*  The Company's chief executive officer",  # a list mark, not emphasis
        "Exhibit 10.1** Portions omitted",  # a footnote mark
        "By: ______________________",  # a signature rule
        "Shares # 1,000",
    ],
)
def test_it_keeps_stars_underscores_and_hashes_that_are_not_markdown(raw: str) -> None:
    assert text_lines(raw) == [" ".join(raw.split())]


def test_it_parses_the_shared_seed_filing_to_item_1_01(seed: Path) -> None:
    parsed = parse_document(seed.read_bytes())

    assert [item.number for item in parsed.items] == ["1.01"]
    text = parsed.items[0].text or ""
    assert parsed.items[0].title == "Entry into a Material Definitive Agreement"
    assert text.startswith("On April 30, 2007, ImmunoGen, Inc. (Nasdaq: IMGN) entered into")
    assert "Società Italiana Corticosteroidi S.r.l (SICOR)" in text
    assert "ImmunoGen will pay SICOR five million Euros" in text
    assert text.endswith("available for sale to its collaborative partners.")
    assert "SIGNATURES" not in text
    assert "Junius" not in text
    assert parsed.form == "8-K"


def test_it_prints_the_seed_filings_item_through_the_command(seed: Path) -> None:
    result = parse_file(seed)

    assert [item["number"] for item in result["items"]] == ["1.01"]


# --- running page headers ------------------------------------------------------------------


def test_it_drops_none_items_interrupted_by_a_running_page_header() -> None:
    sections = sections_of("running_page_headers.txt")

    # Items 1, 3, 4 and 5 say "None." / "Not applicable." — Item 3's "None." sits
    # under a page header, Item 4's right above one.
    assert list(sections) == ["2", "7"]
    assert sections["2"].text.startswith("On June 30, 1999, Brandywine Valley Industries")
    assert "FORM 8-K" not in sections["7"].text


def test_it_takes_only_lines_the_cover_prints_for_page_headers() -> None:
    lines = [
        "FORM 8-K",
        "ACME WIDGET CORP",
        "Item 9.01 Financial Statements and Exhibits",
        "JUNGLEE CORP.",  # the acquired company's statements: not on the cover
        "CURRENT ASSETS:",
        "TOTAL $ 3,086,238 $ 3,788,259",
        "ACME WIDGET CORP",
        "FORM 8-K",
        "JUNGLEE CORP.",
        "CURRENT ASSETS:",
        "TOTAL $ 3,086,238 $ 3,788,259",
        "None.",
        "None.",
    ]

    assert running_headers(lines) == frozenset({"FORM 8-K", "ACME WIDGET CORP"})


# --- contents pages and the exhibit list ---------------------------------------------------


@pytest.mark.parametrize("expected", [(), ("1.01", "9.01")])
def test_it_keeps_the_exhibit_list_out_of_the_item_before_it(expected: tuple[str, ...]) -> None:
    sections = sections_of("contents_exhibit_tail.htm", expected)

    assert list(sections) == ["1.01", "9.01"]
    assert sections["1.01"].text.endswith("providing for a $90 million revolving credit facility.")
    assert sections["9.01"].text.split("\n") == [
        "(d) Exhibits",
        "Exhibit No. Description",
        "10.1 Credit Agreement, dated as of February 12, 2013",
    ]


# --- a signature block that starts mid-line -------------------------------------------------


def test_it_stops_at_a_one_line_signatures_paragraph() -> None:
    sections = sections_of("signatures_one_line.htm")

    assert list(sections) == ["1.01"]
    assert sections["1.01"].text.endswith("at an annual base rent of $240,000.")
    assert "Pursuant to the requirements" not in sections["1.01"].text
    assert "Ostrowski" not in sections["1.01"].text


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("SIGNATURES Pursuant to the requirements of the Securities Exchange Act of 1934", True),
        ("Signature: Pursuant to the requirements of the Exchange Act, the registrant", True),
        ("Signatures of the parties were exchanged on May 1.", False),
    ],
)
def test_it_recognises_a_signatures_heading_run_into_its_sentence(
    line: str, expected: bool
) -> None:
    assert is_signature_line(line) is expected
