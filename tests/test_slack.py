"""Slack notifier against a loopback HTTP receiver playing Slack's incoming webhook."""

from __future__ import annotations

import logging
import re
import socket
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import trustme

from edgarwatch.agreement import Agreement, Amount, Party
from edgarwatch.filing import Company, Exhibit, FilingReport, Item
from edgarwatch.notifiers import NotifierError, notifier_for
from edgarwatch.notifiers.base import Delivery
from edgarwatch.notifiers.dispatch import Dispatcher
from edgarwatch.notifiers.sample import FOLDER, sample_delivery, sample_report
from edgarwatch.notifiers.slack import SlackNotifier, SlackSettings
from edgarwatch.policy import NotifySettings
from edgarwatch.secrets import Secret
from tests.servers.slack_receiver import (
    BAD_GATEWAY,
    CHANNEL_IS_ARCHIVED,
    INVALID_PAYLOAD,
    INVALID_TOKEN,
    NO_SERVICE,
    OK,
    SERVER_ERROR,
    SLACK_PATH,
    Reply,
    SlackReceiver,
    rate_limited,
    slow,
)
from tests.test_dispatch import storage_with

EVIL = "<!channel> <https://evil.example|click>"
EVIL_ESCAPED = "&lt;!channel&gt; &lt;https://evil.example|click&gt;"


@pytest.fixture
def slack(slack_receiver: SlackReceiver) -> Iterator[SlackNotifier]:
    settings = SlackSettings(name="slack", webhook_url=Secret(slack_receiver.url), timeout=2.0)
    notifier = notifier_for(settings)
    assert isinstance(notifier, SlackNotifier)
    yield notifier
    notifier.close()


def texts(value: Any) -> Iterator[str]:
    """Every string under a "text" key, anywhere in a payload."""
    if isinstance(value, dict):
        for key, child in value.items():
            if key == "text" and isinstance(child, str):
                yield child
            else:
                yield from texts(child)
    elif isinstance(value, list):
        for child in value:
            yield from texts(child)


def hostile_report() -> FilingReport:
    report = sample_report()
    filing = replace(
        report.filing,
        companies=(Company(855654, EVIL, "Filer"), Company(1, EVIL, "Subject")),
        items=("1.01", "9.01"),
    )
    items = (
        Item("1.01", "Entry into a Material Definitive Agreement", f"Deal with {EVIL} & co."),
        Item("9.01", EVIL, None),
    )
    exhibits = (Exhibit("EX-10.1", "ex10|x>.htm", f"{FOLDER}/ex10.htm", EVIL),)
    return replace(report, filing=filing, items=items, exhibits=exhibits)


def test_it_posts_a_block_kit_message(slack: SlackNotifier, slack_receiver: SlackReceiver) -> None:
    slack.send(sample_report(), sample_delivery("slack"))
    (request,) = slack_receiver.requests
    assert request.header("Content-Type") == "application/json"
    payload = request.json()
    assert payload["text"].startswith(
        "IMMUNOGEN INC — 8-K Item 1.01: Entry into a Material Definitive Agreement "
        "(accepted 2007-05-04 16:05 ET): Manufacturing agreement with Società Italiana "
        "Corticosteroidi S.r.l (SICOR) — EUR 5,000,000 purchase price — through early 2008."
    )
    blocks = payload["blocks"]
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "IMMUNOGEN INC — 8-K Item 1.01", "emoji": False},
    }
    all_text = "\n".join(texts(payload))
    assert "*Accepted*\n2007-05-04 16:05 ET" in all_text
    assert "*Item 1.01 — Entry into a Material Definitive Agreement*\nOn April 30, 2007" in all_text
    assert f"<{sample_report().filing.url}|Filing index>" in all_text


def test_it_links_the_agreement_exhibit(
    slack: SlackNotifier, slack_receiver: SlackReceiver
) -> None:
    exhibit = Exhibit("EX-10.1", "ex10-1.htm", f"{FOLDER}/ex10-1.htm", "Supply Agreement")
    slack.send(replace(sample_report(), exhibits=(exhibit,)), sample_delivery("slack"))
    all_text = "\n".join(texts(slack_receiver.requests[0].json()))
    assert f"<{FOLDER}/ex10-1.htm|Agreement (EX-10.1): Supply Agreement>" in all_text


