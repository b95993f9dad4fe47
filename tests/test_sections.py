"""Primary document → lines → item headings → sections, one test per heading shape."""

from __future__ import annotations

from pathlib import Path

import pytest

from edgarwatch.edgar.cover import cover_form
from edgarwatch.edgar.document import PrimaryDocument, decode, document_lines, unwrap_document
from edgarwatch.edgar.headings import find_headings, parse_heading
from edgarwatch.edgar.html_lines import html_lines
from edgarwatch.edgar.lines import is_signature_line
from edgarwatch.edgar.sections import Section, split_sections
from edgarwatch.edgar.submission_reader import read_submission
from edgarwatch.edgar.text_lines import text_lines

EIGHT_K = Path(__file__).parent / "fixtures" / "8k"


def lines_of(name: str) -> list[str]:
    data = (EIGHT_K / name).read_bytes()
    return document_lines(unwrap_document(decode(data)))


def sections_of(name: str) -> dict[str, Section]:
    return {n: s for s in split_sections(lines_of(name)) for n in s.numbers}


def submission_sections(name: str) -> dict[str, Section]:
    parsed = read_submission((EIGHT_K / name).read_bytes())
    document = unwrap_document(decode(parsed.primary_text))
    return {n: s for s in split_sections(document_lines(document)) for n in s.numbers}


# --- heading shapes ------------------------------------------------------------------


def test_it_finds_item_number_with_a_period() -> None:
    sections = sections_of("item_dot.htm")

    assert list(sections) == ["1.01", "9.01"]
    assert sections["1.01"].heading == "Entry into a Material Definitive Agreement"
    assert sections["1.01"].text.startswith("On March 3, 2014, Northwind Biologics, Inc.")
    assert sections["1.01"].text.endswith("which is filed as Exhibit 10.1 hereto.")


def test_it_finds_upper_case_headings_with_an_em_dash() -> None:
    sections = sections_of("em_dash.htm")

    assert list(sections) == ["1.01", "2.03"]
    assert sections["1.01"].heading == "ENTRY INTO A MATERIAL DEFINITIVE AGREEMENT"
    assert sections["1.01"].text.startswith("On January 14, 2014, Harbor Light Energy Corp.")
    # &#151; is the Windows-1252 em dash: decoded, not left as a C1 control.
    assert "ITEM 1.01 — ENTRY INTO A MATERIAL DEFINITIVE AGREEMENT" in lines_of("em_dash.htm")


def test_it_finds_headings_written_with_nbsp() -> None:
    sections = sections_of("nbsp.htm")

    assert list(sections) == ["1.01", "7.01"]
    assert "\xa0" not in sections["1.01"].text
    assert sections["1.01"].text.startswith("On July 8, 2012, Cascade Software Group")


def test_it_finds_number_and_title_in_separate_table_cells() -> None:
    lines = lines_of("table_cells.htm")
    sections = sections_of("table_cells.htm")

    assert "Item 1.01 Entry into a Material Definitive Agreement" in lines
    assert "Item 1.02: Termination of a Material Definitive Agreement" in lines
    assert list(sections) == ["1.01", "1.02", "9.01"]
    assert sections["1.02"].text.startswith("In connection with the supply agreement")


def test_it_flattens_table_rows_into_readable_lines() -> None:
    sections = sections_of("table_cells.htm")

    assert sections["9.01"].text.split("\n") == [
        "(d) Exhibits",
        "Exhibit No. Description",
        "10.1 Supply Agreement, dated September 12, 2016, between the Company and Orion Foundry Ltd.",
    ]


def test_it_finds_headings_in_bold_spans_and_body_in_the_same_block() -> None:
    sections = sections_of("bold_spans.htm")

    assert list(sections) == ["5.02", "5.07", "9.01"]
    assert sections["5.02"].text.startswith("On June 4, 2021, the Board of Directors")
    # "Item 5.07 Submission … Holders. The Company held …" is one <div>.
    assert sections["5.07"].heading == "Submission of Matters to a Vote of Security Holders"
    assert sections["5.07"].text.startswith("The Company held its annual meeting")
    assert "Alice Moreno 41,220,318" in sections["5.07"].text.split("\n")


def test_it_finds_headings_padded_with_tab_fonts() -> None:
    sections = sections_of("tab_fonts.htm")

    assert list(sections) == ["1.01", "9.01"]
    assert sections["1.01"].heading == "Entry into a Material Definitive Agreement"
    assert sections["1.01"].text == (
        "On June 20, 2018, Lakeshore Media Group (“Lakeshore”) entered into an Agreement "
        "and Plan of Merger with Brightline Studios, Inc."
    )


