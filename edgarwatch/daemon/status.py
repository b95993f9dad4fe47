"""`edgarwatch status`: is it healthy, at a glance, for people and for monitoring.

Unhealthy (exit 1) when any of these holds:

* no successful poll for 3 poll intervals (the interval in force now: filing
  hours or off hours) — or for the heartbeat period plus two intervals, since
  an idle poll records its success only every `poll.heartbeat_seconds` — or never;
* a notification is dead (a channel refused it for good, or gave up);
* a filing that may notify still waits for its documents past
  `notify.enrich_give_up_minutes` (plus a poll interval's grace): reading it
  keeps failing in a way the give-up could not settle;
* an SEC rate-limit block is in force;
* the database cannot be written: read-only, or its disk (nearly) full;
* an alarm is raised (`[alarms]`) whose condition is not one of the above
  (the feed gone silent, notifications waiting too long).

It also lists every raised alarm and, per `[[digest]]`, the next digest and
the last one.
"""

from __future__ import annotations

import os
import shutil
import statistics
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from edgarwatch.alarms import LABELS
from edgarwatch.config import Settings
from edgarwatch.daemon.schedule import current_interval, in_filing_hours
from edgarwatch.digest import next_due, plan
from edgarwatch.filing import EASTERN
from edgarwatch.storage import Storage
from edgarwatch.storage.timefmt import utc_now

MISSED_INTERVALS = 3


def collect(settings: Settings, storage: Storage, now: datetime | None = None) -> dict[str, Any]:
    """Everything `status` shows, as plain JSON-ready values."""
    now = now or utc_now()
    state = storage.state
    interval = current_interval(
        settings.poll.interval_seconds, settings.poll.off_hours_interval_seconds, now
    )
    last_ok = state.last_poll_ok()
    cursor = state.feed_cursor()
    block = state.sec_block()
    block_active = block is not None and block.until > now
    midnight = datetime.combine(now.astimezone(EASTERN).date(), datetime.min.time(), EASTERN)
    report: dict[str, Any] = {
        "database": str(storage.path),
        "now": now.isoformat(timespec="seconds"),
        "filing_hours": in_filing_hours(now),
        "poll_interval_seconds": interval,
        "last_successful_poll": _iso(last_ok),
        "last_successful_poll_age_seconds": _age(last_ok, now),
        "last_poll": state.poll_status(),
        "feed_cursor": _iso(cursor.position),
        "baseline_at": _iso(cursor.baseline_at),
        "last_catch_up": _iso(state.last_catch_up()),
        "filings_recorded_today": storage.filings.count_recorded_since(midnight),
        "filings_awaiting_documents": storage.filings.pending_enrichment_count(),
        "notifiable_filings_overdue": storage.filings.overdue_notifiable(
            now - timedelta(minutes=settings.notify.enrich_give_up_minutes, seconds=interval)
        ),
        "notifications": storage.outbox.counts(midnight)
        | {"dead_channels": storage.outbox.dead_by_channel()},
        "sec_block": {
            "active": block_active,
            "until": _iso(block.until) if block and block_active else None,
            "reason": block.reason if block and block_active else None,
        },
        "latency_seconds": {
            "24h": _percentiles(storage.outbox.latencies(now - timedelta(hours=24))),
            "7d": _percentiles(storage.outbox.latencies(now - timedelta(days=7))),
        },
        "detection": _detection(storage, now),
        "storage_problems": storage_problems(storage.path),
        "alarms": _alarms(storage),
        "digests": _digests(settings, storage, now),
        "messages": storage.messages.counts(),
    }
    # An idle poll writes its success only every `poll.heartbeat_seconds` (disks wear).
    allowed = max(MISSED_INTERVALS * interval, settings.poll.heartbeat_seconds + 2 * interval)
    problems = _problems(report, last_ok, interval, allowed, now)
    report["healthy"] = not problems
    report["problems"] = problems
    return report


