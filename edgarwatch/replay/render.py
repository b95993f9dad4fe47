"""EDGAR's response formats, rendered from replay filings in their exact shapes.

Each renderer copies the layout of the recorded responses in the corpus
(`shared/corpus`): the getcurrent Atom feed (ISO-8859-1, one entry per
company role, item lines in an entity-escaped summary), the filing index
page, the complete submission with its tab-style SEC header, the
submissions JSON (column arrays, `acceptanceDateTime` written with a false
`Z`), the daily master index and EDGAR's error pages.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from email.utils import format_datetime
from typing import Any

from edgarwatch.filing import EASTERN
from edgarwatch.items import title_for
from edgarwatch.replay.catalog import ReplayCompany, ReplayFiling

BASE = "https://www.sec.gov"


def _x(text: str) -> str:
    """XML-escape, then make it ISO-8859-1 safe with character references."""
    return html.escape(text, quote=True).encode("latin-1", "xmlcharrefreplace").decode("latin-1")


def _size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size // (1024 * 1024)} MB"
    return f"{max(1, size // 1024)} KB"


def submission_size(filing: ReplayFiling) -> int:
    return len(complete_submission(filing))


def http_date(moment: datetime) -> str:
    """An HTTP-date (RFC 9110), as in `Last-Modified: Tue, 10 Mar 2026 22:05:00 GMT`."""
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def film_number(filing: ReplayFiling) -> str:
    """A film number in EDGAR's shape (`231140568`: year, then seven digits), fixed per filing."""
    assert filing.accepted_at is not None
    return f"{filing.accepted_at.year % 100:02d}{int(filing.accession[-6:]):07d}"


# -- getcurrent Atom ---------------------------------------------------------------


def atom_feed(entries: Sequence[tuple[ReplayFiling, ReplayCompany]], now: datetime) -> bytes:
    local = now.astimezone(EASTERN)
    parts = [
        '<?xml version="1.0" encoding="ISO-8859-1" ?>\n',
        '<feed xmlns="http://www.w3.org/2005/Atom">\n',
        f"<title>Latest Filings - {local:%a, %d %b %Y %H:%M:%S} {local.tzname()}</title>\n",
        '<link rel="alternate" href="/cgi-bin/browse-edgar?action=getcurrent"/>\n',
        '<link rel="self" href="/cgi-bin/browse-edgar?action=getcurrent"/>\n',
        "<id>https://www.sec.gov/cgi-bin/browse-edgar?action=getcurrent</id>\n",
        "<author><name>Webmaster</name><email>webmaster@sec.gov</email></author>\n",
        f"<updated>{local.isoformat(timespec='seconds')}</updated>\n",
    ]
    parts.extend(_atom_entry(filing, company) for filing, company in entries)
    parts.append("</feed>\n")
    return "".join(parts).encode("latin-1")


def _atom_entry(filing: ReplayFiling, company: ReplayCompany) -> str:
    assert filing.accepted_at is not None
    link = f"{BASE}/Archives/edgar/data/{company.cik}/{filing.accession.replace('-', '')}/"
    link += f"{filing.accession}-index.htm"
    summary = (
        f" &lt;b&gt;Filed:&lt;/b&gt; {filing.filed} &lt;b&gt;AccNo:&lt;/b&gt; {filing.accession} "
        f"&lt;b&gt;Size:&lt;/b&gt; {_size_text(submission_size(filing))}\n"
    )
    if filing.items_in_feed:
        for number in filing.items:
            summary += f"&lt;br&gt;Item {number}: {_x(_x(title_for(number)))}\n"
    return (
        "<entry>\n"
        f"<title>{_x(filing.form)} - {_x(company.name)} ({company.cik:010d}) ({company.role})</title>\n"
        f'<link rel="alternate" type="text/html" href="{link}"/>\n'
        f'<summary type="html">\n{summary}</summary>\n'
        f"<updated>{filing.accepted_at.isoformat(timespec='seconds')}</updated>\n"
        f'<category scheme="https://www.sec.gov/" label="form type" term="{_x(filing.form)}"/>\n'
        f"<id>urn:tag:sec.gov,2008:accession-number={filing.accession}</id>\n"
        "</entry>\n"
    )


# -- filing index page ------------------------------------------------------------


