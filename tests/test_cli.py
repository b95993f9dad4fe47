"""The commands operators reach for: filings, search, backfill, test-notify, parse, demo."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from edgarwatch.cli import main
from edgarwatch.replay.server import Replay, ReplayServer
from tests.servers.slack_receiver import Reply, SlackReceiver
from tests.support import company, eight_k, tickers_json, write_config

IMMUNOGEN = company(855654, "IMMUNOGEN INC", ticker="IMGN")
APPLE = company(320193, "Apple Inc.", ticker="AAPL")
SEED = (
    Path(__file__).resolve().parent.parent
    / "edgarwatch/replay/fixtures/filings/0001104659-07-035757"
)


def run(config: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--config", str(config), *args], catch_exceptions=False)
    return result.exit_code, result.output


def test_backfill_records_history_with_text_and_is_idempotent(tmp_path: Path) -> None:
    history = [
        eight_k(IMMUNOGEN, {"1.01": "A license agreement with Sanofi for $50 million."}),
        eight_k(APPLE, {"2.02": "Quarterly results.", "9.01": "Exhibit 99.1."}),
        eight_k(APPLE, {"5.02": "A director resigned."}),
    ]
    replay = Replay(history, tickers=tickers_json([IMMUNOGEN, APPLE]))
    for days, filing in zip((40, 20, 400), history, strict=True):
        replay.publish_history(filing.accession, datetime.now(UTC) - timedelta(days=days))
    with ReplayServer(replay) as server:
        database = tmp_path / "edgarwatch.db"
        config = write_config(
            tmp_path / "config.toml", server.url, database, watch='tickers = ["IMGN", "AAPL"]'
        )
        since = (datetime.now(UTC) - timedelta(days=60)).date().isoformat()
        code, output = run(config, "backfill", "--since", since)
        assert code == 0, output
        assert "2 new filing(s) recorded, 2 read" in output
        code, output = run(config, "backfill", "--since", since)
        assert "0 new filing(s) recorded" in output
        code, output = run(config, "filings")
        assert "IMMUNOGEN INC" in output
        assert "Apple Inc." in output
        assert "5.02" not in output
        code, output = run(config, "filings", "--json", "--cik", "855654")
        assert [row["items"] for row in json.loads(output)] == [["1.01"]]
        code, output = run(config, "search", "license agreement", "--item", "1.01")
        assert code == 0
        assert "IMMUNOGEN INC" in output
        assert "license" in output.lower()
        code, output = run(config, "search", "license", "--item", "2.02")
        assert output.strip() == "No matches."
        code, output = run(config, "status", "--json")
        assert json.loads(output)["notifications"]["pending"] == 0  # backfill notifies nothing


def test_test_notify_reports_success_or_the_exact_error(tmp_path: Path) -> None:
    with SlackReceiver() as slack:
        config = write_config(
            tmp_path / "config.toml",
            "http://127.0.0.1:9",
            tmp_path / "db.sqlite",
            extra=f'[slack]\nwebhook_url = "{slack.url}"\n',
            watch="ciks = [855654]",
        )
        code, output = run(config, "test-notify")
        assert code == 0
        assert output.strip() == "slack: sent"
        body = json.dumps(slack.requests[0].json())
        assert "IMMUNOGEN INC" in body
        assert "SICOR" in body
        slack.reply(Reply(403, "invalid_token"))
        code, output = run(config, "test-notify", "--channel", "slack")
        assert code == 1
        assert "FAILED (permanent)" in output
        assert "invalid_token" in output
        assert slack.url.split("/services/")[1] not in output


def test_parse_prints_one_json_object_per_file() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "edgarwatch", "parse", str(SEED / "a07-13166_18k.htm")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    parsed = json.loads(result.stdout.splitlines()[0])
    assert [item["number"] for item in parsed["items"]] == ["1.01"]
    text = parsed["items"][0]["text"]
    assert text.startswith("On April 30, 2007, ImmunoGen")
    assert "SIGNATURES" not in text
    assert "Junius" not in text


@pytest.mark.slow
def test_the_demo_runs_offline_and_shows_what_it_would_send() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "edgarwatch", "demo", "--seconds", "19"],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    out = result.stdout
    assert result.returncode == 0, result.stderr
    messages = {m.split("\n", 2)[1]: m for m in out.split("── console · rule default")[1:]}
    immunogen = next(m for first, m in messages.items() if "IMMUNOGEN INC — 8-K" in m)
    assert immunogen.split("\n", 2)[1] == (  # it opens with what was signed
        "Manufacturing agreement with Società Italiana Corticosteroidi S.r.l (SICOR) — "
        "EUR 5,000,000 purchase price — through early 2008."
    )
    assert "IMMUNOGEN INC — 8-K Item 1.01: Entry into a Material Definitive Agreement" in out
    assert "           Società Italiana Corticosteroidi S.r.l (SICOR) — counterparty" in immunogen
    assert "Agreement (EX-10.1)" in out  # Northwind's license agreement linked
    assert "8-K/A (amendment)" in out
    assert "Fabrikam" in out
    assert "Fabrikam Holdings, Inc. — 8-K" not in out  # read for its parties: none watched
    wide_world = next(m for m in messages.values() if "Wide World Importers Trust — 8-K" in m)
    assert "Why:       party watch: Adventure Works" in wide_world  # an unwatched company
    assert out.count("Why:") == 1  # Northwind is watched: notified as before
    assert "baseline/history: not notified" in out
    assert "4 notification(s) sent" in out
    assert "Traceback" not in result.stderr
    # A fresh start resolves its tickers quietly (issue 13): no false errors or warnings.
    assert "ERROR" not in result.stderr
    assert "not in the SEC's company_tickers.json" not in result.stderr
    assert "the watchlist is empty" not in result.stderr
