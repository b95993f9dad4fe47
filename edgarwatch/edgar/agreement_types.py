"""What kind of agreement a title names: "Term Loan Agreement" → credit facility.

The filing's own title decides first, in the table's order (so "License
and Collaboration Agreement" is a license and "Asset Purchase Agreement" an
asset purchase, not a merger); a title that says nothing ("Master
Agreement", "agreement") takes the kind from its sentence ("a venture to
collaborate in the development and manufacture of …").
"""

from __future__ import annotations

import re

_TYPES: tuple[tuple[str, str], ...] = (
    ("asset purchase/sale", r"asset (?:purchase|sale|acquisition|transfer)|purchase and sale|sale and purchase|agreement of purchase and sale|real estate purchase|property purchase"),
    ("merger/acquisition", r"merger|business combination|arrangement agreement|(?:stock|share|equity|membership interests?|interest) (?:purchase|exchange|contribution)|acquisition agreement|tender offer|combination agreement|contribution agreement|sale agreement"),
    ("underwriting", r"underwriting|placement agency|placement agent|sales agreement|equity distribution|distribution agreement for|at[- ]the[- ]market|dealer[- ]manager|purchase agreement.*initial purchasers?"),
    ("indenture/notes", r"indenture|promissory note|convertible notes?|note purchase|notes\b|debentures?|bonds?\b"),
    ("credit facility", r"credit|loan|facility|facilities|financing agreement|commitment letter|bridge|revolv|borrow|guarantee and collateral|security agreement|pledge|forbearance|receivables purchase"),
    ("license", r"licen[cs]"),
    ("collaboration", r"collaborat|co-?development|co-?promotion|joint venture|joint development|alliance|venture"),
    ("manufacturing/supply", r"manufactur|supply|supplier|wafer|offtake|off-take|purchase order|processing agreement|toll"),
    ("lease", r"\blease|sublease|rental"),
    ("employment", r"employment|severance|separation|retention|salary|compensat|change[- ]in[- ]control|change of control|offer letter|consulting agreement|retirement|executive"),
    ("settlement", r"settlement|release agreement|consent decree"),
)  # fmt: skip
_TYPE_RES = tuple((kind, re.compile(words, re.IGNORECASE)) for kind, words in _TYPES)
_CONTEXT_TYPES = ("license", "collaboration", "manufacturing/supply", "employment")
_PROSE_RES = tuple((kind, re.compile(words)) for kind, words in _TYPES if kind in _CONTEXT_TYPES)
"""In a sentence only prose counts: "New Flash Venture" is a name, "a venture" is not."""


def agreement_type(title: str, context: str = "") -> tuple[str, str]:
    """The kind of agreement, and "title" or "context" for where it was read."""
    for kind, pattern in _TYPE_RES:
        if pattern.search(title):
            return kind, "title"
    for kind, pattern in _PROSE_RES:
        if pattern.search(context):
            return kind, "context"
    return "other", "title"


def context_keyword(context: str, kind: str) -> tuple[int, int] | None:
    """Where in `context` the words that gave `kind` are (for the evidence)."""
    for candidate, pattern in _PROSE_RES:
        if candidate == kind:
            match = pattern.search(context)
            return (match.start(), match.end()) if match else None
    return None
