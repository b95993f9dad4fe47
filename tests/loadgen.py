"""Load for the benchmarks and the tests that count requests: bursts of 8-Ks, the
daemon on EDGAR's business day, and what the replay's request log says about them.

* `burst` — a burst of 8-Ks from distinct companies, a share of them declaring
  Item 1.01 (interspersed in the feed's order), the rest other items;
* `business_day_env` — the environment that runs `edgarwatch run` on a chosen
  Eastern moment (filing hours, whenever the benchmark runs: see
  `tests/clockshift`), and `daemon_config`;
* `TimedSlackReceiver` — the loopback Slack webhook, timestamping each message
  on its own clock and saying which accessions each message names (a summary
  names several);
* request-log figures: document fetches per path (a duplicate is a path
  fetched more than once), the most requests in any one-second window, the
  gaps between polls.
"""

from __future__ import annotations

import itertools
import math
import random
import re
import threading
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from edgarwatch.replay.catalog import ReplayCompany, ReplayFiling
from edgarwatch.replay.server import Replay, RequestRecord
from tests.servers.slack_receiver import Received, Reply, SlackReceiver
from tests.support import USER_AGENT, company, eight_k

CLOCK_SHIFT = Path(__file__).resolve().parent / "clockshift"
ACCESSION_RE = re.compile(rb"\d{10}-\d{2}-\d{6}")
DEAL_ITEMS = ("1.01", "9.01")
OTHER_ITEMS: tuple[tuple[str, ...], ...] = (
    ("2.02", "9.01"),
    ("5.02",),
    ("8.01", "9.01"),
    ("7.01", "9.01"),
    ("5.07",),
    ("2.03", "9.01"),
)


def companies(count: int, first_cik: int = 1_000_001) -> list[ReplayCompany]:
    return [company(first_cik + n, f"BURST COMPANY {n:04d} INC") for n in range(count)]


@dataclass(frozen=True)
class Burst:
    """A burst's filings in publication order, and which of them declare Item 1.01."""

    filings: tuple[ReplayFiling, ...]
    deals: frozenset[str]
    """Accessions declaring Item 1.01."""

    @property
    def accessions(self) -> list[str]:
        return [f.accession for f in self.filings]


def burst(
    filers: Sequence[ReplayCompany],
    *,
    deals: int,
    seed: int,
    deal_filers: Sequence[ReplayCompany] | None = None,
) -> Burst:
    """One 8-K per company of `filers`; `deals` of them (from `deal_filers`, default
    any) declare Items 1.01 and 9.01, the others a mix of other items. Shuffled, so
    the deals are spread through the feed's order."""
    rng = random.Random(seed)
    pool = list(deal_filers if deal_filers is not None else filers)
    dealers = {c.cik for c in rng.sample(pool, deals)}
    filings = []
    for filer in filers:
        if filer.cik in dealers:
            items: dict[str, str] = {
                "1.01": f"On March 9, 2026, {filer.name} entered into a supply agreement "
                "with Contoso Ltd. for a term of three years.",
                "9.01": "Exhibit 10.1 Supply Agreement.",
            }
            filing = eight_k(filer, items, exhibits=[("EX-10.1", "ex10-1.htm", "SUPPLY AGREEMENT")])
        else:
            filing = eight_k(filer, list(rng.choice(OTHER_ITEMS)))
        filings.append(filing)
    rng.shuffle(filings)
    return Burst(tuple(filings), frozenset(f.accession for f in filings if f.filer.cik in dealers))


def publish_at_once(
    replay: Replay, filings: Iterable[ReplayFiling], *, accepted_over: float = 60.0
) -> tuple[datetime, float]:
    """Publish `filings` so that all reach the feed at one moment; their acceptance
    times are spread over the `accepted_over` seconds before it (in the given order).
    Returns that moment on the replay's clock and on the wall clock (`time.time()`)."""
    filings = list(filings)
    with replay.state.lock:  # no request is answered while the burst is half published
        visible = replay.now()
        wall = time.time()
        step = accepted_over / max(1, len(filings))
        for n, filing in enumerate(filings):
            accepted = visible - timedelta(seconds=accepted_over - n * step)
            replay.publish(filing, accepted, visible_at=visible)
    return visible, wall


# --------------------------------------------------------------------------- the daemon


