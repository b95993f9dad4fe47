"""Log lines for a terminal and for journald: format, priorities, redaction, levels."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import threading
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from edgarwatch import logs
from edgarwatch.config import ConfigError, from_mapping
from edgarwatch.replay.server import Replay
from edgarwatch.secrets import Secret
from tests.process import edgarwatch
from tests.support import USER_AGENT, write_config

WEBHOOK = "https://hooks.slack.com/services/T0/B0/XYZSECRET"
TIMESTAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}"


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    quiet = {
        name: logging.getLogger(name).level for name in (*logs.QUIET_LOGGERS, logs.SCHEDULER_LOGGER)
    }
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


# -- JSON lines ------------------------------------------------------------------------


@pytest.fixture
def json_lines(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    monkeypatch.delenv("JOURNAL_STREAM", raising=False)
    stream = io.StringIO()
    logs.configure("INFO", stream=stream, log_format="json")
    return stream


def test_it_writes_one_json_object_per_record(json_lines: io.StringIO) -> None:
    logging.getLogger("edgarwatch.daemon.poll").warning(
        "filing %s: %s", "0001104659-07-035757", "line one\nline two"
    )
    logging.getLogger("edgarwatch").debug("below the level")

    lines = json_lines.getvalue().splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert set(record) == {"ts", "level", "logger", "message"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d", record["ts"])
    assert record["level"] == "WARNING"
    assert record["logger"] == "edgarwatch.daemon.poll"
    assert record["message"] == "filing 0001104659-07-035757: line one\nline two"


def test_json_records_carry_the_traceback_with_secrets_masked(json_lines: io.StringIO) -> None:
    secret = Secret(WEBHOOK)
    try:
        raise ConnectionError(f"cannot reach {secret.reveal()}")
    except ConnectionError:
        logging.getLogger("edgarwatch.notifiers").exception("sending to %s failed", WEBHOOK)

    record = json.loads(json_lines.getvalue())
    assert "XYZSECRET" not in json_lines.getvalue()
    assert record["level"] == "ERROR"
    assert record["message"] == "sending to **** failed"
    assert record["exception"].startswith("Traceback (most recent call last):")
    assert record["exception"].endswith("ConnectionError: cannot reach ****")


def test_json_records_keep_the_journal_priority_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOURNAL_STREAM", "8:12345")
    stream = io.StringIO()
    logs.configure("INFO", stream=stream, log_format="json")
    logging.getLogger("edgarwatch").error("boom")

    prefix, _, body = stream.getvalue().partition("{")
    assert prefix == "<3>"
    assert json.loads("{" + body)["message"] == "boom"


def test_it_rejects_an_unknown_format() -> None:
    with pytest.raises(ValueError, match="unknown log format"):
        logs.configure("INFO", stream=io.StringIO(), log_format="xml")  # type: ignore[arg-type]


# -- APScheduler's chatter -------------------------------------------------------------------


def run_a_scheduler() -> None:
    """A real APScheduler start, one job run, and a shutdown."""
    from apscheduler.schedulers.background import BackgroundScheduler

    ran = threading.Event()
    scheduler = BackgroundScheduler()
    scheduler.add_job(ran.set, "interval", seconds=60, id="poll", next_run_time=datetime.now(UTC))
    scheduler.start()
    assert ran.wait(10)
    scheduler.shutdown(wait=True)


def test_apschedulers_start_up_chatter_is_debug_not_info(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("JOURNAL_STREAM", raising=False)
    info = io.StringIO()
    logs.configure("INFO", stream=info)
    run_a_scheduler()
    assert "apscheduler" not in info.getvalue()

    debug = io.StringIO()
    logs.configure("DEBUG", stream=debug)
    run_a_scheduler()
    shown = debug.getvalue()
    assert "apscheduler.scheduler: Scheduler started" in shown
    assert "executed successfully" not in shown  # one pair per job run: quiet even at DEBUG


def test_log_format_json_in_the_config_makes_every_line_json(
    edgar: tuple[Replay, str], tmp_path: Path
) -> None:
    _, url = edgar
    config = write_config(
        tmp_path / "config.toml",
        url,
        tmp_path / "edgarwatch.db",
        watch="ciks = [855654]",
        extra='[log]\nlevel = "info"\nformat = "json"\n',
    )
    result = edgarwatch("--config", str(config), "poll")
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stderr.splitlines()]
    assert records, "a poll logs at info"
    assert {"ts", "level", "logger", "message"} <= set(records[0])
    assert any(r["message"].startswith("poll ok: baseline") for r in records)


def test_it_refuses_an_unknown_log_format_in_the_config() -> None:
    with pytest.raises(ConfigError) as caught:
        from_mapping({"edgar": {"user_agent": USER_AGENT}, "log": {"format": "xml"}}, environ={})
    assert [p.split(":")[0] for p in caught.value.problems] == ["log.format"]
    settings = from_mapping(
        {"edgar": {"user_agent": USER_AGENT}, "log": {"format": "JSON"}}, environ={}
    )
    assert settings.log_format == "json"