def _problems(
    report: dict[str, Any],
    last_ok: datetime | None,
    interval: float,
    allowed: float,
    now: datetime,
) -> list[str]:
    problems = []
    if last_ok is None:
        problems.append("no successful poll yet")
    elif (now - last_ok).total_seconds() > allowed:
        problems.append(
            f"no successful poll for {_duration((now - last_ok).total_seconds())} "
            f"(more than {MISSED_INTERVALS} intervals of {interval:g} s)"
        )
    dead = report["notifications"]["dead"]
    if dead:
        channels = ", ".join(c["channel"] for c in report["notifications"]["dead_channels"])
        problems.append(f"{dead} dead notification(s) on {channels}")
    overdue = report["notifiable_filings_overdue"]
    if overdue:
        problems.append(
            f"{overdue} filing(s) that may notify still waiting for its documents past the "
            "give-up age (see `edgarwatch filings` and the log)"
        )
    problems.extend(report["storage_problems"])
    if report["sec_block"]["active"]:
        problems.append(
            f"SEC rate-limit block in force until {report['sec_block']['until']} "
            f"({report['sec_block']['reason']})"
        )
    for alarm in report.get("alarms", []):
        if alarm["name"] in OWN_PROBLEMS:
            problems.append(f"alarm raised: {alarm['label']} — {alarm['detail']}")
    return problems


LOW_DISK_BYTES = 16 * 1024 * 1024
"""Below this much free space SQLite's next checkpoint or page may fail: say "disk full"."""


def storage_problems(
    database: Path,
    disk_usage: Callable[[Path], Any] = shutil.disk_usage,
    writable: Callable[[Path], bool] = lambda path: os.access(path, os.W_OK),
) -> list[str]:
    """Why the daemon could not write its database, seen from outside it (status never
    writes): the file or its folder not writable, or the disk (nearly) full."""
    problems = []
    for path in (database, database.parent):
        if path.exists() and not writable(path):
            problems.append(f"database is read-only: {path} is not writable by this user")
            break
    try:
        free = int(disk_usage(database.parent).free)
    except OSError:
        free = None
    if free is not None and free < LOW_DISK_BYTES:
        problems.append(f"disk full: {free // 1024} KiB free on the database's file system")
    return problems


OWN_PROBLEMS = frozenset({"feed-silent", "pending"})
"""Raised alarms that no other check above reports."""


def _alarms(storage: Storage) -> list[dict[str, Any]]:
    return [
        {
            "name": alarm.name,
            "label": LABELS.get(alarm.name, alarm.name),
            "raised_at": _iso(alarm.raised_at),
            "detail": alarm.detail,
            "channel": alarm.channel,
        }
        for alarm in storage.alarms.raised()
    ]


def _digests(settings: Settings, storage: Storage, now: datetime) -> list[dict[str, Any]]:
    """Per `[[digest]]`: when the next one is due (now, when one is owed) and the last."""
    found = []
    for digest in settings.digests:
        last = storage.digests.last(digest.channel)
        owed = plan(digest.at, now, last.due_at if last else None)
        upcoming = now if owed is not None and last is not None else next_due(digest.at, now)
        found.append(
            {
                "channel": digest.channel,
                "time": f"{digest.time} ET",
                "next": _iso(upcoming),
                "last_day": last.day.isoformat() if last and last.outcome != "start" else None,
                "last_outcome": last.outcome if last else None,
                "last_filings": last.filings if last else None,
            }
        )
    return found


def _detection(storage: Storage, now: datetime) -> dict[str, Any]:
    """How fast and by which source filings were found (24 h), and the last nightly audit."""
    accepted, public = storage.filings.detection_lags(now - timedelta(hours=24))
    audit = storage.state.last_audit()
    return {
        "accepted_to_seen_seconds": _percentiles(accepted),
        "public_to_seen_seconds": _percentiles(public),
        "first_shown_by_24h": storage.state.seen_since(now - timedelta(hours=24)),
        "last_audit": None
        if audit is None
        else {
            "day": audit.day.isoformat(),
            "in_daily_index": audit.total,
            "missed_by_live_sources": audit.missed,
            "first_shown_by": audit.found_by,
        },
    }


def _percentiles(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"count": 0, "p50": None, "p95": None}
    if len(values) == 1:
        return {"count": 1, "p50": round(values[0], 1), "p95": round(values[0], 1)}
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {"count": len(values), "p50": round(cuts[49], 1), "p95": round(cuts[94], 1)}


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


