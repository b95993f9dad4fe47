"""Editing the watch file (`edgarwatch watch add/remove`): resolve entries, rewrite atomically.

The daemon re-reads the file when it changes (`watchlist.WatchlistSource`),
so an edit here takes effect at its next poll, without a restart.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from edgarwatch.company import Ticker, suggest
from edgarwatch.daemon.watchlist import read_watch_file, split_entries


@dataclass(frozen=True)
class Resolved:
    """A watch entry resolved to a company (`cik` None: added unchecked, by ticker)."""

    entry: str
    cik: int | None
    ticker: str | None
    name: str | None


class UnknownCompany(ValueError):
    """A ticker or CIK EDGAR does not know; the message suggests alternatives."""


class CannotCheck(ValueError):
    """EDGAR could not be asked whether a ticker or CIK exists (it is unreachable)."""


def resolve(
    entry: str,
    tickers: list[Ticker],
    cik_exists: Callable[[int], str | None],
    *,
    checked: bool = True,
    error: str | None = None,
) -> Resolved:
    """Resolve a ticker or CIK; raise UnknownCompany with suggestions otherwise.

    `checked`: `tickers` is a company_tickers.json that was fetched, so a
    ticker missing from it is unknown; when it is not, CannotCheck says why
    (`error`). `cik_exists` may raise CannotCheck too.
    """
    ciks, symbols = split_entries([entry])
    if ciks:
        cik = ciks[0]
        known = next((t for t in tickers if t.cik == cik), None)
        if known:
            return Resolved(entry, cik, known.ticker, known.name)
        name = cik_exists(cik)
        if name is None:
            raise UnknownCompany(f"no company with CIK {cik} on EDGAR")
        return Resolved(entry, cik, None, name)
    symbol = symbols[0]
    hit = next((t for t in tickers if t.ticker == symbol), None)
    if hit is None and not checked:
        raise CannotCheck(
            f"could not check {symbol}: EDGAR unreachable ({error or 'company_tickers.json not fetched'})"
        )
    if hit is None:
        hints = suggest(symbol, [t.ticker for t in tickers])
        hint = f"; did you mean {', '.join(hints)}?" if hints else ""
        raise UnknownCompany(
            f"unknown ticker {symbol!r} (not in the SEC's company_tickers.json){hint}"
        )
    return Resolved(entry, hit.cik, hit.ticker, hit.name)


def unchecked(entry: str) -> Resolved:
    """An entry added without asking EDGAR (`watch add --unchecked`): the daemon resolves
    it when EDGAR answers, and logs an unknown ticker as an error then."""
    ciks, symbols = split_entries([entry])
    return Resolved(entry, ciks[0] if ciks else None, None if ciks else symbols[0], None)


def add_to_watch_file(
    path: Path, companies: Iterable[Resolved], present: set[int]
) -> list[Resolved]:
    """Append companies not already watched; return the ones added."""
    listed = set(read_watch_file(path)) if path.exists() else set()
    added = [
        c
        for c in companies
        if (c.cik not in present if c.cik is not None else c.ticker not in listed)
    ]
    if not added:
        return []
    text = path.read_text(encoding="utf-8") if path.exists() else _WATCH_FILE_HEADER
    if text and not text.endswith("\n"):
        text += "\n"
    for company in added:
        label = company.ticker or str(company.cik)
        comment = f"{company.name or ''} (CIK {company.cik})" if company.cik else "(unchecked)"
        text += f"{label:<10} # {comment}\n"
    _write_atomically(path, text)
    return added


def remove_from_watch_file(path: Path, ciks: set[int], tickers: list[Ticker]) -> list[str]:
    """Drop every line naming one of `ciks` (by CIK or ticker); return the removed entries."""
    if not path.exists():
        return []
    by_ticker = {t.ticker: t.cik for t in tickers}
    kept, removed = [], []
    for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
        entry = line.split("#", 1)[0].strip()
        cik_list, symbols = split_entries([entry]) if entry else ([], [])
        cik = cik_list[0] if cik_list else by_ticker.get(symbols[0]) if symbols else None
        if cik is not None and cik in ciks:
            removed.append(entry)
        else:
            kept.append(line)
    if removed:
        _write_atomically(path, "".join(kept))
    return removed


_WATCH_FILE_HEADER = (
    "# edgarwatch watchlist: one ticker or CIK per line; '#' starts a comment.\n"
    "# The running daemon re-reads this file when it changes.\n"
)


def _write_atomically(path: Path, text: str) -> None:
    """Write beside, then rename: the daemon never reads a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
