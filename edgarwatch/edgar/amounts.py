"""Sums of money in an 8-K item's prose: "$1.15 billion", "five million Euros", "€36,700,000".

Only text with a currency (a symbol, an ISO code or a currency word) is
money, so share counts, percentages, dates and section numbers never are.
What a sum pays for is `amount_roles`' business.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache

from edgarwatch.edgar.numbers import NUMBER_WORDS, word_number

_SYMBOLS = {
    "$": "USD", "US$": "USD", "USD": "USD", "€": "EUR", "EUR": "EUR", "£": "GBP", "GBP": "GBP",
    "¥": "JPY", "JPY": "JPY", "₹": "INR", "INR": "INR", "CHF": "CHF", "C$": "CAD", "CA$": "CAD",
    "CDN$": "CAD", "CAD": "CAD", "A$": "AUD", "AU$": "AUD", "AUD": "AUD", "NZ$": "NZD",
    "NZD": "NZD", "HK$": "HKD", "HKD": "HKD", "S$": "SGD", "SGD": "SGD", "R$": "BRL",
    "BRL": "BRL", "RMB": "CNY", "CNY": "CNY", "SEK": "SEK", "NOK": "NOK", "DKK": "DKK",
    "KRW": "KRW", "ILS": "ILS", "MXN": "MXN", "ZAR": "ZAR",
}  # fmt: skip
_WORDS = {
    "euro": "EUR", "euros": "EUR", "dollars": "USD", "u.s. dollars": "USD", "us dollars": "USD",
    "united states dollars": "USD", "canadian dollars": "CAD", "australian dollars": "AUD",
    "pounds sterling": "GBP", "british pounds": "GBP", "swiss francs": "CHF", "yen": "JPY",
    "japanese yen": "JPY", "renminbi": "CNY", "yuan": "CNY", "swedish kronor": "SEK",
}  # fmt: skip
_SCALES = {
    "thousand": 10**3, "k": 10**3, "million": 10**6, "mm": 10**6, "mn": 10**6, "m": 10**6,
    "billion": 10**9, "bn": 10**9, "b": 10**9, "trillion": 10**12,
}  # fmt: skip

_CODE = r"(?:USD|EUR|GBP|JPY|CHF|CAD|AUD|CNY|RMB|HKD|SEK|NOK|DKK|INR|SGD|NZD|BRL|KRW|ILS|MXN|ZAR)"
_PREFIX = rf"(?<![A-Za-z])(?:U\.S\.\s?\$|US\s?\$|CDN\$|CA\$|C\$|AU\$|A\$|NZ\$|HK\$|S\$|R\$|{_CODE}\s?|\$|€|£|¥|₹)"
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
_SCALE = r"thousand|million|billion|trillion|mm|mn|bn|m|b|k"
_CURRENCY_WORD = "|".join(sorted((re.escape(w) for w in _WORDS), key=len, reverse=True))
_MONEY_RE = re.compile(
    rf"(?P<prefix>{_PREFIX})\s?(?P<num>{_NUMBER})"
    rf"(?:\s?(?:-|–|to)\s?(?P<hi>{_NUMBER}))?(?:\s*(?P<scale>(?i:{_SCALE}))(?![A-Za-z]))?"
)  # case-sensitive: currency codes and symbols are written one way; it keeps the scan fast
_WORDED = (
    rf"(?P<bare>{_NUMBER})(?:\s*(?P<bscale>{_SCALE})(?![A-Za-z]))?\s+(?P<word>{_CURRENCY_WORD})\b"
    rf"|(?P<words>\b(?:(?:{NUMBER_WORDS})[\s-]+(?:and[\s-]+)?){{1,6}})(?P<wword>{_CURRENCY_WORD})\b"
)


@cache
def _worded_re() -> re.Pattern[str]:
    """ "5,000,000 Euros", "five million Euros": compiled when a filing first writes one."""
    return re.compile(_WORDED, re.IGNORECASE)


_CURRENCY_STEMS = ("euro", "dollar", "pound", "franc", "yen", "renminbi", "yuan", "kronor")
_RANGE_OPENER_RE = re.compile(r"(?:between|ranging from|range of|range from)\s+$", re.IGNORECASE)
_RANGE_JOINER_RE = re.compile(r"^\s*(?:to|and|-|–|—)\s*$")


@dataclass(frozen=True)
class Money:
    """A sum of money found at `start:end` of the text."""

    start: int
    end: int
    value: Decimal
    currency: str
    has_scale: bool = False

    @property
    def number(self) -> int | float:
        """An int when whole ("$1.15 billion" → 1150000000), else a float."""
        whole = self.value == self.value.to_integral_value()
        return int(self.value) if whole else float(self.value)


def find_money(text: str) -> list[Money]:
    """Every sum of money in `text`, in order; "$50 to $75 million" is one (upper end)."""
    matches = list(_MONEY_RE.finditer(text))
    folded = text.lower()
    if any(stem in folded for stem in _CURRENCY_STEMS):  # "five million Euros"
        matches = sorted([*matches, *_worded_re().finditer(text)], key=lambda m: m.start())
    found = [money for money in map(_money, matches) if money is not None]
    return _merge_ranges(text, _without_restatements(text, found))


def _money(match: re.Match[str]) -> Money | None:
    groups = match.groupdict()
    if groups.get("words"):
        whole = word_number(match.group("words"))
        currency = _WORDS.get(" ".join(match.group("wword").lower().split()))
        if whole is None or currency is None:
            return None
        return Money(match.start(), match.end(), Decimal(whole), currency, True)
    if groups.get("bare"):
        currency = _WORDS.get(" ".join(match.group("word").lower().split()))
        number, scale = match.group("bare"), match.group("bscale")
    else:
        currency = _SYMBOLS.get(re.sub(r"[\s.]", "", match.group("prefix")).upper())
        currency = "USD" if currency is None and "$" in match.group("prefix") else currency
        number, scale = match.group("hi") or match.group("num"), match.group("scale")
    value = _decimal(number, scale)
    if currency is None or value is None:
        return None
    return Money(match.start(), match.end(), value, currency, scale is not None)


def _decimal(number: str, scale: str | None) -> Decimal | None:
    try:
        value = Decimal(number.replace(",", ""))
    except InvalidOperation:
        return None
    return value * _SCALES[scale.lower()] if scale else value


def _without_restatements(text: str, found: list[Money]) -> list[Money]:
    """ "five million Euros (€5,000,000)": the figure in brackets restates the words."""
    kept: list[Money] = []
    for money in found:
        previous = kept[-1] if kept else None
        between = text[previous.end : money.start] if previous else ""
        if previous and between.strip() in ("(", "") and previous.value == money.value:
            continue
        kept.append(money)
    return kept


def _merge_ranges(text: str, found: list[Money]) -> list[Money]:
    """ "between $5 million and $10 million", "$50 to $75 million": one range, its upper end."""
    merged: list[Money] = []
    for money in found:
        previous = merged[-1] if merged else None
        if previous is not None and _is_range(text, previous, money):
            merged[-1] = Money(previous.start, money.end, money.value, money.currency, True)
            continue
        merged.append(money)
    return merged


def _is_range(text: str, low: Money, high: Money) -> bool:
    if low.currency != high.currency or not _RANGE_JOINER_RE.match(text[low.end : high.start]):
        return False
    opener = _RANGE_OPENER_RE.search(text, max(0, low.start - 20), low.start)
    return opener is not None or (not low.has_scale and high.has_scale)