def _age(moment: datetime | None, now: datetime) -> float | None:
    return round((now - moment).total_seconds(), 1) if moment else None


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def render_text(report: dict[str, Any]) -> str:
    """The human view of `collect()`."""
    n = report["notifications"]
    lat = report["latency_seconds"]
    block = report["sec_block"]
    lines = [
        f"edgarwatch: {'HEALTHY' if report['healthy'] else 'UNHEALTHY'}",
        *[f"  ! {p}" for p in report["problems"]],
        f"last successful poll   {_when(report['last_successful_poll'], report['last_successful_poll_age_seconds'])}",
        f"last poll              {report['last_poll'] or '-'}",
        f"feed cursor            {report['feed_cursor'] or '-'}",
        f"last catch-up          {_et(report['last_catch_up'])}",
        f"filings today          {report['filings_recorded_today']} recorded, "
        f"{report['filings_awaiting_documents']} awaiting documents",
        f"notifications          {n['pending']} pending, {n['sent_today']} sent today, {n['dead']} dead",
    ]
    for channel in n["dead_channels"]:
        lines.append(
            f"  dead on {channel['channel']}: {channel['dead']} — last error: {channel['last_error']}"
        )
    lines.append(
        "SEC block              "
        + (
            f"IN FORCE until {_et(block['until'])} ({block['reason']})"
            if block["active"]
            else "none"
        )
    )
    lines.append(f"latency (accepted → sent)  24 h: {_lat(lat['24h'])}   7 d: {_lat(lat['7d'])}")
    lines.extend(_reach_lines(report))
    lines.extend(_detection_lines(report["detection"]))
    lines.append(f"database               {report['database']}")
    return "\n".join(lines)


def _reach_lines(report: dict[str, Any]) -> list[str]:
    """Raised alarms, digests and their messages (issue 12.2, 12.4)."""
    lines = []
    for alarm in report.get("alarms", []):
        lines.append(
            f"ALARM                  {alarm['label']} since {_et(alarm['raised_at'])}: "
            f"{alarm['detail']}"
        )
    for digest in report.get("digests", []):
        last = "none yet"
        if digest["last_day"]:
            last = (
                f"{digest['last_day']} ({digest['last_filings']} filings, {digest['last_outcome']})"
            )
        lines.append(
            f"next digest            {digest['channel']}: {_et(digest['next'])}; last: {last}"
        )
    messages = report.get("messages") or {}
    if messages.get("pending") or messages.get("dead"):
        lines.append(
            f"digests and alarms     {messages['pending']} pending, {messages['dead']} dead"
        )
    return lines


def _detection_lines(detection: dict[str, Any]) -> list[str]:
    shown = detection["first_shown_by_24h"]
    late = ", ".join(f"{n} by {s}" for s, n in sorted(shown.items()) if s != "feed") or "none"
    lines = [
        f"found (24 h, news)     accepted → seen {_lat(detection['accepted_to_seen_seconds'], '-')}"
        f";  public → seen {_lat(detection['public_to_seen_seconds'], '-')}",
        f"first shown (24 h)     {shown.get('feed', 0)} by the poll; found late: {late}",
    ]
    audit = detection["last_audit"]
    if audit:
        lines.append(
            f"last audit             {audit['day']}: {audit['in_daily_index']} 8-Ks in the daily "
            f"index, {audit['missed_by_live_sources']} missed by every live source"
        )
    return lines


def _when(value: str | None, age: float | None) -> str:
    if value is None or age is None:
        return "never"
    return f"{_et(value)} ({_duration(age)} ago)"


def _et(value: str | None) -> str:
    if not value:
        return "-"
    return datetime.fromisoformat(value).astimezone(EASTERN).strftime("%Y-%m-%d %H:%M:%S %Z")


def _lat(figures: dict[str, Any], empty: str = "no notifications sent") -> str:
    if not figures["count"]:
        return empty
    return f"p50 {figures['p50']:.1f} s, p95 {figures['p95']:.1f} s (n={figures['count']})"
