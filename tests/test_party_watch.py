"""The counterparty watch: `watch.parties` names that make any company's Item 1.01 notify.

Recording (`Watchlist.matches`): an unwatched company's 8-K is recorded only
when it declares Item 1.01. Notifying (`policy.party_watch`,
`notifications_for(parties=…)`): only when a watched name is a party to an
agreement its items describe. End to end against the replay: what is read,
what notifies, and what it says.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from edgarwatch.agreement import Agreement, Party
from edgarwatch.config import ConfigError, from_mapping
from edgarwatch.daemon.cycles import Cycles
from edgarwatch.daemon.runtime import Runtime, build_runtime
from edgarwatch.daemon.watchlist import Watchlist
from edgarwatch.filing import Company, Filing, Item
from edgarwatch.notifiers.console import ConsoleNotifier, ConsoleSettings
from edgarwatch.notifiers.slack import SlackNotifier, SlackSettings
from edgarwatch.policy import PartyWatch, Rule, notifications_for, party_watch
from edgarwatch.replay.server import Replay, ReplayServer
from edgarwatch.secrets import Secret
from edgarwatch.storage import Storage
from tests.servers.slack_receiver import SlackReceiver
from tests.support import USER_AGENT, company, eight_k, run_enrich, run_poll, settings_for

IMMUNOGEN = company(855654, "IMMUNOGEN INC", ticker="IMGN")
WIDE_WORLD = company(9_100_004, "Wide World Importers, Inc.")
LITWARE = company(9_100_005, "Litware Holdings, Inc.")
CONTOSO = company(9_100_002, "Contoso Semiconductor Corp")
TREY = company(9_100_006, "Trey Research Corp.")

SUPPLY_WITH_SICOR = (
    "On November 20, 2026, Wide World Importers, Inc. (the “Company”) entered into a Supply "
    "Agreement (the “Supply Agreement”) with Società Italiana Corticosteroidi S.r.l (SICOR), "
    "under which SICOR will supply active pharmaceutical ingredients to the Company through "
    "December 31, 2029. Under the Supply Agreement, the Company will pay SICOR a purchase "
    "price of $12.0 million."
)
SUPPLY_HEADLINE = (
    "Supply Agreement with Società Italiana Corticosteroidi S.r.l (SICOR) — "
    "USD 12,000,000 purchase price — through December 31, 2029."
)
CREDIT_MENTIONING_SICOR = (
    "On November 20, 2026, Litware Holdings, Inc. (the “Company”) entered into a Credit "
    "Agreement (the “Credit Agreement”) with First Meridian Bank, N.A., as administrative "
    "agent, and the lenders party thereto, providing for a revolving credit facility of "
    "$50.0 million. The Company intends to use the proceeds to buy manufacturing equipment "
    "previously owned by SICOR and by Pfizer Pharmaceuticals Ltd."
)
PLANT_FROM_PFIZER = (
    "On November 21, 2026, Trey Research Corp. (the “Company”) entered into an Asset Purchase "
    "Agreement with Pfizer Inc., under which the Company will acquire a manufacturing plant "
    "for $30.0 million."
)


# --- recording: which unwatched filings are read -----------------------------------------


def filing(*items: str, cik: int = 9_100_004) -> Filing:
    return Filing(
        accession="0009100004-26-000001",
        form="8-K",
        companies=(Company(cik, "SOMEONE ELSE INC"),),
        url="https://www.sec.gov/Archives/edgar/data/9100004/000910000426000001/x-index.htm",
        items=items,
    )


def test_an_unwatched_companys_1_01_is_recorded_only_for_a_party_watch() -> None:
    watching = Watchlist(False, frozenset({855654}), parties=("SICOR",))

    assert watching.matches(filing("1.01", "9.01"))
    assert not watching.matches(filing("8.01", "9.01"))
    assert not watching.matches(filing())  # items not known yet (daily index): not read
    assert not Watchlist(False, frozenset({855654})).matches(filing("1.01"))
    assert not watching.watches_company(filing("1.01"))
    assert watching.watches_company(filing("8.01", cik=855654))
    assert Watchlist(True, frozenset(), parties=("SICOR",)).watches_company(filing("8.01"))


def test_watch_parties_are_read_from_the_config() -> None:
    settings = from_mapping(
        {"edgar": {"user_agent": USER_AGENT}, "watch": {"parties": ["SICOR", " Pfizer  Inc. "]}},
        environ={},
    )
    assert settings.watch.parties == ("SICOR", "Pfizer Inc.")


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("the Trustee", "names a capacity"),
        ("...", "has no letters or digits"),
        ("x" * 201, "longer than 200"),
    ],
)
def test_it_refuses_a_party_name_that_could_never_match(name: str, problem: str) -> None:
    with pytest.raises(ConfigError) as caught:
        from_mapping(
            {"edgar": {"user_agent": USER_AGENT}, "watch": {"parties": ["SICOR", name]}},
            environ={},
        )
    (found,) = caught.value.problems
    assert found.startswith("watch.parties: ")
    assert problem in found


# --- notifying: the parties decide ---------------------------------------------------------

SICOR_DEAL = Agreement(
    "manufacturing/supply",
    "Supply Agreement",
    parties=(
        Party("Wide World Importers, Inc.", "registrant"),
        Party("Società Italiana Corticosteroidi S.r.l", short_name="SICOR"),
    ),
)
PFIZER_OWN_DEAL = Agreement(
    "license", "License Agreement", parties=(Party("Pfizer Inc.", "registrant"), Party("X AG"))
)


def test_the_party_watch_names_who_is_a_party_item_by_item() -> None:
    items = (
        Item("1.01", "Entry", "…", (SICOR_DEAL, PFIZER_OWN_DEAL)),
        Item("2.03", "Obligation", "…"),
        Item("8.01", "Other", "SICOR and Pfizer Inc. are mentioned here"),
    )
    verdict = party_watch(["Pfizer Inc.", "SICOR", "Società Italiana Corticosteroidi"], items)

    assert verdict == PartyWatch({"1.01": ("SICOR", "Società Italiana Corticosteroidi")})
    assert verdict.names == ("SICOR", "Società Italiana Corticosteroidi")
    assert verdict.holds_for("1.01")
    assert not verdict.holds_for("8.01")


def test_a_filing_of_no_watched_company_notifies_only_for_items_naming_a_party() -> None:
    rules = (Rule("default", items=("1.01", "8.01")), Rule("debt", items=("2.03",)))
    reported = ["1.01", "2.03", "8.01"]
    found = PartyWatch({"1.01": ("SICOR",)})

    rows = notifications_for(filing(*reported), reported, rules, ["slack"], parties=found)
    assert [(r.rule, r.items) for r in rows] == [("default", ("1.01",))]
    nobody = notifications_for(
        filing(*reported), reported, rules, ["slack"], parties=PartyWatch({})
    )
    assert nobody == []
    watched = notifications_for(filing(*reported), reported, rules, ["slack"])
    assert [(r.rule, r.items) for r in watched] == [
        ("default", ("1.01", "8.01")),
        ("debt", ("2.03",)),
    ]


# --- end to end against the replay -----------------------------------------------------------


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[Replay, str, Path, SlackReceiver]]:
    replay = Replay()
    with ReplayServer(replay) as server, SlackReceiver() as slack:
        yield replay, server.url, tmp_path / "edgarwatch.db", slack


def runtime_for(url: str, database: Path, slack: SlackReceiver, console: io.StringIO) -> Runtime:
    watch = {"ciks": [855654], "parties": ["SICOR", "Pfizer Inc."], "catch_up_days": 0}
    settings = settings_for(url, database, watch=watch)
    notifiers = {
        "console": ConsoleNotifier(ConsoleSettings(stream=console)),
        "slack": SlackNotifier(SlackSettings("slack", Secret(slack.url), timeout=5)),
    }
    runtime = build_runtime(settings, storage=Storage.open(database), notifiers=notifiers)
    Cycles(runtime).sync_watchlist()
    return runtime


@pytest.mark.slow
def test_a_watched_party_to_any_companys_1_01_notifies_and_says_why(
    world: tuple[Replay, str, Path, SlackReceiver],
) -> None:
    replay, url, database, slack = world
    console = io.StringIO()
    runtime = runtime_for(url, database, slack, console)
    run_poll(runtime)  # the baseline
    with_sicor = eight_k(WIDE_WORLD, {"1.01": SUPPLY_WITH_SICOR, "9.01": "Exhibit 10.1."})
    only_mentioned = eight_k(LITWARE, {"1.01": CREDIT_MENTIONING_SICOR})
    from_pfizer = eight_k(TREY, {"1.01": PLANT_FROM_PFIZER})
    other_events = eight_k(CONTOSO, {"8.01": "SICOR and Pfizer Inc. visited our plant."})
    watched = eight_k(IMMUNOGEN, {"1.01": "A license agreement with Sanofi for $50 million."})
    for each in (with_sicor, only_mentioned, from_pfizer, other_events, watched):
        replay.add(each)
        replay.publish(each.accession)
    replay.clear_requests()

    recorded = run_poll(runtime).recorded
    result = run_enrich(runtime)

    assert {f.accession for f in recorded} == {
        with_sicor.accession,
        only_mentioned.accession,
        from_pfizer.accession,
        watched.accession,
    }  # the 8.01 of an unwatched company is not even recorded
    read = [r.path for r in replay.requests() if "/Archives/" in r.path]
    assert not any(other_events.accession.replace("-", "") in path for path in read)
    assert len(read) == 4  # one complete submission per read: the party watch's cost
    assert result.notifications == 3 * 2  # SICOR's, Pfizer's and the watched 1.01, two channels
    rows = runtime.storage.connections.query(
        "SELECT DISTINCT accession FROM notifications ORDER BY accession"
    )
    assert {r["accession"] for r in rows} == {
        with_sicor.accession,
        from_pfizer.accession,
        watched.accession,
    }
    stored = runtime.storage.filings.report(with_sicor.accession)
    assert stored is not None
    assert stored.party_watch == ("SICOR",)
    not_a_party = runtime.storage.filings.report(only_mentioned.accession)
    assert not_a_party is not None
    assert not_a_party.party_watch == ()
    assert [a.title for a in not_a_party.agreements] == ["Credit Agreement"]  # read, kept

    runtime.dispatcher.dispatch()

    shown = console.getvalue()
    sicor_message = next(m for m in shown.split("── console") if "Wide World" in m)
    assert sicor_message.splitlines()[1] == SUPPLY_HEADLINE
    assert "Why:       party watch: SICOR" in sicor_message
    assert "Why:       party watch: Pfizer Inc." in shown
    assert "Litware" not in shown
    assert shown.count("Why:") == 2  # a watched company's filing notifies as before
    (posted,) = [
        r.json() for r in slack.requests if "Wide World" in r.json()["blocks"][0]["text"]["text"]
    ]
    assert posted["blocks"][1]["text"]["text"] == f"*{SUPPLY_HEADLINE}*"
    assert {"type": "mrkdwn", "text": "*Why*\nparty watch: SICOR"} in posted["blocks"][2]["fields"]
    assert len(slack.requests) == 3


def test_an_unwatched_1_01_read_before_the_baseline_is_never_announced(
    world: tuple[Replay, str, Path, SlackReceiver],
) -> None:
    replay, url, database, slack = world
    old = eight_k(WIDE_WORLD, {"1.01": SUPPLY_WITH_SICOR})
    replay.add(old)
    replay.publish(old.accession, datetime.now(UTC))
    runtime = runtime_for(url, database, slack, io.StringIO())

    assert run_poll(runtime).baseline
    run_enrich(runtime)

    assert runtime.storage.filings.recorded([old.accession]) == {old.accession}
    assert runtime.storage.connections.query("SELECT * FROM notifications") == []
    report = runtime.storage.filings.report(old.accession)
    assert report is not None
    assert report.party_watch == ("SICOR",)  # matched, recorded, never announced
