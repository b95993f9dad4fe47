"""Rules: which filings notify which channels.

A rule names items (default `1.01`), forms (`8-K`, `8-K/A`), optionally a
subset of the watched companies (CIKs or tickers), and the channels it goes
to (default: every configured channel). Each (filing, channel, rule) that
matches becomes one outbox row — the table's primary key — so the same
filing seen again can never notify twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from edgarwatch.config import Rule
from edgarwatch.filing import Filing
from edgarwatch.storage import NewNotification


def notifications_for(
    filing: Filing,
    items: Iterable[str],
    rules: Sequence[Rule],
    channels: Sequence[str],
    ticker_ciks: Mapping[str, int] | None = None,
) -> list[NewNotification]:
    """The outbox rows a filing reporting `items` calls for."""
    reported = list(dict.fromkeys(items))
    rows: list[NewNotification] = []
    for rule in rules:
        if not _form_matches(filing.form, rule.forms) or not _company_matches(
            filing, rule, ticker_ciks or {}
        ):
            continue
        triggered = tuple(n for n in reported if n in rule.items)
        if not triggered:
            continue
        for channel in rule.channels or channels:
            if channel in channels:
                rows.append(NewNotification(channel=channel, rule=rule.name, items=triggered))
    return rows


def _form_matches(form: str, forms: Sequence[str]) -> bool:
    return form.upper() in {f.upper() for f in forms}


def _company_matches(filing: Filing, rule: Rule, ticker_ciks: Mapping[str, int]) -> bool:
    if not rule.ciks and not rule.tickers:
        return True
    allowed = set(rule.ciks) | {ticker_ciks[t] for t in rule.tickers if t in ticker_ciks}
    return not allowed.isdisjoint(filing.ciks)