def index_page(filing: ReplayFiling) -> bytes:
    """The filing index page (`{accession}-index.htm`) as EDGAR serves it."""
    assert filing.accepted_at is not None
    return f"""<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" "http://www.w3.org/TR/html4/loose.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>EDGAR Filing Documents for {filing.accession}</title>
</head>
<body style="margin: 0; font-size: 16px; ">
<div id="contentDiv">
{_filing_div(filing, filing.accepted_at.astimezone(EASTERN))}{_documents_div(filing)}<!-- START FILER DIV -->
{"".join(_company_block(filing, c) for c in filing.companies)}<!-- END FILER DIV -->
</div>
</body>
</html>
""".encode()


def _filing_div(filing: ReplayFiling, accepted: datetime) -> str:
    """The index page's head: form, accession, dates, period and items."""
    items = "".join(f"Item {n}: {html.escape(title_for(n))}<br />" for n in filing.items)
    period = filing.period.isoformat() if filing.period else accepted.date().isoformat()
    return f"""<!-- START FILING DIV -->
<div class="formDiv">
   <div id="formHeader">
      <div id="formName">
         <strong>Form {html.escape(filing.form)}</strong> - Current report:
      </div>
      <div id="secNum">
         <strong><acronym title="Securities and Exchange Commission">SEC</acronym> Accession <acronym title="Number">No.</acronym></strong> {filing.accession}
      </div>
   </div>
   <div class="formContent">
      <div class="formGrouping">
         <div class="infoHead">Filing Date</div>
         <div class="info">{filing.filed}</div>
         <div class="infoHead">Accepted</div>
         <div class="info">{accepted:%Y-%m-%d %H:%M:%S}</div>
         <div class="infoHead">Documents</div>
         <div class="info">{len(filing.documents)}</div>
      </div>
      <div class="formGrouping">
         <div class="infoHead">Period of Report</div>
         <div class="info">{period}</div>
      </div>
      <div class="formGrouping">
         <div class="infoHead">Items</div>
         <div class="info">{items}</div>
      </div>
      <div style="clear:both"></div>
<!-- END FILING DIV -->
"""


def _documents_div(filing: ReplayFiling) -> str:
    """The index page's table of documents, the complete submission text file last."""
    rows = "".join(
        _document_row(filing, i, d.sequence, d.description, d.filename, d.type, len(d.content))
        for i, d in enumerate(filing.documents)
    )
    rows += _document_row(
        filing,
        len(filing.documents),
        None,
        "Complete submission text file",
        f"{filing.accession}.txt",
        "",
        submission_size(filing),
    )
    return f"""<!-- START DOCUMENT DIV -->
  </div>
    </div>
<div class="formDiv">
   <div style="padding: 0px 0px 4px 0px; font-size: 12px; margin: 0px 2px 0px 5px; width: 100%; overflow:hidden">
      <p>Document Format Files</p>
      <table class="tableFile" summary="Document Format Files">
         <tr>
            <th scope="col" style="width: 5%;"><acronym title="Sequence Number">Seq</acronym></th>
            <th scope="col" style="width: 40%;">Description</th>
            <th scope="col" style="width: 20%;">Document</th>
            <th scope="col" style="width: 10%;">Type</th>
            <th scope="col">Size</th>
         </tr>
{rows}      </table>
   </div>
</div>
<!-- END DOCUMENT DIV -->
"""


def _document_row(
    filing: ReplayFiling,
    index: int,
    sequence: int | None,
    description: str,
    filename: str,
    type_: str,
    size: int,
) -> str:
    css = ' class="evenRow"' if index % 2 else ""
    seq = str(sequence) if sequence is not None else "&nbsp;"
    return (
        f"         <tr{css}>\n"
        f'            <td scope="row">{seq}</td>\n'
        f'            <td scope="row">{html.escape(description)}</td>\n'
        f'            <td scope="row"><a href="{filing.folder}{filename}">{html.escape(filename)}</a></td>\n'
        f'            <td scope="row">{html.escape(type_) or "&nbsp;"}</td>\n'
        f'            <td scope="row">{size}</td>\n'
        "         </tr>\n"
    )


