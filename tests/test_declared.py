"""Notifications queued from what EDGAR declared, before the documents are read.

The feed's summary lists a filing's items: a watched company's 8-K declaring
Item 1.01 will notify whatever its documents say. Its rows are queued when it
is recorded and wait for the read; a lone filing's message still carries its
text, but a burst goes out as summaries at once instead of at the pace of the
SEC's rate limit.
"""

from __future__ import annotations

from pathlib import Path

from edgarwatch.daemon.enrich import announce_declared
from edgarwatch.daemon.watchlist import Watchlist
from edgarwatch.filing import Company, Filing, FilingReport, Item
from edgarwatch.notifiers.dispatch import Dispatcher
from edgarwatch.policy import NewNotification, NotifyPolicy, NotifySettings, read_priority
from edgarwatch.storage import Storage
from tests.servers.slack_receiver import SlackReceiver
from tests.test_dispatch import slack, statuses

WATCHED = Watchlist(everyone=False, ciks=frozenset({855654}))
RULES = NotifySettings().rules


def record(
    storage: Storage,
    count: int,
    *,
    cik: int = 855654,
    items: tuple[str, ...] = ("1.01", "9.01"),
    policy: NotifyPolicy = NotifyPolicy.NEWS,
) -> list[Filing]:
    filings = []
    for n in range(count):
        accession = f"0001104659-26-{cik % 1000:03d}{n:03d}"
        filing = Filing(
            accession,
            "8-K",
            (Company(cik, f"COMPANY {cik}", "Filer"),),
            f"https://www.sec.gov/Archives/edgar/data/{cik}/x/{accession}-index.htm",
            items=items,
        )
        storage.filings.record(
            filing, source="feed", policy=policy, priority=read_priority(filing, policy, RULES)
        )
        filings.append(filing)
    return filings


def read(storage: Storage, filing: Filing, text: str) -> int:
    report = FilingReport(
        filing,
        items=(Item("1.01", "Entry into a Material Definitive Agreement", text),),
    )
    return storage.filings.record_enrichment(
        report, [NewNotification("slack", "default", ("1.01",))]
    )


def test_a_burst_of_declared_deals_goes_out_as_one_summary_before_any_is_read(
    tmp_path: Path,
) -> None:
    storage = Storage.open(tmp_path / "edgarwatch.db")
    filings = record(storage, 25)
    assert announce_declared(storage, NotifySettings(), ["slack"], WATCHED) == 25
    assert announce_declared(storage, NotifySettings(), ["slack"], WATCHED) == 0  # once
    with SlackReceiver() as receiver:
        notifier = slack("slack", receiver)
        result = Dispatcher(storage, {"slack": notifier}, NotifySettings(), "me:1").dispatch()
    assert (result.sent, result.summaries) == (25, 1)
    body = receiver.requests[0].body.decode()
    assert all(f"{f.accession}-index.htm" in body for f in filings)
    assert statuses(storage)["slack"] == ["sent"] * 25
    assert storage.filings.pending_enrichment_count() == 25  # read later, for the record
    assert read(storage, filings[0], "An agreement.") == 0  # nothing sent twice


def test_a_lone_declared_deal_waits_for_its_read_and_goes_with_its_text(tmp_path: Path) -> None:
    storage = Storage.open(tmp_path / "edgarwatch.db")
    (filing,) = record(storage, 1)
    assert announce_declared(storage, NotifySettings(), ["slack"], WATCHED) == 1
    with SlackReceiver() as receiver:
        dispatcher = Dispatcher(
            storage, {"slack": slack("slack", receiver)}, NotifySettings(), "me:1"
        )
        assert dispatcher.dispatch().sent == 0  # it waits for the read
        assert read(storage, filing, "A supply agreement with Contoso Ltd.") == 1
        assert dispatcher.dispatch().sent == 1
    assert "A supply agreement with Contoso Ltd." in receiver.requests[0].body.decode()


def test_below_the_threshold_read_rows_go_one_by_one_and_the_rest_wait(tmp_path: Path) -> None:
    storage = Storage.open(tmp_path / "edgarwatch.db")
    filings = record(storage, 5)
    announce_declared(storage, NotifySettings(), ["slack"], WATCHED)
    read(storage, filings[0], "The first agreement.")
    with SlackReceiver() as receiver:
        notifier = slack("slack", receiver, min_interval=0)
        result = Dispatcher(storage, {"slack": notifier}, NotifySettings(), "me:1").dispatch()
    assert (result.sent, result.summaries) == (1, 0)
    assert statuses(storage)["slack"] == ["sent", "pending", "pending", "pending", "pending"]


def test_a_declared_deal_whose_read_gives_up_goes_with_its_declared_items(
    tmp_path: Path,
) -> None:
    storage = Storage.open(tmp_path / "edgarwatch.db")
    record(storage, 1)
    settings = NotifySettings(enrich_give_up_minutes=0)
    announce_declared(storage, settings, ["slack"], WATCHED)
    with SlackReceiver() as receiver:
        result = Dispatcher(
            storage, {"slack": slack("slack", receiver)}, settings, "me:1"
        ).dispatch()
    assert result.sent == 1
    assert "1.01" in receiver.requests[0].body.decode()


def test_only_news_of_a_watched_company_declaring_a_rules_item_is_queued_early(
    tmp_path: Path,
) -> None:
    storage = Storage.open(tmp_path / "edgarwatch.db")
    record(storage, 2, cik=1999999)  # the party watch's: its agreements' parties decide
    record(storage, 2, cik=855654, items=("2.02", "9.01"))  # no rule names these items
    record(storage, 2, cik=855654, policy=NotifyPolicy.BASELINE)
    parties = Watchlist(everyone=False, ciks=frozenset({855654}), parties=("SICOR",))
    assert announce_declared(storage, NotifySettings(), ["slack"], parties) == 0
    assert storage.connections.query("SELECT count(*) AS n FROM notifications") == [{"n": 0}]
