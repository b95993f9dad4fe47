"""Webhook notifier against a loopback HTTP receiver."""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import pytest

from edgarwatch import __version__
from edgarwatch.edgar.local_files import parse_file
from edgarwatch.filing import Company, Exhibit
from edgarwatch.notifiers import NotifierError, notifier_for, verify_signature
from edgarwatch.notifiers.base import Delivery, parse_retry_after
from edgarwatch.notifiers.sample import FOLDER, ITEM_101_TEXT, sample_delivery, sample_report
from edgarwatch.notifiers.webhook import WebhookNotifier, WebhookSettings, sign
from edgarwatch.secrets import Secret
from tests.servers.slack_receiver import HANG_UP, HttpReceiver, Reply, slow

SIGNING_KEY = "whsec-5c1e7f0a9b2d4e6f"
SEED_HEADLINE = (
    "Manufacturing agreement with Società Italiana Corticosteroidi S.r.l (SICOR) — "
    "EUR 5,000,000 purchase price — through early 2008."
)
SEED_DOCUMENT = (
    Path(__file__).resolve().parents[1]
    / "edgarwatch/replay/fixtures/filings/0001104659-07-035757/a07-13166_18k.htm"
)
TOKEN_PATH = "/hook/t0k3n-9f8e7d6c5b4a"


@pytest.fixture
def receiver() -> Iterator[HttpReceiver]:
    with HttpReceiver(path=TOKEN_PATH) as server:
        yield server


def notifier(
    receiver: HttpReceiver, secret: str | None = None, timeout: float = 2
) -> WebhookNotifier:
    settings = WebhookSettings(
        name="webhook",
        url=Secret(receiver.url),
        secret=Secret(secret) if secret else None,
        timeout=timeout,
    )
    built = notifier_for(settings)
    assert isinstance(built, WebhookNotifier)
    return built


def failure(sender: WebhookNotifier) -> NotifierError:
    with pytest.raises(NotifierError) as caught:
        sender.send(sample_report(), sample_delivery("webhook"))
    return caught.value


def test_it_posts_the_filing_as_json(receiver: HttpReceiver) -> None:
    exhibit = Exhibit("EX-10.1", "ex10-1.htm", f"{FOLDER}/ex10-1.htm", "Supply Agreement")
    report = replace(sample_report(), exhibits=(exhibit,))
    delivery = Delivery(id="row-7", channel="webhook", rule="bd", items=("1.01",))
    notifier(receiver).send(report, delivery)
    (request,) = receiver.requests
    assert request.header("Content-Type") == "application/json"
    assert request.header("User-Agent") == f"edgarwatch/{__version__}"
    assert request.header("X-Edgarwatch-Delivery") == "row-7"
    assert abs(int(request.header("X-Edgarwatch-Timestamp") or 0) - time.time()) < 10
    assert request.header("X-Edgarwatch-Signature") is None
    document = request.json()
    assert document["event"] == "filing"
    assert document["delivery_id"] == "row-7"
    assert document["rule"] == "bd"
    assert document["triggered_items"] == ["1.01"]
    filing = document["filing"]
    assert filing["accession"] == "0001104659-07-035757"
    assert filing["form"] == "8-K"
    assert filing["amendment"] is False
    assert (filing["company"], filing["cik"]) == ("IMMUNOGEN INC", 855654)
    assert filing["companies"] == [{"cik": 855654, "name": "IMMUNOGEN INC", "role": "Filer"}]
    assert filing["accepted_at"] == "2007-05-04T16:05:33-04:00"
    assert filing["filed"] == "2007-05-04"
    assert filing["url"].endswith("/0001104659-07-035757-index.htm")
    assert document["headline"] == SEED_HEADLINE
    assert document["party_watch"] == []
    (item,) = document["items"]
    assert {key: item[key] for key in ("number", "title", "text")} == {
        "number": "1.01",
        "title": "Entry into a Material Definitive Agreement",
        "text": ITEM_101_TEXT,
    }
    assert [a["headline"] for a in item["agreements"]] == [SEED_HEADLINE]
    assert document["exhibits"] == [
        {
            "type": "EX-10.1",
            "description": "Supply Agreement",
            "url": f"{FOLDER}/ex10-1.htm",
            "document": "ex10-1.htm",
        }
    ]


