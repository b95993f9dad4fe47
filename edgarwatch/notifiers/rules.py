"""Rules: which filings notify which channels; and [notify], the table that holds them.

A rule names items (default `1.01`), forms (`8-K`, `8-K/A`), optionally a
subset of the watched companies (CIKs or tickers), and the channels it goes
to (default: every configured channel). Each (filing, channel, rule) that
matches becomes one outbox row — the table's primary key — so the same
filing seen again can never notify twice.

`[notify]` itself is the default rule (its `items`, `forms`, `channels`,
`ciks`, `tickers`), more rules as `[[notify.rules]]`, and how delivery and
reading behave (`dispatch_seconds`, `give_up_hours`, …).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from edgarwatch.filing import Filing
from edgarwatch.items import is_item_number, normalise_number
from edgarwatch.settings import cik, setting, ticker
from edgarwatch.storage import NewNotification


def item_number(value: str) -> str:
    """`1.01` or legacy `5`, written as such (`Item 1.01` is accepted too)."""
    try:
        number = normalise_number(value)
    except ValueError:
        number = ""
    if not is_item_number(number) or number != value.strip().removeprefix("Item ").strip():
        raise ValueError(f"{value!r} is not an 8-K item number like '1.01'")
    return number


def eight_k_form(form: str) -> str:
    if not form.startswith("8-K"):
        raise ValueError(f"{form!r} is not an 8-K form (8-K, 8-K/A, …)")
    return form


@dataclass(frozen=True)
class Rule:
    """Which filings notify whom: items × forms × companies → channels."""

    name: str
    items: tuple[str, ...] = setting(("1.01",), convert=item_number)
    forms: tuple[str, ...] = setting(("8-K", "8-K/A"), case="upper", convert=eight_k_form)
    ciks: tuple[int, ...] = setting((), convert=cik, unique=True)
    tickers: tuple[str, ...] = setting((), case="upper", convert=ticker, unique=True)
    channels: tuple[str, ...] = ()


@dataclass(frozen=True)
class NotifySettings:
    """[notify]: the rules, and how notifications are delivered and filings read."""

    rules: tuple[Rule, ...] = setting((Rule(name="default"),), key=False)
    dispatch_seconds: int = setting(5, minimum=1)
    give_up_hours: float = setting(24.0, minimum=0.01)
    max_backoff_seconds: float = setting(900.0, minimum=1)
    enrich_give_up_minutes: float = setting(10.0, minimum=0)


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
