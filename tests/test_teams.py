"""Teams notifier against a loopback Workflows trigger playing its real answers."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from edgarwatch.filing import Company, Exhibit, Item
from edgarwatch.notifiers import NotifierError, notifier_for
from edgarwatch.notifiers.base import Delivery
from edgarwatch.notifiers.sample import FOLDER, sample_delivery, sample_report
from edgarwatch.notifiers.teams import MAX_BYTES, TeamsNotifier, TeamsSettings
from edgarwatch.secrets import Secret, redact
from tests.servers.slack_receiver import Reply
from tests.servers.teams_receiver import (
    SCHEMA_MISMATCH,
    SIG,
    WORKFLOW_PATH,
    TeamsReceiver,
    throttled,
)
from tests.test_slack import hostile_report

EVIL = "<!channel> <https://evil.example|click>"


def teams_for(
    receiver: TeamsReceiver, url: str | None = None, timeout: float = 2.0
) -> TeamsNotifier:
    settings = TeamsSettings(name="teams", webhook_url=Secret(url or receiver.url), timeout=timeout)
    notifier = notifier_for(settings)
    assert isinstance(notifier, TeamsNotifier)
    return notifier


@pytest.fixture
def teams(teams_receiver: TeamsReceiver) -> Iterator[TeamsNotifier]:
    notifier = teams_for(teams_receiver)
    yield notifier
    notifier.close()


def runs(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [inline for block in card["body"] for inline in block.get("inlines", [])]


def failure(notifier: TeamsNotifier) -> NotifierError:
    with pytest.raises(NotifierError) as caught:
        notifier.send(sample_report(), sample_delivery("teams"))
    return caught.value


def test_it_posts_an_adaptive_card_in_the_workflows_envelope(
    teams: TeamsNotifier, teams_receiver: TeamsReceiver
) -> None:
    teams.send(sample_report(), sample_delivery("teams"))
    (request,) = teams_receiver.requests
    assert request.header("Content-Type") == "application/json"
    payload = request.json()
    assert payload["type"] == "message"
    (attachment,) = payload["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert attachment["contentUrl"] is None
    assert teams_receiver.flow_failures == []
    (card,) = teams_receiver.cards
    assert (card["type"], card["version"]) == ("AdaptiveCard", "1.2")
    texts = [inline["text"] for inline in runs(card)]
    assert texts[0] == "IMMUNOGEN INC — 8-K Item 1.01"
    assert texts[1] == (  # what was signed, first (the sample has its deal terms)
        "Manufacturing agreement with Società Italiana Corticosteroidi S.r.l (SICOR) — "
        "EUR 5,000,000 purchase price — through early 2008."
    )
    assert any("Amounts:   EUR 5,000,000 purchase price" in t for t in texts)
    assert "2007-05-04 16:05 ET" in texts
    assert "Item 1.01 — Entry into a Material Definitive Agreement" in texts
    assert any(t.startswith("On April 30, 2007, ImmunoGen") for t in texts)
    links = {i["text"]: i["selectAction"]["url"] for i in runs(card) if "selectAction" in i}
    assert links["Filing index"] == sample_report().filing.url
    assert card["actions"] == [
        {"type": "Action.OpenUrl", "title": "Filing index", "url": sample_report().filing.url}
    ]


def test_it_links_the_agreement_exhibit(
    teams: TeamsNotifier, teams_receiver: TeamsReceiver
) -> None:
    exhibit = Exhibit("EX-10.1", "ex10-1.htm", f"{FOLDER}/ex10-1.htm", "Supply Agreement")
    teams.send(replace(sample_report(), exhibits=(exhibit,)), sample_delivery("teams"))
    links = {
        i["text"]: i["selectAction"]["url"]
        for i in runs(teams_receiver.cards[0])
        if "selectAction" in i
    }
    assert links["Agreement (EX-10.1): Supply Agreement"] == f"{FOLDER}/ex10-1.htm"


def test_filer_text_is_never_read_as_markdown(
    teams: TeamsNotifier, teams_receiver: TeamsReceiver
) -> None:
    """Filer strings only in TextRuns (Adaptive Cards never parse Markdown there); no
    TextBlock, FactSet or action title ever carries them."""
    teams.send(hostile_report(), sample_delivery("teams"))
    card = teams_receiver.cards[0]
    assert {block["type"] for block in card["body"]} == {"RichTextBlock"}
    hostile = [i for i in runs(card) if EVIL in i["text"]]
    assert len(hostile) >= 4  # title, company fact, item text, exhibit description
    for action in card["actions"]:
        assert EVIL not in action["title"]
    urls = [i["selectAction"]["url"] for i in runs(card) if "selectAction" in i]
    assert all(url.startswith("https://www.sec.gov/Archives/") for url in urls)


def test_it_stays_under_the_size_limit_by_trimming_item_text(
    teams: TeamsNotifier, teams_receiver: TeamsReceiver
) -> None:
    numbers = tuple(f"{major}.{minor:02d}" for major in range(1, 9) for minor in range(1, 4))
    items = tuple(Item(n, "", "Mégà agreement text. " * 400) for n in numbers)  # 24 × 8,400
    report = replace(
        sample_report(), items=items, filing=replace(sample_report().filing, items=numbers)
    )
    teams.send(report, Delivery("d", "teams", "all", numbers))
    (request,) = teams_receiver.requests
    assert len(request.body) <= MAX_BYTES
    assert teams_receiver.flow_failures == []
    texts = [i["text"] for i in runs(teams_receiver.cards[0])]
    assert sum(t.startswith("Mégà agreement") and t.endswith("…") for t in texts) == 24


@pytest.mark.parametrize("status", [200, 202])
def test_it_takes_200_and_202_as_accepted(
    teams: TeamsNotifier, teams_receiver: TeamsReceiver, status: int
) -> None:
    teams_receiver.reply(Reply(status, ""))
    teams.send(sample_report(), sample_delivery("teams"))


def test_a_deleted_workflow_is_permanent(teams_receiver: TeamsReceiver) -> None:
    url = teams_receiver.url.replace(WORKFLOW_PATH, "/workflows/ffff/triggers/manual/paths/invoke")
    error = failure(teams_for(teams_receiver, url))
    assert error.permanent
    assert "HTTP 404: WorkflowNotFound (the workflow was deleted" in error.message


def test_a_wrong_signature_is_permanent(teams_receiver: TeamsReceiver) -> None:
    error = failure(teams_for(teams_receiver, teams_receiver.url.replace(SIG, "rotated")))
    assert error.permanent
    assert "DirectApiInvalidAuthorizationSignature" in error.message


def test_a_workflow_turned_off_is_permanent_and_says_how_to_resend(
    teams: TeamsNotifier, teams_receiver: TeamsReceiver
) -> None:
    teams_receiver.enabled = False
    error = failure(teams)
    assert error.permanent
    assert "WorkflowTriggerIsNotEnabled" in error.message
    assert "notifications retry --all-dead" in error.message


def test_a_schema_mismatch_is_permanent(
    teams: TeamsNotifier, teams_receiver: TeamsReceiver
) -> None:
    teams_receiver.reply(SCHEMA_MISMATCH)
    assert failure(teams).permanent


@pytest.mark.parametrize(
    ("reply", "retry_after"),
    [
        (throttled(7), 7.0),
        (Reply(500, '{"error":{"code":"InternalServerError","message":"x"}}'), None),
        (Reply(502, "Bad Gateway"), None),
        (Reply(503, "", {"Retry-After": "30"}), 30.0),
    ],
)
def test_throttling_and_server_errors_are_transient(
    teams: TeamsNotifier, teams_receiver: TeamsReceiver, reply: Reply, retry_after: float | None
) -> None:
    teams_receiver.reply(reply)
    error = failure(teams)
    assert not error.permanent
    assert error.retry_after == retry_after
    teams.send(sample_report(), sample_delivery("teams"))
    assert len(teams_receiver.cards) == 1


def test_it_never_reveals_the_signature(
    teams_receiver: TeamsReceiver, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    notifier = teams_for(teams_receiver, teams_receiver.url.replace(SIG, SIG[::-1]))
    errors = [failure(notifier)]
    teams_receiver.reply(Reply(500, f"error at {teams_receiver.url}"))
    errors.append(failure(teams_for(teams_receiver)))
    shown = [str(e) for e in errors] + [repr(notifier.settings)]
    # What edgarwatch's log handler writes: every record, urllib3's too, through redact().
    shown += [redact(record.getMessage()) for record in caplog.records]
    shown.append(redact(f"sig={SIG}&x"))  # the signature alone, quoted by anyone
    for text in shown:
        assert SIG not in text
        assert SIG[::-1] not in text


def test_a_long_company_name_and_many_exhibits_still_fit(
    teams: TeamsNotifier, teams_receiver: TeamsReceiver
) -> None:
    exhibits = tuple(
        Exhibit(f"EX-10.{n}", f"ex10-{n}.htm", f"{FOLDER}/ex10-{n}.htm", "A" * 500)
        for n in range(30)
    )
    report = sample_report()
    report = replace(
        report,
        exhibits=exhibits,
        filing=replace(report.filing, companies=(Company(1, "ACME & SONS " * 40),)),
    )
    teams.send(report, sample_delivery("teams"))
    assert teams_receiver.flow_failures == []
    assert len(json.dumps(teams_receiver.requests[0].json()).encode()) <= MAX_BYTES
