"""The 8-K items and their official titles, in both numberings.

Form 8-K was renumbered on 2004-08-23 (SEC Release 33-8400): before it, items
were single numbers (`5` other events, `7` financial statements and exhibits,
`12` results of operations); after it, `section.item` numbers (`1.01` …
`9.01`). A legacy number is never mapped onto a modern one: they mean
different things (legacy `2` is an acquisition, modern `2.02` results).

EDGAR's SEC headers carry item *titles*, not numbers (`ITEM INFORMATION:`
lines), in the wording of the day: 2004–2006 headers use "Principal Officers"
for 5.02, later ones "Certain Officers"; legacy titles are lower case.
`number_for_title` maps any of those wordings back to a number.
"""

from __future__ import annotations

import re
from datetime import date

MODERN_NUMBERING_SINCE = date(2004, 8, 23)

MODERN_TITLES: dict[str, str] = {
    "1.01": "Entry into a Material Definitive Agreement",
    "1.02": "Termination of a Material Definitive Agreement",
    "1.03": "Bankruptcy or Receivership",
    "1.04": "Mine Safety - Reporting of Shutdowns and Patterns of Violations",
    "1.05": "Material Cybersecurity Incidents",
    "2.01": "Completion of Acquisition or Disposition of Assets",
    "2.02": "Results of Operations and Financial Condition",
    "2.03": "Creation of a Direct Financial Obligation or an Obligation under an "
    "Off-Balance Sheet Arrangement of a Registrant",
    "2.04": "Triggering Events That Accelerate or Increase a Direct Financial Obligation "
    "or an Obligation under an Off-Balance Sheet Arrangement",
    "2.05": "Costs Associated with Exit or Disposal Activities",
    "2.06": "Material Impairments",
    "3.01": "Notice of Delisting or Failure to Satisfy a Continued Listing Rule or "
    "Standard; Transfer of Listing",
    "3.02": "Unregistered Sales of Equity Securities",
    "3.03": "Material Modification to Rights of Security Holders",
    "4.01": "Changes in Registrant's Certifying Accountant",
    "4.02": "Non-Reliance on Previously Issued Financial Statements or a Related Audit "
    "Report or Completed Interim Review",
    "5.01": "Changes in Control of Registrant",
    "5.02": "Departure of Directors or Certain Officers; Election of Directors; "
    "Appointment of Certain Officers; Compensatory Arrangements of Certain Officers",
    "5.03": "Amendments to Articles of Incorporation or Bylaws; Change in Fiscal Year",
    "5.04": "Temporary Suspension of Trading Under Registrant's Employee Benefit Plans",
    "5.05": "Amendments to the Registrant's Code of Ethics, or Waiver of a Provision of "
    "the Code of Ethics",
    "5.06": "Change in Shell Company Status",
    "5.07": "Submission of Matters to a Vote of Security Holders",
    "5.08": "Shareholder Director Nominations",
    "6.01": "ABS Informational and Computational Material",
    "6.02": "Change of Servicer or Trustee",
    "6.03": "Change in Credit Enhancement or Other External Support",
    "6.04": "Failure to Make a Required Distribution",
    "6.05": "Securities Act Updating Disclosure",
    "6.06": "Static Pool",
    "6.10": "Alternative Filings of Asset-Backed Issuers",
    "7.01": "Regulation FD Disclosure",
    "8.01": "Other Events",
    "9.01": "Financial Statements and Exhibits",
}

LEGACY_TITLES: dict[str, str] = {
    "1": "Changes in Control of Registrant",
    "2": "Acquisition or Disposition of Assets",
    "3": "Bankruptcy or Receivership",
    "4": "Changes in Registrant's Certifying Accountant",
    "5": "Other Events",
    "6": "Resignations of Registrant's Directors",
    "7": "Financial Statements and Exhibits",
    "8": "Change in Fiscal Year",
    "9": "Regulation FD Disclosure",
    "10": "Amendments to the Registrant's Code of Ethics, or Waiver of a Provision of "
    "the Code of Ethics",
    "11": "Temporary Suspension of Trading Under Registrant's Employee Benefit Plans",
    "12": "Results of Operations and Financial Condition",
}

