"""The dispatcher: sends due outbox rows through their channels.

Two ways to run it, one delivery logic:

* `start()` / `wake()` / `stop(timeout)` — the daemon's way: one long-lived
  worker thread per configured channel (`ChannelWorker`). A worker sleeps
  until it is woken (`wake`: rows were queued), its next row falls due (a
  retry time), or `notify.dispatch_seconds` pass, whichever comes first; then
  it serves its channel. A slow channel (8 s per post) is that channel's
  delay only: nothing else waits for it, least of all the poll.
* `dispatch()` — one synchronous pass over every channel with due rows, each
  in its own thread, for `edgarwatch poll`, `test-notify` and tests.

Serving a channel (`serve`) takes its due rows oldest first, one at a time,
under the channel's lock (never two sends on one channel at once in this
process, so its order holds), waiting before each send for the channel's
pacer (`pacing.py`: its minimum interval, a 429's Retry-After, Discord's
rate-limit headers). When more than the channel's `coalesce_above` rows are
due at once, they go out as summaries of up to `summary_capacity` filings
(`summary.py`), balanced (50 due, room for 40: two summaries of 25). Rows
queued from what EDGAR declared and still waiting for their filing's read
(`waits_for_read`) count towards a burst and go in its summaries at once (a
summary carries no item text); outside a burst they wait for the read, so a
lone filing's message has its text and deal terms.
Outcomes per row:

* accepted → `sent` (only after the channel said so: at-least-once);
* `NotifierError(permanent=True)` → `dead` at once, error recorded; the
  channel goes on with its next row;
* transient → retried after exponential backoff with full jitter, or exactly
  after the service's Retry-After (the channel pauses as long, so the row is
  first again when it resumes); the channel's turn ends there; `dead` once the
  row is older than `notify.give_up_hours` (counted from a manual retry, if any);
* `RecipientsRefused` (email) → the refused recipients are retried alone
  (4xx) or recorded as refused for good (5xx); the others never get it twice.

A summary the channel refuses for good (its own payload, say) is not the
rows' fault: the rows are given back and sent one by one, and this process
stops coalescing on that channel. Dead rows are logged at error level and
shown by `edgarwatch status` and `edgarwatch notifications`. Every outcome is
counted per channel in the metrics (`edgarwatch.metrics`), and each sent row's
latency from EDGAR's acceptance (digests and alarms, below, are counted apart).

Digests and alarms (the `messages` table, `storage/messages.py`) go through
the same workers: a channel's due messages are sent first, one at a time,
paced like the rest, by `Notifier.send_message`, with the same outcomes —
sent only once accepted, dead at once when refused for good, retried with
backoff until `notify.give_up_hours` otherwise — and never coalesced. An
email message some recipients refused is sent for the others (the refusal is
kept in `last_error`).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from edgarwatch.backoff import retry_delay
from edgarwatch.filing import FilingReport
from edgarwatch.metrics import NO_METRICS, Instruments
from edgarwatch.notifiers.base import Delivery, Notifier, NotifierError, RecipientsRefused
from edgarwatch.notifiers.message import Message
from edgarwatch.notifiers.summary import Burst
from edgarwatch.policy import NotifySettings
from edgarwatch.secrets import redact
from edgarwatch.storage import MessageRow, OutboxRow, Storage
from edgarwatch.storage.timefmt import utc_now

logger = logging.getLogger(__name__)

RETRY_BASE_SECONDS = 10.0
MIN_RETRY_SECONDS = 1.0
"""No retry sooner than this (a Retry-After of 0, a jitter of 0.2 s): never a busy loop
against a refusing service, and always a later second (times are stored to the second)."""
IDLE_FLOOR_SECONDS = 0.05
SLICE_SECONDS = 0.1
"""How often a paced wait looks at the stop flags."""


@dataclass
class DispatchResult:
    sent: int = 0
    retried: int = 0
    dead: int = 0
    summaries: int = 0
    errors: dict[str, str] = field(default_factory=dict)

    def add(self, other: DispatchResult) -> None:
        self.sent += other.sent
        self.retried += other.retried
        self.dead += other.dead
        self.summaries += other.summaries
        self.errors.update(other.errors)


class Dispatcher:
    """Delivers outbox rows: `dispatch()` once, or `start()` workers that keep doing it."""

    def __init__(
        self,
        storage: Storage,
        notifiers: dict[str, Notifier],
        settings: NotifySettings,
        owner: str,
        *,
        stop: threading.Event | None = None,
        clock: Callable[[], datetime] = utc_now,
        metrics: Instruments = NO_METRICS,
    ) -> None:
        self.storage = storage
        self.metrics = metrics
        self.notifiers = notifiers
        self.settings = settings
        self.owner = owner
        self.stopping = stop or threading.Event()
        """The daemon's stop flag: set, no new send starts."""
        self.clock = clock
        self._halt = threading.Event()
        self._locks = {name: threading.Lock() for name in notifiers}
        self._held: dict[str, list[OutboxRow]] = {name: [] for name in notifiers}
        self._held_messages: dict[str, list[MessageRow]] = {name: [] for name in notifiers}
        self._held_lock = threading.Lock()
        self._workers: dict[str, ChannelWorker] = {}
        self._no_summaries: set[str] = set()

    @property
    def halted(self) -> bool:
        return self._halt.is_set() or self.stopping.is_set()

    # -- one pass --------------------------------------------------------------
    def dispatch(self) -> DispatchResult:
        """One synchronous pass over every channel with due rows."""
        now = self.clock()
        due = self.storage.outbox.due_channels(now) + self.storage.messages.due_channels(now)
        channels = list(dict.fromkeys(due))
        result = DispatchResult()
        for channel in [c for c in channels if c not in self.notifiers]:
            result.add(self._bury(channel))
        configured = [c for c in channels if c in self.notifiers]
        if not configured:
            return result
        with ThreadPoolExecutor(max_workers=len(configured), thread_name_prefix="dispatch") as pool:
            for outcome in pool.map(self.serve, configured):
                result.add(outcome)
        return result

    # -- long-lived workers ----------------------------------------------------
    def start(self) -> None:
        """Start one worker thread per configured channel (again after `stop`)."""
        if self._workers:
            return
        self._halt.clear()
        now = self.clock()
        due = self.storage.outbox.due_channels(now) + self.storage.messages.due_channels(now)
        for channel in dict.fromkeys(due):
            if channel not in self.notifiers:
                self._bury(channel)
        for channel in self.notifiers:
            worker = ChannelWorker(self, channel)
            self._workers[channel] = worker
            worker.start()

    def wake(self, channels: Iterable[str] | None = None) -> None:
        """Rows were queued for `channels` (None: any): their workers look now.

        Never blocks; callable from any thread; names without a worker are ignored.
        """
        workers = self._workers
        for name in list(workers) if channels is None else channels:
            worker = workers.get(name)
            if worker is not None:
                worker.wake()

    def stop(self, timeout: float) -> bool:
        """Finish the rows in flight, give back every claim this dispatcher holds, join.

        Returns within `timeout` seconds whatever a channel is doing; True when
        every worker ended. A send still running then is not cut off: its row is
        given back (sent again by the next start if the process ends first —
        at-least-once), and marked sent if the send completes after all.
        """
        deadline = time.monotonic() + max(0.0, timeout)
        self._halt.set()
        workers = list(self._workers.values())
        for worker in workers:
            worker.wake()
        margin = min(0.25, max(0.0, timeout) / 4)
        for worker in workers:
            worker.join(max(0.0, deadline - margin - time.monotonic()))
        finished = not any(worker.is_alive() for worker in workers)
        released = self._give_back_held()
        if released:
            logger.info("dispatcher stopped: gave back %d claimed notification(s)", released)
        self._workers = {}
        return finished

    def idle_seconds(self, channel: str) -> float:
        """How long a worker may sleep: until its next row is due (a retry time), its
        pacer allows, or `notify.dispatch_seconds`, whichever comes first."""
        wait = float(self.settings.dispatch_seconds)
        for due in (self.storage.outbox.next_due(channel), self.storage.messages.next_due(channel)):
            if due is not None:
                wait = min(wait, (due - self.clock()).total_seconds())
        notifier = self.notifiers.get(channel)
        paced = notifier.pacer.wait() if notifier is not None else 0.0
        return max(wait, paced, IDLE_FLOOR_SECONDS)

    # -- serving one channel -----------------------------------------------------
    def serve(self, channel: str) -> DispatchResult:
        """One turn of one channel: its due rows oldest first, until none is due, one
        fails transiently (the channel then waits), or the dispatcher halts."""
        result = DispatchResult()
        notifier = self.notifiers[channel]
        with self._locks[channel]:
            coalescing = False
            while not self.halted:
                messages = self.storage.messages.due_count(channel, self.clock())
                due, size = self._due(notifier, coalescing)
                if not (messages or due or size) or not self._paced(notifier):
                    break
                if messages:
                    go_on = self._message(notifier, result)
                    if not go_on:
                        break
                    continue
                due, size = self._due(notifier, coalescing)  # it grew while paced, maybe
                if size:
                    coalescing = True
                    go_on = self._summarise(notifier, size, result)
                elif not due:
                    break
                else:
                    rows = self._claim(channel, 1)
                    if not rows:
                        break
                    go_on = self._deliver(notifier, rows[0], result)
                if not go_on:
                    break
        return result

    def _due(self, notifier: Notifier, coalescing: bool) -> tuple[int, int]:
        """Rows due now, and the size of the next summary (0: none; a burst counts the
        rows waiting for their filing's read too)."""
        now = self.clock()
        due = self.storage.outbox.due_count(notifier.name, now)
        burst = due
        if notifier.summary_capacity and notifier.coalesce_above:
            burst += self.storage.outbox.waiting_count(notifier.name, now)
        return due, self._summary_size(notifier, burst, coalescing)

    def _summary_size(self, notifier: Notifier, due: int, coalescing: bool) -> int:
        """Rows for the next summary, 0 to send one by one (see the module docstring)."""
        capacity, above = notifier.summary_capacity, notifier.coalesce_above
        if not capacity or not above or notifier.name in self._no_summaries:
            return 0
        if due < 2 or (due <= above and not coalescing):
            return 0
        return math.ceil(due / math.ceil(due / capacity))

    def _paced(self, notifier: Notifier) -> bool:
        """Wait until the channel may send; False when halted meanwhile."""
        while not self.halted:
            wait = notifier.pacer.wait()
            if wait <= 0:
                return True
            self._halt.wait(min(wait, SLICE_SECONDS))
        return False

    def _claim(self, channel: str, limit: int, *, waiting: bool = False) -> list[OutboxRow]:
        rows = self.storage.outbox.claim_due(
            self.clock(), self.owner, channel=channel, limit=limit, waiting=waiting
        )
        with self._held_lock:
            self._held[channel].extend(rows)
        return rows

    def _settled(self, row: OutboxRow) -> None:
        with self._held_lock:
            held = self._held.get(row.channel, [])
            if row in held:
                held.remove(row)

    def _give_back_held(self) -> int:
        with self._held_lock:
            rows = [row for held in self._held.values() for row in held]
            messages = [row for held in self._held_messages.values() for row in held]
            for held in self._held.values():
                held.clear()
            for held_messages in self._held_messages.values():
                held_messages.clear()
        released = 0
        try:
            if rows:
                released += self.storage.outbox.release_held(rows, self.owner)
            if messages:
                released += self.storage.messages.release_held(messages, self.owner)
        except Exception:  # noqa: BLE001 - on the way out; the claims' lease frees them
            logger.warning("could not give back %d claimed row(s)", len(rows) + len(messages))
        return released

    # -- one row -------------------------------------------------------------------
    def _deliver(self, notifier: Notifier, row: OutboxRow, result: DispatchResult) -> bool:
        """Send one row; False when the channel should wait before its next row."""
        report = self.storage.filings.report(row.accession)
        if report is None:
            self._dead(row, f"filing {row.accession} is not in the database", result)
            return True
        delivery = Delivery(
            row.delivery_id, row.channel, row.rule, row.items, row.attempts + 1, row.recipients
        )
        try:
            notifier.send(report, delivery)
        except NotifierError as exc:
            return self._failed(notifier, [row], exc, result)
        except Exception as exc:  # a bug in a channel must not stop the others
            logger.exception("channel %s failed unexpectedly", row.channel)
            return self._failed(notifier, [row], _unexpected(exc), result)
        finally:
            notifier.pacer.sent()
        sent_at = self.clock()
        self.storage.outbox.mark_sent(row, sent_at)
        self._settled(row)
        result.sent += 1
        self._count_sent(row.channel, report, sent_at)
        logger.info(
            "sent %s %s (items %s) to %s",
            report.filing.company,
            row.accession,
            ",".join(row.items),
            row.channel,
        )
        return True

    # -- a summary -------------------------------------------------------------------
    def _summarise(self, notifier: Notifier, size: int, result: DispatchResult) -> bool:
        """Send up to `size` due rows as one summary; False when the channel should wait."""
        rows = self._claim(notifier.name, size, waiting=True)
        entries, covered, alone = [], [], []
        for row in rows:
            if row.recipients is not None:  # a retry for some recipients only: on its own
                alone.append(row)
                continue
            report = self.storage.filings.report(row.accession)
            if report is None:
                self._dead(row, f"filing {row.accession} is not in the database", result)
                continue
            delivery = Delivery(row.delivery_id, row.channel, row.rule, row.items, row.attempts + 1)
            entries.append((report, delivery))
            covered.append(row)
        go_on = self._summary(notifier, entries, covered, result) if entries else True
        for index, row in enumerate(alone):
            if not go_on or self.halted:
                self.storage.outbox.release_held(alone[index:], self.owner)
                for rest in alone[index:]:
                    self._settled(rest)
                break
            go_on = self._paced(notifier) and self._deliver(notifier, row, result)
        return go_on

    def _summary(
        self,
        notifier: Notifier,
        entries: list[tuple[FilingReport, Delivery]],
        covered: list[OutboxRow],
        result: DispatchResult,
    ) -> bool:
        burst = Burst(notifier.name, tuple(entries))
        try:
            notifier.send_summary(burst)
        except NotifierError as exc:
            if exc.permanent:
                return self._one_by_one(notifier, covered, exc.message)
            return self._failed(notifier, covered, exc, result)
        except Exception as exc:  # a summary bug must not cost the rows
            logger.exception("channel %s failed to send a summary", notifier.name)
            return self._one_by_one(notifier, covered, _unexpected(exc).message)
        finally:
            notifier.pacer.sent()
        now = self.clock()
        for row, (report, _) in zip(covered, entries, strict=True):
            self.storage.outbox.mark_sent(row, now)
            self._settled(row)
            self._count_sent(row.channel, report, now)
        result.sent += len(covered)
        result.summaries += 1
        logger.info(
            "sent a summary of %d filings to %s (%s)",
            len(covered),
            notifier.name,
            ", ".join(row.accession for row in covered),
        )
        return True

    def _one_by_one(self, notifier: Notifier, rows: list[OutboxRow], error: str) -> bool:
        """A summary refused for good: the rows go back, to be sent one by one."""
        self._no_summaries.add(notifier.name)
        self.storage.outbox.release_held(rows, self.owner)
        for row in rows:
            self._settled(row)
        logger.error(
            "channel %s refused a summary (%s); sending its %d notification(s) one by one",
            notifier.name,
            error,
            len(rows),
        )
        return True

    # -- failures ---------------------------------------------------------------------
    def _failed(
        self, notifier: Notifier, rows: list[OutboxRow], exc: NotifierError, result: DispatchResult
    ) -> bool:
        """Record a refusal for every row it covers; True when the channel may go on."""
        result.errors[notifier.name] = exc.message
        now = self.clock()
        if exc.retry_after is not None:
            notifier.pacer.pause(exc.retry_after)
        give_up = timedelta(hours=self.settings.give_up_hours)
        first_delay: float | None = None
        for row in rows:
            self._settled(row)
            started = row.requeued_at or row.created_at
            if isinstance(exc, RecipientsRefused):
                delay = self._some_refused(row, exc, now, now - started >= give_up, result)
                first_delay = delay if first_delay is None else first_delay
            elif exc.permanent:
                self._dead(row, exc.message, result)
            elif now - started >= give_up:
                why = f"gave up after {self.settings.give_up_hours:g} h: {exc.message}"
                self._dead(row, why, result)
            else:
                delay = self._retry(row, exc, now, result)
                first_delay = delay if first_delay is None else first_delay
        if first_delay is not None and exc.retry_after is None:
            notifier.pacer.pause(min(first_delay, float(self.settings.dispatch_seconds)))
        return exc.permanent

    def _delay(self, row: OutboxRow | MessageRow, exc: NotifierError) -> float:
        if exc.retry_after is not None:
            delay = exc.retry_after
        else:
            delay = retry_delay(
                row.attempts + 1, base=RETRY_BASE_SECONDS, cap=self.settings.max_backoff_seconds
            )
        return max(delay, MIN_RETRY_SECONDS)

    def _some_refused(
        self,
        row: OutboxRow,
        exc: RecipientsRefused,
        now: datetime,
        too_old: bool,
        result: DispatchResult,
    ) -> float | None:
        """Recipients refused for now are retried alone; those refused for good are kept
        on the row, which is `dead` once nobody is left pending (see Outbox)."""
        delivered_at = now if exc.delivered else None
        if exc.pending and not too_old:
            delay = self._delay(row, exc)
            self.storage.outbox.mark_recipients(
                row,
                pending=exc.pending,
                refused=exc.refused,
                error=exc.message,
                retry_at=now + timedelta(seconds=delay),
                delivered_at=delivered_at,
            )
            result.retried += 1
            self.metrics.notification(row.channel, "retry")
            logger.warning(
                "channel %s: %s; retrying %s alone",
                row.channel,
                exc.message,
                ", ".join(exc.pending),
            )
            return delay
        error = exc.message
        if exc.pending:
            error = f"gave up after {self.settings.give_up_hours:g} h: {error}"
        self.storage.outbox.mark_recipients(
            row,
            pending=exc.pending,
            refused=exc.refused,
            error=error,
            retry_at=None,
            delivered_at=delivered_at,
        )
        result.dead += 1
        self.metrics.notification(row.channel, "dead")
        logger.error(
            "notification of %s to channel %s is dead for some recipients (rule %s): %s",
            row.accession,
            row.channel,
            row.rule,
            error,
        )
        return None

    def _retry(
        self, row: OutboxRow, exc: NotifierError, now: datetime, result: DispatchResult
    ) -> float:
        attempt = row.attempts + 1
        delay = self._delay(row, exc)
        retry_at = now + timedelta(seconds=delay)
        self.storage.outbox.mark_retry(row, exc.message, retry_at)
        result.retried += 1
        self.metrics.notification(row.channel, "retry")
        logger.log(
            logging.ERROR if exc.alert else logging.WARNING,
            "channel %s did not take %s (%s); attempt %d, retry at %s",
            row.channel,
            row.accession,
            exc.message,
            attempt,
            retry_at.isoformat(timespec="seconds"),
        )
        return delay

    def _count_sent(self, channel: str, report: FilingReport, sent_at: datetime) -> None:
        accepted = report.filing.accepted_at
        latency = None if accepted is None else (sent_at - accepted).total_seconds()
        self.metrics.notification(channel, "sent", latency)

    def _bury(self, channel: str) -> DispatchResult:
        """Rows of a channel no longer configured: dead, saying so."""
        result = DispatchResult()
        why = f"channel {channel!r} is no longer configured"
        while rows := self.storage.outbox.claim_due(
            self.clock(), self.owner, channel=channel, limit=100
        ):
            for row in rows:
                self._dead(row, why, result)
        while messages := self.storage.messages.claim_due(
            self.clock(), self.owner, channel=channel, limit=100
        ):
            for message in messages:
                self._message_dead(message, why, result)
        return result

    def _dead(self, row: OutboxRow, error: str, result: DispatchResult) -> None:
        self.storage.outbox.mark_dead(row, error)
        self._settled(row)
        result.dead += 1
        self.metrics.notification(row.channel, "dead")
        logger.error(
            "notification of %s to channel %s is dead (rule %s): %s",
            row.accession,
            row.channel,
            row.rule,
            error,
        )

    # -- digests and alarms ------------------------------------------------------------
    def _message(self, notifier: Notifier, result: DispatchResult) -> bool:
        """Claim and send the channel's oldest due message; False when the channel should
        wait before its next row."""
        rows = self.storage.messages.claim_due(self.clock(), self.owner, channel=notifier.name)
        if not rows:
            return True
        row = rows[0]
        with self._held_lock:
            self._held_messages[row.channel].append(row)
        try:
            message = Message.from_json(row.content)
        except (ValueError, KeyError, TypeError) as exc:
            self._message_dead(row, f"the stored message cannot be read ({exc})", result)
            return True
        delivery = Delivery(row.delivery_id, row.channel, row.kind, (), row.attempts + 1)
        note = None
        try:
            notifier.send_message(message, delivery)
        except RecipientsRefused as exc:
            if not exc.delivered:
                return self._message_failed(notifier, row, exc, result)
            note = exc.message  # the others have it: sent, the refusal kept
        except NotifierError as exc:
            return self._message_failed(notifier, row, exc, result)
        except Exception as exc:  # a bug in a channel must not stop the others
            logger.exception("channel %s failed unexpectedly", row.channel)
            return self._message_failed(notifier, row, _unexpected(exc), result)
        finally:
            notifier.pacer.sent()
        self.storage.messages.mark_sent(row, self.clock(), note)
        self._settled_message(row)
        result.sent += 1
        self.metrics.message(row.channel, row.kind, "sent")
        logger.info("sent the %s %s to %s", row.kind, row.key, row.channel)
        return True

    def _message_failed(
        self, notifier: Notifier, row: MessageRow, exc: NotifierError, result: DispatchResult
    ) -> bool:
        result.errors[notifier.name] = exc.message
        now = self.clock()
        if exc.retry_after is not None:
            notifier.pacer.pause(exc.retry_after)
        if exc.permanent:
            self._message_dead(row, exc.message, result)
            return True
        if now - row.created_at >= timedelta(hours=self.settings.give_up_hours):
            why = f"gave up after {self.settings.give_up_hours:g} h: {exc.message}"
            self._message_dead(row, why, result)
            return False
        delay = self._delay(row, exc)
        retry_at = now + timedelta(seconds=delay)
        self.storage.messages.mark_retry(row, exc.message, retry_at)
        self._settled_message(row)
        result.retried += 1
        self.metrics.message(row.channel, row.kind, "retry")
        if exc.retry_after is None:
            notifier.pacer.pause(min(delay, float(self.settings.dispatch_seconds)))
        logger.log(
            logging.ERROR if exc.alert or row.kind == "alarm" else logging.WARNING,
            "channel %s did not take the %s %s (%s); attempt %d, retry at %s",
            row.channel,
            row.kind,
            row.key,
            exc.message,
            row.attempts + 1,
            retry_at.isoformat(timespec="seconds"),
        )
        return False

    def _message_dead(self, row: MessageRow, error: str, result: DispatchResult) -> None:
        self.storage.messages.mark_dead(row, error)
        self._settled_message(row)
        result.dead += 1
        self.metrics.message(row.channel, row.kind, "dead")
        logger.error("the %s %s to channel %s is dead: %s", row.kind, row.key, row.channel, error)

    def _settled_message(self, row: MessageRow) -> None:
        with self._held_lock:
            held = self._held_messages.get(row.channel, [])
            if row in held:
                held.remove(row)


def _unexpected(exc: Exception) -> NotifierError:
    return NotifierError(redact(f"{type(exc).__name__}: {exc}"))


class ChannelWorker(threading.Thread):
    """Serves one channel for as long as the dispatcher runs (see the module docstring)."""

    def __init__(self, dispatcher: Dispatcher, channel: str) -> None:
        super().__init__(name=f"dispatch-{channel}", daemon=True)
        self.dispatcher = dispatcher
        self.channel = channel
        self._woken = threading.Event()

    def wake(self) -> None:
        self._woken.set()

    def run(self) -> None:
        dispatcher = self.dispatcher
        while not dispatcher.halted:
            self._woken.clear()  # a wake during the turn brings another turn at once
            try:
                dispatcher.serve(self.channel)
                idle = dispatcher.idle_seconds(self.channel)
            except Exception:  # the database, say: this channel tries again shortly
                logger.exception("dispatching to %s failed; trying again shortly", self.channel)
                idle = float(dispatcher.settings.dispatch_seconds)
            if not dispatcher.halted:
                self._woken.wait(idle)
