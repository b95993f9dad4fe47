"""Numbers written in words, as filings write them: "five million", "fifteen-year", "two".

Shared by the money parser ("five million Euros") and the term parser
("for a term of seven years").
"""

from __future__ import annotations

import re

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_MULTIPLIERS = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}

NUMBER_WORDS = "|".join([*sorted(_UNITS, key=len, reverse=True), "hundred", *_MULTIPLIERS])
"""A regex alternation of every number word (longest first)."""

_TOKEN_RE = re.compile(r"[a-z]+", re.IGNORECASE)
_HUNDRED = frozenset({"hundred"})
_ARTICLES = frozenset({"a", "an"})
_AND = frozenset({"and"})


def word_number(words: str) -> int | None:
    """ "five million" → 5000000, "one hundred fifty" → 150, "a million" → 1000000.

    None when a word is not a number word ("and" and "a"/"an" are allowed).
    """
    total = current = 0
    seen = False
    for word in (w.lower() for w in _TOKEN_RE.findall(words)):
        if word in _UNITS:
            current += _UNITS[word]
        elif word in _HUNDRED:
            current = max(current, 1) * 100
        elif word in _MULTIPLIERS:
            total += max(current, 1) * _MULTIPLIERS[word]
            current = 0
        elif word in _ARTICLES:
            current = 1 if not seen else current
        elif word not in _AND:
            return None
        seen = True
    return total + current if seen else None


def to_int(text: str) -> int | None:
    """ "7", "seven", "(7)" or "seven (7)" → 7."""
    digits = re.search(r"\d+", text)
    if digits:
        return int(digits.group())
    return word_number(text)
