"""The replay's filing index page (`{accession}-index.htm`), as EDGAR lays it out."""

from __future__ import annotations

import html
from datetime import datetime

from edgarwatch.filing import EASTERN
from edgarwatch.items import title_for
from edgarwatch.replay.catalog import ReplayCompany, ReplayFiling
from edgarwatch.replay.render import submission_size


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
