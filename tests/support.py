"""Test support: synthetic 8-K filings in EDGAR's shapes, and a replay to serve them.

The replay (`edgarwatch.replay`) renders feeds, index pages, complete
submissions, submissions JSON and daily indexes from these filings in the
formats of the recorded responses in `shared/corpus`.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from edgarwatch.config import Settings, from_mapping
from edgarwatch.daemon.catchup import CatchUpResult, reconcile
from edgarwatch.daemon.enrich import EnrichResult, enrich_pending
from edgarwatch.daemon.poll import PollResult, poll_feed
from edgarwatch.daemon.runtime import Runtime
from edgarwatch.items import title_for
from edgarwatch.replay.catalog import ReplayCompany, ReplayDocument, ReplayFiling
from edgarwatch.replay.clock import ReplayClock
from edgarwatch.replay.server import Replay, ReplayServer

USER_AGENT = "edgarwatch tests tests@edgarwatch.invalid"
REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"

_counter = iter(range(1, 10**6))


def company(cik: int, name: str, role: str = "Filer", ticker: str | None = None) -> ReplayCompany:
    return ReplayCompany(
        cik=cik,
        name=name,
        role=role,
        sic="2836",
        sic_description="Biological Products",
        state="DE",
        file_number=f"001-{cik % 100000:05d}",
        ticker=ticker,
    )


def next_accession(agent: int = 1104659) -> str:
    return f"{agent:010d}-26-{next(_counter):06d}"


def primary_html(companies: Sequence[ReplayCompany], form: str, items: Mapping[str, str]) -> bytes:
    """An 8-K primary document in the common Donnelley/Toppan layout."""
    sections = "".join(
        f'<p style="margin-top:12pt"><b>Item {number}. {html.escape(title_for(number))}.</b></p>\n'
        f"<p>{html.escape(text)}</p>\n"
        for number, text in items.items()
    )
    name = html.escape(companies[0].name)
    return (
        "<html><head><title>8-K</title></head><body>\n"
        '<p align="center"><b>UNITED STATES<br>SECURITIES AND EXCHANGE COMMISSION</b></p>\n'
        f'<p align="center"><b>FORM {html.escape(form)}</b></p>\n'
        f'<p align="center"><b>{name}</b><br>(Exact name of registrant as specified in its charter)</p>\n'
        f"{sections}"
        '<p align="center"><b>SIGNATURES</b></p>\n'
        "<p>Pursuant to the requirements of the Securities Exchange Act of 1934, the registrant has "
        "duly caused this report to be signed on its behalf by the undersigned hereunto duly "
        f"authorized.</p>\n<p>{name}<br>By: /s/ Jane Doe, Chief Financial Officer</p>\n"
        "</body></html>\n"
    ).encode()


def eight_k(
    companies: Sequence[ReplayCompany] | ReplayCompany,
    items: Mapping[str, str] | Sequence[str],
    *,
    form: str = "8-K",
    accession: str | None = None,
    exhibits: Sequence[tuple[str, str, str]] = (),
    padding: int = 0,
) -> ReplayFiling:
    """A synthetic 8-K. `items`: {number: text} or just numbers (generic text).

    `exhibits`: (type, filename, description). `padding` adds bytes to the
    primary document (to push the filing past the complete-submission size).
    """
    if isinstance(companies, ReplayCompany):
        companies = [companies]
    if not isinstance(items, Mapping):
        items = {n: f"Text of item {n} reported by {companies[0].name}." for n in items}
    document = primary_html(companies, form, items)
    if padding:
        document = document.replace(b"</body>", b"<!-- " + b"x" * padding + b" --></body>")
    documents = [ReplayDocument(1, form, "primary-8k.htm", form, document)]
    for sequence, (type_, filename, description) in enumerate(exhibits, start=2):
        body = f"<html><body><p>{html.escape(description)}</p></body></html>".encode()
        documents.append(ReplayDocument(sequence, type_, filename, description, body))
    return ReplayFiling(
        accession=accession or next_accession(),
        form=form,
        companies=tuple(companies),
        items=tuple(items),
        documents=tuple(documents),
    )


def tickers_json(companies: Sequence[ReplayCompany]) -> bytes:
    rows = {
        str(i): {"cik_str": c.cik, "ticker": c.ticker, "title": c.name}
        for i, c in enumerate(c for c in companies if c.ticker)
    }
    return json.dumps(rows).encode()


def minutes_ago(minutes: float) -> datetime:
    return datetime.now(UTC) - timedelta(minutes=minutes)


def settings_for(url: str, database: Path, **sections: Any) -> Settings:
    """Settings pointed at a replay; `sections` override tables (watch=…, notify=…)."""
    document: dict[str, Any] = {
        "edgar": {
            "user_agent": USER_AGENT,
            "base_url": url,
            "data_url": url,
            "efts_url": url,
            "requests_per_second": 8,
            "max_retries": 2,
            "read_timeout": 5,
        },
        "poll": {"interval_seconds": 1, "off_hours_interval_seconds": 1},
        "storage": {"path": str(database)},
        "watch": {"ciks": []},
    }
    for key, value in sections.items():
        document[key] = {**document.get(key, {}), **value}
    return from_mapping(document, environ={})


def write_config(path: Path, url: str, database: Path, extra: str = "", watch: str = "") -> Path:
    """A config.toml for subprocess tests."""
    path.write_text(
        f'''[edgar]
user_agent = "{USER_AGENT}"
base_url = "{url}"
data_url = "{url}"
efts_url = "{url}"
requests_per_second = 8
max_retries = 2
read_timeout = 5

[poll]
interval_seconds = 1
off_hours_interval_seconds = 1
reconcile_minutes = 60

[storage]
path = "{database}"

[watch]
{watch}

{extra}
''',
        encoding="utf-8",
    )
    return path


@contextmanager
def serving(
    *filings: ReplayFiling, tickers: bytes = b"{}", **options: Any
) -> Iterator[tuple[Replay, str]]:
    replay = Replay(filings, tickers=tickers, **options)
    with ReplayServer(replay) as server:
        yield replay, server.url


@contextmanager
def replay_at(
    start: datetime | str, *filings: ReplayFiling, speed: float = 0.0, **options: Any
) -> Iterator[tuple[Replay, ReplayClock, str]]:
    """A replay whose clock starts at `start` (Eastern if naive) and stands still
    (`speed=0`) unless told otherwise: (controls, clock, base URL).

    `with replay_at("2026-03-10 18:05") as (replay, clock, url): ...` — then
    `replay.publish(filing)`, `clock.set("2026-03-11 06:00")`. EDGAR's
    after-hours hold is on (a clock is given); `options` go to `Replay`.
    """
    clock = ReplayClock(start, speed=speed)
    replay = Replay(filings, clock=clock, **options)
    with ReplayServer(replay) as server:
        yield replay, clock, server.url


# -- the cycles over a runtime, as the scheduler runs them ------------------------------


def run_poll(runtime: Runtime) -> PollResult:
    return poll_feed(
        runtime.storage,
        runtime.client,
        runtime.watchlist,
        runtime.settings.poll,
        on_recorded=runtime.on_recorded,
        rules=runtime.settings.notify.rules,
        now=runtime.clock(),
    )


def run_enrich(runtime: Runtime, budget_seconds: float = 60.0) -> EnrichResult:
    return enrich_pending(
        runtime.storage,
        runtime.client,
        runtime.settings.notify,
        list(runtime.notifiers),
        watchlist=runtime.watchlist,
        stop=runtime.stop,
        budget_seconds=budget_seconds,
    )


def run_catch_up(runtime: Runtime) -> CatchUpResult:
    return reconcile(
        runtime.storage,
        runtime.client,
        runtime.watchlist,
        runtime.settings.poll,
        stop=runtime.stop,
        on_recorded=runtime.on_recorded,
    )