def test_it_escapes_a_hostile_company_name_everywhere(
    slack: SlackNotifier, slack_receiver: SlackReceiver
) -> None:
    slack.send(hostile_report(), sample_delivery("slack"))
    payload = slack_receiver.requests[0].json()
    fields = list(texts(payload))
    assert "<!" not in slack_receiver.requests[0].body.decode()
    for text in fields:
        # The only links left are the ones we built, to EDGAR.
        for url in re.findall(r"<([^|>]*)\|", text):
            assert url.startswith("https://www.sec.gov/Archives/"), url
        assert "evil.example|click>" not in text
    header = payload["blocks"][0]["text"]["text"]
    company_field = payload["blocks"][1]["fields"][0]["text"]
    for text in (payload["text"], header, company_field):
        assert EVIL_ESCAPED in text
    assert sum(EVIL_ESCAPED in text for text in fields) >= 6  # + subject, item, exhibit, 9.01
    assert "Deal with &lt;!channel&gt; &lt;https://evil.example|click&gt; &amp; co." in "".join(
        fields
    )
    assert f"<{FOLDER}/ex10.htm|Agreement (EX-10.1): {EVIL_ESCAPED}>" in "".join(fields)


def test_it_stays_within_slack_limits(slack: SlackNotifier, slack_receiver: SlackReceiver) -> None:
    numbers = tuple(f"{major}.{minor:02d}" for major in range(1, 9) for minor in range(1, 9))
    items = tuple(Item(n, "", "R&D <b> " * 800) for n in numbers)  # 64 items, 6,400 chars each
    report = sample_report()
    long_name = "ACME & SONS " * 30
    report = replace(
        report,
        items=items,
        filing=replace(report.filing, items=numbers, companies=(Company(1, long_name),)),
    )
    slack.send(report, Delivery("d", "slack", "all", numbers))  # the receiver validates limits
    blocks = slack_receiver.requests[0].json()["blocks"]
    assert len(blocks) == 50
    assert len(blocks[0]["text"]["text"]) <= 150
    assert blocks[0]["text"]["text"].endswith("… — 8-K Items 1.01, 1.02, 1.03, 1.04 and 60 more")
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section" and "text" in b]
    assert max(len(text) for text in sections) <= 3000
    assert max(len(text) for text in sections) > 2900  # trimmed to the limit, not far below
    assert any(text.startswith("…and ") and "8.08" in text for text in sections)


def test_it_shows_item_text_trimmed_with_an_ellipsis(
    slack: SlackNotifier, slack_receiver: SlackReceiver
) -> None:
    report = replace(sample_report(), items=(Item("1.01", "", "word " * 1000),))
    slack.send(report, sample_delivery("slack"))
    section = slack_receiver.requests[0].json()["blocks"][2]["text"]["text"]
    assert section.endswith("word…")
    assert len(section) <= 3000


def test_it_retries_later_when_rate_limited(
    slack: SlackNotifier, slack_receiver: SlackReceiver
) -> None:
    slack_receiver.reply(rate_limited(30), OK)
    with pytest.raises(NotifierError) as caught:
        slack.send(sample_report(), sample_delivery("slack"))
    assert not caught.value.permanent
    assert caught.value.retry_after == 30
    assert "HTTP 429" in caught.value.message
    slack.send(sample_report(), sample_delivery("slack"))  # then it goes through
    assert len(slack_receiver.requests) == 2


@pytest.mark.parametrize("reply", [SERVER_ERROR, BAD_GATEWAY, Reply(503, "", {"Retry-After": "7"})])
def test_it_treats_server_errors_as_transient(
    slack: SlackNotifier, slack_receiver: SlackReceiver, reply: Reply
) -> None:
    slack_receiver.reply(reply)
    with pytest.raises(NotifierError) as caught:
        slack.send(sample_report(), sample_delivery("slack"))
    assert not caught.value.permanent
    assert f"HTTP {reply.status}" in caught.value.message
    assert caught.value.retry_after == (7 if reply.status == 503 else None)


@pytest.mark.parametrize(
    "reply",
    [
        INVALID_PAYLOAD,
        INVALID_TOKEN,
        NO_SERVICE,
        CHANNEL_IS_ARCHIVED,
        Reply(404, "channel_not_found"),
    ],
)
def test_it_gives_up_on_permanent_slack_errors(
    slack: SlackNotifier, slack_receiver: SlackReceiver, reply: Reply
) -> None:
    slack_receiver.reply(reply)
    with pytest.raises(NotifierError) as caught:
        slack.send(sample_report(), sample_delivery("slack"))
    assert caught.value.permanent
    assert f"HTTP {reply.status}: {reply.body}" in caught.value.message
    assert SLACK_PATH not in str(caught.value)


