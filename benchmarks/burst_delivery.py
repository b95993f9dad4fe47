"""Burst delivery: 50 notifications due at once on one channel, per channel kind.

Each run: a database with 50 pending Item 1.01 notifications for one channel,
the real Dispatcher with its long-lived worker (`start`, then one `wake`, as
the daemon does when a poll queues rows), and the channel's loopback server
enforcing the service's rate limit:

* slack   — 1 message/s per webhook (api.slack.com/docs/rate-limits), 429 + Retry-After;
* teams   — 4 requests/s (the connector limit, MicrosoftDocs/msteams-docs#7425;
            unconfirmed for Workflows), 429 + Retry-After;
* discord — 5 requests per 2 s per webhook (observed), bucket headers, 429 + retry_after;
* webhook — none (your receiver);
* email   — none (aiosmtpd; relays differ).

Modes: `one by one` (coalesce_above = 0: pacing alone), `default` (pacing
and coalescing as shipped), and, for Slack, `unpaced` (min_interval 0, no
coalescing: the dispatcher before pacing). Printed per run: messages the
service accepted, 429s it answered, and the time from the wake to the first
and to the last filing delivered (every row sent).

    python benchmarks/burst_delivery.py [--filings 50] [--kinds slack,teams,…]
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from edgarwatch.notifiers.base import Notifier  # noqa: E402
from edgarwatch.notifiers.discord import DiscordNotifier, DiscordSettings  # noqa: E402
from edgarwatch.notifiers.dispatch import Dispatcher  # noqa: E402
from edgarwatch.notifiers.email import EmailNotifier  # noqa: E402
from edgarwatch.notifiers.email_settings import EmailSettings  # noqa: E402
from edgarwatch.notifiers.slack import SlackNotifier, SlackSettings  # noqa: E402
from edgarwatch.notifiers.teams import TeamsNotifier, TeamsSettings  # noqa: E402
from edgarwatch.notifiers.webhook import WebhookNotifier, WebhookSettings  # noqa: E402
from edgarwatch.policy import NotifySettings  # noqa: E402
from edgarwatch.secrets import Secret  # noqa: E402
from edgarwatch.storage import Storage  # noqa: E402
from tests.servers.discord_receiver import DiscordReceiver  # noqa: E402
from tests.servers.slack_receiver import HttpReceiver, SlackReceiver  # noqa: E402
from tests.servers.smtp import SmtpServer  # noqa: E402
from tests.servers.teams_receiver import TeamsReceiver  # noqa: E402
from tests.test_dispatch import queue  # noqa: E402

KINDS = ("slack", "teams", "discord", "webhook", "email")


@dataclass
class Run:
    kind: str
    mode: str
    messages: int
    throttled: int
    first: float | None
    last: float | None
    sent_rows: int


@dataclass
class Target:
    """A started loopback server: how to build the channel, count its messages and 429s."""

    build: Callable[[float | None, int | None], Notifier]
    delivered: Callable[[], int]
    throttled: Callable[[], int]


@contextmanager
def target(kind: str) -> Iterator[Target]:
    """The loopback server of `kind`, enforcing the service's rate limit."""
    if kind == "email":
        with SmtpServer() as smtp:

            def email(interval: float | None, coalesce: int | None) -> Notifier:
                settings = EmailSettings(
                    name=kind,
                    host=smtp.host,
                    port=smtp.port,
                    sender="edgarwatch@example.com",
                    recipients=("bd-team@example.com",),
                    security="none",
                    min_interval_seconds=0.0 if interval is None else interval,
                    coalesce_above=10 if coalesce is None else coalesce,
                )
                return EmailNotifier(settings)

            yield Target(email, lambda: len(smtp.messages), lambda: 0)
        return
    servers: dict[str, Callable[[], HttpReceiver]] = {
        "slack": lambda: SlackReceiver(rate_limit=1.0),
        "teams": lambda: TeamsReceiver(rate_limit=4.0),
        "discord": lambda: DiscordReceiver(limit=5, per=2.0),
        "webhook": HttpReceiver,
    }
    with servers[kind]() as server:

        def build(interval: float | None, coalesce: int | None) -> Notifier:
            url, extra = Secret(server.url), {}
            if interval is not None:
                extra["min_interval_seconds"] = interval
            if coalesce is not None and kind != "webhook":
                extra["coalesce_above"] = coalesce
            if kind == "slack":
                return SlackNotifier(SlackSettings(name=kind, webhook_url=url, **extra))  # type: ignore[arg-type]
            if kind == "teams":
                return TeamsNotifier(TeamsSettings(name=kind, webhook_url=url, **extra))  # type: ignore[arg-type]
            if kind == "discord":
                return DiscordNotifier(DiscordSettings(name=kind, webhook_url=url, **extra))  # type: ignore[arg-type]
            return WebhookNotifier(WebhookSettings(name=kind, url=url, **extra))  # type: ignore[arg-type]

        yield Target(build, lambda: server.delivered, lambda: getattr(server, "throttled", 0))


def burst(kind: str, mode: str, filings: int, timeout: float) -> Run:
    interval, coalesce = {"default": (None, None), "one by one": (None, 0), "unpaced": (0.0, 0)}[
        mode
    ]
    with target(kind) as found, tempfile.TemporaryDirectory() as scratch:
        storage = Storage.open(Path(scratch) / "edgarwatch.db")
        queue(storage, [kind], count=filings)
        notifier = found.build(interval, coalesce)
        settings = NotifySettings(dispatch_seconds=60)
        dispatcher = Dispatcher(storage, {kind: notifier}, settings, "bench:1")
        times: list[float] = []
        done = threading.Event()

        def watch(started: float) -> None:
            seen = 0
            while not done.is_set():
                now = found.delivered()
                if now > seen:
                    times.extend([time.monotonic() - started] * (now - seen))
                    seen = now
                time.sleep(0.002)

        dispatcher.start()
        started = time.monotonic()
        watcher = threading.Thread(target=watch, args=(started,), daemon=True)
        watcher.start()
        dispatcher.wake()
        deadline = started + timeout
        sent = 0
        while time.monotonic() < deadline:
            sent = storage.outbox.counts(started_at())["sent_today"]
            if sent >= filings:
                break
            time.sleep(0.05)
        last_row = time.monotonic() - started
        dispatcher.stop(2.0)
        done.set()
        watcher.join()
        notifier.close()
        storage.close()
    return Run(
        kind,
        mode,
        messages=found.delivered(),
        throttled=found.throttled(),
        first=times[0] if times else None,
        last=last_row if sent >= filings else None,
        sent_rows=sent,
    )


def started_at() -> datetime:
    return datetime.now(UTC) - timedelta(days=1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--filings", type=int, default=50)
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--timeout", type=float, default=180.0)
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # the 429s of the unpaced run are the point, not noise
    runs = []
    for kind in args.kinds.split(","):
        modes = ["unpaced"] if kind == "slack" else []
        modes += ["one by one", "default"]
        for mode in modes:
            run = burst(kind, mode, args.filings, args.timeout)
            runs.append(run)
            print(_row(run), flush=True)
    print()
    print(
        f"| channel | mode | messages accepted | 429s | first delivered | all {args.filings} delivered |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for run in runs:
        print(_row(run))
    return 0


def _row(run: Run) -> str:
    first = f"{run.first:.2f} s" if run.first is not None else "-"
    last = f"{run.last:.1f} s" if run.last is not None else f"not all ({run.sent_rows})"
    return f"| {run.kind} | {run.mode} | {run.messages} | {run.throttled} | {first} | {last} |"


if __name__ == "__main__":
    raise SystemExit(main())
