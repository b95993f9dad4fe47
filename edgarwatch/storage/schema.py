"""The schema, only ever changed through sqlite-utils migrations.

The tables and columns named in DESIGN.md (`filings`, `filing_companies`,
`items`, `notifications`) are public: users query them with sqlite-utils and
Datasette. Add columns and tables in new migrations; never rename.
Migrations run at every start, so an upgrade is "install, restart".
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("edgarwatch")


@migrations()
def m001_filings(db: Database) -> None:
    db.table("filings").create(
        {
            "accession": str,  # 0001104659-07-035757
            "cik": int,  # the primary company (the Filer when there is one)
            "company": str,
            "form": str,  # 8-K, 8-K/A, …
            "filed": str,  # YYYY-MM-DD
            "accepted_at": str,  # ISO 8601 with the Eastern offset
            "items": str,  # JSON list of item numbers, as EDGAR declares them
            "url": str,  # the filing index page
            "size": int,
            "primary_document": str,
            "source": str,  # feed | catch-up | daily-index | submissions | backfill | watch-add
            "notify": int,  # 1: rules may notify about it (m005: the policy by name)
            "enrich_status": str,  # pending | done | partial
            "enrich_attempts": int,
            "enrich_error": str,
            "next_enrich_at": str,
            "recorded_at": str,
            "enriched_at": str,
        },
        pk="accession",
        not_null={"cik", "company", "form", "url", "recorded_at"},
        defaults={"notify": 0, "enrich_status": "pending", "enrich_attempts": 0},
    )
    db.table("filings").create_index(["cik"])
    db.table("filings").create_index(["enrich_status", "next_enrich_at"])
    db.table("filing_companies").create(
        {"accession": str, "cik": int, "name": str, "role": str},
        pk=("accession", "cik"),
        not_null={"accession", "cik"},
        foreign_keys=[("accession", "filings", "accession")],
    )
    db.table("filing_companies").create_index(["cik"])
    db.table("items").create(
        {"accession": str, "number": str, "title": str, "text": str},
        pk=("accession", "number"),
        not_null={"accession", "number"},
        foreign_keys=[("accession", "filings", "accession")],
    )
    db.table("items").create_index(["number"])
    db.table("undeclared_items").create(
        {"accession": str, "number": str, "title": str, "text": str},
        pk=("accession", "number"),
        foreign_keys=[("accession", "filings", "accession")],
    )
    db.table("exhibits").create(
        {
            "accession": str,
            "document": str,
            "sequence": int,
            "type": str,
            "description": str,
            "url": str,
            "size": int,
        },
        pk=("accession", "document"),
        foreign_keys=[("accession", "filings", "accession")],
    )


@migrations()
def m002_notifications(db: Database) -> None:
    db.table("notifications").create(
        {
            "accession": str,
            "channel": str,
            "rule": str,
            "items": str,  # JSON: the item numbers that triggered the rule
            "delivery_id": str,  # the same on every retry: receivers drop repeats
            "status": str,  # pending | sent | dead
            "attempts": int,
            "last_error": str,
            "created_at": str,
            "next_attempt_at": str,
            "claimed_by": str,
            "claimed_until": str,
            "sent_at": str,
        },
        pk=("accession", "channel", "rule"),
        not_null={"accession", "channel", "rule", "status", "created_at", "delivery_id"},
        defaults={"status": "pending", "attempts": 0},
        foreign_keys=[("accession", "filings", "accession")],
    )
    db.table("notifications").create_index(["status", "next_attempt_at"])
    db.table("notifications").create_index(["delivery_id"], unique=True)


@migrations()
def m003_state(db: Database) -> None:
    db.table("state").create({"key": str, "value": str}, pk="key")
    # Accessions the feed has shown, watched or not: the cursor remembers
    # accessions, not only a time, because the feed is not in arrival order.
    db.table("seen").create({"accession": str, "accepted_at": str, "seen_at": str}, pk="accession")
    db.table("seen").create_index(["seen_at"])
    db.table("tickers").create({"ticker": str, "cik": int, "name": str}, pk="ticker")
    db.table("tickers").create_index(["cik"])
    db.table("watched").create(
        {"cik": int, "ticker": str, "name": str, "added_at": str, "caught_up_at": str},
        pk="cik",
    )
    db.table("polls").create(
        {
            "id": int,
            "kind": str,  # poll | reconcile
            "started_at": str,
            "finished_at": str,
            "ok": int,
            "requests": int,
            "new_filings": int,
            "error": str,
        },
        pk="id",
    )
    db.table("polls").create_index(["kind", "started_at"])


@migrations()
def m004_search(db: Database) -> None:
    """Full-text search over item texts (`edgarwatch search`), kept current by triggers."""
    db.table("items").enable_fts(["title", "text"], fts_version="FTS5", create_triggers=True)


@migrations()
def m005_notify_policy(db: Database) -> None:
    """`filings.notify` names its policy (`edgarwatch.policy`): `news`, `baseline` or
    `history`. It was 1/0: 1 becomes `news`, 0 `history` (baselines were not told apart)."""
    db.execute("ALTER TABLE filings RENAME COLUMN notify TO notify_flag")
    db.execute("ALTER TABLE filings ADD COLUMN notify TEXT NOT NULL DEFAULT 'history'")
    db.execute("UPDATE filings SET notify = CASE notify_flag WHEN 1 THEN 'news' ELSE 'history' END")
    db.execute("ALTER TABLE filings DROP COLUMN notify_flag")


@migrations()
def m006_discovery(db: Database) -> None:
    """What is new is decided by accession; what is read first, by what will notify.

    * `filings.read_priority`: the read queue's order (0 news that will notify,
      1 other news, 2 history and baseline; `edgarwatch.policy.read_priority`);
    * `filings.public_at`: the filing's first public moment (its index page's
      `Last-Modified`, or the morning release for an after-hours 8-K);
    * `seen.source`: which source first showed an accession (poll `feed`,
      `sweep`, `efts`), for completeness figures;
    * `filing_companies.role` may be NULL: unknown (submissions JSON and
      full-text search do not say who is the Filer).
    """
    db.execute("ALTER TABLE filings ADD COLUMN read_priority INTEGER NOT NULL DEFAULT 1")
    db.execute("ALTER TABLE filings ADD COLUMN public_at TEXT")
    db.execute("UPDATE filings SET read_priority = 2 WHERE notify != 'news'")
    db.table("filings").create_index(
        ["enrich_status", "read_priority", "recorded_at"], if_not_exists=True
    )
    db.execute("ALTER TABLE seen ADD COLUMN source TEXT")


@migrations()
def m007_agreements(db: Database) -> None:
    """Deal terms (`edgarwatch.agreement`), one row per agreement an item describes, and
    one per party of it, so "every agreement with Pfizer" is one query in sqlite-utils or
    Datasette. `filings.party_watch`: the `watch.parties` names a filing's agreements name
    as a party, when the counterparty watch is why it was read (JSON list)."""
    db.table("agreements").create(
        {
            "accession": str,
            "item": str,  # the item's number: 1.01, 1.02, 2.01, 2.03
            "position": int,  # 0, 1, …: the order the item introduces them in
            "type": str,
            "amendment": int,  # 1: amends, restates or supplements an earlier agreement
            "title": str,
            "date": str,  # YYYY-MM-DD
            "term": str,  # an ISO date, a year, an ISO 8601 duration or the filing's words
            "headline": str,
            "exhibit": str,  # EX-10.1, …
            "parties": str,  # JSON: [{name, role, short_name}]
            "amounts": str,  # JSON: [{text, value, currency, role, period}]
            "evidence": str,  # JSON: {field: [[start, end], …]} into the item's text
        },
        pk=("accession", "item", "position"),
        not_null={"accession", "item", "position", "type", "title"},
        foreign_keys=[("accession", "filings", "accession")],
    )
    db.table("agreements").create_index(["type"])
    db.table("agreement_parties").create(
        {
            "accession": str,
            "item": str,
            "position": int,  # the agreement's (agreements.position)
            "name": str,
            "role": str,
            "short_name": str,
            "normalized_name": str,  # edgarwatch.agreement.party_key: "pfizer" for "Pfizer Inc."
        },
        not_null={"accession", "item", "position", "name", "role"},
        foreign_keys=[("accession", "filings", "accession")],
    )
    db.table("agreement_parties").create_index(["accession", "item", "position"])
    db.table("agreement_parties").create_index(["normalized_name"])
    db.execute("ALTER TABLE filings ADD COLUMN party_watch TEXT")


@migrations()
def m008_delivery_detail(db: Database) -> None:
    """Per-recipient delivery and operators' retries (`edgarwatch notifications`).

    `recipients_pending`: JSON list of the addresses still to receive the row
    (NULL: everyone the channel is configured with); a recipient refused with
    an SMTP 4xx is retried alone, so those who took it never get it twice.
    `recipients_refused`: JSON object address → reply, for recipients refused
    for good (5xx). `requeued_at`: when an operator last retried a dead row
    (the give-up age counts from then). Status `dismissed`: a dead row an
    operator has seen to; kept, but no longer counted as dead.
    """
    notifications = db.table("notifications")
    notifications.add_column("recipients_pending", str)
    notifications.add_column("recipients_refused", str)
    notifications.add_column("requeued_at", str)


@migrations()
def m009_search_stemming(db: Database) -> None:
    """`items_fts` stems English words (FTS5's porter tokenizer over unicode61), so
    "royalty" finds "royalties" and "license" finds "licensing". A tokenizer cannot be
    changed in place: the index is dropped, recreated and refilled from `items` (its
    content table), and its triggers recreated, once, here."""
    db.table("items").enable_fts(
        ["title", "text"],
        fts_version="FTS5",
        create_triggers=True,
        tokenize="porter unicode61",
        replace=True,
    )


@migrations()
def m010_amendments(db: Database) -> None:
    """An 8-K/A linked to the 8-K it amends (issue 12.3).

    `filings.period` (the period of report: the date of the earliest event reported) and
    `filings.file_number` (the registrant's SEC file number) are what an amendment and
    its original share; `amends` is the accession of the filing it amends, `amends_filed`
    that filing's date, `amends_how` how it was found (`text`: the amendment's own
    words; `period`: same file number and period of report).
    """
    filings = db.table("filings")
    filings.add_column("period", str)
    filings.add_column("file_number", str)
    filings.add_column("amends", str)
    filings.add_column("amends_filed", str)
    filings.add_column("amends_how", str)
    filings.create_index(["cik", "form", "filed"], if_not_exists=True)


@migrations()
def m011_messages(db: Database) -> None:
    """Digests and alarms (issue 12.2 and 12.4), delivered through the outbox like filings.

    * `messages`: one row per message to one channel that is not about one filing
      (kind `digest` or `alarm`), unique on (channel, key) — the key names what the
      message is (`digest:2026-03-10`, `alarm:sec-block:raised:<when>`), so a job that
      runs twice, or again after a restart, cannot queue it twice. `content` is the
      message itself (JSON, `edgarwatch.notifiers.message.Message`); delivery columns
      as in `notifications` (status pending/sent/dead/dismissed, attempts, claims).
    * `digests`: the schedule's memory, one row per (channel, day) a digest was due:
      `outcome` `queued` (a message), `empty` (nothing to say), `start` (the first
      evaluation: where the channel's digests begin); `created_at` is the cut-off.
    * `digest_filings`: which filings each channel's digests listed (a filing is in
      one digest per channel, never two).
    * `alarms`: one row per alarm, its state (`raised`/`clear`) and since when.
    """
    _create_messages(db)
    _create_digests(db)
    _create_alarms(db)
    db.table("filings").create_index(["recorded_at"], if_not_exists=True)


def _create_messages(db: Database) -> None:
    db.table("messages").create(
        {
            "channel": str,
            "key": str,
            "kind": str,  # digest | alarm
            "title": str,
            "content": str,  # JSON: the message
            "delivery_id": str,
            "status": str,  # pending | sent | dead | dismissed
            "attempts": int,
            "last_error": str,
            "created_at": str,
            "next_attempt_at": str,
            "claimed_by": str,
            "claimed_until": str,
            "sent_at": str,
        },
        pk=("channel", "key"),
        not_null={"channel", "key", "kind", "content", "delivery_id", "status", "created_at"},
        defaults={"status": "pending", "attempts": 0},
    )
    db.table("messages").create_index(["status", "next_attempt_at"])
    db.table("messages").create_index(["delivery_id"], unique=True)


def _create_digests(db: Database) -> None:
    db.table("digests").create(
        {
            "channel": str,
            "day": str,  # YYYY-MM-DD, Eastern: the day of the due moment
            "due_at": str,  # the scheduled moment (ISO 8601, UTC)
            "since": str,  # the previous digest's due moment (a start row: when digests began)
            "created_at": str,  # the cut-off: filings recorded before it are in this one
            "outcome": str,  # queued | empty | start
            "filings": int,
            "message_key": str,
        },
        pk=("channel", "day"),
        not_null={"channel", "day", "due_at", "created_at", "outcome"},
        defaults={"filings": 0},
    )
    db.table("digest_filings").create(
        {"channel": str, "accession": str, "day": str},
        pk=("channel", "accession"),
        not_null={"channel", "accession", "day"},
    )


def _create_alarms(db: Database) -> None:
    db.table("alarms").create(
        {
            "name": str,  # no-poll | sec-block | feed-silent | notifications-dead | pending
            "state": str,  # raised | clear
            "raised_at": str,
            "cleared_at": str,
            "detail": str,
            "channel": str,  # where it was said (NULL: only logged)
        },
        pk="name",
        not_null={"name", "state"},
    )


@migrations()
def m012_waits_for_read(db: Database) -> None:
    """`notifications.waits_for_read`: 1 for a row queued from what EDGAR declared (the
    feed's item lines), before the filing's documents were read; it waits for the read
    (at most until the read's give-up time, its `next_attempt_at`), unless its channel
    is sending a burst as summaries, which carry no item text. The read sets it to 0."""
    db.table("notifications").add_column("waits_for_read", int, not_null_default=0)


@migrations()
def m013_polls_by_age(db: Database) -> None:
    """The cycle log (`polls`) is pruned by age as well as count (`State.log_cycle`)."""
    db.table("polls").create_index(["started_at"], if_not_exists=True)