def test_it_gives_up_on_a_revoked_webhook(slack_receiver: SlackReceiver) -> None:
    url = slack_receiver.url.replace(SLACK_PATH, "/services/T0/B0/revokedrevokedrevoked")
    notifier = SlackNotifier(SlackSettings(name="slack", webhook_url=Secret(url), timeout=2))
    with pytest.raises(NotifierError) as caught:
        notifier.send(sample_report(), sample_delivery("slack"))
    assert caught.value.permanent
    assert "no_service" in caught.value.message
    assert "create a new one" in caught.value.message


def test_it_does_not_follow_redirects(slack: SlackNotifier, slack_receiver: SlackReceiver) -> None:
    slack_receiver.reply(Reply(302, "", {"Location": "http://127.0.0.1:9/elsewhere"}))
    with pytest.raises(NotifierError) as caught:
        slack.send(sample_report(), sample_delivery("slack"))
    assert caught.value.permanent
    assert "redirect" in caught.value.message
    assert len(slack_receiver.requests) == 1


def test_it_times_out_on_a_slow_response(slack_receiver: SlackReceiver) -> None:
    settings = SlackSettings(name="slack", webhook_url=Secret(slack_receiver.url), timeout=0.5)
    slack_receiver.reply(slow(3.0))
    started = time.monotonic()
    with pytest.raises(NotifierError) as caught:
        SlackNotifier(settings).send(sample_report(), sample_delivery("slack"))
    assert time.monotonic() - started < 2.0
    assert not caught.value.permanent
    assert caught.value.message == "Slack webhook timed out after 0.5 s"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_it_reports_a_refused_connection_as_transient() -> None:
    url = f"http://127.0.0.1:{closed_port()}/services/T1/B1/refusedrefusedrefused"
    notifier = SlackNotifier(SlackSettings(name="slack", webhook_url=Secret(url), timeout=1))
    with pytest.raises(NotifierError) as caught:
        notifier.send(sample_report(), sample_delivery("slack"))
    assert not caught.value.permanent
    assert caught.value.message == "Slack webhook connection failed (Connection refused)"


def test_it_never_reveals_the_webhook_url(
    slack_receiver: SlackReceiver, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="edgarwatch")
    caplog.set_level(logging.INFO)
    settings = SlackSettings(name="slack", webhook_url=Secret(slack_receiver.url), timeout=0.5)
    notifier = SlackNotifier(settings)
    slack_receiver.reply(Reply(400, f"invalid_payload at {slack_receiver.url}"), slow(2), OK)
    errors = []
    for _ in range(2):
        with pytest.raises(NotifierError) as caught:
            notifier.send(sample_report(), sample_delivery("slack"))
        errors.append(caught.value)
    notifier.send(sample_report(), sample_delivery("slack"))
    shown = [str(e) for e in errors] + [repr(e) for e in errors] + [repr(settings)]
    shown += [record.getMessage() for record in caplog.records]
    assert caplog.records  # the success was logged
    for text in shown:
        assert SLACK_PATH not in text
        assert "XXXXXXXXXXXXXXXXXXXXXXXX" not in text


SEED_HEADLINE = (
    "Manufacturing agreement with Società Italiana Corticosteroidi S.r.l (SICOR) — "
    "EUR 5,000,000 purchase price — through early 2008."
)


def test_it_opens_with_the_headline_then_parties_and_amounts_as_fields(
    slack: SlackNotifier, slack_receiver: SlackReceiver
) -> None:
    slack.send(sample_report(), sample_delivery("slack"))
    blocks = slack_receiver.requests[0].json()["blocks"]
    assert blocks[0]["type"] == "header"
    assert blocks[1] == {
        "type": "section",
        "text": {"type": "mrkdwn", "text": f"*{SEED_HEADLINE}*"},
        "fields": [
            {
                "type": "mrkdwn",
                "text": "*Parties*\nImmunoGen, Inc. — registrant\n"
                "Società Italiana Corticosteroidi S.r.l (SICOR) — counterparty",
            },
            {"type": "mrkdwn", "text": "*Amounts*\nEUR 5,000,000 purchase price"},
        ],
    }
    assert blocks[2]["fields"][0]["text"] == "*Company*\nIMMUNOGEN INC (CIK 855654)"


