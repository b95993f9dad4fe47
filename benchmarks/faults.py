"""Fault benchmark: does any fault lose, repeat or delay a notification?

Each scenario injects one fault the issue on containing faults names, through
real protocols on loopback (the EDGAR replay, a Slack receiver, an SMTP
server), and counts per trial, by the accession each message names:

* lost — a filing that should have notified and never did;
* duplicated — messages beyond one per filing (at-least-once allows one per kill);
* delay — publication (or the fault's end) to the last expected message, seconds.

Scenarios: kill -9 of the real daemon while it polls, while it reads documents
and while it dispatches (then a restart); a poison filing whose read raises;
a first poll that dies while recording the baseline; a 200 that is a
maintenance page; an unwritable database; a slow channel beside a fast one.

    python benchmarks/faults.py [--trials 5] [--quick]

`--quick` (what CI runs) is one trial of each, fewer filings.
"""

from __future__ import annotations

import argparse
import io
import logging
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.crash_dispatch import received_accessions  # noqa: E402
from edgarwatch.daemon import enrich  # noqa: E402
from edgarwatch.daemon.cycles import Cycles  # noqa: E402
from edgarwatch.daemon.runtime import Runtime, build_runtime  # noqa: E402
from edgarwatch.edgar.paths import complete_submission_path  # noqa: E402
from edgarwatch.notifiers.console import ConsoleNotifier, ConsoleSettings  # noqa: E402
from edgarwatch.replay.server import Replay, ReplayServer  # noqa: E402
from edgarwatch.storage import Storage  # noqa: E402
from tests.process import Daemon, wait_until  # noqa: E402
from tests.servers.slack_receiver import SlackReceiver, slow  # noqa: E402
from tests.servers.smtp import SmtpServer  # noqa: E402
from tests.support import company, eight_k, settings_for, write_config  # noqa: E402

IMMUNOGEN = company(855654, "IMMUNOGEN INC", ticker="IMGN")
_ACCESSION = re.compile(r"\d{10}-\d{2}-\d{6}")


@dataclass(frozen=True)
class Trial:
    lost: int
    duplicated: int
    delay: float | None


# -- counting what arrived --------------------------------------------------------------


def outbox_counts(runtime: Runtime) -> Counter[str]:
    rows = runtime.storage.connections.query("SELECT accession FROM notifications")
    return Counter(str(row["accession"]) for row in rows)


def tally(expected: list[str], counts: Counter[str], delay: float | None) -> Trial:
    lost = sum(1 for a in expected if counts[a] == 0)
    duplicated = sum(counts[a] - 1 for a in expected if counts[a] > 1)
    return Trial(lost, duplicated, delay)


# -- the real daemon, killed --------------------------------------------------------------


def kill_trial(phase: str, filings: int, rng: random.Random) -> Trial:
    """Publish `filings` Item 1.01 8-Ks; kill -9 the daemon during `phase`; restart."""
    replay = Replay(rate_limit=1000)
    if phase == "reading documents":
        replay.make_slow("/Archives/", 0.25)  # reads take a while: the kill lands in one
    with (
        ReplayServer(replay) as edgar,
        SlackReceiver(default=slow(0.2 if phase == "dispatching" else 0.0)) as slack,
        tempfile.TemporaryDirectory(prefix="edgarwatch-faults-") as tmp,
    ):
        workdir = Path(tmp)
        database = workdir / "edgarwatch.db"
        config = write_config(
            workdir / "config.toml",
            edgar.url,
            database,
            extra=(
                f'[slack]\nwebhook_url = "{slack.url}"\nmin_interval_seconds = 0\n'
                "coalesce_above = 0\n\n[notify]\ndispatch_seconds = 1\n"
            ),
            watch="ciks = [855654]",
        )
        deals = [eight_k(IMMUNOGEN, {"1.01": f"Agreement number {n}."}) for n in range(filings)]
        with Daemon(config, workdir / "daemon.log") as daemon:
            wait_until(lambda: _baseline(database), timeout=30, why="the baseline poll")
            published = time.monotonic()
            for deal in deals:
                replay.publish(deal)
            if phase == "polling":
                time.sleep(rng.uniform(0.2, 1.5))
            elif phase == "reading documents":
                wait_until(lambda: bool(replay.requests("/Archives/")), timeout=20, why="a read")
                time.sleep(rng.uniform(0.0, 1.0))
            else:
                slack.wait_for(1, timeout=30)
                time.sleep(rng.uniform(0.0, 0.8))
            daemon.kill()
        with Daemon(config, workdir / "daemon-restarted.log") as daemon:
            expected = [d.accession for d in deals]
            wait_until(
                lambda: all(received_accessions(slack, _ACCESSION)[a] for a in expected),
                timeout=90,
                why="every notification after the restart",
            )
            delay = time.monotonic() - published
            time.sleep(1.5)  # a duplicate would arrive now
            daemon.terminate()
        return tally(expected, received_accessions(slack, _ACCESSION), delay)


