"""Which exhibit files an agreement: "a copy of which is filed as Exhibit 10.1 hereto".

Only this filing's exhibits count: "previously filed as Exhibit 2.1 to the
Current Report on Form 8-K/A filed … December 14, 2017" and "which SanDisk
intends to file as exhibits to its Quarterly Report" are not.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from edgarwatch.filing import Exhibit

_NUMBER = r"\d{1,3}(?:\.\d{1,3})?[A-Za-z]?"
EXHIBIT_RE = re.compile(
    rf"\bExhibits?\s+(?:No\.\s*)?(?P<numbers>{_NUMBER}(?:\s*(?:,\s*and|,|and|&)\s*{_NUMBER})*)"
)
ELSEWHERE_RE = re.compile(
    r"previously filed|filed (?:with the (?:SEC|Securities and Exchange Commission) )?on\s+[A-Z]"
    r"|(?:to|in|with) (?:the Company[’']s|its|our|his|their) (?:Current|Quarterly|Annual|Registration)"
    r"|Quarterly Report|Annual Report|Registration Statement|intends? to file|will be filed"
    r"|to be filed",
    re.IGNORECASE,
)
_EXHIBIT_TYPE_RE = re.compile(r"^EX-?\s*(\d{1,3})(?:\.(\d{1,3}))?", re.IGNORECASE)


def cited_exhibits(sentence: str) -> list[tuple[str, tuple[int, int]]]:
    """The exhibit numbers a sentence files the agreement as, with their spans in it."""
    if "Exhibit" not in sentence or ELSEWHERE_RE.search(sentence):
        return []
    cited: list[tuple[str, tuple[int, int]]] = []
    for match in EXHIBIT_RE.finditer(sentence):
        start = match.start("numbers")
        for number in re.finditer(_NUMBER, match.group("numbers")):
            cited.append((number.group(), (start + number.start(), start + number.end())))
    return cited


def exhibit_type(number: str, exhibits: Sequence[Exhibit] = ()) -> str:
    """ "10.1" → "EX-10.1", spelled as the filing's own exhibit list spells it if it has one."""
    wanted = _key(f"EX-{number}")
    for exhibit in exhibits:
        if wanted is not None and _key(exhibit.type) == wanted:
            return exhibit.type.strip()
    return f"EX-{number}"


def _key(exhibit: str) -> tuple[int, int] | None:
    match = _EXHIBIT_TYPE_RE.match(exhibit.strip())
    if match is None:
        return None
    return int(match.group(1)), int(match.group(2) or 0)
