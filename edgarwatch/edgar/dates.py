"""Dates and terms in an agreement's description.

`date` is when the agreement was made ("dated as of June 20, 2018", or the
"On April 30, 2007, … entered into" that opens its sentence); `term` is when
it ends or how long it runs: "matures on April 15, 2021" → "2021-04-15",
"for a term of seven years" → "P7Y", "a 364-day … facility" → "P364D",
"through completion of the contract in early 2008" → "early 2008".
"""

from __future__ import annotations

import datetime as dt
import re

from edgarwatch.agreement import Span
from edgarwatch.edgar.numbers import to_int

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}  # fmt: skip
_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.)"
DATE = (
    rf"(?:(?P<month>{_MONTH})\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>(?:19|20)\d\d)"
    rf"|(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:day\s+of\s+)?(?P<month2>{_MONTH}),?\s+(?P<year2>(?:19|20)\d\d))"
)
DATE_RE = re.compile(DATE)
_COUNT = r"(?:\d{1,3}|[a-z]+(?:-[a-z]+)?)(?:\s*\(\d{1,3}\))?"  # "7", "seven (7)": read by to_int
_UNIT = {"year": "Y", "month": "M", "week": "W", "day": "D"}
_END_RE = re.compile(
    r"\b(?:(?:maturity|expiration|termination) date (?:of [^.;]{0,40}?)?(?:from [^.;]{0,40}? )?to"
    r"|matures?|maturing|maturity date (?:is|of|will be)|mature|expires?|expiring"
    r"|expiration date (?:is|of)|terminates?|ends?|concluding|continues? (?:in effect )?until"
    r"|until|through)\s+(?:on\s+)?(?:the earlier of\s+)?(?:\(\w\)\s+)?",
    re.IGNORECASE,
)
_DURATION_RE = re.compile(
    rf"(?:\b(?:term|initial period) (?:of (?:the \w+ )?(?:is|will be|shall be) |of )"
    rf"(?:approximately |up to )?(?P<n>{_COUNT})\s+(?P<unit>year|month|week|day)s?"
    rf"|\b(?P<n2>{_COUNT})[- ](?P<unit2>year|month|day)s?\s+(?:initial\s+)?(?:term|(?:[\w-]+\s+){{0,5}}?(?:facility|loan|lease))"
    rf"|maturity date (?:is|will be) (?P<n3>{_COUNT})\s+(?P<unit3>year|month)s? (?:from|after))",
    re.IGNORECASE,
)
_THROUGH_RE = re.compile(
    r"\bthrough (?:(?:the )?completion of (?:the|this) (?:contract|agreement) in )?"
    r"(?P<when>(?:(?:early|mid|late|the end of|the first half of|the second half of)[- ]?\s*)?(?:19|20)\d\d)\b",
    re.IGNORECASE,
)
_YEAR_RE = re.compile(r"(?:19|20)\d\d")
_TOPIC_RE = re.compile(
    r"\b(?:agreements?|contracts?|term|leases?|facility|notes|loans?|matur\w*)\b", re.IGNORECASE
)  # a sentence about the agreement itself
_LOOSE_TOPIC_RE = re.compile(r"agreement|contract|\bterm\b", re.IGNORECASE)
_NOTES_DUE_RE = re.compile(r"\bNotes due (?P<year>(?:19|20)\d\d)\b")


def parse_date(match: re.Match[str]) -> dt.date | None:
    """The date a `DATE_RE` (or `DATE`-embedding) match names, if it is a real day."""
    month = match.group("month") or match.group("month2")
    day = match.group("day") or match.group("day2")
    year = match.group("year") or match.group("year2")
    try:
        return dt.date(int(year), _MONTHS[month.lower().rstrip(".")], int(day))
    except (KeyError, ValueError, TypeError, AttributeError):
        return None


def find_term(
    text: str, start: int, end: int, *, notes: bool = False, named: bool = False
) -> tuple[str, Span] | None:
    """The agreement's end or length stated in `text[start:end]`, with its span.

    A bare "through 2011" counts only in a sentence about the agreement (it
    says "agreement", "contract" or "term") or, with `named`, one that names
    the other party ("will pay SICOR … through completion of the contract").
    """
    sentence = text[start:end]
    has_year = _YEAR_RE.search(sentence) is not None
    if not _TOPIC_RE.search(sentence):
        return _loose_term(sentence, start, notes, named) if has_year and named else None
    for lead in _END_RE.finditer(sentence) if has_year else ():
        match = DATE_RE.match(sentence, lead.end())
        when = parse_date(match) if match is not None else None
        if match is not None and when is not None:
            return when.isoformat(), (start + lead.start(), start + match.end())
    folded = sentence.lower()
    units = any(unit in folded for unit in ("year", "month", "week", "day"))
    match = _DURATION_RE.search(sentence) if units else None
    if match is not None:
        count = to_int(match.group("n") or match.group("n2") or match.group("n3") or "")
        unit = (match.group("unit") or match.group("unit2") or match.group("unit3")).lower()
        if count:
            return f"P{count}{_UNIT[unit]}", (start + match.start(), start + match.end())
    return _loose_term(sentence, start, notes, named) if has_year else None


def _loose_term(sentence: str, start: int, notes: bool, named: bool) -> tuple[str, Span] | None:
    match = _THROUGH_RE.search(sentence)
    about = named or _LOOSE_TOPIC_RE.search(sentence)
    if match is not None and about:
        return " ".join(match.group("when").split()), (start + match.start(), start + match.end())
    match = _NOTES_DUE_RE.search(sentence) if notes else None
    if match is not None:
        return match.group("year"), (start + match.start(), start + match.end())
    return None
