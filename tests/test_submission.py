"""Complete submissions and SEC headers, in every shape EDGAR writes them."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import pytest

from edgarwatch.edgar import submission
from edgarwatch.edgar.sec_header import parse_acceptance, parse_header
from edgarwatch.edgar.submission import is_submission, strip_pem
from edgarwatch.edgar.submission_reader import read_submission
from edgarwatch.filing import EASTERN, Company

FIXTURES = Path(__file__).parent / "fixtures"
EIGHT_K = FIXTURES / "8k"
HEADERS = FIXTURES / "headers"


def test_it_strips_the_pem_envelope_up_to_the_blank_line() -> None:
    text = (EIGHT_K / "pem_full_submission.txt").read_text()

    stripped = strip_pem(text)

    assert stripped.startswith("<SEC-DOCUMENT>0001193125-08-012345.txt")
    assert "MIC-Info" not in stripped[:500]


def test_it_leaves_text_without_a_pem_envelope_alone() -> None:
    assert strip_pem("<SEC-DOCUMENT>x\n") == "<SEC-DOCUMENT>x\n"


def test_it_reads_a_tab_style_header_with_item_titles() -> None:
    header = read_submission((EIGHT_K / "pem_full_submission.txt").read_bytes()).header

    assert header.accession == "0001193125-08-012345"
    assert header.form == "8-K"
    assert header.filed == date(2008, 1, 29)
    assert header.period == date(2008, 1, 23)
    # 2004-2006 wording of 5.02 ("Principal Officers") still maps to 5.02.
    assert header.items == ("1.01", "5.02", "9.01")
    assert header.unresolved_items == 0
    assert header.document_count == 3


def test_it_reads_acceptance_time_as_eastern() -> None:
    header = read_submission((EIGHT_K / "pem_full_submission.txt").read_bytes()).header

    assert header.accepted_at == datetime(2008, 1, 29, 11, 45, 24, tzinfo=EASTERN)
    assert header.accepted_at.utcoffset() is not None
    assert header.accepted_at.isoformat() == "2008-01-29T11:45:24-05:00"


def test_it_applies_summer_time_to_acceptance() -> None:
    accepted = parse_acceptance("20240603160821")

    assert accepted is not None
    assert accepted.isoformat() == "2024-06-03T16:08:21-04:00"


@pytest.mark.parametrize("value", [None, "", "2024", "20241399999999", "abcdefghijklmn"])
def test_it_returns_no_acceptance_time_for_garbage(value: str | None) -> None:
    assert parse_acceptance(value) is None


def test_it_keeps_every_filer_block() -> None:
    header = read_submission((EIGHT_K / "pem_full_submission.txt").read_bytes()).header

    assert header.companies == (
        Company(cik=1002345, name="COPPER CANYON BANCORP", role="Filer"),
        Company(cik=1002399, name="COPPER CANYON BANK", role="Filer"),
    )


def test_it_maps_legacy_lower_case_titles_to_legacy_numbers() -> None:
    header = read_submission((EIGHT_K / "plain_text_1990s.txt").read_bytes()).header

    assert header.filed == date(1997, 3, 14)
    assert header.items == ("2", "7")
    assert header.accepted_at is None  # no ACCEPTANCE-DATETIME before ~2001


def test_it_counts_blank_item_information_lines() -> None:
    header = read_submission((EIGHT_K / "blank_item_information.txt").read_bytes()).header

    assert header.items == ("7",)
    assert header.unresolved_items == 1


def test_it_reads_numeric_item_information_of_1994() -> None:
    text = "ACCESSION NUMBER:\t\t0000109446-94-000005\nITEM INFORMATION:\t\t5\n"

    assert parse_header(text).items == ("5",)


def test_it_never_maps_a_legacy_title_onto_a_modern_number() -> None:
    text = (
        "CONFORMED SUBMISSION TYPE:\t8-K\n"
        "ITEM INFORMATION:\t\tResults of Operations and Financial Condition\n"
        "FILED AS OF DATE:\t\t20040714\n"
    )

    assert parse_header(text).items == ("12",)


def test_it_counts_an_unknown_title_as_unresolved() -> None:
    text = (
        "ITEM INFORMATION:\t\tSomething EDGAR never called an item\nFILED AS OF DATE:\t\t20100101\n"
    )

    header = parse_header(text)

    assert header.items == ()
    assert header.unresolved_items == 1


def test_it_reads_a_tag_style_hdr_sgml() -> None:
    header = parse_header((HEADERS / "0001234567-22-000051.hdr.sgml").read_text())

    assert header.accession == "0001234567-22-000051"
    assert header.form == "8-K"
    assert header.items == ("1.01", "7.01", "9.01")
    assert header.filed == date(2022, 3, 9)
    assert header.period == date(2022, 3, 7)
    assert header.accepted_at == datetime(2022, 3, 9, 16, 5, 11, tzinfo=EASTERN)
    assert header.companies == (
        Company(cik=1234567, name="ASHFIELD THERAPEUTICS, INC.", role="Filer"),
        Company(cik=1765432, name="VERDANT BIOSCIENCES CORP", role="Subject"),
    )


def test_it_ignores_former_company_names() -> None:
    header = parse_header((HEADERS / "0001234567-22-000051.hdr.sgml").read_text())

    assert all(company.name != "ASHFIELD PHARMA HOLDINGS INC" for company in header.companies)


def test_it_reads_the_header_inside_an_index_headers_page() -> None:
    header = parse_header((HEADERS / "0001234567-22-000051-index-headers.html").read_bytes())

    assert header.accession == "0001234567-22-000051"
    assert header.items == ("1.01", "7.01", "9.01")
    assert [c.role for c in header.companies] == ["Filer", "Subject"]


def test_it_reads_tab_style_subject_and_filed_by_blocks() -> None:
    text = (
        "ACCESSION NUMBER:\t\t0000950103-20-000001\n"
        "CONFORMED SUBMISSION TYPE:\t425\n"
        "SUBJECT COMPANY:\t\n\n\tCOMPANY DATA:\t\n"
        "\t\tCOMPANY CONFORMED NAME:\t\t\tTARGET CO\n\t\tCENTRAL INDEX KEY:\t\t\t0000000222\n\n"
        "FILED BY:\t\t\n\n\tCOMPANY DATA:\t\n"
        "\t\tCOMPANY CONFORMED NAME:\t\t\tBUYER CO\n\t\tCENTRAL INDEX KEY:\t\t\t0000000111\n"
    )

    assert parse_header(text).companies == (
        Company(cik=222, name="TARGET CO", role="Subject"),
        Company(cik=111, name="BUYER CO", role="Filed by"),
    )


def test_it_reads_a_dissemination_feed_file_with_bare_cr_lines() -> None:
    data = (EIGHT_K / "dissemination.nc").read_bytes()
    assert b"\r<TYPE>8-K\r" in data  # the shape under test

    parsed = read_submission(data)

    assert parsed.header.accession == "0001493152-25-004321"
    assert parsed.header.items == ("1.01", "3.02", "9.01")
    assert parsed.header.filed == date(2025, 2, 5)
    assert parsed.header.companies == (
        Company(cik=1812345, name="BLUE HERON ROBOTICS, INC.", role="Filer"),
    )
    assert [d.type for d in parsed.documents] == ["8-K", "EX-10.1", "EX-101.SCH"]


def test_it_splits_documents_and_keeps_only_the_primary_text() -> None:
    parsed = read_submission((EIGHT_K / "pem_full_submission.txt").read_bytes())

    assert [(d.type, d.sequence, d.filename) for d in parsed.documents] == [
        ("8-K", 1, "d8k.htm"),
        ("EX-10.1", 2, "dex101.htm"),
        ("GRAPHIC", 3, "g12345logo.jpg"),
    ]
    assert parsed.documents[1].description == "SALARY CONTINUATION AGREEMENT"
    assert parsed.primary == parsed.documents[0]
    assert parsed.primary_text.lstrip().startswith(b"<HTML>")
    assert b"SALARY CONTINUATION AGREEMENT</P>" not in parsed.primary_text
    assert b"begin 644" not in parsed.primary_text


def test_it_prefers_the_document_whose_type_is_the_form() -> None:
    data = (
        b"<SEC-HEADER>\nCONFORMED SUBMISSION TYPE:\t8-K\n</SEC-HEADER>\n"
        b"<DOCUMENT>\n<TYPE>COVER\n<SEQUENCE>1\n<TEXT>\ncover letter\n</TEXT>\n</DOCUMENT>\n"
        b"<DOCUMENT>\n<TYPE>8-K\n<SEQUENCE>2\n<TEXT>\nthe report\n</TEXT>\n</DOCUMENT>\n"
    )

    parsed = read_submission(data)

    assert parsed.primary is not None
    assert parsed.primary.type == "8-K"
    assert parsed.primary_text.strip() == b"the report"


def test_it_reads_documents_without_filenames() -> None:
    parsed = read_submission((EIGHT_K / "plain_text_1990s.txt").read_bytes())

    assert [(d.type, d.filename) for d in parsed.documents] == [("8-K", None), ("EX-99.1", None)]


def test_it_cuts_a_huge_primary_document_at_the_limit() -> None:
    data = (
        b"<SEC-HEADER>\nCONFORMED SUBMISSION TYPE:\t8-K\n</SEC-HEADER>\n"
        b"<DOCUMENT>\n<TYPE>8-K\n<TEXT>\n" + b"x" * 5000 + b"\n</TEXT>\n</DOCUMENT>\n"
    )

    parsed = read_submission(data, primary_limit=1000)

    assert parsed.truncated
    assert len(parsed.primary_text) == 1000


class _CountingStream(io.RawIOBase):
    """A 40 MB uuencoded exhibit behind the primary document, produced lazily."""

    def __init__(self, head: bytes, filler_bytes: int, tail: bytes) -> None:
        self.parts = [head, b"M" * filler_bytes, tail]
        self.largest_read = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        self.largest_read = max(self.largest_read, size)
        while self.parts and not self.parts[0]:
            self.parts.pop(0)
        if not self.parts:
            return b""
        chunk, self.parts[0] = self.parts[0][:size], self.parts[0][size:]
        return chunk


def test_it_streams_past_large_documents_in_bounded_chunks() -> None:
    head = (
        b"<SEC-HEADER>\nCONFORMED SUBMISSION TYPE:\t8-K\n</SEC-HEADER>\n"
        b"<DOCUMENT>\n<TYPE>8-K\n<FILENAME>a.htm\n<TEXT>\n<p>Item 8.01 Other Events</p>\n</TEXT>\n"
        b"</DOCUMENT>\n<DOCUMENT>\n<TYPE>GRAPHIC\n<FILENAME>big.jpg\n<TEXT>\nbegin 644 big.jpg\n"
    )
    tail = b"\nend\n</TEXT>\n</DOCUMENT>\n<DOCUMENT>\n<TYPE>EX-99.1\n<FILENAME>ex.htm\n<TEXT>\nx\n"
    stream = _CountingStream(head, 40 * 1024 * 1024, tail)

    parsed = read_submission(stream)  # type: ignore[arg-type]

    assert [d.filename for d in parsed.documents] == ["a.htm", "big.jpg", "ex.htm"]
    assert b"Item 8.01" in parsed.primary_text
    assert stream.largest_read <= submission.CHUNK_BYTES


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (b"-----BEGIN PRIVACY-ENHANCED MESSAGE-----\n", True),
        (b"<SEC-DOCUMENT>0001.txt : 20200101\n", True),
        (b"<SUBMISSION>\n<ACCESSION-NUMBER>", True),
        (b"<IMS-DOCUMENT>0000109446-94-000005.txt", True),
        (b"<DOCUMENT>\n<TYPE>8-K\n", False),
        (b"<html><body>", False),
    ],
)
def test_it_recognises_a_complete_submission(start: bytes, expected: bool) -> None:
    assert is_submission(start) is expected


def test_it_reads_a_pem_envelope_with_crlf_line_ends() -> None:
    data = (
        b"-----BEGIN PRIVACY-ENHANCED MESSAGE-----\r\nProc-Type: 2001,MIC-CLEAR\r\n\r\n"
        b"<SEC-HEADER>\r\nACCESSION NUMBER:\t\t0000950131-97-001234\r\n"
        b"ITEM INFORMATION:\t\tOther events\r\nFILED AS OF DATE:\t\t19970314\r\n</SEC-HEADER>\r\n"
    )

    header = read_submission(data).header

    assert header.accession == "0000950131-97-001234"
    assert header.items == ("5",)


def test_it_stops_listing_documents_at_a_sane_count() -> None:
    data = b"<SEC-HEADER>\n</SEC-HEADER>\n" + b"<DOCUMENT>\n<TYPE>X\n<TEXT>\n" * 100_000

    parsed = read_submission(data)

    assert len(parsed.documents) == submission.MAX_DOCUMENTS


def test_it_keeps_a_document_pasted_with_its_own_wrapper() -> None:
    inner = (EIGHT_K / "sgml_wrapped.htm").read_bytes()
    data = (
        b"<SEC-HEADER>\nCONFORMED SUBMISSION TYPE:\t8-K\n</SEC-HEADER>\n"
        b"<DOCUMENT>\n<TYPE>8-K\n<SEQUENCE>1\n<FILENAME>form_8-kqx.htm\n<TEXT>\n"
        + inner
        + b"</TEXT>\n</DOCUMENT>\n<DOCUMENT>\n<TYPE>EX-99.1\n<TEXT>\nx\n</TEXT>\n</DOCUMENT>\n"
    )

    parsed = read_submission(data)

    assert b"joint venture agreement" in parsed.primary_text
    assert [d.type for d in parsed.documents] == ["8-K", "EX-99.1"]


def test_it_ends_a_document_missing_its_end_tags_at_the_next_document() -> None:
    data = (
        b"<SEC-HEADER>\nCONFORMED SUBMISSION TYPE:\t8-K\n</SEC-HEADER>\n"
        b"<DOCUMENT>\n<TYPE>8-K\n<TEXT>\nthe report\n"
        b"<DOCUMENT>\n<TYPE>EX-10.1\n<TEXT>\nthe contract\n</TEXT>\n</DOCUMENT>\n"
    )

    parsed = read_submission(data)

    assert parsed.primary_text.strip() == b"the report"
    assert [d.type for d in parsed.documents] == ["8-K", "EX-10.1"]
