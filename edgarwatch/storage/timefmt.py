"""How times are written in the database.

Our own timestamps (recorded_at, created_at, sent_at, …) are UTC ISO 8601
with seconds (`2026-11-21T15:04:05+00:00`), so they sort as text. EDGAR's
acceptance times keep their Eastern offset, as EDGAR gives them; SQL that
orders or compares them uses `julianday()`, which honours the offset.
"""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: every stored time carries its offset")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