def _baseline(database: Path) -> bool:
    from tests.process import database_value

    return bool(database_value(database, "SELECT value FROM state WHERE key = 'baseline_at'"))


def slow_channel_trial(filings: int) -> Trial:
    """Slack takes 8 s a post; email must not wait for it, nor the poll."""
    replay = Replay(rate_limit=1000)
    with (
        ReplayServer(replay) as edgar,
        SlackReceiver(default=slow(8.0)) as slack,
        SmtpServer() as smtp,
        tempfile.TemporaryDirectory(prefix="edgarwatch-faults-") as tmp,
    ):
        workdir = Path(tmp)
        database = workdir / "edgarwatch.db"
        extra = (
            f'[slack]\nwebhook_url = "{slack.url}"\ntimeout = 30\nmin_interval_seconds = 0\n'
            f'coalesce_above = 0\n\n[email]\nhost = "127.0.0.1"\nport = {smtp.port}\n'
            'security = "none"\nsender = "edgarwatch@acme.test"\n'
            'recipients = ["bd-team@acme.test"]\ncoalesce_above = 0\n\n'
            "[notify]\ndispatch_seconds = 1\n"
        )
        config = write_config(
            workdir / "config.toml", edgar.url, database, extra=extra, watch="ciks = [855654]"
        )
        deals = [eight_k(IMMUNOGEN, {"1.01": f"Agreement number {n}."}) for n in range(filings)]
        with Daemon(config, workdir / "daemon.log") as daemon:
            wait_until(lambda: _baseline(database), timeout=30, why="the baseline poll")
            published = time.monotonic()
            for deal in deals:
                replay.publish(deal)
            wait_until(lambda: len(smtp.messages) >= filings, timeout=60, why="the emails")
            delay = time.monotonic() - published
            daemon.terminate()
        counts: Counter[str] = Counter()
        for message in smtp.messages:
            counts.update(set(_ACCESSION.findall(message.raw.decode("utf-8", "replace"))))
        return tally([d.accession for d in deals], counts, delay)


# -- the daemon's cycles, in process ---------------------------------------------------------


@contextmanager
def cycles_on_replay(tmp: Path, **notify: object) -> Iterator[tuple[Replay, Cycles]]:
    replay = Replay(rate_limit=1000)
    with ReplayServer(replay) as edgar:
        settings = settings_for(
            edgar.url,
            tmp / "edgarwatch.db",
            watch={"ciks": [855654], "catch_up_days": 0},
            notify=notify,
        )
        runtime = build_runtime(
            settings,
            storage=Storage.open(settings.storage.path),
            notifiers={"console": ConsoleNotifier(ConsoleSettings(stream=io.StringIO()))},
        )
        try:
            yield replay, Cycles(runtime)
        finally:
            runtime.close()


