"""`edgarwatch demo`: the daemon against a built-in EDGAR replay, no network needed.

It starts the replay on loopback with the fixtures shipped in the package
(the seed filing — ImmunoGen's Item 1.01 of 2007 — among them), runs the
real daemon against it with a temporary database for about 20 seconds, and
prints what happens: what EDGAR publishes, each matching filing as it is
recorded, and each notification as the console channel would send it.

One fixture (`demo_accepted_after_hours`) plays EDGAR's morning release: an
8-K accepted the previous business day after 17:30 ET, which EDGAR holds
overnight and posts the next morning at its evening acceptance time, so it
lands below the entries already on the feed. The demo runs on the wall
clock (the daemon judges what is news by its own clock), so the replay
posts it a few seconds in rather than at 06:00.
"""

from __future__ import annotations

import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import TextIO

from edgarwatch.calendar import previous_business_day
from edgarwatch.config import Settings, from_mapping
from edgarwatch.daemon.service import Daemon
from edgarwatch.filing import EASTERN, Filing
from edgarwatch.notifiers.console import ConsoleNotifier, ConsoleSettings
from edgarwatch.replay.catalog import ReplayFiling, builtin_filings, builtin_tickers
from edgarwatch.replay.server import Replay, ReplayServer

WATCHED_TICKERS = ("IMGN", "NWBX", "CTSO")
WATCHED_PARTIES = ("Adventure Works",)
"""The counterparty watch: Wide World Importers (not watched) signs with Adventure Works."""


class DemoPrinter:
    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.started = time.monotonic()
        self.lock = threading.Lock()

    def line(self, text: str) -> None:
        elapsed = time.monotonic() - self.started
        with self.lock:
            self.out.write(f"[{elapsed:5.1f}s] {text}\n")
            self.out.flush()

    def recorded(self, filing: Filing, notify: bool) -> None:
        items = ", ".join(filing.items) or "?"
        why = "will notify if a rule matches" if notify else "baseline/history: not notified"
        self.line(f"recorded   {filing.form:<5} {filing.company} — items {items} ({why})")