def test_it_joins_a_heading_split_across_lines_and_tags() -> None:
    sections = sections_of("split_heading.htm")

    assert list(sections) == ["7", "12"]
    assert sections["7"].heading == "Financial Statements and Exhibits"
    assert sections["12"].text.startswith("On April 20, 2004, Meridian Instruments, Inc.")
    assert "Results of Operations" not in sections["12"].text


def test_it_gives_a_combined_heading_to_both_items() -> None:
    sections = sections_of("combined_items.txt")

    assert list(sections) == ["1.01", "5.02", "9.01"]
    assert sections["1.01"] is sections["5.02"]
    assert sections["1.01"].text.startswith("Employment Agreement\nOn September 15, 2008 Bayview")
    assert "Compensatory Arrangements" not in sections["1.01"].text


def test_it_skips_a_table_of_contents() -> None:
    sections = sections_of("table_of_contents.htm")

    assert list(sections) == ["2.01", "9.01"]
    assert sections["2.01"].text == (
        "On October 1, 2019, Summit Ridge Mining Co. completed the sale of its Copper Flats "
        "mine to Arroyo Metals LLC for $310 million in cash."
    )
    assert sections["9.01"].text.endswith("attached as Exhibit 99.1.")


def test_it_does_not_take_a_prose_mention_for_a_heading() -> None:
    sections = sections_of("prose_mention.htm")

    assert list(sections) == ["1.01", "2.03", "9.01"]
    assert sections["2.03"].text.split("\n") == [
        "As described in Item 1.01 above, the Company borrowed $750 million on March 27, 2020.",
        "Item 1.01 of this Current Report on Form 8-K is incorporated by reference into this "
        "Item 2.03.",
    ]
    assert sections["1.01"].text.startswith("Term Loan Agreement\nOn March 27, 2020")


def test_it_stops_the_last_item_before_signatures() -> None:
    sections = sections_of("signatures_last_item.htm")

    assert list(sections) == ["8.01"]
    text = sections["8.01"].text
    assert text.endswith("effective January 1, 2014.")
    assert "SIGNATURES" not in text
    assert "Pursuant to the requirements" not in text
    assert "Signature page" not in text


def test_it_ignores_headings_after_the_signature_block() -> None:
    headings = split_sections(lines_of("signatures_last_item.htm"))

    assert all("9.01" not in section.numbers for section in headings)


def test_it_reads_a_plain_text_1990s_filing() -> None:
    sections = submission_sections("plain_text_1990s.txt")

    # Items 1 and 3 say "Not applicable"; the contents lines are not headings.
    assert list(sections) == ["2", "7"]
    assert sections["2"].text.split("\n") == [
        'On March 3, 1997, Prairie Home Care Services, Inc. (the "Company") acquired all of '
        'the outstanding stock of Riverbend Nursing Associates, Inc. ("Riverbend") for '
        "$4,200,000 in cash and 150,000 shares of the Company's common stock. Riverbend "
        "provides home nursing services in central Illinois.",
        "The purchase price was determined by arm's-length negotiation.",
    ]
    assert sections["7"].text.endswith(
        "2.1 Stock Purchase Agreement dated March 3, 1997\n99.1 Press release dated March 4, 1997"
    )


def test_it_unwraps_an_sgml_wrapped_document() -> None:
    document = unwrap_document(decode((EIGHT_K / "sgml_wrapped.htm").read_bytes()))

    assert document.type == "8-K"
    assert document.filename == "form_8-kqx.htm"
    assert document.description == "ITEM 1.01: ENTRY INTO A MATERIAL DEFINITIVE AGREEMENT"
    assert document.is_html
    assert "<TYPE>" not in document.text
    assert "</TEXT>" not in document.text
    assert list(sections_of("sgml_wrapped.htm")) == ["1.01"]


def test_it_reads_the_html_document_of_a_pem_wrapped_submission() -> None:
    sections = submission_sections("pem_full_submission.txt")

    assert list(sections) == ["1.01", "5.02", "9.01"]
    assert "Salary Continuation Agreement with its President" in sections["1.01"].text


def test_it_keeps_hidden_inline_xbrl_out_of_the_text() -> None:
    lines = lines_of("inline_xbrl.htm")
    sections = sections_of("inline_xbrl.htm")

    assert list(sections) == ["2.02", "9.01"]
    assert not any("0001234567" in line or "hidden draft" in line for line in lines)
    assert "FORM 8-K" in lines
    assert "olv-20240201" not in lines  # <title>


