"""Which companies are watched: config CIKs and tickers, the watch file, or everyone;
and which counterparties (`watch.parties`).

Tickers are resolved through `/files/company_tickers.json`, cached in the
database and refreshed daily (one request a day, whatever the watchlist's
size). The watch file (`watch.file`: one ticker or CIK per line, `#`
comments) is re-read when it changes, so `edgarwatch watch add` — or an
editor — takes effect within one poll, without a restart. A watch file that
does not exist yet is an empty one (`watch add` creates it).

The counterparty watch (`watch.parties = ["SICOR", "Pfizer Inc."]`) records
the 8-Ks of *unwatched* companies too, but only those whose declared items
(feed summary, full-text search, submissions JSON) include Item 1.01, so
only tens of filings a day are read for it; whether one notifies is decided
after reading, by its agreements' parties (`policy.PartyWatch`).

A ticker is *unknown* (an error, with suggestions) only when it is missing
from a company_tickers.json that was fetched. Before the list was ever
fetched — a fresh start, whose first poll fetches it — or while EDGAR cannot
be reached, a ticker is *pending*: watched as soon as it resolves, and said
once, quietly (info before the first fetch, a warning while EDGAR is
unreachable).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from edgarwatch.company import Ticker, normalise_ticker, parse_cik, suggest
from edgarwatch.config import Settings
from edgarwatch.edgar import sources
from edgarwatch.edgar.client import EdgarClient, EdgarError
from edgarwatch.filing import Filing
from edgarwatch.storage import Storage
from edgarwatch.storage.timefmt import utc_now

logger = logging.getLogger(__name__)

TICKERS_MAX_AGE = timedelta(days=1)
REFRESH_RETRY_SECONDS = 60.0
"""After a failed fetch of company_tickers.json, ask again no sooner than this (a
poll and the catch-up both reload the watchlist; one failure is enough to know)."""


PARTY_WATCH_ITEM = "1.01"
"""The item whose filings the counterparty watch reads: Entry into a Material Definitive
Agreement (the item that names who signed)."""


@dataclass(frozen=True)
class Watchlist:
    """The resolved watchlist: a set of CIKs, or the whole market; and watched parties."""

    everyone: bool
    ciks: frozenset[int]
    names: dict[int, tuple[str | None, str | None]] = field(default_factory=dict, compare=False)
    unresolved: tuple[str, ...] = ()
    """Tickers company_tickers.json (as fetched) does not list: not watched."""
    parties: tuple[str, ...] = ()
    """`watch.parties`: names that make any company's Item 1.01 worth reading."""
    pending: tuple[str, ...] = ()
    """Tickers not checked yet (the list was never fetched, or EDGAR is unreachable)."""

    @property
    def empty(self) -> bool:
        """Nothing is, or will be once pending tickers resolve, watched (companies or
        counterparties)."""
        return not self.everyone and not self.ciks and not self.pending and not self.parties

    def describe(self) -> str:
        """`every company`, `3 companies`, `1 company (+2 tickers to resolve)`."""
        if self.everyone:
            return "every company"
        text = f"{len(self.ciks)} compan{'y' if len(self.ciks) == 1 else 'ies'}"
        if self.pending:
            text += (
                f" (+{len(self.pending)} ticker{'s' if len(self.pending) > 1 else ''} to resolve)"
            )
        if self.parties:
            text += f" and {len(self.parties)} compan{'y' if len(self.parties) == 1 else 'ies'}"
            text += " as a party to any 8-K's Item 1.01"
        return text

    def matches(self, filing: Filing) -> bool:
        """Record it? When *any* of its companies is watched (Filer or Subject), or, with
        `watch.parties` set, when it declares Item 1.01 (its parties decide later)."""
        if self.watches_company(filing):
            return True
        return bool(self.parties) and PARTY_WATCH_ITEM in filing.items

    def watches_company(self, filing: Filing) -> bool:
        """Is one of its companies watched (or the whole market)? Else only the party
        watch can make it notify."""
        return self.everyone or not self.ciks.isdisjoint(filing.ciks)

    def __len__(self) -> int:
        return len(self.ciks)


@dataclass(frozen=True)
class TickerList:
    """The cached company_tickers.json and what it can tell.

    `checked`: the SEC's list was fetched (now or before), so a ticker missing
    from it is unknown; otherwise nothing can be said about one yet. `error`:
    why it could not be fetched just now (EDGAR unreachable, …), if it could not.
    """

    tickers: list[Ticker]
    checked: bool
    error: str | None = None


def read_watch_file(path: Path) -> list[str]:
    """Entries of a watch file: one ticker or CIK per line; `#` starts a comment.

    A file that does not exist is empty (`edgarwatch watch add` creates it)."""
    if not path.exists():
        return []
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        entry = line.split("#", 1)[0].strip()
        if entry:
            entries.extend(entry.replace(",", " ").split())
    return entries


def split_entries(entries: Iterable[str | int]) -> tuple[list[int], list[str]]:
    """CIKs (all digits) and tickers (anything else)."""
    ciks, tickers = [], []
    for entry in entries:
        cik = parse_cik(entry) if isinstance(entry, int) or str(entry).strip().isdigit() else None
        if cik is not None:
            ciks.append(cik)
        else:
            tickers.append(normalise_ticker(str(entry)))
    return ciks, tickers