def _company_block(filing: ReplayFiling, company: ReplayCompany) -> str:
    return f"""<div class="filerDiv">
<div class="companyInfo">
  <span class="companyName">{html.escape(company.name)} ({company.role})
 <acronym title="Central Index Key">CIK</acronym>: <a href="/cgi-bin/browse-edgar?CIK={company.cik:010d}&amp;action=getcompany">{company.cik:010d} (see all company filings)</a></span>
<p class="identInfo">State of Incorp.: <strong>{company.state}</strong> | Fiscal Year End: <strong>{company.fiscal_year_end}</strong><br />Type: <strong>{html.escape(filing.form)}</strong> | Act: <strong>34</strong> | File No.: <strong>{company.file_number}</strong><br /><acronym title="Standard Industrial Code">SIC</acronym>: <b>{company.sic}</b> {html.escape(company.sic_description)}</p>
</div>
<div class="clear"></div>
</div>
"""


# -- complete submission ---------------------------------------------------------------

_ROLE_HEADERS = {"filer": "FILER", "subject": "SUBJECT COMPANY", "filed by": "FILED BY"}


def complete_submission(filing: ReplayFiling) -> bytes:
    assert filing.accepted_at is not None
    accepted = filing.accepted_at.astimezone(EASTERN)
    filed = filing.filed or accepted.date()
    lines = [
        f"<SEC-DOCUMENT>{filing.accession}.txt : {filed:%Y%m%d}",
        f"<SEC-HEADER>{filing.accession}.hdr.sgml : {filed:%Y%m%d}",
        f"<ACCEPTANCE-DATETIME>{accepted:%Y%m%d%H%M%S}",
        f"ACCESSION NUMBER:\t\t{filing.accession}",
        f"CONFORMED SUBMISSION TYPE:\t{filing.form}",
        f"PUBLIC DOCUMENT COUNT:\t\t{len(filing.documents)}",
    ]
    if filing.period:
        lines.append(f"CONFORMED PERIOD OF REPORT:\t{filing.period:%Y%m%d}")
    lines += [f"ITEM INFORMATION:\t\t{title_for(n)}" for n in filing.items]
    lines += [
        f"FILED AS OF DATE:\t\t{filed:%Y%m%d}",
        f"DATE AS OF CHANGE:\t\t{filed:%Y%m%d}",
        "",
    ]
    for company in filing.companies:
        lines += _header_company(filing, company)
    lines.append("</SEC-HEADER>")
    text = "\n".join(lines) + "\n"
    body = b"".join(
        b"<DOCUMENT>\n<TYPE>%s\n<SEQUENCE>%d\n<FILENAME>%s\n<DESCRIPTION>%s\n<TEXT>\n%s\n</TEXT>\n</DOCUMENT>\n"
        % (
            d.type.encode(),
            d.sequence,
            d.filename.encode(),
            d.description.encode("latin-1", "replace"),
            d.content.rstrip(b"\n"),
        )
        for d in filing.documents
    )
    return text.encode("latin-1", "replace") + body + b"</SEC-DOCUMENT>\n"


def _header_company(filing: ReplayFiling, company: ReplayCompany) -> list[str]:
    heading = _ROLE_HEADERS.get(company.role.lower(), "FILER")
    return [
        f"{heading}:",
        "",
        "\tCOMPANY DATA:\t",
        f"\t\tCOMPANY CONFORMED NAME:\t\t\t{company.name}",
        f"\t\tCENTRAL INDEX KEY:\t\t\t{company.cik:010d}",
        f"\t\tSTANDARD INDUSTRIAL CLASSIFICATION:\t{company.sic_description.upper()} [{company.sic}]",
        f"\t\tSTATE OF INCORPORATION:\t\t\t{company.state}",
        f"\t\tFISCAL YEAR END:\t\t\t{company.fiscal_year_end}",
        "",
        "\tFILING VALUES:",
        f"\t\tFORM TYPE:\t\t{filing.form}",
        "\t\tSEC ACT:\t\t1934 Act",
        f"\t\tSEC FILE NUMBER:\t{company.file_number}",
        "",
    ]


# -- data.sec.gov submissions JSON ------------------------------------------------------

_COLUMNS = (
    "accessionNumber",
    "filingDate",
    "reportDate",
    "acceptanceDateTime",
    "act",
    "form",
    "fileNumber",
    "filmNumber",
    "items",
    "core_type",
    "size",
    "isXBRL",
    "isInlineXBRL",
    "primaryDocument",
    "primaryDocDescription",
)


