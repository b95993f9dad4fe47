"""Resolving the watchlist quietly: no false errors before company_tickers.json was
fetched or while EDGAR is unreachable; an error only for a ticker still unknown after."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from edgarwatch.daemon.runtime import build_runtime
from edgarwatch.replay.server import Replay, ReplayServer
from tests.process import edgarwatch
from tests.support import company, settings_for, tickers_json, write_config

IMMUNOGEN = company(855654, "IMMUNOGEN INC", ticker="IMGN")
APPLE = company(320193, "Apple Inc.", ticker="AAPL")
UNREACHABLE = "http://127.0.0.1:9"  # the discard port: connection refused at once


def messages(caplog: pytest.LogCaptureFixture, level: int) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == level]


def test_a_fresh_start_resolves_tickers_at_the_first_poll_without_errors(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    replay = Replay(tickers=tickers_json([IMMUNOGEN, APPLE]))
    with ReplayServer(replay) as server:
        settings = settings_for(
            server.url, tmp_path / "db.sqlite", watch={"tickers": ["IMGN", "AAPL", "APPL"]}
        )
        caplog.set_level(logging.INFO)
        runtime = build_runtime(settings, fetch_tickers=False)  # the daemon's start-up
        try:
            assert runtime.watchlist.pending == ("IMGN", "AAPL", "APPL")
            assert runtime.watchlist.describe() == "0 companies (+3 tickers to resolve)"
            assert messages(caplog, logging.ERROR) == []
            assert messages(caplog, logging.WARNING) == []  # not "the watchlist is empty"
            assert replay.requests("company_tickers") == []  # no network before READY
            watchlist = runtime.watch_source.load()  # the first poll
        finally:
            runtime.close()
    assert watchlist.ciks == {855654, 320193}
    assert watchlist.pending == ()
    assert watchlist.unresolved == ("APPL",)
    assert messages(caplog, logging.ERROR) == [
        "ticker APPL is not in the SEC's company_tickers.json (did you mean AAPL?); "
        "it is not watched"
    ]


def test_it_says_could_not_check_while_edgar_is_unreachable(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = settings_for(UNREACHABLE, tmp_path / "db.sqlite", watch={"tickers": ["IMGN"]})
    caplog.set_level(logging.INFO)
    runtime = build_runtime(settings)
    try:
        assert runtime.watchlist.pending == ("IMGN",)
        runtime.watch_source.load()  # a second load within a minute: no second try, no repeat
    finally:
        runtime.close()
    assert messages(caplog, logging.ERROR) == []
    warned = [m for m in messages(caplog, logging.WARNING) if "could not check" in m]
    assert len(warned) == 1
    assert warned[0].startswith("could not check ticker(s) IMGN: EDGAR unreachable (")


def test_an_empty_watchlist_is_still_said(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    settings = settings_for(UNREACHABLE, tmp_path / "db.sqlite")
    runtime = build_runtime(settings, fetch_tickers=False)
    runtime.close()
    assert any("the watchlist is empty" in m for m in messages(caplog, logging.WARNING))


@pytest.mark.slow
def test_watch_add_refuses_what_it_cannot_check_unless_told(tmp_path: Path) -> None:
    watch_file = tmp_path / "watchlist.txt"
    config = write_config(
        tmp_path / "config.toml",
        UNREACHABLE,
        tmp_path / "db.sqlite",
        watch='file = "watchlist.txt"',
    )
    refused = edgarwatch("--config", str(config), "watch", "add", "IMGN")
    assert refused.returncode == 75
    assert "could not check IMGN: EDGAR unreachable (" in refused.stderr
    assert "; not added" in refused.stderr
    assert "unknown ticker" not in refused.stderr
    assert "ERROR" not in refused.stderr
    assert not watch_file.exists()
    added = edgarwatch("--config", str(config), "watch", "add", "IMGN", "--unchecked")
    assert added.returncode == 0, added.stderr
    assert "added unchecked" in added.stderr
    assert "IMGN" in watch_file.read_text()
    again = edgarwatch("--config", str(config), "watch", "add", "IMGN", "--unchecked")
    assert "already watched" in again.stdout
    assert watch_file.read_text().count("IMGN") == 1


def test_watch_add_still_refuses_an_unknown_ticker_once_the_list_is_fetched(
    tmp_path: Path,
) -> None:
    replay = Replay(tickers=tickers_json([IMMUNOGEN, APPLE]))
    with ReplayServer(replay) as server:
        config = write_config(
            tmp_path / "config.toml", server.url, tmp_path / "db.sqlite", watch='file = "w.txt"'
        )
        unknown = edgarwatch("--config", str(config), "watch", "add", "APPL")
        assert unknown.returncode == 2
        assert "unknown ticker 'APPL'" in unknown.stderr
        assert "did you mean AAPL" in unknown.stderr
        added = edgarwatch("--config", str(config), "watch", "add", "AAPL")
        assert added.returncode == 0, added.stderr
        assert "added: AAPL Apple Inc. (CIK 320193)" in added.stdout


def test_a_watch_file_that_does_not_exist_yet_is_an_empty_one(tmp_path: Path) -> None:
    config = write_config(
        tmp_path / "config.toml",
        UNREACHABLE,
        tmp_path / "db.sqlite",
        watch='ciks = [855654]\nfile = "watchlist.txt"',
    )
    listed = edgarwatch("--config", str(config), "watch", "list")
    assert listed.returncode == 0, listed.stderr
    assert "855654" in listed.stdout
    assert "watch.file" not in listed.stderr
    assert "ERROR" not in listed.stderr


def test_a_watchlist_of_counterparties_only_is_not_empty_and_says_what_it_watches() -> None:
    from edgarwatch.daemon.watchlist import Watchlist

    parties_only = Watchlist(False, frozenset(), parties=("SICOR", "Pfizer Inc."))
    assert not parties_only.empty
    assert (
        parties_only.describe() == "0 companies and 2 companies as a party to any 8-K's Item 1.01"
    )
    assert Watchlist(False, frozenset()).empty