def test_it_links_the_exhibit_that_files_the_agreement(
    slack: SlackNotifier, slack_receiver: SlackReceiver
) -> None:
    report = sample_report()
    deal = replace(report.items[0].agreements[0], exhibit="EX-10.1")
    exhibit = Exhibit("EX-10.1", "ex10-1.htm", f"{FOLDER}/ex10-1.htm", "Manufacturing Agreement")
    items = (replace(report.items[0], agreements=(deal,)),)
    slack.send(replace(report, items=items, exhibits=(exhibit,)), sample_delivery("slack"))
    fields = slack_receiver.requests[0].json()["blocks"][1]["fields"]
    assert fields[-1] == {"type": "mrkdwn", "text": f"*Agreement*\n<{FOLDER}/ex10-1.htm|EX-10.1>"}


def test_it_says_when_the_party_watch_is_why(
    slack: SlackNotifier, slack_receiver: SlackReceiver
) -> None:
    slack.send(replace(sample_report(), party_watch=("SICOR",)), sample_delivery("slack"))
    facts = slack_receiver.requests[0].json()["blocks"][2]["fields"]
    assert facts[0] == {"type": "mrkdwn", "text": "*Why*\nparty watch: SICOR"}


def test_it_escapes_hostile_deal_terms(slack: SlackNotifier, slack_receiver: SlackReceiver) -> None:
    hostile = Agreement(
        "license",
        f"License Agreement {EVIL}",
        parties=(Party(EVIL, short_name="<@U123>"),),
        amounts=(Amount(EVIL, 1, "<!here>", "upfront"),),
        exhibit=f"EX-10.1 {EVIL}",
    )
    report = sample_report()
    items = (replace(report.items[0], agreements=(hostile,)),)
    slack.send(replace(report, items=items), sample_delivery("slack"))
    request = slack_receiver.requests[0]
    assert "<!" not in request.body.decode()
    assert "<@" not in request.body.decode()
    deal = request.json()["blocks"][1]
    assert EVIL_ESCAPED in deal["text"]["text"]
    assert f"{EVIL_ESCAPED} (&lt;@U123&gt;) — counterparty" in deal["fields"][0]["text"]
    assert "&lt;!here&gt; 1 upfront" in deal["fields"][1]["text"]


def test_many_agreements_stay_within_slack_limits(
    slack: SlackNotifier, slack_receiver: SlackReceiver
) -> None:
    lenders = tuple(Party(f"Lender Bank {n} " * 20, "lender") for n in range(40))
    loan = Agreement("credit facility", "Credit Agreement " * 200, parties=lenders)
    numbers = tuple(f"{major}.0{minor}" for major in range(1, 9) for minor in range(1, 9))
    items = tuple(Item(n, "", "text " * 700, (loan,) * 7) for n in numbers)
    report = sample_report()
    report = replace(report, items=items, filing=replace(report.filing, items=numbers))
    slack.send(report, Delivery("d", "slack", "all", numbers))  # the receiver validates limits
    blocks = slack_receiver.requests[0].json()["blocks"]
    assert len(blocks) == 50
    deals = blocks[1:6]
    assert all(b["text"]["text"].startswith("*Credit Agreement Credit") for b in deals)
    assert all(b["fields"][0]["text"].endswith("— lender\n…and 34 more") for b in deals)
    assert blocks[6]["elements"][0]["text"] == "…and 443 more agreements: see the item text"


def test_an_untrusted_certificate_is_retried_loudly_never_dropped(
    smtp_ca: trustme.CA, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 8.10: the same rule as email — transient (a CA bundle, a clock or a proxy
    gets fixed; the row must still be there then) but an alert, logged at error level."""
    with SlackReceiver(tls=smtp_ca) as receiver:
        settings = SlackSettings(name="slack", webhook_url=Secret(receiver.url), timeout=2)
        with pytest.raises(NotifierError) as caught:
            SlackNotifier(settings).send(sample_report(), sample_delivery("slack"))
        error = caught.value
        assert not error.permanent
        assert error.alert
        assert error.message.startswith("the TLS certificate of Slack webhook 127.0.0.1:")
        assert "could not be verified" in error.message
        assert SLACK_PATH not in error.message
        assert receiver.requests == []

        storage = storage_with(tmp_path, ["slack"])
        dispatcher = Dispatcher(
            storage, {"slack": SlackNotifier(settings)}, NotifySettings(), "me:1"
        )
        result = dispatcher.dispatch()
        assert (result.sent, result.retried, result.dead) == (0, 1, 0)
        loud = [
            r for r in caplog.records if r.levelname == "ERROR" and "certificate" in r.getMessage()
        ]
        assert loud
        assert SLACK_PATH not in caplog.text
