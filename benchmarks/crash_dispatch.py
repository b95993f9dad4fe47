"""Fault test: kill -9 the daemon at random moments while it dispatches notifications.

Each trial: a database with N pending notifications (N filings, one Slack
channel); `edgarwatch run` starts dispatching to a loopback Slack receiver;
after a random delay the process gets SIGKILL; it is restarted and left to
finish. Counted per trial, by the accession each message carries: how many
notifications never arrived (lost) and how many arrived more than once
(duplicates). At-least-once delivery promises 0 lost and at most 1
duplicate per kill (the one message in flight when the process died).

    python benchmarks/crash_dispatch.py --trials 20 --notifications 100
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from edgarwatch.filing import Company, Filing, FilingReport, Item  # noqa: E402
from edgarwatch.policy import NotifyPolicy  # noqa: E402
from edgarwatch.replay.server import Replay, ReplayServer  # noqa: E402
from edgarwatch.storage import NewNotification, Storage  # noqa: E402
from tests.process import Daemon, database_value, wait_until  # noqa: E402
from tests.servers.slack_receiver import OK, SlackReceiver, slow  # noqa: E402
from tests.support import write_config  # noqa: E402

_ACCESSION = re.compile(r"0009999999-26-\d{6}")


@dataclass
class Trial:
    killed_mid_dispatch: bool
    sent_before_kill: int
    lost: int
    duplicates: int


def seed(database: Path, count: int) -> list[str]:
    """`count` recorded filings, each with one pending Slack notification."""
    storage = Storage.open(database)
    accessions = []
    try:
        for n in range(count):
            accession = f"0009999999-26-{n + 1:06d}"
            filing = Filing(
                accession=accession,
                form="8-K",
                companies=(Company(855654, "IMMUNOGEN INC", "Filer"),),
                url=f"http://127.0.0.1/Archives/edgar/data/855654/{accession.replace('-', '')}/{accession}-index.htm",
                items=("1.01",),
            )
            storage.filings.record(filing, source="feed", policy=NotifyPolicy.NEWS)
            enrichment = FilingReport(
                filing,
                items=(
                    Item(
                        "1.01",
                        "Entry into a Material Definitive Agreement",
                        f"Agreement number {n}.",
                    ),
                ),
            )
            storage.filings.record_enrichment(
                enrichment, [NewNotification("slack", "default", ("1.01",))]
            )
            accessions.append(accession)
    finally:
        storage.close()
    return accessions


def received_accessions(
    receiver: SlackReceiver, accession: re.Pattern[str] = _ACCESSION
) -> Counter[str]:
    """How many messages named each accession (a summary names several, each once);
    `accession` finds the accessions counted (by default this benchmark's own).

    A request the kill cut off mid-body is not a message: Slack (and the
    receiver) refuse it as invalid_payload.
    """
    counts: Counter[str] = Counter()
    for request in list(receiver.requests):
        try:
            payload = request.json()
        except ValueError:
            continue
        counts.update(set(accession.findall(json.dumps(payload))))
    return counts


def run_trial(workdir: Path, url: str, count: int, rng: random.Random) -> Trial:
    database = workdir / "edgarwatch.db"
    accessions = seed(database, count)
    with SlackReceiver(default=slow(0.01, OK)) as receiver:
        config = write_config(
            workdir / "config.toml",
            url,
            database,
            # One message per filing, unpaced (the receiver has no rate limit): the
            # duplicate a kill can cause is then exactly the one message in flight.
            extra=(
                f'[slack]\nwebhook_url = "{receiver.url}"\nmin_interval_seconds = 0\n'
                "coalesce_above = 0\n\n[notify]\ndispatch_seconds = 1\n"
            ),
            watch="ciks = [855654]",
        )
        with Daemon(config, workdir / "daemon.log") as daemon:
            receiver.wait_for(1, timeout=30)
            time.sleep(rng.uniform(0.0, 0.8))
            sent_before = len(receiver.requests)
            daemon.kill()
        killed_mid = sent_before < count
        with Daemon(config, workdir / "daemon-restarted.log") as daemon:
            wait_until(
                lambda: (
                    database_value(
                        database, "SELECT count(*) FROM notifications WHERE status = 'sent'"
                    )
                    == count
                ),
                timeout=60,
                why="every notification to be sent after the restart",
            )
            daemon.terminate()
        counts = received_accessions(receiver)
    lost = sum(1 for a in accessions if counts[a] == 0)
    duplicates = sum(n - 1 for n in counts.values() if n > 1)
    return Trial(killed_mid, sent_before, lost, duplicates)


def run(trials: int, count: int, seed_value: int = 20261121) -> list[Trial]:
    rng = random.Random(seed_value)
    results = []
    with ReplayServer(Replay()) as edgar:
        for _ in range(trials):
            with tempfile.TemporaryDirectory(prefix="edgarwatch-crash-") as tmp:
                results.append(run_trial(Path(tmp), edgar.url, count, rng))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--notifications", type=int, default=100)
    args = parser.parse_args()
    started = time.monotonic()
    results = run(args.trials, args.notifications)
    for number, trial in enumerate(results, 1):
        print(
            f"trial {number:2d}: killed after {trial.sent_before_kill:3d}/{args.notifications} sent "
            f"({'mid-dispatch' if trial.killed_mid_dispatch else 'after dispatch'}); "
            f"lost {trial.lost}, duplicates {trial.duplicates}"
        )
    mid = sum(t.killed_mid_dispatch for t in results)
    print(
        f"\n{len(results)} trials x {args.notifications} notifications, {mid} kills mid-dispatch: "
        f"lost {sum(t.lost for t in results)}, duplicates {sum(t.duplicates for t in results)} "
        f"(max {max(t.duplicates for t in results)} per kill) in {time.monotonic() - started:.0f} s"
    )
    return 0 if all(t.lost == 0 and t.duplicates <= 1 for t in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
