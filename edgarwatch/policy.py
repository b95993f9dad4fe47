"""Whether a filing notifies, and whom: the one place that decides.

Each filing is recorded once, and its `NotifyPolicy` is decided then (stored
by name in `filings.notify`):

| how the filing was found                          | accepted (or filed, end of day)                    | policy     |
| ------------------------------------------------- | -------------------------------------------------- | ---------- |
| the first poll of a database (the feed as it is)  | any time                                           | `baseline` |
| feed, catch-up, daily index, submissions JSON     | no baseline yet, or no time known                  | `history`  |
|                                                   | before the baseline minus `poll.lookback_minutes`  | `history`  |
|                                                   | before its company was watched, minus the look-back | `history`  |
|                                                   | otherwise (`watch.all`: the baseline alone counts) | `news`     |
| a newly watched company's catch-up (`watch.catch_up_days`) | any time                                  | `history`  |
| `edgarwatch backfill`                             | any time                                           | `history`  |
| `edgarwatch backfill --notify`                    | any time                                           | `news`     |

Only `news` may notify. Once its documents are read (or given up on), a
`news` filing notifies through every (rule, channel) where all hold:

| the rule's …  | holds when                                                                     |
| ------------- | ------------------------------------------------------------------------------ |
| `forms`       | include the filing's form (`8-K`, `8-K/A`; case-insensitive, exact)           |
| `ciks`, `tickers` | are empty, or name any company on the filing (Filer, Subject, any role)   |
| `items`       | include an item the filing reports (declared by EDGAR, or found in the document) |
| `channels`    | are empty (every configured channel) or name the channel; it is configured    |

Each such (filing, channel, rule) is one outbox row — the notifications
table's primary key — so a filing seen again never notifies twice.

`[notify]` (`NotifySettings`) is the default rule's keys, more rules as
`[[notify.rules]]`, and how delivery and reading behave.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from edgarwatch.filing import EASTERN, Filing
from edgarwatch.items import is_item_number, normalise_number
from edgarwatch.settings import cik, setting, ticker


class NotifyPolicy(StrEnum):
    """Whether a recorded filing may notify (see the module's truth table)."""

    NEWS = "news"
    """New since the baseline (and since its company was watched): the rules decide."""
    BASELINE = "baseline"
    """On the feed at this database's first poll: recorded, never notified."""
    HISTORY = "history"
    """Older than the baseline or than its company's watch, or back-filled: never notified."""

    @property
    def may_notify(self) -> bool:
        return self is NotifyPolicy.NEWS


def eligibility(
    filing: Filing,
    *,
    baseline_at: datetime | None,
    watched_since: datetime | None,
    lookback: timedelta,
    everyone: bool,
) -> NotifyPolicy:
    """The policy of a filing a source found after the baseline poll (the table's rows
    "feed, catch-up, daily index, submissions JSON"). `watched_since`: when the first of
    its watched companies was added (None: at the baseline)."""
    moment = _moment(filing)
    if baseline_at is None or moment is None:
        return NotifyPolicy.HISTORY
    horizon = baseline_at - lookback
    if not everyone:
        horizon = max(horizon, (watched_since or baseline_at) - lookback)
    return NotifyPolicy.NEWS if moment >= horizon else NotifyPolicy.HISTORY


def _moment(filing: Filing) -> datetime | None:
    if filing.accepted_at is not None:
        return filing.accepted_at
    if filing.filed is not None:  # daily index: the end of the filing day, Eastern
        return datetime.combine(filing.filed, datetime.max.time(), EASTERN)
    return None


@dataclass(frozen=True)
class NewNotification:
    """An outbox row to create: `rule` sends these `items` of a filing to `channel`."""

    channel: str
    rule: str
    items: tuple[str, ...]


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
    """The outbox rows a `news` filing reporting `items` calls for (the second table)."""
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