# Other wordings EDGAR has used for the same items (SEC headers, index pages).
_MODERN_VARIANTS: dict[str, str] = {
    # 2004-2006 wording, before the 2006 executive-compensation amendments.
    "Departure of Directors or Principal Officers; Election of Directors; "
    "Appointment of Principal Officers": "5.02",
    # EDGAR's own spelling of the current title (a colon for the last semicolon).
    "Departure of Directors or Certain Officers; Election of Directors; Appointment "
    "of Certain Officers: Compensatory Arrangements of Certain Officers": "5.02",
    "Material Cybersecurity Incident": "1.05",
    "Mine Safety Disclosure": "1.04",
}
_LEGACY_VARIANTS: dict[str, str] = {
    "Other Events and Regulation FD Disclosure": "5",
    "Financial Statements, Pro Forma Financial Information and Exhibits": "7",
    "Financial Statements and Exhibits": "7",
}

_ITEM_NUMBER_RE = re.compile(r"^(?:\d\.\d{2}|\d{1,2})$")


_WORD_RE = re.compile(r"[a-z0-9]+")


def title_words(text: str) -> tuple[str, ...]:
    """The words of a title, lower case: what `_key` compares, as a tuple."""
    return tuple(_WORD_RE.findall(text.lower()))


def _key(title: str) -> str:
    """Compare titles on their words only: case, punctuation and spacing vary."""
    return " ".join(title_words(title))


_MODERN_BY_KEY = {_key(t): n for n, t in MODERN_TITLES.items()} | {
    _key(t): n for t, n in _MODERN_VARIANTS.items()
}
_LEGACY_BY_KEY = {_key(t): n for n, t in LEGACY_TITLES.items()} | {
    _key(t): n for t, n in _LEGACY_VARIANTS.items()
}


def _keys_by_number() -> dict[str, tuple[tuple[str, ...], ...]]:
    """Every wording of every item, as word tuples, longest first (for prefix matching)."""
    keys: dict[str, set[tuple[str, ...]]] = {}
    for number, title in (MODERN_TITLES | LEGACY_TITLES).items():
        keys.setdefault(number, set()).add(title_words(title))
    for title, number in (_MODERN_VARIANTS | _LEGACY_VARIANTS).items():
        keys.setdefault(number, set()).add(title_words(title))
    return {number: tuple(sorted(k, key=len, reverse=True)) for number, k in keys.items()}


_KEYS_BY_NUMBER = _keys_by_number()


def title_keys_for(number: str) -> tuple[tuple[str, ...], ...]:
    """The wordings an item's title is written in (as `title_words`), longest first.

    Used to tell a heading's title from body text on the same line: filers
    write "Item 8.01 Other Events. On May 1, …" in one paragraph.
    """
    return _KEYS_BY_NUMBER.get(number, ())


def is_item_number(value: str) -> bool:
    """`1.01` and legacy `7` are item numbers; `1.1`, `10.01`, `x` are not."""
    return bool(_ITEM_NUMBER_RE.match(value))


def is_legacy_number(number: str) -> bool:
    return "." not in number


def normalise_number(value: str) -> str:
    """`Item 1.01.` / `1.01:` / ` 7 ` → `1.01` / `7`; ValueError when not an item."""
    match = re.search(r"(\d{1,2}(?:\.\d{2})?)", value)
    if not match or not is_item_number(match.group(1)):
        raise ValueError(f"not an 8-K item number: {value!r}")
    number = match.group(1)
    return number.lstrip("0") if "." not in number else number


def title_for(number: str) -> str:
    """The official title of an item number ("" for one that has none)."""
    if is_legacy_number(number):
        return LEGACY_TITLES.get(number, "")
    return MODERN_TITLES.get(number, "")


def number_for_title(title: str, filed: date | None = None) -> str | None:
    """Map an SEC-header item title to its number, in the numbering of the day.

    Titles shared by both numberings ("Results of Operations and Financial
    Condition" is legacy 12 and modern 2.02) are resolved by the filing date;
    with no date, the modern numbering is assumed.
    """
    key = _key(title)
    if not key:
        return None
    legacy = filed is not None and filed < MODERN_NUMBERING_SINCE
    return (_LEGACY_BY_KEY if legacy else _MODERN_BY_KEY).get(key)


def sort_key(number: str) -> tuple[int, int]:
    """Order items as the form does: 1.01 < 1.02 < 2.01; legacy 5 < 7 < 12."""
    major, _, minor = number.partition(".")
    return int(major), int(minor or 0)
