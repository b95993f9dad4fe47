"""Log lines for a terminal and for journald: format, priorities, redaction, levels."""

from __future__ import annotations

import io
import logging
import os
import re
import warnings
from collections.abc import Iterator

import pytest

from edgarwatch import logs
from edgarwatch.secrets import Secret

WEBHOOK = "https://hooks.slack.com/services/T0/B0/XYZSECRET"
TIMESTAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}"


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    quiet = {name: logging.getLogger(name).level for name in logs.QUIET_LOGGERS}
    yield
    for handler in root.handlers:
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)
    for name, quiet_level in quiet.items():
        logging.getLogger(name).setLevel(quiet_level)
    logging.captureWarnings(False)


@pytest.fixture
def journal(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    monkeypatch.setenv("JOURNAL_STREAM", "8:12345")
    stream = io.StringIO()
    logs.configure("DEBUG", stream=stream)
    return stream


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    monkeypatch.delenv("JOURNAL_STREAM", raising=False)
    stream = io.StringIO()
    logs.configure("DEBUG", stream=stream)
    return stream


def test_it_prefixes_syslog_priorities_for_the_journal(journal: io.StringIO) -> None:
    log = logging.getLogger("edgarwatch.daemon")
    log.debug("d")
    log.info("poll: %d new filings", 2)
    log.warning("w")
    log.error("e")
    log.critical("c")

    assert journal.getvalue().splitlines() == [
        "<7>edgarwatch.daemon: d",
        "<6>edgarwatch.daemon: poll: 2 new filings",
        "<4>edgarwatch.daemon: w",
        "<3>edgarwatch.daemon: e",
        "<2>edgarwatch.daemon: c",
    ]


def test_it_writes_no_timestamp_for_the_journal(journal: io.StringIO) -> None:
    logging.getLogger("edgarwatch.daemon").info("started")

    assert not re.search(r"\d\d:\d\d:\d\d", journal.getvalue())


def test_it_stamps_lines_for_a_terminal(terminal: io.StringIO) -> None:
    logging.getLogger("edgarwatch.daemon").warning("SEC throttled us: pausing 10 minutes")

    line = terminal.getvalue()
    assert re.fullmatch(
        TIMESTAMP + r" WARNING edgarwatch\.daemon: SEC throttled us: pausing 10 minutes\n", line
    )


def test_it_gives_every_traceback_line_the_records_priority(journal: io.StringIO) -> None:
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logging.getLogger("edgarwatch.daemon").exception("poll failed")

    lines = journal.getvalue().splitlines()
    assert lines[0] == "<3>edgarwatch.daemon: poll failed"
    assert lines[1] == "<3>    Traceback (most recent call last):"
    assert lines[-1] == "<3>    RuntimeError: boom"
    assert all(line.startswith("<3>    ") for line in lines[1:])


def test_it_indents_continuation_lines_so_filer_text_cannot_forge_a_record(
    terminal: io.StringIO,
) -> None:
    company = "ACME CORP\r\n2026-11-21T10:00:00-0500 ERROR edgarwatch.daemon: forged\x1b[2J"
    logging.getLogger("edgarwatch.daemon").info("new filing by %s", company)

    lines = terminal.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].endswith("new filing by ACME CORP")
    assert lines[1] == "    2026-11-21T10:00:00-0500 ERROR edgarwatch.daemon: forged\\x1b[2J"


def test_it_redacts_secrets_in_messages_and_arguments(journal: io.StringIO) -> None:
    secret = Secret(WEBHOOK)
    log = logging.getLogger("edgarwatch.notifiers.slack")
    log.error("posting to %s failed", secret.reveal())
    already_formatted = f"posting to {WEBHOOK} failed"
    log.error(already_formatted)
    log.error("posting to %(url)s failed", {"url": WEBHOOK})

    output = journal.getvalue()
    assert "XYZSECRET" not in output
    assert output.count("<3>edgarwatch.notifiers.slack: posting to **** failed") == 3


def test_it_redacts_secrets_inside_tracebacks(terminal: io.StringIO) -> None:
    Secret(WEBHOOK)
    try:
        raise ConnectionError(
            "HTTPSConnectionPool(host='hooks.slack.com', port=443): Max retries exceeded "
            "with url: /services/T0/B0/XYZSECRET"
        )
    except ConnectionError:
        logging.getLogger("edgarwatch.notifiers.slack").exception("delivery failed")

    output = terminal.getvalue()
    assert "ConnectionError" in output
    assert "XYZSECRET" not in output
    assert "with url: ****" in output


def test_it_reports_a_broken_record_without_its_secret_arguments(
    journal: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    Secret(WEBHOOK)
    monkeypatch.setattr(logging, "raiseExceptions", True)
    record = logging.makeLogRecord(
        {"name": "edgarwatch.daemon", "levelno": logging.ERROR, "msg": "%d", "args": (WEBHOOK,)}
    )
    # Straight to our handler: pytest's own capture handler re-raises such errors.
    (handler,) = [h for h in logging.getLogger().handlers if isinstance(h, logs._Handler)]
    handler.handle(record)

    output = journal.getvalue()
    assert "cannot log a record from edgarwatch.daemon" in output
    assert "XYZSECRET" not in output


def test_it_filters_below_the_configured_level(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JOURNAL_STREAM", raising=False)
    stream = io.StringIO()
    logs.configure("warning", stream=stream)
    log = logging.getLogger("edgarwatch.daemon")

    log.info("quiet")
    log.warning("loud")

    assert "quiet" not in stream.getvalue()
    assert "loud" in stream.getvalue()


def test_it_rejects_an_unknown_level() -> None:
    with pytest.raises(ValueError, match="verbose"):
        logs.configure("verbose", stream=io.StringIO())


def test_it_installs_one_handler_when_called_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JOURNAL_STREAM", raising=False)
    first, second = io.StringIO(), io.StringIO()
    before = len(logging.getLogger().handlers)

    logs.configure("INFO", stream=first)
    logs.configure("INFO", stream=second)
    logging.getLogger("edgarwatch").info("once")

    assert len(logging.getLogger().handlers) == before + 1
    assert first.getvalue() == ""
    assert second.getvalue().count("once") == 1


def test_it_quiets_scheduler_chatter_but_keeps_job_errors(journal: io.StringIO) -> None:
    executor = logging.getLogger("apscheduler.executors.default")
    executor.info('Job "poll" executed successfully')
    executor.error('Job "poll" raised an exception')
    logging.getLogger("urllib3.connectionpool").debug("Starting new HTTPS connection")

    assert (
        journal.getvalue() == '<3>apscheduler.executors.default: Job "poll" raised an exception\n'
    )


def test_it_routes_python_warnings_through_the_handler(journal: io.StringIO) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn("old API", DeprecationWarning, stacklevel=1)

    assert journal.getvalue().startswith("<4>py.warnings: ")


def test_it_uses_the_journal_format_only_when_journal_stream_names_the_stream(
    tmp_path: os.PathLike[str],
) -> None:
    with open(os.path.join(tmp_path, "stderr"), "w") as stream:
        status = os.fstat(stream.fileno())
        own = f"{status.st_dev}:{status.st_ino}"

        assert logs.writes_to_journal(stream, {"JOURNAL_STREAM": own})
        assert not logs.writes_to_journal(stream, {"JOURNAL_STREAM": f"{status.st_dev}:1"})
        assert not logs.writes_to_journal(stream, {})
