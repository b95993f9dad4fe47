"""What a sum of money in an agreement's description pays for, and how often.

The role comes from the telling words nearest the sum ("an upfront payment
of $75.0 million", "$1.5 billion term loan facility", "up to $540.0 million
upon the achievement of … milestones"), looked for inside the sum's own
clause and never past a neighbouring sum, whose words are its own. A name
given to the sum ("(the "Purchase Price")") decides before anything else.
Sums that are not deal terms (par values, offering prices, proceeds,
thresholds, estimates) say so and stay `other`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from edgarwatch.agreement import Amount, Span
from edgarwatch.edgar.amounts import Money

_ROLE_WORDS: tuple[tuple[str, str], ...] = (
    (
        "other",
        r"par value|proceeds|exercise price|offering price|conversion price|liquidation preference"
        r"|market (?:price|value)|revenues?|ebitda|net sales|estimate[sd]? of|tax liabilit\w*"
        r"|dividends?|threshold|in excess of|more than|less than|outstanding|worth of"
        r"|letters? of credit outstanding|fair value|pay-?off|\bthan\b|refinanc\w*"
        r"|existing indebtedness|of (?:the Company[’']s|its|our) (?:existing |outstanding )?"
        r"[\w.%\s-]{0,30}?notes",  # the registrant's other debt, not this agreement's
    ),
    (
        "upfront",
        r"up-?\s?front|initial (?:license )?(?:fee|payment)|signing (?:fee|payment)"
        r"|execution payment|prepayment|non-?refundable",
    ),
    ("milestone", r"milestones?|upon (?:the )?achievement|contingent upon|eligible to receive"),
    ("royalty", r"royalt(?:y|ies)"),
    ("rent", r"\brent\b|rental|lease payments?"),
    (
        "compensation",
        r"salary|salaries|bonus(?:es)?|compensation|retainers?|retirement benefits?|severance",
    ),
    (
        "fee",
        r"(?:commitment |upfront |annual |management |license |termination )?fees?\b|commissions?\b",
    ),
    (
        "purchase price",
        r"purchase price|consideration|sale price|acquire[sd]?\b|acquisition of|right to receive"
        r"|offer price|tender offer"
        r"|purchase[sd]?\b|in exchange for|for a total",
    ),
    (
        "commitment",
        r"(?:(?:senior|secured|unsecured|revolving|credit|term|loan|bridge|delayed[- ]draw"
        r"|asset-based|\d+-(?:day|year)|multi-?currency|swingline)\s+){0,4}facilit(?:y|ies)"
        r"|commitments?|committed|line of credit"
        r"|credit line|borrow(?:ings)? (?:of )?up to|minimum purchases?|sublimit",
    ),
    (
        "principal",
        r"principal|notes?\b|debentures?|bonds?\b|borrow(?:ed|ing|ings)?\b|loans?\b|indebtedness",
    ),
)
_ROLES_RE = re.compile(
    "|".join(f"(?P<r{rank}>{words})" for rank, (_, words) in enumerate(_ROLE_WORDS)), re.IGNORECASE
)
"""All roles' words in one pass; where two start at one place, the earlier role wins."""
_NAMED_RE = re.compile(
    r"^[^()“”\"]{0,40}?\((?:the\s+|an?\s+)?[“\"]([^”\"]{1,60})[”\"]\)"
)  # "$10.10 in cash, without interest (the “Merger Consideration”)"
_BEFORE_CHARS = 140
_PAY_RE = re.compile(r"\b(?:will|to|agreed to|shall) pay\b", re.IGNORECASE)
_FOR_RE = re.compile(r"^\s+for\b")
_RESTATED_RE = re.compile(
    r"(?:\s+(?:per\s+\w+|in\s+cash|in\s+the\s+aggregate))*,?\s+or\s+(?:approximately\s+|about\s+)?"
)
_CHANGE_RE = re.compile(r"(?:\s+(?:per|a|each)\s+\w+)?\s+to\s+$")
_FROM_RE = re.compile(r"\bfrom\s+$")
_AFTER_CHARS = 70
_CLAUSE_BREAK_RE = re.compile(r"[.;:]\s|\(\w{1,4}\)\s|\bwhile\b|\bwhereas\b")
_PER_AFTER_RE = re.compile(
    r"^\s*(?:in cash\s+)?(?:per|a|each|every)\s+(year|annum|month|quarter|week|day|share|unit)\b"
    r"|^\s*,?\s*(annually|monthly|quarterly|weekly)\b",
    re.IGNORECASE,
)
_PER_BEFORE_RE = re.compile(
    r"\b(annual|yearly|monthly|quarterly|weekly|daily)\s+(?:[\w-]+\s+){0,4}(?:of\s+)?"
    r"(?:(?:approximately|about|up to)\s+)?$",
    re.IGNORECASE,
)
_EACH_SHARE_RE = re.compile(
    r"\beach (?:outstanding )?(?:share|unit)\b[^;]{0,160}?\b(?:receive|converted into)\b[^.;$]{0,40}$",
    re.IGNORECASE,
)
_PERIODS = {
    "annum": "year", "annual": "year", "annually": "year", "yearly": "year", "unit": "share",
    "monthly": "month", "quarterly": "quarter", "weekly": "week", "daily": "day",
}  # fmt: skip


