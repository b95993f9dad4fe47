"""The notify policy's truth table (edgarwatch/policy.py): eligibility, then rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from edgarwatch.filing import EASTERN, Company, Filing
from edgarwatch.policy import NewNotification, NotifyPolicy, Rule, eligibility, notifications_for

BASELINE = datetime(2026, 1, 5, 9, 0, tzinfo=EASTERN)
ACCEPTED = BASELINE + timedelta(hours=1)
LOOKBACK = timedelta(minutes=30)
FILING = Filing(
    accession="0001104659-26-000001",
    form="8-K",
    companies=(Company(855654, "IMMUNOGEN INC"), Company(320193, "Apple Inc.", "Subject")),
    url="https://www.sec.gov/Archives/edgar/data/855654/000110465926000001/x-index.htm",
    accepted_at=ACCEPTED,
)


def decide(filing: Filing = FILING, **given: object) -> NotifyPolicy:
    options: dict[str, object] = {
        "baseline_at": BASELINE,
        "watched_since": None,
        "lookback": LOOKBACK,
        "everyone": False,
    }
    return eligibility(filing, **(options | given))  # type: ignore[arg-type]


def test_only_news_may_notify() -> None:
    assert [p for p in NotifyPolicy if p.may_notify] == [NotifyPolicy.NEWS]
    assert NotifyPolicy("baseline") is NotifyPolicy.BASELINE  # stored by name


def test_a_filing_accepted_after_the_baseline_is_news() -> None:
    assert decide() is NotifyPolicy.NEWS
    # Within the look-back window before the baseline: still news (late dissemination).
    assert decide(replace(FILING, accepted_at=BASELINE - LOOKBACK)) is NotifyPolicy.NEWS


@pytest.mark.parametrize(
    ("filing", "given"),
    [
        (replace(FILING, accepted_at=BASELINE - LOOKBACK - timedelta(seconds=1)), {}),
        (FILING, {"baseline_at": None}),
        (replace(FILING, accepted_at=None), {}),
        (FILING, {"watched_since": ACCEPTED + LOOKBACK + timedelta(minutes=1)}),
    ],
    ids=["before-the-baseline", "no-baseline-yet", "no-time-known", "before-its-watch"],
)
def test_everything_older_is_history(filing: Filing, given: dict[str, object]) -> None:
    assert decide(filing, **given) is NotifyPolicy.HISTORY


def test_watching_everyone_only_the_baseline_counts() -> None:
    late_watch = ACCEPTED + timedelta(days=1)
    assert decide(watched_since=late_watch, everyone=True) is NotifyPolicy.NEWS


def test_a_daily_index_filing_counts_at_the_end_of_its_day() -> None:
    undated = replace(FILING, accepted_at=None, filed=date(2026, 1, 5))
    assert decide(undated) is NotifyPolicy.NEWS
    assert decide(replace(undated, filed=date(2026, 1, 2))) is NotifyPolicy.HISTORY


def test_rules_match_forms_companies_items_and_channels() -> None:
    rules = [
        Rule("default"),
        Rule("officers", items=("5.02",), channels=("email",)),
        Rule("apple", items=("1.01",), forms=("8-K/A",), ciks=(320193,)),
        Rule("by-ticker", items=("1.01",), tickers=("AAPL",), channels=("slack", "gone")),
    ]
    rows = notifications_for(
        FILING, ["1.01", "9.01"], rules, ["slack", "email"], ticker_ciks={"AAPL": 320193}
    )
    assert rows == [
        NewNotification("slack", "default", ("1.01",)),
        NewNotification("email", "default", ("1.01",)),
        NewNotification("slack", "by-ticker", ("1.01",)),
    ]
    assert notifications_for(FILING, ["8.01"], rules, ["slack"]) == []