def test_it_reads_inline_xbrl_inside_a_dissemination_feed_file() -> None:
    sections = submission_sections("dissemination.nc")

    assert list(sections) == ["1.01", "3.02", "9.01"]
    assert sections["1.01"].text.startswith("On February 3, 2025, Blue Heron Robotics")


# --- the heading grammar ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "numbers", "title"),
    [
        (
            "Item 1.01. Entry into a Material Definitive Agreement.",
            ("1.01",),
            "Entry into a Material Definitive Agreement",
        ),
        (
            "ITEM 1.01 — ENTRY INTO A MATERIAL DEFINITIVE AGREEMENT",
            ("1.01",),
            "ENTRY INTO A MATERIAL DEFINITIVE AGREEMENT",
        ),
        ("Item 5.02(e): Compensatory Arrangements", ("5.02",), "Compensatory Arrangements"),
        ("Items 2.02 and 9.01", ("2.02", "9.01"), ""),
        (
            "Item 2.01 and Item 2.03 Completion of Acquisition",
            ("2.01", "2.03"),
            "Completion of Acquisition",
        ),
        ("Items 1.01, 2.03 and 9.01.", ("1.01", "2.03", "9.01"), ""),
        ("ITEM 5 -- OTHER EVENTS", ("5",), "OTHER EVENTS"),
        ("Item 7(c). Exhibits.", ("7",), "Exhibits"),
        (
            "Item 9.1 Financial Statements and Exhibits",
            ("9.01",),
            "Financial Statements and Exhibits",
        ),
        (
            "Item1.01Entry into a Material Definitive Agreement",
            ("1.01",),
            "Entry into a Material Definitive Agreement",
        ),
        (
            "Item No. 5.07 Submission of Matters to a Vote of Security Holders",
            ("5.07",),
            "Submission of Matters to a Vote of Security Holders",
        ),
        ("item 8.01 other events", ("8.01",), "other events"),
    ],
)
def test_it_reads_heading_shapes(line: str, numbers: tuple[str, ...], title: str) -> None:
    heading = parse_heading(line)

    assert heading is not None
    assert heading.numbers == numbers
    assert heading.title.rstrip(".") == title


@pytest.mark.parametrize(
    "line",
    [
        "Item 1.01 of this Current Report is incorporated herein by reference.",
        "Items 1 through 4, 6 and 8 are not applicable.",
        "Item 1A. Risk Factors",  # a 10-K item
        "Item 601(b)(10) of Regulation S-K",
        "Item 5.021 is not a number the form has",
        "Item 3.05 Something the form never had",
        "Item 13. Exhibits",
        "As described in Item 1.01 above, the Company borrowed $750 million.",
        "Itemized deductions 1.01",
        "Item",
    ],
)
def test_it_rejects_lines_that_are_not_item_headings(line: str) -> None:
    assert parse_heading(line) is None


def test_it_separates_body_text_written_in_the_heading_paragraph() -> None:
    heading = parse_heading("Item 8.01 Other Events. On May 1, 2020, the Company sold its plant.")

    assert heading is not None
    assert heading.title == "Other Events"
    assert heading.rest == "On May 1, 2020, the Company sold its plant."


def test_it_keeps_a_long_custom_title_whole() -> None:
    heading = parse_heading(
        "Item 1.01 Entry into a Material Definitive Agreement with Acme Corp. and Beta Inc. "
        "On May 1, 2020, the Company signed it."
    )

    assert heading is not None
    assert heading.title.endswith("Acme Corp. and Beta Inc")
    assert heading.rest == "On May 1, 2020, the Company signed it."


def test_it_keeps_one_numbering_per_document() -> None:
    lines = ["Item 2.02 Results of Operations", "text", "Item 5. Other Events", "text"]

    assert [h.numbers for h in find_headings(lines)] == [("2.02",)]
    assert [h.numbers for h in find_headings(lines, "legacy")] == [("5",)]


def test_it_finds_a_declared_item_written_without_the_word_item() -> None:
    lines = [
        "FORM 8-K",
        "☐ Pre-commencement communications pursuant to Rule 13e-4(c) under the Exchange Act",
        "Section 8 – Other Events",
        "8.01 Other Events",
        "On May 1, 2020, the Company moved its headquarters.",
        "SIGNATURES",
    ]

    assert split_sections(lines) == []
    sections = split_sections(lines, expected=["8.01"])

    assert [(s.numbers, s.text) for s in sections] == [
        (("8.01",), "On May 1, 2020, the Company moved its headquarters.")
    ]


