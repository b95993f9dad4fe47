"""Whether a filing notifies, and whom: the one place that decides.

Each filing is recorded once, and its `NotifyPolicy` is decided then (stored
by name in `filings.notify`):

| how the filing was found                          | when                                               | policy     |
| ------------------------------------------------- | -------------------------------------------------- | ---------- |
| the first poll of a database: the feed back ~24 h and today's full-text search | any time              | `baseline` |
| a live source — the poll, the feed sweep, full-text search — first shows its accession after the baseline | any time — *whatever its acceptance time* | `news` |
| daily index, submissions JSON (catch-up)          | no baseline yet, or no time known                  | `history`  |
|                                                   | accepted before the baseline minus `poll.lookback_minutes` | `history`  |
|                                                   | before its company was watched, minus the look-back | `history`  |
|                                                   | otherwise (`watch.all`: the baseline alone counts) | `news`     |
| a newly watched company's catch-up (`watch.catch_up_days`) | accepted before the company was watched  | `history`  |
|                                                   | accepted after (it became news while being watched) | `news`     |
| `edgarwatch backfill`                             | any time                                           | `history`  |
| `edgarwatch backfill --notify`                    | any time                                           | `news`     |

What is new is decided by accession, never by time: EDGAR posts 8-Ks accepted
after 17:30 ET the next business day at about 06:00, with their evening
acceptance time, so an accession first shown after the baseline is news
however old its acceptance time looks (EDGAR.md, "Filing hours").

Only `news` may notify. Once its documents are read (or given up on), a
`news` filing notifies through every (rule, channel) where all hold:

| the rule's …  | holds when                                                                     |
| ------------- | ------------------------------------------------------------------------------ |
| `forms`       | include the filing's form (`8-K`, `8-K/A`; case-insensitive, exact)           |
| `ciks`, `tickers` | are empty, or name any company on the filing (Filer, Subject, any role)   |
| `items`       | include an item the filing reports (declared by EDGAR, or found in the document) |
| party watch   | a watched company is on the filing (or `watch.all`); else — it was recorded for `watch.parties` — a watched name is a party (any role but the registrant) to an agreement one of those items describes (`PartyWatch`) |
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

from edgarwatch.agreement import watched_parties
from edgarwatch.filing import EASTERN, Filing, Item
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


LIVE_SOURCES = frozenset({"feed", "sweep", "efts"})
"""Sources that show what EDGAR publishes as it publishes it: a first sighting is news."""


def first_sighting(filing: Filing, *, baseline_at: datetime | None) -> NotifyPolicy:
    """The policy of a filing whose accession a live source shows for the first time:
    the baseline before there is one, news after — whatever its acceptance time, and
    whenever its company started being watched (what a live source showed before that
    is already remembered as seen, and a newcomer's back-fill records it as history)."""
    return NotifyPolicy.BASELINE if baseline_at is None else NotifyPolicy.NEWS


def back_filled(filing: Filing, watched_since: datetime | None) -> NotifyPolicy:
    """A newly watched company's catch-up: what it filed before it was watched is
    history; what it filed after is news (the catch-up may find it before a live
    source does, and must not silence it)."""
    accepted = filing.accepted_at
    if watched_since is None or accepted is None or accepted < watched_since:
        return NotifyPolicy.HISTORY
    return NotifyPolicy.NEWS


def read_priority(filing: Filing, policy: NotifyPolicy, rules: Sequence[Rule]) -> int:
    """Where a recorded filing waits in the read queue: 0 — news whose declared items
    already match a rule (it will notify); 1 — other news, or news of unknown items;
    2 — history and baseline (read for the record, never urgent)."""
    if not policy.may_notify:
        return 2
    for rule in rules:
        if _form_matches(filing.form, rule.forms) and set(filing.items) & set(rule.items):
            return 0
    return 1


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


@dataclass(frozen=True)
class PartyWatch:
    """Why a filing no watched company is on may notify: for each item, the `watch.parties`
    names that are a party to an agreement it describes (never the registrant, never a
    name merely mentioned in the text)."""

    by_item: Mapping[str, tuple[str, ...]]

    @property
    def names(self) -> tuple[str, ...]:
        """Every watched name found, once, in item order: "party watch: SICOR"."""
        return tuple(dict.fromkeys(n for names in self.by_item.values() for n in names))

    def holds_for(self, number: str) -> bool:
        return bool(self.by_item.get(number))


def party_watch(watched: Sequence[str], items: Iterable[Item]) -> PartyWatch:
    """The counterparty watch's verdict on a read filing's items."""
    found = {item.number: watched_parties(watched, item.agreements) for item in items}
    return PartyWatch({number: names for number, names in found.items() if names})


def notifications_for(
    filing: Filing,
    items: Iterable[str],
    rules: Sequence[Rule],
    channels: Sequence[str],
    ticker_ciks: Mapping[str, int] | None = None,
    *,
    parties: PartyWatch | None = None,
) -> list[NewNotification]:
    """The outbox rows a `news` filing reporting `items` calls for (the second table).

    `parties`: the filing is on no watched company's list (it was recorded for the
    counterparty watch), so a rule triggers only on items whose agreements name a
    watched party; None: a watched company is on it, the rules alone decide."""
    reported = list(dict.fromkeys(items))
    rows: list[NewNotification] = []
    for rule in rules:
        if not _form_matches(filing.form, rule.forms) or not _company_matches(
            filing, rule, ticker_ciks or {}
        ):
            continue
        triggered = tuple(n for n in reported if n in rule.items)
        if parties is not None:
            triggered = tuple(n for n in triggered if parties.holds_for(n))
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