def test_it_carries_the_deal_terms_in_the_parse_shape(receiver: HttpReceiver) -> None:
    report = replace(sample_report(), party_watch=("SICOR",))
    notifier(receiver).send(report, sample_delivery("webhook"))
    document = receiver.requests[0].json()
    (item,) = document["items"]
    (parsed,) = [i for i in parse_file(SEED_DOCUMENT)["items"] if i["number"] == "1.01"]
    assert [a.pop("headline") for a in item["agreements"]] == [SEED_HEADLINE]
    assert item["agreements"] == parsed["agreements"]  # exactly what `edgarwatch parse` prints
    (terms,) = item["agreements"]
    assert terms["parties"][1] == {
        "name": "Società Italiana Corticosteroidi S.r.l",
        "role": "counterparty",
        "short_name": "SICOR",
    }
    assert terms["amounts"] == [
        {
            "text": "five million Euros",
            "value": 5000000,
            "currency": "EUR",
            "role": "purchase price",
            "period": None,
        }
    ]
    assert document["party_watch"] == ["SICOR"]


def test_it_signs_the_timestamp_and_the_raw_body(receiver: HttpReceiver) -> None:
    notifier(receiver, SIGNING_KEY).send(sample_report(), sample_delivery("webhook"))
    request = receiver.requests[0]
    stamp = request.header("X-Edgarwatch-Timestamp") or ""
    header = request.header("X-Edgarwatch-Signature") or ""
    expected = hmac.new(SIGNING_KEY.encode(), f"{stamp}.".encode() + request.body, hashlib.sha256)
    assert header == "sha256=" + expected.hexdigest()
    assert verify_signature(SIGNING_KEY, stamp, request.body, header)
    assert not verify_signature(SIGNING_KEY, stamp, request.body + b" ", header)
    assert not verify_signature("another-key", stamp, request.body, header)
    assert not verify_signature(SIGNING_KEY, int(stamp) + 1, request.body, header)
    assert not verify_signature(SIGNING_KEY, stamp, request.body, None)


def test_it_refuses_an_old_signature_unless_told_not_to(receiver: HttpReceiver) -> None:
    notifier(receiver, SIGNING_KEY).send(sample_report(), sample_delivery("webhook"))
    request = receiver.requests[0]
    stamp = request.header("X-Edgarwatch-Timestamp") or ""
    header = request.header("X-Edgarwatch-Signature")
    later = int(stamp) + 3600
    assert not verify_signature(SIGNING_KEY, stamp, request.body, header, now=later)
    assert verify_signature(SIGNING_KEY, stamp, request.body, header, now=later, tolerance=None)


def test_it_keeps_the_delivery_id_across_retries(receiver: HttpReceiver) -> None:
    receiver.reply(Reply(503, "busy"), Reply(200, ""))
    sender = notifier(receiver, SIGNING_KEY)
    delivery = Delivery(id="row-9", channel="webhook", rule="default", items=("1.01",))
    with pytest.raises(NotifierError):
        sender.send(sample_report(), delivery)
    sender.send(sample_report(), replace(delivery, attempt=2))
    ids = [r.header("X-Edgarwatch-Delivery") for r in receiver.wait_for(2)]
    assert ids == ["row-9", "row-9"]
    assert [r.json()["delivery_id"] for r in receiver.requests] == ["row-9", "row-9"]


def test_it_passes_filer_text_through_unchanged(receiver: HttpReceiver) -> None:
    evil = "<!channel> <script>&amp;"
    report = sample_report()
    report = replace(report, filing=replace(report.filing, companies=(Company(1, evil),)))
    notifier(receiver).send(report, sample_delivery("webhook"))
    assert receiver.requests[0].json()["filing"]["company"] == evil  # JSON is data, not markup


@pytest.mark.parametrize("status", [200, 201, 202, 204])
def test_it_accepts_any_2xx(receiver: HttpReceiver, status: int) -> None:
    receiver.reply(Reply(status, ""))
    notifier(receiver).send(sample_report(), sample_delivery("webhook"))
    assert len(receiver.requests) == 1


@pytest.mark.parametrize(
    ("reply", "retry_after"),
    [
        (Reply(429, "slow down", {"Retry-After": "12"}), 12.0),
        (Reply(503, "maintenance", {"Retry-After": "120"}), 120.0),
        (Reply(500, "oops"), None),
        (Reply(502, ""), None),
        (Reply(408, ""), None),
    ],
)
def test_it_retries_timeouts_rate_limits_and_5xx(
    receiver: HttpReceiver, reply: Reply, retry_after: float | None
) -> None:
    receiver.reply(reply)
    error = failure(notifier(receiver))
    assert not error.permanent
    assert error.retry_after == retry_after
    assert error.message.startswith(f"webhook answered HTTP {reply.status}")


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 422])
def test_it_gives_up_on_other_4xx(receiver: HttpReceiver, status: int) -> None:
    receiver.reply(Reply(status, "nope"))
    error = failure(notifier(receiver))
    assert error.permanent
    assert error.message == f"webhook answered HTTP {status}: nope"


