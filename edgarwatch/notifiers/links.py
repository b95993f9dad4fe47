"""The links a notification carries: the filing index, the primary document, the agreement and press-release exhibits; only http(s) URLs."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from edgarwatch.filing import Exhibit, Filing, FilingReport
from edgarwatch.notifiers.notice import Link
from edgarwatch.notifiers.text import clean_line

# --------------------------------------------------------------------------- links


def links(report: FilingReport) -> tuple[Link, ...]:
    """Filing index, the 8-K document, then material contracts and press releases."""
    filing = report.filing
    result: list[Link] = []
    index = safe_url(filing.url)
    if index:
        result.append(Link("index", "Filing index", index))
    for exhibit in report.exhibits:
        link = _exhibit_link(filing, exhibit)
        if link is not None:
            result.append(link)
    return tuple(result)


def _exhibit_link(filing: Filing, exhibit: Exhibit) -> Link | None:
    url = safe_url(exhibit.url)
    if url is None:
        return None
    kind_type = clean_line(exhibit.type).upper()
    description = clean_line(exhibit.description) or clean_line(exhibit.document)
    if exhibit.is_material_contract:
        return Link("agreement", f"Agreement ({kind_type})", url, description)
    if exhibit.is_press_release:
        return Link("press_release", f"Press release ({kind_type})", url, description)
    is_primary = exhibit.document == filing.primary_document
    if is_primary or kind_type == clean_line(filing.form).upper():
        return Link("document", f"{kind_type} document", url, clean_line(exhibit.document))
    return None


def safe_url(url: str | None) -> str | None:
    """An http(s) URL with `<`, `>`, `|`, quotes and spaces percent-encoded, else None.

    Those characters end a Slack `<url|label>` link or an HTML attribute
    (Slack "Formatting text": links are `<url|text>`); encoding them keeps a
    hostile document name inside the URL it belongs to.
    """
    if not url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return quote(url.strip(), safe="/:?#[]@!$&'()*+,;=%~-._")
