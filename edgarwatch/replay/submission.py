"""The replay's complete submission text file (`{accession}.txt`): the SGML header and every document."""

from __future__ import annotations

from edgarwatch.filing import EASTERN
from edgarwatch.items import title_for
from edgarwatch.replay.catalog import ReplayCompany, ReplayFiling

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