def test_it_does_not_follow_redirects(receiver: HttpReceiver) -> None:
    receiver.reply(Reply(301, "", {"Location": receiver.url}))
    error = failure(notifier(receiver))
    assert error.permanent
    assert "redirects are not followed" in error.message
    assert len(receiver.requests) == 1


def test_it_times_out_on_a_slow_receiver(receiver: HttpReceiver) -> None:
    receiver.reply(slow(3.0))
    started = time.monotonic()
    error = failure(notifier(receiver, timeout=0.5))
    assert time.monotonic() - started < 2
    assert not error.permanent
    assert error.message == "webhook timed out after 0.5 s"


def test_it_reads_retry_after_as_seconds_or_a_date() -> None:
    now = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)
    assert parse_retry_after("30") == 30.0
    assert (
        parse_retry_after(format_datetime(datetime(2024, 1, 1, 12, 1, tzinfo=UTC), True), now) == 60
    )
    assert parse_retry_after("Mon, 01 Jan 2024 11:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_it_never_reveals_the_url_or_the_secret(
    receiver: HttpReceiver, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="edgarwatch")
    caplog.set_level(logging.INFO)
    sender = notifier(receiver, SIGNING_KEY, timeout=0.5)
    receiver.reply(Reply(404, f"no hook at {receiver.url} for {SIGNING_KEY}"), slow(2), Reply(200))
    errors = [failure(sender), failure(sender)]
    sender.send(sample_report(), sample_delivery("webhook"))
    shown = [str(e) for e in errors] + [repr(e) for e in errors] + [repr(sender.settings)]
    shown += [record.getMessage() for record in caplog.records]
    assert "no hook at" in errors[0].message  # the receiver's words, redacted
    for text in shown:
        assert TOKEN_PATH not in text
        assert SIGNING_KEY not in text


@pytest.mark.parametrize(
    ("timestamp", "header"),
    [
        ("", "sha256=00"),  # missing timestamp
        ("1700000000", ""),  # missing signature
        ("1700000000", None),
        ("²³", "sha256=00"),  # digits to str.isdigit(), not to int()
        ("١٧٠٠٠٠٠٠٠٠", "sha256=00"),  # Arabic-Indic digits: int() takes them, ASCII does not
        ("9" * 5000, "sha256=00"),  # longer than int() converts
        ("-1700000000", "sha256=00"),
        ("1700000000", "sha256=é" + "0" * 63),  # non-ASCII signature: compare_digest raises
        ("1700000000", "sha256=" + "0" * 100_000),  # oversized signature
        ("1700000000", "\x00\xff garbage"),
        ("1700000000\r\nX-Evil: 1", "sha256=00"),
    ],
)
def test_verify_signature_returns_false_on_hostile_headers(
    timestamp: str, header: str | None
) -> None:
    body = b'{"event":"filing"}'
    assert verify_signature(SIGNING_KEY, timestamp, body, header, now=1700000000) is False
    assert verify_signature(SIGNING_KEY, timestamp, body, header, tolerance=None) is False


def test_verify_signature_takes_bytes_ints_and_surrounding_spaces() -> None:
    body = b'{"event":"filing"}'
    stamp = str(int(time.time()))
    header = sign(SIGNING_KEY, stamp, body)
    assert verify_signature(SIGNING_KEY, f" {stamp} ", body, f" {header} ")
    assert verify_signature(SIGNING_KEY, int(stamp), body, header)
    assert verify_signature(SIGNING_KEY, stamp.encode(), body, header.encode())


def test_a_kept_alive_connection_the_receiver_just_closed_is_retried_once_at_once(
    receiver: HttpReceiver,
) -> None:
    """Servers close idle keep-alive connections; a POST that meets one being closed fails
    at once with no answer. It goes again on a new connection, instead of waiting out a
    retry delay (the first filing after a quiet spell must not be late)."""
    sender = notifier(receiver)
    sender.send(sample_report(), sample_delivery("webhook"))
    receiver.reply(HANG_UP)
    sender.send(sample_report(), sample_delivery("webhook"))
    assert receiver.statuses == [200, 0, 200]
    receiver.reply(HANG_UP, HANG_UP)  # twice in a row is the receiver, not a stale connection
    error = failure(sender)
    assert not error.permanent
    assert error.message.startswith("webhook connection failed")
