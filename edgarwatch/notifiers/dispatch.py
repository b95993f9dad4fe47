"""The dispatcher: sends due outbox rows through their channels.

Each channel is served by its own worker, so a slow or broken channel never
delays another. Within a channel, rows go oldest first; the first transient
failure ends that channel's turn (its other rows wait for the next cycle
rather than hammering a server that is down). Outcomes:

* accepted → `sent` (only after the channel said so: at-least-once);
* `NotifierError(permanent=True)` → `dead` at once, error recorded;
* transient → retried after exponential backoff with full jitter, never
  sooner than the channel's Retry-After; `dead` once the row is older than
  `notify.give_up_hours`.

Dead rows are logged at error level and shown by `edgarwatch status`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from edgarwatch.backoff import retry_delay
from edgarwatch.notifiers.base import Delivery, Notifier, NotifierError
from edgarwatch.policy import NotifySettings
from edgarwatch.secrets import redact
from edgarwatch.storage import OutboxRow, Storage
from edgarwatch.storage.timefmt import utc_now

logger = logging.getLogger(__name__)

RETRY_BASE_SECONDS = 10.0
BATCH = 20


@dataclass
class DispatchResult:
    sent: int = 0
    retried: int = 0
    dead: int = 0
    errors: dict[str, str] = field(default_factory=dict)

    def add(self, other: DispatchResult) -> None:
        self.sent += other.sent
        self.retried += other.retried
        self.dead += other.dead
        self.errors.update(other.errors)


class Dispatcher:
    def __init__(
        self,
        storage: Storage,
        notifiers: dict[str, Notifier],
        settings: NotifySettings,
        owner: str,
        *,
        stop: threading.Event | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.storage = storage
        self.notifiers = notifiers
        self.settings = settings
        self.owner = owner
        self.stop = stop or threading.Event()
        self.clock = clock

    def dispatch(self) -> DispatchResult:
        """One pass over every channel with due rows."""
        channels = self.storage.outbox.due_channels(self.clock())
        result = DispatchResult()
        if not channels:
            return result
        with ThreadPoolExecutor(max_workers=len(channels), thread_name_prefix="dispatch") as pool:
            for outcome in pool.map(self._serve_channel, channels):
                result.add(outcome)
        return result

    def _serve_channel(self, channel: str) -> DispatchResult:
        result = DispatchResult()
        notifier = self.notifiers.get(channel)
        while not self.stop.is_set():
            rows = self.storage.outbox.claim_due(
                self.clock(), self.owner, channel=channel, limit=BATCH
            )
            if not rows:
                break
            for index, row in enumerate(rows):
                if self.stop.is_set() or not self._deliver(notifier, row, result):
                    for rest in rows[index + 1 :]:
                        self.storage.outbox.release(rest)
                    return result
        return result

    def _deliver(self, notifier: Notifier | None, row: OutboxRow, result: DispatchResult) -> bool:
        """Send one row; False when the channel should not be tried again this cycle."""
        if notifier is None:
            self._dead(row, f"channel {row.channel!r} is no longer configured", result)
            return True
        report = self.storage.filings.report(row.accession)
        if report is None:
            self._dead(row, f"filing {row.accession} is not in the database", result)
            return True
        delivery = Delivery(row.delivery_id, row.channel, row.rule, row.items, row.attempts + 1)
        try:
            notifier.send(report, delivery)
        except NotifierError as exc:
            return self._failed(row, exc.message, exc.permanent, exc.retry_after, result, exc.alert)
        except Exception as exc:  # a bug in a channel must not stop the others
            logger.exception("channel %s failed unexpectedly", row.channel)
            return self._failed(row, redact(f"{type(exc).__name__}: {exc}"), False, None, result)
        self.storage.outbox.mark_sent(row, self.clock())
        result.sent += 1
        logger.info(
            "sent %s %s (items %s) to %s",
            report.filing.company,
            row.accession,
            ",".join(row.items),
            row.channel,
        )
        return True

    def _failed(
        self,
        row: OutboxRow,
        error: str,
        permanent: bool,
        retry_after: float | None,
        result: DispatchResult,
        alert: bool = False,
    ) -> bool:
        result.errors[row.channel] = error
        now = self.clock()
        too_old = now - row.created_at >= timedelta(hours=self.settings.give_up_hours)
        if permanent or too_old:
            why = (
                error if permanent else f"gave up after {self.settings.give_up_hours:g} h: {error}"
            )
            self._dead(row, why, result)
            return permanent
        attempt = row.attempts + 1
        delay = retry_delay(
            attempt,
            base=RETRY_BASE_SECONDS,
            cap=self.settings.max_backoff_seconds,
            retry_after=retry_after,
        )
        retry_at = now + timedelta(seconds=delay)
        self.storage.outbox.mark_retry(row, error, retry_at)
        result.retried += 1
        logger.log(
            logging.ERROR if alert else logging.WARNING,
            "channel %s did not take %s (%s); attempt %d, retry at %s",
            row.channel,
            row.accession,
            error,
            attempt,
            retry_at.isoformat(timespec="seconds"),
        )
        return False

    def _dead(self, row: OutboxRow, error: str, result: DispatchResult) -> None:
        self.storage.outbox.mark_dead(row, error)
        result.dead += 1
        logger.error(
            "notification of %s to channel %s is dead (rule %s): %s",
            row.accession,
            row.channel,
            row.rule,
            error,
        )