def test_it_drops_section_headers_that_open_the_next_item() -> None:
    lines = [
        "Section 1 – Registrant's Business and Operations",
        "Item 1.01 Entry into a Material Definitive Agreement",
        "On May 1, 2020, the Company signed a lease.",
        "Section 9 – Financial Statements and Exhibits",
        "Item 9.01 Financial Statements and Exhibits",
        "(d) Exhibits",
    ]

    sections = split_sections(lines)

    assert sections[0].text == "On May 1, 2020, the Company signed a lease."


def test_it_stops_at_the_signature_sentence_when_there_is_no_heading() -> None:
    lines = [
        "Item 8.01 Other Events",
        "The Company moved.",
        "Pursuant to the requirements of the Securities Exchange Act of 1934, the registrant "
        "has duly caused this report to be signed.",
        "/s/ Jane Roe",
    ]

    assert split_sections(lines)[0].text == "The Company moved."


def test_it_stops_a_non_exhibit_item_at_the_exhibit_index() -> None:
    lines = ["Item 8.01 Other Events", "The Company moved.", "EXHIBIT INDEX", "99.1 Press release"]

    assert split_sections(lines)[0].text == "The Company moved."


# --- text cleaning ------------------------------------------------------------------------


def test_it_decodes_entities_and_normalises_whitespace() -> None:
    lines = html_lines(
        "<p>Soci&eacute;t&eacute;&nbsp;&nbsp;G&#233;n&#xE9;rale\n  &amp;\tCie &#8220;x&#8221;"
        "&#8203;</p>"
    )

    assert lines == ["Société Générale & Cie “x”"]


def test_it_keeps_paragraphs_inside_a_single_cell_layout_table() -> None:
    html = (
        "<table><tr><td><p>Item 8.01 Other Events</p><p>First paragraph.</p>"
        "<p>Second paragraph.</p></td></tr></table>"
    )

    assert html_lines(html) == ["Item 8.01 Other Events", "First paragraph.", "Second paragraph."]


def test_it_keeps_nested_layout_tables_apart() -> None:
    html = (
        "<table><tr><td></td><td><table><tr><td>Item 1.01</td><td>Entry</td></tr></table>"
        "<p>Body text.</p></td></tr></table>"
    )

    assert html_lines(html) == ["Item 1.01 Entry", "Body text."]


def test_it_reads_preformatted_text_as_plain_text() -> None:
    html = "<html><body><pre>ITEM 5.  OTHER EVENTS\n\n   The Company\nmoved.\n</pre></body></html>"

    assert html_lines(html) == ["ITEM 5. OTHER EVENTS", "The Company moved."]


def test_it_treats_bare_cr_as_line_ends_in_plain_text() -> None:
    assert text_lines("ITEM 5. OTHER EVENTS\r\rThe Company\rmoved.\r") == [
        "ITEM 5. OTHER EVENTS",
        "The Company moved.",
    ]


def test_it_decodes_windows_1252_documents() -> None:
    assert decode(b"Soci\xe0 \x93quoted\x94") == "Socià “quoted”"


def test_it_keeps_utf8_cut_mid_character_by_a_size_limit() -> None:
    assert decode("Società".encode()[:-1]) == "Societ"


def test_it_tells_html_from_1990s_text_with_sgml_table_tags() -> None:
    text_filing = PrimaryDocument(text="<PAGE>\n<TABLE>\n<S>     <C>\nITEM 5. OTHER EVENTS\n")
    html_filing = PrimaryDocument(text="<P><B>Item 8.01</B></P>")

    assert not text_filing.is_html
    assert html_filing.is_html


def test_it_reads_the_form_from_the_cover_page() -> None:
    assert cover_form(["UNITED STATES", "FORM 8-K/A", "Amendment No. 1"]) == "8-K/A"
    assert cover_form(["nothing here"]) is None


@pytest.mark.timeout(10)
def test_it_flattens_blocks_nested_thousands_deep() -> None:
    # 200,000 nested <div>s take a minute in an HTML5 tree builder (O(depth²)).
    hostile = "<div>" * 200_000 + "<p>Item 8.01 Other Events</p><p>The Company moved.</p>"

    sections = split_sections(html_lines(hostile + "</div>" * 200_000))

    assert [(s.numbers, s.text) for s in sections] == [(("8.01",), "The Company moved.")]


