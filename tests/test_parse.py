"""One 8-K in any shape → EDGAR's items with their text, and the exhibits."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from edgarwatch.cli.tools import run_parse
from edgarwatch.edgar.index_page import parse_index_page
from edgarwatch.edgar.item_decision import decide_items
from edgarwatch.edgar.local_files import accession_in_name, parse_file, parse_with_index_page
from edgarwatch.edgar.parse import parse_document
from edgarwatch.edgar.parsed import merge_declared
from edgarwatch.filing import Company, Filing, Item

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
EIGHT_K = FIXTURES / "8k"
INDEX = FIXTURES / "index"
SEED = ROOT / "edgarwatch/replay/fixtures/filings/0001104659-07-035757/a07-13166_18k.htm"


def numbers(items: tuple[Item, ...]) -> list[str]:
    return [item.number for item in items]


# --- the seed filing ------------------------------------------------------------------


def test_it_parses_the_seed_filing_to_exactly_item_1_01() -> None:
    parsed = parse_document(SEED.read_bytes())

    assert numbers(parsed.items) == ["1.01"]
    item = parsed.items[0]
    assert item.title == "Entry into a Material Definitive Agreement"
    assert item.text is not None
    assert item.text.startswith("On April 30, 2007, ImmunoGen")
    assert item.text.endswith("available for sale to its collaborative partners.")
    assert "Società Italiana Corticosteroidi S.r.l (SICOR)" in item.text
    assert "SIGNATURES" not in item.text
    assert "Junius" not in item.text
    assert parsed.document_only_items == ()


def test_it_keeps_the_seed_item_when_edgar_declares_it() -> None:
    parsed = parse_document(SEED.read_bytes(), declared=["1.01"], filed=date(2007, 5, 4))

    assert numbers(parsed.items) == ["1.01"]
    assert parsed.items[0].text is not None
    assert parsed.items[0].text.startswith("On April 30, 2007, ImmunoGen")


# --- declared items ---------------------------------------------------------------------


def test_it_merges_declared_items_from_every_source() -> None:
    merged = merge_declared(
        ["Item 9.01", "1.01"],  # feed summary / index page lines
        "1.01,2.03,9.01",  # submissions JSON
        ("2.03",),  # SEC header
    )

    assert merged == ("1.01", "2.03", "9.01")


def test_it_keeps_legacy_numbers_in_form_order() -> None:
    assert merge_declared("12,7") == ("7", "12")


def test_it_skips_values_that_are_not_items() -> None:
    assert merge_declared(["", "N/A", "1.01", "10.01"]) == ("1.01",)


def test_it_lets_the_declared_list_decide_which_items() -> None:
    found = {
        "5": Item("5", "Other Events", "Body under ITEM 5."),
        "7": Item("7", "Financial Statements and Exhibits", "(c) Exhibits"),
    }

    items, document_only = decide_items(found, ["5"])

    assert numbers(items) == ["5"]
    assert numbers(document_only) == ["7"]
    assert document_only[0].text == "(c) Exhibits"


def test_it_gives_a_declared_item_without_a_heading_its_title_and_no_text() -> None:
    items, _ = decide_items({}, ["4.01", "9.01"])

    assert items == (
        Item("4.01", "Changes in Registrant's Certifying Accountant", ""),
        Item("9.01", "Financial Statements and Exhibits", ""),
    )


def test_it_fills_blank_header_lines_from_document_headings() -> None:
    found = {
        "7": Item("7", "Financial Statements and Exhibits", "(c)"),
        "12": Item("12", "Results of Operations and Financial Condition", "On July 20"),
        "5": Item("5", "Other Events", "extra"),
    }

    items, document_only = decide_items(found, ["7"], blanks=1)

    assert numbers(items) == ["7", "12"]
    assert numbers(document_only) == ["5"]


def test_it_uses_document_headings_when_nothing_is_declared() -> None:
    found = {"8.01": Item("8.01", "Other Events", "x"), "2.02": Item("2.02", "Results", "y")}

    items, document_only = decide_items(found, [])

    assert numbers(items) == ["2.02", "8.01"]
    assert document_only == ()


# --- every shape of file ------------------------------------------------------------------


def test_it_parses_a_pem_wrapped_complete_submission() -> None:
    parsed = parse_document(
        (EIGHT_K / "pem_full_submission.txt").read_bytes(),
        archive_url="https://www.sec.gov/Archives/edgar/data/1002345/000119312508012345/",
    )

    assert parsed.form == "8-K"
    assert parsed.accession == "0001193125-08-012345"
    assert parsed.filed == date(2008, 1, 29)
    assert parsed.accepted_at is not None
    assert parsed.accepted_at.isoformat() == "2008-01-29T11:45:24-05:00"
    assert parsed.companies[0] == Company(1002345, "COPPER CANYON BANCORP", "Filer")
    assert numbers(parsed.items) == ["1.01", "5.02", "9.01"]
    assert parsed.primary_document == "d8k.htm"
    assert [(e.type, e.url) for e in parsed.exhibits] == [
        (
            "EX-10.1",
            "https://www.sec.gov/Archives/edgar/data/1002345/000119312508012345/dex101.htm",
        ),
        (
            "GRAPHIC",
            "https://www.sec.gov/Archives/edgar/data/1002345/000119312508012345/g12345logo.jpg",
        ),
    ]


def test_it_fills_a_blank_header_line_like_sears_2004() -> None:
    parsed = parse_document((EIGHT_K / "blank_item_information.txt").read_bytes())

    assert numbers(parsed.items) == ["7", "12"]
    assert parsed.items[1].text is not None
    assert parsed.items[1].text.startswith("On July 20, 2004, the Registrant issued")


def test_it_lets_a_complete_declared_list_override_blank_lines() -> None:
    parsed = parse_document((EIGHT_K / "blank_item_information.txt").read_bytes(), declared=["7"])

    assert numbers(parsed.items) == ["7"]
    assert numbers(parsed.document_only_items) == ["12"]


def test_it_records_document_only_headings_separately() -> None:
    parsed = parse_document((EIGHT_K / "nbsp.htm").read_bytes(), declared=["1.01"])

    assert numbers(parsed.items) == ["1.01"]
    assert numbers(parsed.document_only_items) == ["7.01"]
    assert parsed.document_only_items[0].text is not None
    assert parsed.document_only_items[0].text.startswith("On July 9, 2012")


def test_it_parses_a_dissemination_feed_file() -> None:
    parsed = parse_document((EIGHT_K / "dissemination.nc").read_bytes())

    assert parsed.accession == "0001493152-25-004321"
    assert numbers(parsed.items) == ["1.01", "3.02", "9.01"]
    assert [e.type for e in parsed.exhibits] == ["EX-10.1", "EX-101.SCH"]
    assert all(e.url == "" for e in parsed.exhibits)  # no archive_url given


def test_it_parses_a_bare_primary_document() -> None:
    parsed = parse_document((EIGHT_K / "inline_xbrl.htm").read_bytes())

    assert parsed.form == "8-K"  # from the cover page
    assert parsed.accession is None
    assert numbers(parsed.items) == ["2.02", "9.01"]


def test_it_never_maps_legacy_headings_onto_modern_items() -> None:
    parsed = parse_document((EIGHT_K / "split_heading.htm").read_bytes(), filed=date(2004, 4, 20))

    assert numbers(parsed.items) == ["7", "12"]


def test_it_handles_empty_and_binary_input() -> None:
    assert parse_document(b"").items == ()
    assert parse_document(bytes(range(256)) * 100).items == ()


def test_it_reads_a_document_with_its_index_page_as_the_pipeline_does() -> None:
    page = parse_index_page(
        (INDEX / "0001234567-22-000051-index.htm").read_bytes(), "http://127.0.0.1:8765"
    )

    parsed = parse_with_index_page(
        (EIGHT_K / "nbsp.htm").read_bytes(), page, declared=["Item 1.01", "7.01"]
    )

    assert parsed.accession == "0001234567-22-000051"
    assert parsed.filed == date(2022, 3, 9)
    assert parsed.accepted_at is not None
    assert parsed.accepted_at.isoformat() == "2022-03-09T16:05:11-05:00"
    assert numbers(parsed.items) == ["1.01", "7.01", "9.01"]
    assert parsed.primary_document == "d87123d8k.htm"
    assert [c.role for c in parsed.companies] == ["Filer", "Subject"]
    assert all(e.url.startswith("http://127.0.0.1:8765/Archives/") for e in parsed.exhibits)


def test_it_hands_the_notifiers_a_filing_report() -> None:
    parsed = parse_document(SEED.read_bytes())
    filing = Filing(
        accession="0001104659-07-035757",
        form="8-K",
        companies=(Company(855654, "IMMUNOGEN INC"),),
        url="https://www.sec.gov/Archives/edgar/data/855654/000110465907035757/0001104659-07-035757-index.htm",
    )

    report = parsed.report(filing)

    assert report.filing is filing
    assert report.item("1.01") == parsed.items[0]


# --- files and the command --------------------------------------------------------------


def test_it_adds_the_index_page_to_a_primary_document(tmp_path: Path) -> None:
    document = tmp_path / "0001234567-22-000051_ashf-20220307.htm"
    document.write_bytes((EIGHT_K / "nbsp.htm").read_bytes())

    result = parse_file(document, INDEX / "0001234567-22-000051-index.htm")

    assert result["accession"] == "0001234567-22-000051"
    assert result["filed"] == "2022-03-09"
    assert [i["number"] for i in result["items"]] == ["1.01", "7.01", "9.01"]
    assert result["items"][2] == {
        "number": "9.01",
        "title": "Financial Statements and Exhibits",
        "text": "",
        "agreements": [],
    }
    contract = next(e for e in result["exhibits"] if e["type"] == "EX-10.1")
    assert contract["material_contract"] is True
    assert contract["url"].startswith("https://www.sec.gov/Archives/edgar/data/1234567/")


def test_it_finds_the_index_page_in_an_index_dir(tmp_path: Path) -> None:
    document = tmp_path / "0001234567-22-000051.htm"
    document.write_bytes((EIGHT_K / "nbsp.htm").read_bytes())

    result = parse_file(document, index_dir=INDEX)

    assert [i["number"] for i in result["items"]] == ["1.01", "7.01", "9.01"]


def test_it_prints_the_json_contract(tmp_path: Path) -> None:
    out = io.StringIO()

    status = run_parse([EIGHT_K / "pem_full_submission.txt"], None, out)

    assert status == 0
    result = json.loads(out.getvalue())
    assert set(result) >= {
        "file",
        "form",
        "accession",
        "filed",
        "items",
        "document_only_items",
        "exhibits",
    }
    assert result["items"][0]["number"] == "1.01"
    assert set(result["items"][0]) == {"number", "title", "text", "agreements"}
    assert set(result["exhibits"][0]) >= {"type", "document", "description", "url"}


def test_it_reports_a_failing_file_and_goes_on(tmp_path: Path) -> None:
    out = io.StringIO()
    missing = tmp_path / "missing.htm"

    status = run_parse([missing, SEED], None, out)

    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert status == 1
    assert first["file"] == str(missing)
    assert "FileNotFoundError" in first["error"]
    assert second["items"][0]["number"] == "1.01"


def test_it_runs_as_a_module() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "edgarwatch", "parse", str(SEED), str(EIGHT_K / "em_dash.htm")],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )

    assert completed.returncode == 0, completed.stderr
    results = [json.loads(line) for line in completed.stdout.splitlines()]
    assert [[i["number"] for i in r["items"]] for r in results] == [["1.01"], ["1.01", "2.03"]]


def test_it_keeps_start_up_imports_light() -> None:
    # `edgarwatch parse` is a click command: click is its one import beyond the parser.
    code = (
        "import contextlib, io, sys\n"
        "from edgarwatch.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        f"    main(['parse', {str(SEED)!r}])\n"
        "print(sorted(m for m in ('requests', 'sqlite_utils', 'apscheduler', 'feedparser') "
        "if m in sys.modules))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )

    assert completed.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("0001104659-07-035757.txt", "0001104659-07-035757"),
        ("0000950123-11-095986_b88872e8vk.htm", "0000950123-11-095986"),
        ("000110465907035757/a07-13166_18k.htm", "0001104659-07-035757"),
        ("form8k.htm", None),
    ],
)
def test_it_reads_an_accession_from_a_file_name(name: str, expected: str | None) -> None:
    assert accession_in_name(Path("/data") / name) == expected