def submissions_json(company: ReplayCompany, filings: Iterable[ReplayFiling]) -> bytes:
    rows = sorted(
        filings, key=lambda f: f.accepted_at or datetime.min.replace(tzinfo=EASTERN), reverse=True
    )
    columns: dict[str, list[Any]] = {c: [] for c in _COLUMNS}
    for filing in rows:
        _submission_row(columns, filing)
    document = {
        "cik": f"{company.cik:010d}",
        "entityType": "operating",
        "sic": company.sic,
        "sicDescription": company.sic_description,
        "name": company.name,
        "tickers": [company.ticker] if company.ticker else [],
        "exchanges": ["Nasdaq"] if company.ticker else [],
        "stateOfIncorporation": company.state,
        "fiscalYearEnd": company.fiscal_year_end,
        "filings": {"recent": columns, "files": []},
    }
    return json.dumps(document, separators=(",", ":")).encode()


def _submission_row(columns: dict[str, list[Any]], filing: ReplayFiling) -> None:
    assert filing.accepted_at is not None
    accepted = filing.accepted_at.astimezone(EASTERN)
    primary = filing.documents[0]
    values = {
        "accessionNumber": filing.accession,
        "filingDate": str(filing.filed),
        "reportDate": str(filing.period or filing.filed),
        # EDGAR writes Eastern local time with a (false) "Z": the corpus README.
        "acceptanceDateTime": f"{accepted:%Y-%m-%dT%H:%M:%S}.000Z",
        "act": "34",
        "form": filing.form,
        "fileNumber": filing.filer.file_number,
        "filmNumber": film_number(filing),
        "items": ",".join(filing.items),
        "core_type": filing.form,
        "size": submission_size(filing),
        "isXBRL": 0,
        "isInlineXBRL": 0,
        "primaryDocument": primary.filename,
        "primaryDocDescription": primary.description,
    }
    for key in _COLUMNS:
        columns[key].append(values[key])


# -- daily master index -------------------------------------------------------------------


def master_index(day: date, filings: Iterable[ReplayFiling]) -> bytes:
    lines = [
        "Description:           Daily Index of EDGAR Dissemination Feed",
        f"Last Data Received:    {day:%b %d, %Y}",
        "Comments:              webmaster@sec.gov",
        "Anonymous FTP:         ftp://ftp.sec.gov/edgar/",
        "",
        "CIK|Company Name|Form Type|Date Filed|File Name",
        "-" * 80,
    ]
    for filing in sorted(filings, key=lambda f: f.filer.cik):
        for company in filing.companies:
            lines.append(
                f"{company.cik}|{company.name}|{filing.form}|{day:%Y%m%d}|"
                f"edgar/data/{company.cik}/{filing.accession}.txt"
            )
    return ("\n".join(lines) + "\n").encode("latin-1", "replace")


# -- error pages ------------------------------------------------------------------------------


def unavailable_page() -> bytes:
    """What EDGAR answers (503) for a getcurrent page past the end, and in maintenance."""
    return b"""<!DOCTYPE html>
<html lang="en">
<head>
    <meta http-equiv="content-type" content="text/html; charset=utf-8">
    <title>SEC.gov | File Unavailable</title>
</head>
<body class="off-canvas hide-extras">
    <section role="main">
        <h1>This page is temporarily unavailable.</h1>
        <p>SEC.gov is undergoing maintenance. During this time, webforms will not be available.</p>
    </section>
</body>
</html>
"""


def throttled_page(undeclared: bool) -> bytes:
    """The SEC's 403 page for clients over the rate limit or without a declared User-Agent."""
    heading = (
        "Your Request Originates from an Undeclared Automated Tool"
        if undeclared
        else "Request Rate Threshold Exceeded"
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<title>SEC.gov | {heading}</title>
</head>
<body>
<h1>{heading}</h1>
<p>To allow for equitable access to all users, SEC reserves the right to limit requests originating from undeclared automated tools. Your request has been identified as part of a network of automated tools outside of the acceptable policy and will be managed until action is taken to declare your traffic.</p>
<p>Please declare your traffic by updating your user agent to include company specific information.</p>
<p>For best practices on efficiently downloading information from SEC.gov, including the latest EDGAR filings, visit sec.gov/developer. For more information, contact opendata@sec.gov.</p>
</body>
</html>
""".encode()


def not_found_page() -> bytes:
    return b"""<!DOCTYPE html>
<html lang="en"><head><title>SEC.gov | Page Not Found</title></head>
<body><h1>Page Not Found</h1></body></html>
"""


def no_such_key(key: str) -> bytes:
    """data.sec.gov's S3 answer for a missing submissions file (404)."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code>'
        f"<Message>The specified key does not exist.</Message><Key>{html.escape(key)}</Key></Error>"
    ).encode()