def business_day_env(simulated_now: datetime) -> dict[str, str]:
    """Environment for `edgarwatch run` whose wall clock reads `simulated_now` now."""
    return {
        "PYTHONPATH": str(CLOCK_SHIFT),
        "EDGARWATCH_CLOCK_SHIFT_SECONDS": f"{simulated_now.timestamp() - time.time():.6f}",
    }


def daemon_config(
    path: Path,
    url: str,
    database: Path,
    *,
    interval: int,
    watch: str,
    rate: float,
    slack_url: str | None = None,
    poll: str = "",
    extra: str = "",
) -> Path:
    """A config.toml with the shipped defaults but for what a scenario sets (`poll`:
    more `[poll]` keys)."""
    slack = f'[slack]\nwebhook_url = "{slack_url}"\n' if slack_url else ""
    path.write_text(
        f'''[edgar]
user_agent = "{USER_AGENT}"
base_url = "{url}"
data_url = "{url}"
efts_url = "{url}"
requests_per_second = {rate:g}

[poll]
interval_seconds = {interval}
off_hours_interval_seconds = {interval}
{poll}
[storage]
path = "{database}"

[watch]
{watch}

{slack}
{extra}
''',
        encoding="utf-8",
    )
    return path


# --------------------------------------------------------------------------- Slack


@dataclass(frozen=True)
class Message:
    at: float
    """`time.time()` when the receiver had read it."""
    status: int
    accessions: frozenset[str]


class TimedSlackReceiver(SlackReceiver):
    """The loopback Slack webhook, at Slack's 1 message/s, timestamping every message."""

    def __init__(self) -> None:
        super().__init__(rate_limit=1.0)
        self.messages: list[Message] = []
        self._log_lock = threading.Lock()

    def answer(self, request: Received) -> Reply:
        arrived = time.time()
        reply = super().answer(request)
        named = frozenset(m.decode() for m in ACCESSION_RE.findall(request.body))
        with self._log_lock:
            self.messages.append(Message(arrived, reply.status, named))
        return reply

    def first_delivery(self) -> dict[str, float]:
        """Each accession's first accepted message (a summary counts for every one it names)."""
        first: dict[str, float] = {}
        with self._log_lock:
            for message in self.messages:
                if 200 <= message.status < 300:
                    for accession in message.accessions:
                        first.setdefault(accession, message.at)
        return first


# --------------------------------------------------------------------------- request log

ARCHIVE_RE = re.compile(r"^/Archives/edgar/data/\d+/(\d{18})/")


def document_fetches(
    requests: Iterable[RequestRecord], since: float = 0.0, until: float = float("inf")
) -> Counter[str]:
    """How often each filing document (index page, `.txt`, primary document) was
    fetched: path without query, answered 200, between `since` and `until`."""
    return Counter(
        r.path.split("?", 1)[0]
        for r in requests
        if since <= r.at < until and r.status == 200 and ARCHIVE_RE.match(r.path)
    )


def accession_of(path: str) -> str | None:
    match = ARCHIVE_RE.match(path)
    if match is None:
        return None
    digits = match.group(1)
    return f"{digits[:10]}-{digits[10:12]}-{digits[12:]}"


def duplicates(fetches: Counter[str]) -> dict[str, int]:
    """Paths fetched more than once, and how often."""
    return {path: n for path, n in fetches.items() if n > 1}


def max_per_window(moments: Sequence[float], window: float = 1.0) -> int:
    """The most moments in any half-open window of `window` seconds."""
    ordered = sorted(moments)
    best, first = 0, 0
    for last, moment in enumerate(ordered):
        while moment - ordered[first] >= window:
            first += 1
        best = max(best, last - first + 1)
    return best


def is_poll(record: RequestRecord) -> bool:
    """The poll's first request: the top of the 8-K feed, ten entries."""
    path = record.path
    return "action=getcurrent" in path and "count=10&" in path and "start=0&" in path


def poll_times(requests: Iterable[RequestRecord]) -> list[float]:
    return sorted(r.at for r in requests if is_poll(r))


def max_gap(moments: Sequence[float], since: float, until: float) -> float:
    """The longest wait between consecutive moments within [since, until] (both ends
    count as moments: a poll that never came is a gap up to `until`)."""
    inside = [since, *(m for m in moments if since < m < until), until]
    return max((b - a for a, b in itertools.pairwise(inside)), default=0.0)


def percentile(values: Sequence[float], p: float) -> float:
    """The nearest-rank percentile (p in 0–100) of `values` (0.0 when empty)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(len(ordered) * p / 100))
    return ordered[rank - 1]
