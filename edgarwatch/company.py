"""Companies as EDGAR identifies them: the CIK (Central Index Key) and ticker symbols.

One company can have several tickers (share classes); the SEC writes class
suffixes with a dash (`BRK-B`).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Ticker:
    ticker: str
    cik: int
    name: str


def parse_cik(value: object) -> int | None:
    """855654, "855654" and "0000855654" are the same CIK; anything else is None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value < 10**10 else None
    if isinstance(value, str) and re.fullmatch(r"\s*(?:CIK)?0*\d{1,10}\s*", value, re.I):
        number = int(re.sub(r"\D", "", value))
        return number if number > 0 else None
    return None


def normalise_ticker(ticker: str) -> str:
    """`brk.b` and `BRK/B` are the SEC's `BRK-B`."""
    return ticker.strip().upper().replace(".", "-").replace("/", "-")


def suggest(unknown: str, known: list[str], limit: int = 3) -> list[str]:
    """Close matches for an unknown ticker (`APPL` → `AAPL`).

    Ticker typos are mostly one transposed, missing or extra letter, so the
    ranking is an edit distance that counts a transposition as one edit,
    then same length first, then difflib's similarity.
    """
    target = normalise_ticker(unknown)
    scored = []
    for ticker in known:
        if abs(len(ticker) - len(target)) > 1:
            continue
        distance = _edits(target, ticker)
        if distance <= max(1, len(target) // 3):
            similarity = difflib.SequenceMatcher(None, target, ticker).ratio()
            scored.append((distance, abs(len(ticker) - len(target)), -similarity, ticker))
    return [entry[-1] for entry in sorted(scored)[:limit]]


def _edits(a: str, b: str) -> int:
    """Optimal string alignment distance (Levenshtein plus adjacent transpositions)."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(rows[i - 1][j] + 1, row[j - 1] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[i - 2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]