@pytest.mark.timeout(10)
def test_it_survives_pathological_input_quickly() -> None:
    hostile = (
        "<p>"
        + "Item 1.01 "
        + "." * 200_000
        + "</p>"
        + "<p>Item "
        + " and " * 50_000
        + "</p>"
        + "<div>" * 5_000
        + "x"
        + "</div>" * 5_000
    )

    lines = html_lines(hostile)
    sections = split_sections(lines)

    assert len(sections) <= 1


# --- combined and repeated headings ---------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "numbers", "rest"),
    [
        (
            "Items 2.02 and 7.01. Results of Operations and Financial Condition; "
            "Regulation FD Disclosure.",
            ("2.02", "7.01"),
            "",
        ),
        (
            "Item 2.02 Results of Operations and Financial Condition and Item 7.01 "
            "Regulation FD Disclosure.",
            ("2.02", "7.01"),
            "",
        ),
        (
            "Item 1.01 Entry into a Material Definitive Agreement; Item 2.03 Creation of a "
            "Direct Financial Obligation. On May 1, 2020, the Company borrowed $5 million.",
            ("1.01", "2.03"),
            "On May 1, 2020, the Company borrowed $5 million.",
        ),
        ("ITEM 9.01(d).  Exhibits", ("9.01",), ""),
    ],
)
def test_it_reads_every_item_a_combined_heading_names(
    line: str, numbers: tuple[str, ...], rest: str
) -> None:
    heading = parse_heading(line)

    assert heading is not None
    assert heading.numbers == numbers
    assert heading.rest == rest


def test_it_takes_a_title_wrapped_onto_the_next_line_as_the_title() -> None:
    lines = [
        "ITEM 7. FINANCIAL STATEMENTS, PRO FORMA FINANCIAL INFORMATION AND",
        "EXHIBITS.",
        "(c) Exhibits",
    ]

    assert split_sections(lines)[0].text == "(c) Exhibits"


def test_it_skips_a_contents_list_without_page_numbers() -> None:
    lines = [
        "FORM 8-K",
        "Item 2.02 Results of Operations and Financial Condition",
        "Item 9.01 Financial Statements and Exhibits",
        "Signatures",
        "Item 2.02 Results of Operations and Financial Condition",
        "On May 1, 2020, the Company reported its results.",
        "Item 9.01 Financial Statements and Exhibits",
        "99.1 Press release",
        "SIGNATURES",
    ]

    sections = split_sections(lines)

    assert [(s.numbers, s.text) for s in sections] == [
        (("2.02",), "On May 1, 2020, the Company reported its results."),
        (("9.01",), "99.1 Press release"),
    ]


def test_it_keeps_repeated_sub_headings_in_one_section() -> None:
    lines = [
        "Item 5.02(b) Departure of Directors",
        "Jane Roe resigned.",
        "Item 5.02(c) Appointment of Certain Officers",
        "John Doe was appointed.",
        "Item 9.01 Financial Statements and Exhibits",
        "10.1 Offer letter",
    ]

    sections = split_sections(lines)

    assert [s.numbers for s in sections] == [("5.02",), ("9.01",)]
    assert sections[0].text.split("\n") == [
        "Jane Roe resigned.",
        "Item 5.02(c) Appointment of Certain Officers",
        "John Doe was appointed.",
    ]


def test_it_does_not_take_justified_prose_for_a_table() -> None:
    text = (
        "     The purpose of the reverse split is to position the company more  favorably\n"
        "for  acquisition  or  development  of  an  operating   company  for  its  future\n"
        "development and growth.\n"
    )

    assert text_lines(text) == [
        "The purpose of the reverse split is to position the company more favorably for "
        "acquisition or development of an operating company for its future development "
        "and growth."
    ]


def test_it_starts_a_paragraph_at_each_list_entry() -> None:
    text = (
        "      (c)    Exhibits\n\n"
        "      10.1   Salary Continuation Agreement with Richard P. Jacobson, as\n"
        "              amended January 23, 2008\n"
        "      99.1   Press release\n"
    )

    assert text_lines(text) == [
        "(c) Exhibits",
        "10.1 Salary Continuation Agreement with Richard P. Jacobson, as amended January 23, 2008",
        "99.1 Press release",
    ]


