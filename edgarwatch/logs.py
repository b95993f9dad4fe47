"""Logging set-up: one line per event on stderr, fit for a terminal and for journald.

`configure(level)` installs one handler on the root logger. Its format depends
on where stderr goes:

* a terminal or a file: `2026-11-21T10:00:00-0500 INFO edgarwatch.daemon: message`;
* the journal (`$JOURNAL_STREAM` names our stderr, systemd.exec(5)):
  `<6>edgarwatch.daemon: message`. journald stamps every line itself, and the
  `<N>` prefix (sd-daemon(3)) gives the entry its syslog priority, so
  `journalctl -p err` shows errors only.

A record is one line. When it spans several (a traceback, a filer's company
name with a newline in it), the continuation lines are indented by four spaces
and, for the journal, carry the record's own `<N>` prefix, so every line of a
traceback lands in the journal at the record's priority. A line that starts
in column 0 therefore always begins a record: text from EDGAR cannot forge
one. Other control characters (terminal escapes) are shown as `\\xNN`.

With `[log] format = "json"` (for log shippers) each record is one JSON
object on one line: `{"ts", "level", "logger", "message"}`, plus `exception`
(the traceback's text) when there is one. Under journald the line keeps its
`<N>` prefix, which journald strips into the entry's priority, so the
journal's MESSAGE is the JSON object itself.

Every formatted record (message, arguments, exception text, stack) passes
through `edgarwatch.secrets.redact`, so no registered secret reaches a line.

APScheduler says seven INFO lines at every start ("Adding job tentatively",
"Added job", "Scheduler started", …) and a pair per job run: its loggers log
warnings and errors only, unless the level is DEBUG (then the start-up lines
show; the per-run pair never does).
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from collections.abc import Mapping
from datetime import datetime
from typing import Literal, TextIO

from edgarwatch.secrets import redact

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
JOURNAL_FORMAT = "%(name)s: %(message)s"
DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
CONTINUATION_INDENT = "    "

QUIET_LOGGERS = {
    # One DEBUG line per connection; its retry warnings stay.
    "urllib3.connectionpool": logging.WARNING,
    # "Running job …" / "Job … executed successfully" at INFO for every poll and
    # dispatch (twice a minute, all year); missed runs (WARNING) and job
    # exceptions (ERROR) stay.
    "apscheduler.executors": logging.WARNING,
    # requests' encoding detection chatters at DEBUG for every response body.
    "charset_normalizer": logging.WARNING,
}

LogFormat = Literal["text", "json"]
FORMATS = ("text", "json")

SCHEDULER_LOGGER = "apscheduler"
"""Start-up chatter at INFO: shown at DEBUG only (`configure`)."""

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def configure(level: str, *, stream: TextIO | None = None, log_format: LogFormat = "text") -> None:
    """Log records at `level` and above to `stream` (stderr); safe to call again.

    A second call replaces the handler installed by the first (e.g. once the
    configuration's `log.level` is known); handlers installed by others, such
    as pytest's capture, are left alone. `log_format`: "text" (one line per
    record) or "json" (one JSON object per line).
    """
    threshold = parse_level(level)
    if log_format not in FORMATS:
        raise ValueError(f"unknown log format {log_format!r}; use one of {', '.join(FORMATS)}")
    target = sys.stderr if stream is None else stream
    handler = _Handler(target)
    journal = writes_to_journal(target)
    handler.setFormatter(
        JsonFormatter(journal=journal) if log_format == "json" else LineFormatter(journal=journal)
    )
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _Handler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(threshold)
    logging.getLogger(SCHEDULER_LOGGER).setLevel(
        logging.NOTSET if threshold <= logging.DEBUG else logging.WARNING
    )
    for name, quiet_level in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(quiet_level)
    # warnings.warn() from libraries: through the same handler, one line, redacted.
    logging.captureWarnings(True)


def parse_level(level: str) -> int:
    """`debug`, `INFO`, … as a logging level; ValueError naming the choices otherwise."""
    name = level.strip().upper()
    if name not in LEVELS:
        raise ValueError(f"unknown log level {level!r}; use one of {', '.join(LEVELS)}")
    return logging.getLevelNamesMapping()[name]


def writes_to_journal(stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """Whether `stream` is connected to journald.

    systemd.exec(5): `$JOURNAL_STREAM` is `device:inode` of the journal
    stream; compare it with the stream's own, because the variable is
    inherited by everything a service starts (a shell in a desktop terminal
    has it too). A stream without a file descriptor (a test's StringIO) is
    trusted to be what the variable says.
    """
    value = (os.environ if environ is None else environ).get("JOURNAL_STREAM", "")
    if not value:
        return False
    try:
        descriptor = stream.fileno()
    except (AttributeError, OSError, ValueError):
        return True
    try:
        status = os.fstat(descriptor)
    except OSError:
        return False
    return value == f"{status.st_dev}:{status.st_ino}"


def syslog_priority(levelno: int) -> int:
    """syslog(3) priority of a logging level: CRITICAL 2, ERROR 3, WARNING 4, INFO 6, DEBUG 7."""
    if levelno >= logging.CRITICAL:
        return 2
    if levelno >= logging.ERROR:
        return 3
    if levelno >= logging.WARNING:
        return 4
    if levelno >= logging.INFO:
        return 6
    return 7


class LineFormatter(logging.Formatter):
    """Formats a record as one line (or an indented block), secrets masked."""

    def __init__(self, *, journal: bool) -> None:
        super().__init__(JOURNAL_FORMAT if journal else PLAIN_FORMAT, datefmt=DATE_FORMAT)
        self.journal = journal

    def format(self, record: logging.LogRecord) -> str:
        lines = [_escape(line) for line in _LINE_BREAK.split(redact(super().format(record)))]
        prefix = f"<{syslog_priority(record.levelno)}>" if self.journal else ""
        first, rest = lines[0], lines[1:]
        return "\n".join([prefix + first, *(prefix + CONTINUATION_INDENT + line for line in rest)])


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON object on one line, secrets masked.

    Keys: `ts` (ISO 8601 with the offset), `level`, `logger`, `message`, and
    `exception` (the traceback's text) or `stack` when the record has one.
    JSON escapes line breaks and control characters, so filer text can
    neither split a record nor forge one.
    """

    def __init__(self, *, journal: bool = False) -> None:
        super().__init__()
        self.journal = journal

    def format(self, record: logging.LogRecord) -> str:
        document: dict[str, str] = {
            "ts": datetime.fromtimestamp(record.created)
            .astimezone()
            .isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        if record.exc_info:
            document["exception"] = redact(self.formatException(record.exc_info))
        elif record.exc_text:
            document["exception"] = redact(record.exc_text)
        if record.stack_info:
            document["stack"] = redact(self.formatStack(record.stack_info))
        line = json.dumps(document, ensure_ascii=False)
        return f"<{syslog_priority(record.levelno)}>{line}" if self.journal else line


class _Handler(logging.StreamHandler[TextIO]):
    """The one handler `configure` owns (found again by its type on a second call)."""

    def handleError(self, record: logging.LogRecord) -> None:
        """Report a broken record without its arguments.

        logging.Handler.handleError prints the record's raw message and
        arguments to stderr, unredacted; they may hold a secret.
        """
        if not logging.raiseExceptions:
            return
        error = sys.exc_info()[1]
        try:
            text = f"cannot log a record from {record.name} ({record.pathname}:{record.lineno})"
            self.stream.write(redact(f"{text}: {type(error).__name__}: {error}") + "\n")
            self.flush()
        except Exception:  # noqa: BLE001, S110 - nowhere left to report to
            pass


def _escape(line: str) -> str:
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", line)