class WatchlistSource:
    """Builds the Watchlist from settings, the watch file and the tickers cache."""

    def __init__(self, settings: Settings, storage: Storage, client: EdgarClient | None) -> None:
        self.settings = settings
        self.storage = storage
        self.client = client
        self._file_stamp: tuple[float, int] | None = None
        self._refresh_failed: tuple[float, str] | None = None
        self._pending_note: tuple[tuple[str, ...], str | None] | None = None

    def tickers_stale(self) -> bool:
        """Tickers are in use and the cached company_tickers.json is over a day old."""
        path = self.settings.watch.file
        uses_tickers = bool(self.settings.watch.tickers) or (path is not None and path.exists())
        if not uses_tickers or self.client is None:
            return False
        fetched = self.storage.state.tickers_fetched_at()
        return fetched is None or utc_now() - fetched > TICKERS_MAX_AGE

    def file_changed(self) -> bool:
        path = self.settings.watch.file
        stamp = _stamp(path) if path else None
        return stamp != self._file_stamp

    def load(self, *, fetch: bool = True) -> Watchlist:
        """Resolve the watchlist; `fetch=False` uses only the cached tickers (start-up)."""
        entries: list[str | int] = [*self.settings.watch.ciks, *self.settings.watch.tickers]
        path = self.settings.watch.file
        if path is not None:
            self._file_stamp = _stamp(path)
            try:
                entries.extend(read_watch_file(path))
            except OSError as exc:
                logger.error("cannot read watch.file %s: %s", path, exc.strerror)
        ciks, tickers = split_entries(entries)
        listed = self.ticker_list(fetch=fetch and bool(tickers or ciks))
        by_ticker = {t.ticker: t for t in listed.tickers}
        by_cik = {t.cik: t for t in reversed(listed.tickers)}  # a company's first listed ticker
        names: dict[int, tuple[str | None, str | None]] = {}
        for cik in ciks:
            company = by_cik.get(cik)
            names[cik] = (company.ticker, company.name) if company else (None, None)
        missing = []
        for ticker in tickers:
            hit = by_ticker.get(ticker)
            if hit is None:
                missing.append(ticker)
                continue
            names[hit.cik] = (hit.ticker, hit.name)
        unresolved, pending = (missing, []) if listed.checked else ([], missing)
        if unresolved:
            self._log_unresolved(unresolved, list(by_ticker))
        self._log_pending(pending, listed.error)
        return Watchlist(
            self.settings.watch.all,
            frozenset(names),
            names,
            tuple(unresolved),
            parties=self.settings.watch.parties,
            pending=tuple(pending),
        )

    def _log_unresolved(self, unresolved: list[str], known: list[str]) -> None:
        for ticker in unresolved:
            hints = suggest(ticker, known)
            logger.error(
                "ticker %s is not in the SEC's company_tickers.json%s; it is not watched",
                ticker,
                f" (did you mean {', '.join(hints)}?)" if hints else "",
            )

    def _log_pending(self, pending: list[str], error: str | None) -> None:
        """Say once (per set of tickers and reason) that tickers wait to be resolved."""
        note = (tuple(pending), error)
        if not pending or note == self._pending_note:
            self._pending_note = note if pending else None
            return
        self._pending_note = note
        if error is None:
            logger.info(
                "ticker(s) %s are resolved at the first poll (company_tickers.json not fetched yet)",
                ", ".join(pending),
            )
        else:
            logger.warning(
                "could not check ticker(s) %s: EDGAR unreachable (%s); they are watched once "
                "company_tickers.json can be read",
                ", ".join(pending),
                error,
            )

    def tickers(self) -> list[Ticker]:
        """The cached tickers, refreshed from EDGAR when older than a day."""
        return self.ticker_list(fetch=True).tickers

    def ticker_list(self, *, fetch: bool = True) -> TickerList:
        """The cached tickers (refreshed from EDGAR first when older than a day and
        `fetch`), whether they were ever fetched, and why a refresh failed."""
        fetched = self.storage.state.tickers_fetched_at()
        stale = fetched is None or utc_now() - fetched > TICKERS_MAX_AGE
        error = None
        if fetch and stale and self.client is not None:
            error = self.refresh_tickers()
        cached = self.storage.state.tickers()
        checked = bool(cached) and self.storage.state.tickers_fetched_at() is not None
        return TickerList(cached, checked, error)

    def refresh_tickers(self) -> str | None:
        """Fetch company_tickers.json into the cache; the reason when it could not be."""
        assert self.client is not None
        failed = self._refresh_failed
        if failed is not None and time.monotonic() - failed[0] < REFRESH_RETRY_SECONDS:
            return failed[1]
        try:
            tickers = sources.company_tickers(self.client)
        except EdgarError as exc:
            self._refresh_failed = (time.monotonic(), str(exc))
            if self.storage.state.tickers():
                logger.warning("could not refresh company_tickers.json (using the cache): %s", exc)
            return str(exc)
        self._refresh_failed = None
        if not tickers:
            # Never let an empty answer unwatch every ticker: keep the cache, and
            # ask again tomorrow rather than at every poll.
            logger.warning("company_tickers.json listed no tickers; keeping the cached ones")
            self.storage.state.tickers_checked(utc_now())
            return None
        self.storage.state.replace_tickers(tickers)
        logger.info("refreshed %d tickers from company_tickers.json", len(tickers))
        return None


def _stamp(path: Path) -> tuple[float, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_mtime, stat.st_size)