def test_it_keeps_aligned_columns_as_lines() -> None:
    text = "Nominee            For          Withheld\nJane Roe      1,000,000            200\n"

    assert text_lines(text) == ["Nominee For Withheld", "Jane Roe 1,000,000 200"]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("SIGNATURES", True),
        ("Signature", True),
        ("S I G N A T U R E S", True),
        ("SIGNATURE PAGE", True),
        (
            "Pursuant to the requirements of the Securities and Exchange Act of 1934, the "
            "registrant has duly caused this report to be signed",
            True,
        ),
        ("Signature of the merger agreement was delayed.", False),
        ("Signed and delivered", False),
    ],
)
def test_it_recognises_the_signature_block(line: str, expected: bool) -> None:
    assert is_signature_line(line) is expected


DONNELLEY_CONTENTS = """<html><body>
<P><FONT SIZE="2"><B>FORM 8-K</B></FONT></P>
<P ALIGN="center"><FONT SIZE="2"><B><A NAME="toc"></A>TABLE OF CONTENTS </B></FONT></P>
<P><FONT SIZE="2"><B><A HREF="#tx_1">Item&nbsp;2.02 Results of Operations and Financial Condition </A> </B></FONT></P> <P><FONT
SIZE="2"><B><A HREF="#tx_2">Item&nbsp;8.01 Other Events </A> </B></FONT></P> <P><FONT SIZE="2"><B><A HREF="#tx_3">Item&nbsp;
9.01 Financial Statements and Exhibits </A> </B></FONT></P> <P><FONT SIZE="2"><B><A HREF="#tx_4">SIGNATURE </A> </B></FONT></P>
<P><FONT SIZE="2"><B><A HREF="#tx_5">EXHIBIT LIST </A> </B></FONT></P>
<P><FONT SIZE="2"><B><A HREF="d740679dex991.htm">EXHIBIT 99.1 </A> </B></FONT></P>
<h5 align="left"><a href="#toc">Table of Contents</a></h5>
<P><FONT SIZE="2"><B>Section&nbsp;2&#151;Financial Information </B></FONT></P>
<P><FONT SIZE="2"><B><I><A NAME="tx_1"></A>Item&nbsp;2.02 Results of Operations and Financial Condition </I></B></FONT></P>
<P><FONT SIZE="2">On June&nbsp;19, 2014, the Company issued a press release announcing its results. </FONT></P>
<P><FONT SIZE="2"><B>Section&nbsp;8&#151;Other Events
</B></FONT></P> <P><FONT SIZE="2"><B><I><A NAME="tx_2"></A>Item&nbsp;8.01 Other Events </I></B></FONT></P>
<P><FONT SIZE="2">The Board of Directors declared a cash dividend of $0.12 per share. </FONT></P>
<P><FONT SIZE="2"><B>Section&nbsp;9&#151;Financial
Statements and Exhibits </B></FONT></P> <P><FONT SIZE="2"><B><I><A NAME="tx_3"></A>Item&nbsp;9.01 Financial Statements and Exhibits
</I></B></FONT></P> <P><FONT SIZE="2">(d) Exhibits </FONT></P>
<P><FONT SIZE="2">99.1 Press Release dated June 19, 2014</FONT></P>
<h5 align="left"><a href="#toc">Table of Contents</a></h5>
<P ALIGN="center"><FONT SIZE="2"><B><A NAME="tx_4"></A>SIGNATURE </B></FONT></P>
<P><FONT SIZE="2">Pursuant to the requirements of the Securities Exchange Act of 1934, the
Registrant has duly caused this report to be signed on its behalf.</FONT></P>
</body></html>"""


def test_it_skips_a_linked_contents_list_that_names_the_back_matter() -> None:
    """Donnelley's 8-Ks of the 2010s (accessions 0001193125-…) open with linked contents
    whose last item is followed by SIGNATURE, EXHIBIT LIST and EXHIBIT 99.1 entries and the
    first "Section 2 — …" title: that entry was taken for Item 9.01 (its text "SIGNATURE /
    EXHIBIT LIST / EXHIBIT 99.1") and Item 8.01 ran on through the real Item 9.01."""
    sections = split_sections(html_lines(DONNELLEY_CONTENTS))

    assert [(s.numbers, s.text) for s in sections] == [
        (("2.02",), "On June 19, 2014, the Company issued a press release announcing its results."),
        (("8.01",), "The Board of Directors declared a cash dividend of $0.12 per share."),
        (("9.01",), "(d) Exhibits\n99.1 Press Release dated June 19, 2014"),
    ]