def amounts_in(
    text: str, money: Sequence[Money], bounds: Span | None = None
) -> list[tuple[Amount, Span]]:
    """Each sum as an `Amount` with its role and period, and its span in `text`.

    The words read for a sum stay within `bounds` (its sentence) and never
    reach past the sums before and after it. In "reduced the commitment from
    $600 million to $585 million" the new sum has the role, the old one none.
    """
    first, last = bounds or (0, len(text))
    found: list[tuple[Amount, Span]] = []
    for index, sum_ in enumerate(money):
        low = money[index - 1].end if index else first
        high = money[index + 1].start if index + 1 < len(money) else last
        before = _clause_before(text[max(low, sum_.start - _BEFORE_CHARS) : sum_.start])
        after = _clause_after(text[sum_.end : min(high, sum_.end + _AFTER_CHARS)])
        role = role_of(before, after)
        if index and _is_change(text, money[index - 1], sum_):
            role = found[-1][0].role
            found[-1] = (replace(found[-1][0], role="other"), found[-1][1])
        elif index and _RESTATED_RE.fullmatch(text, money[index - 1].end, sum_.start):
            role = found[-1][0].role  # "$42.00 per share in cash, or approximately $1.1 billion"
        amount = Amount(
            text=text[sum_.start : sum_.end],
            value=sum_.number,
            currency=sum_.currency,
            role=role,
            period=period_of(before, after) or _per_share(text[first : sum_.start]),
        )
        found.append((amount, (sum_.start, sum_.end)))
    return found


def _is_change(text: str, old: Money, new: Money) -> bool:
    """ "increased from $250,000 per year to $300,000 per year"."""
    if not _CHANGE_RE.fullmatch(text, old.end, new.start):
        return False
    return _FROM_RE.search(text, max(0, old.start - 8), old.start) is not None


def _clause_before(window: str) -> str:
    breaks = list(_CLAUSE_BREAK_RE.finditer(window))
    return window[breaks[-1].end() :] if breaks else window


def _clause_after(window: str) -> str:
    stop = _CLAUSE_BREAK_RE.search(window)
    return window[: stop.start()] if stop else window


def role_of(before: str, after: str) -> str:
    """The role whose words sit nearest the sum (ties go to the earlier role).

    "will pay SICOR five million Euros for these batches": paying *for*
    something is its price; "will pay Beta $2.5 million" alone is not.
    """
    if _PAY_RE.search(before) and _FOR_RE.match(after):
        return "purchase price"
    named = _NAMED_RE.match(after)
    if named:
        role = _nearest(f" {named.group(1)}", "")
        if role is not None:
            return role
    return _nearest(after, before) or "other"


def _nearest(after: str, before: str) -> str | None:
    """The role of the telling words nearest the sum: the first after it or the last
    before it, whichever is closer (after wins a tie: "$1.5 billion term loan facility")."""
    best: tuple[int, int] | None = None
    first_after = _ROLES_RE.search(after)
    if first_after is not None:
        best = (first_after.start(), _rank(first_after))
    last_before = None
    for last_before in _ROLES_RE.finditer(before):  # noqa: B007 - the last one is wanted
        pass
    if last_before is not None:
        candidate = (len(before) - last_before.end(), _rank(last_before))
        best = candidate if best is None or candidate < best else best
    return _ROLE_WORDS[best[1]][0] if best else None


def _rank(match: re.Match[str]) -> int:
    return int(next(name for name, value in match.groupdict().items() if value is not None)[1:])


def _per_share(sentence_before: str) -> str | None:
    """ "each share … will be converted into the right to receive $10.10"."""
    return "share" if _EACH_SHARE_RE.search(sentence_before[-300:]) else None


def period_of(before: str, after: str) -> str | None:
    """ "per year", "per annum", "annually", "annual base rent of", "per share"."""
    match = _PER_AFTER_RE.match(after) or _PER_BEFORE_RE.search(before)
    if match is None:
        return None
    word = next(group for group in match.groups() if group).lower()
    return _PERIODS.get(word, word)
