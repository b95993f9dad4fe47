"""EDGAR's response formats, rendered from replay filings in their exact shapes.

Each renderer copies the layout of the recorded responses in the corpus
(`shared/corpus`): the getcurrent Atom feed (ISO-8859-1, one entry per
company role, item lines in an entity-escaped summary) and EDGAR's error
pages here; the filing index page (`index_page.py`), the complete
submission with its tab-style SEC header (`submission.py`), the submissions
JSON (column arrays, `acceptanceDateTime` written with a false `Z`) and the
daily master index (`indexes.py`).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import UTC, datetime
from email.utils import format_datetime

from edgarwatch.filing import EASTERN
from edgarwatch.items import title_for
from edgarwatch.replay.catalog import ReplayCompany, ReplayFiling
from edgarwatch.replay.submission import complete_submission

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