def run_demo(seconds: float = 20.0, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    printer = DemoPrinter(out)
    filings = builtin_filings()
    replay = Replay(filings, tickers=builtin_tickers())
    timeline = _timeline(filings)
    with ReplayServer(replay) as server, tempfile.TemporaryDirectory() as tmp:
        _publish_baseline(replay, timeline)
        settings = _settings(server.url, Path(tmp) / "demo.db")
        console = ConsoleNotifier(ConsoleSettings(stream=out))
        daemon = Daemon(settings, notifiers={"console": console}, on_recorded=printer.recorded)
        _intro(printer, server.url, settings.storage.path)
        publisher = threading.Thread(
            target=_publish, args=(replay, timeline, printer, daemon.stop), daemon=True
        )
        publisher.start()
        threading.Timer(seconds, daemon.request_stop).start()
        daemon.install_signal_handlers()
        daemon.run()
        _summary(printer, settings.storage.path)
    return 0


def _timeline(filings: list[ReplayFiling]) -> list[tuple[float | None, ReplayFiling]]:
    """(seconds after start, filing); None = already on the feed when the demo starts."""
    plan: list[tuple[float | None, ReplayFiling]] = []
    for filing in filings:
        when = filing.extra.get("demo_publish_after")
        if when == "baseline":
            plan.append((None, filing))
        elif isinstance(when, int | float):
            plan.append((float(when), filing))
    return sorted(plan, key=lambda p: -1 if p[0] is None else p[0])


def _publish_baseline(replay: Replay, timeline: list[tuple[float | None, ReplayFiling]]) -> None:
    for index, (when, filing) in enumerate(timeline):
        if when is None:
            replay.publish(filing.accession, datetime.now(UTC) - timedelta(minutes=5 + index))


def _publish(
    replay: Replay,
    timeline: list[tuple[float | None, ReplayFiling]],
    printer: DemoPrinter,
    stop: threading.Event,
) -> None:
    started = time.monotonic()
    for when, filing in timeline:
        if when is None:
            continue
        if stop.wait(max(0.0, started + when - time.monotonic())):
            return
        evening = filing.extra.get("demo_accepted_after_hours")
        if isinstance(evening, str):
            _post_after_hours(replay, filing, evening, printer)
            continue
        replay.publish(filing.accession)
        items = ", ".join(filing.items)
        printer.line(f"EDGAR      publishes {filing.form} of {filing.filer.name} (items {items})")


def _post_after_hours(
    replay: Replay, filing: ReplayFiling, evening: str, printer: DemoPrinter
) -> None:
    """EDGAR's morning release: accepted last business day at `evening` (HH:MM ET),
    held overnight, posted now at its evening acceptance time."""
    hour, minute = (int(part) for part in evening.split(":"))
    day = previous_business_day(replay.now().astimezone(EASTERN).date())
    accepted = datetime.combine(day, clock_time(hour, minute), EASTERN)
    posted = replay.publish(filing.accession, accepted, visible_at=replay.now())
    newer = [f for f in replay.on_feed("8-K") if f.accepted_at and f.accepted_at > accepted]
    printer.line(
        f"EDGAR      publishes {filing.form} of {filing.filer.name} (items {', '.join(filing.items)}) "
        f"accepted {accepted:%a %d %b %H:%M} ET, after hours: held for the 06:00 release, "
        f"dated {posted.filed}, listed below {len(newer)} newer entr{'y' if len(newer) == 1 else 'ies'}"
    )


def _settings(url: str, database: Path) -> Settings:
    return from_mapping(
        {
            "edgar": {
                "user_agent": "edgarwatch demo demo@edgarwatch.invalid",
                "base_url": url,
                "data_url": url,
                "efts_url": url,
                "requests_per_second": 5,
            },
            "poll": {
                "interval_seconds": 2,
                "off_hours_interval_seconds": 2,
                "reconcile_minutes": 60,
            },
            "watch": {
                "tickers": list(WATCHED_TICKERS),
                "parties": list(WATCHED_PARTIES),
                "catch_up_days": 0,
            },
            "storage": {"path": str(database)},
            "notify": {"items": ["1.01"], "dispatch_seconds": 1},
        },
        environ={},
    )


def _intro(printer: DemoPrinter, url: str, database: Path) -> None:
    out = printer.out
    out.write(
        "edgarwatch demo — the real daemon against a local EDGAR replay "
        f"({url}); no network is used.\n"
        f"Watching {', '.join(WATCHED_TICKERS)}, and {', '.join(WATCHED_PARTIES)} as a party to "
        "anyone's Item 1.01;\n"
        f"Item 1.01 notifies the console channel; database {database}.\n"
        "The first poll records what the feed already shows as a baseline (never notified);\n"
        "then EDGAR publishes new 8-Ks: watched ones are recorded, Item 1.01s are notified,\n"
        "each opening with what was signed; other companies' 1.01s are read for their parties.\n"
        "EDGAR holds 8-Ks accepted after 17:30 ET until 06:00 the next business day, then posts\n"
        "them with their evening acceptance time, below what was accepted that morning; the\n"
        "replay plays one such morning release a few seconds in.\n\n"
    )
    out.flush()


def _summary(printer: DemoPrinter, database: Path) -> None:
    from edgarwatch.storage import Storage

    storage = Storage.open(database)
    try:
        filings = storage.filings.listing(limit=100)
        counts = storage.outbox.counts(datetime(2000, 1, 1, tzinfo=UTC))
    finally:
        storage.close()
    printer.out.write(
        f"\nDemo over: {len(filings)} filings recorded, {counts['sent_today']} notification(s) "
        f"sent, {counts['pending']} pending, {counts['dead']} dead.\n"
        "Run it for real: `edgarwatch init` (it asks your name and email for the SEC, the "
        "companies to watch and a Slack webhook), then `edgarwatch run`.\n"
    )
    printer.out.flush()