def poison_trial(filings: int) -> Trial:
    """One filing's read raises what no one expected; the others must not wait for it."""
    with tempfile.TemporaryDirectory() as tmp, cycles_on_replay(Path(tmp)) as (replay, cycles):
        cycles.poll()
        deals = [eight_k(IMMUNOGEN, ["1.01"]) for _ in range(filings)]
        for deal in deals:
            replay.publish(deal)
        bad = deals[0].accession
        real = getattr(enrich, "read_filing")  # noqa: B009 - patched below, then restored

        def read(client: object, filing: object) -> object:
            if getattr(filing, "accession", None) == bad:
                raise RuntimeError("a parser bug")
            return real(client, filing)

        setattr(enrich, "read_filing", read)  # noqa: B010 - no protocol raises "any exception"
        try:
            started = time.monotonic()
            cycles.poll()
            cycles.read()
            delay = time.monotonic() - started
        finally:
            setattr(enrich, "read_filing", real)  # noqa: B010
        counts = outbox_counts(cycles.runtime)
        return tally([d.accession for d in deals[1:]], counts, delay)


def baseline_crash_trial(filings: int) -> Trial:
    """The first poll dies while recording the baseline: nothing old may be announced."""
    with tempfile.TemporaryDirectory() as tmp, cycles_on_replay(Path(tmp)) as (replay, cycles):
        for _ in range(filings):
            replay.publish(eight_k(IMMUNOGEN, ["1.01"]))
        store = cycles.runtime.storage.filings
        real, calls = store.record, {"n": 0}

        def dying(*args: object, **kwargs: object) -> bool:
            calls["n"] += 1
            if calls["n"] == max(2, filings // 2):
                raise OSError("killed mid-baseline")
            return real(*args, **kwargs)  # type: ignore[arg-type]

        store.record = dying  # type: ignore[method-assign]
        cycles.poll()
        store.record = real  # type: ignore[method-assign]
        cycles.poll()
        cycles.read()
        stale = sum(outbox_counts(cycles.runtime).values())
        return Trial(0, stale, None)  # "duplicated" here: old filings announced


def maintenance_page_trial(filings: int) -> Trial:
    """EDGAR answers 200 with a maintenance page for a while; then the documents return."""
    with tempfile.TemporaryDirectory() as tmp, cycles_on_replay(Path(tmp)) as (replay, cycles):
        cycles.poll()
        deals = [eight_k(IMMUNOGEN, ["1.01"]) for _ in range(filings)]
        page = b"<html><title>SEC.gov | Maintenance</title><body>Please try later.</body></html>"
        for deal in deals:
            replay.publish(deal)
            replay.serve(complete_submission_path(IMMUNOGEN.cik, deal.accession), page)
        cycles.poll()
        cycles.read()
        wrong = sum(outbox_counts(cycles.runtime).values())  # notified from the wrong page
        for deal in deals:
            del replay.state.raw[complete_submission_path(IMMUNOGEN.cik, deal.accession)]
        cycles.runtime.storage.connections.db.execute("UPDATE filings SET next_enrich_at = NULL")
        started = time.monotonic()
        cycles.read()
        texts = cycles.runtime.storage.connections.query(
            "SELECT count(*) AS n FROM items WHERE number = '1.01' AND text LIKE 'Text of item%'"
        )[0]["n"]
        trial = tally(
            [d.accession for d in deals], outbox_counts(cycles.runtime), time.monotonic() - started
        )
        return Trial(trial.lost + (filings - int(texts)), trial.duplicated + wrong, trial.delay)


def unwritable_trial(filings: int) -> Trial:
    """The database refuses writes for three polls; nothing seen meanwhile may be lost."""
    with tempfile.TemporaryDirectory() as tmp, cycles_on_replay(Path(tmp)) as (replay, cycles):
        cycles.poll()
        db = cycles.runtime.storage.connections.db
        db.execute("PRAGMA query_only = ON")
        deals = []
        for _ in range(3):
            for _ in range(max(1, filings // 3)):
                deals.append(replay.publish(eight_k(IMMUNOGEN, ["1.01"])))
            cycles.poll()
        db.execute("PRAGMA query_only = OFF")
        started = time.monotonic()
        cycles.poll()
        cycles.read()
        return tally(
            [d.accession for d in deals], outbox_counts(cycles.runtime), time.monotonic() - started
        )


def refused_recipient_trial(filings: int) -> Trial:
    """The SMTP server refuses one recipient with a 4xx once; both must get every filing."""
    refusals = ["450 4.2.1 Mailbox busy, try again"] * filings
    with (
        SmtpServer(refuse={"deals@acme.test": refusals}) as smtp,
        tempfile.TemporaryDirectory() as tmp,
        ReplayServer(Replay(rate_limit=1000)) as edgar,
    ):
        settings = settings_for(
            edgar.url,
            Path(tmp) / "edgarwatch.db",
            watch={"ciks": [855654], "catch_up_days": 0},
            email={
                "host": "127.0.0.1",
                "port": smtp.port,
                "security": "none",
                "sender": "edgarwatch@acme.test",
                "recipients": ["bd-team@acme.test", "deals@acme.test"],
                "coalesce_above": 0,
            },
        )
        runtime = build_runtime(settings, storage=Storage.open(settings.storage.path))
        try:
            cycles = Cycles(runtime)
            cycles.poll()
            deals = [edgar.replay.publish(eight_k(IMMUNOGEN, ["1.01"])) for _ in range(filings)]
            started = time.monotonic()
            cycles.poll()
            cycles.read()
            by_recipient: dict[str, Counter[str]] = {}
            while time.monotonic() - started < 60:
                cycles.dispatch()
                by_recipient = _mail_counts(smtp)
                if all(len(by_recipient.get(r, ())) == filings for r in ("bd-team", "deals")):
                    break
                time.sleep(0.5)
            delay = time.monotonic() - started
        finally:
            runtime.close()
        expected = [d.accession for d in deals]
        trials = [
            tally(expected, by_recipient.get(r, Counter()), delay) for r in ("bd-team", "deals")
        ]
        return Trial(sum(t.lost for t in trials), sum(t.duplicated for t in trials), delay)


def _mail_counts(smtp: SmtpServer) -> dict[str, Counter[str]]:
    counts: dict[str, Counter[str]] = {}
    for mail in smtp.messages:
        named = set(_ACCESSION.findall(mail.raw.decode("utf-8", "replace")))
        for recipient in mail.rcpt_tos:
            counts.setdefault(recipient.split("@")[0], Counter()).update(named)
    return counts


# -- the table -------------------------------------------------------------------------------


def scenarios(quick: bool, rng: random.Random) -> list[tuple[str, Callable[[], Trial]]]:
    n = 5 if quick else 20
    return [
        ("kill -9 while polling", lambda: kill_trial("polling", n, rng)),
        ("kill -9 while reading documents", lambda: kill_trial("reading documents", n, rng)),
        ("kill -9 while dispatching", lambda: kill_trial("dispatching", n, rng)),
        ("a poison filing (its read raises)", lambda: poison_trial(n)),
        ("the first poll dies mid-baseline", lambda: baseline_crash_trial(n)),
        ("200 with a maintenance page", lambda: maintenance_page_trial(n)),
        ("the database refuses writes", lambda: unwritable_trial(n)),
        ("Slack 8 s a post, email beside it", lambda: slow_channel_trial(3 if quick else 6)),
        ("an SMTP 4xx for one recipient", lambda: refused_recipient_trial(3 if quick else 6)),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="one trial each, fewer filings")
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)  # the in-process cycles' logs; the daemons log to files
    trials = 1 if args.quick else args.trials
    rng = random.Random(20261130)
    started = time.monotonic()
    print(f"{'scenario':<38} {'trials':>6} {'lost':>5} {'dup':>5}  delay p50 / max")
    failed = False
    for name, run in scenarios(args.quick, rng):
        results = [run() for _ in range(trials)]
        lost = sum(t.lost for t in results)
        dup = sum(t.duplicated for t in results)
        delays = sorted(t.delay for t in results if t.delay is not None)
        shown = f"{statistics.median(delays):6.1f} s / {max(delays):.1f} s" if delays else "     -"
        print(f"{name:<38} {trials:>6} {lost:>5} {dup:>5}  {shown}")
        kills = trials if name.startswith("kill") else 0
        failed = failed or lost > 0 or dup > kills
    print(f"done in {time.monotonic() - started:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
