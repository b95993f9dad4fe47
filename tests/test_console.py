"""Console notifier: what `edgarwatch demo` prints for each notification."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest

from edgarwatch.filing import Company, Item
from edgarwatch.notifiers import REGISTRY, NotifierError, notifier_for
from edgarwatch.notifiers.base import Delivery
from edgarwatch.notifiers.console import ConsoleNotifier, ConsoleSettings
from edgarwatch.notifiers.sample import sample_delivery, sample_report

DELIVERY = Delivery(id="row-1", channel="console", rule="default", items=("1.01",))


def test_it_registers_every_channel() -> None:
    assert {"slack", "email", "webhook", "console"} <= set(REGISTRY)
    assert isinstance(notifier_for(ConsoleSettings()), ConsoleNotifier)


def test_it_writes_a_compact_rendering_to_its_stream() -> None:
    stream = io.StringIO()
    notifier_for(ConsoleSettings(stream=stream)).send(sample_report(), DELIVERY)
    output = stream.getvalue()
    lines = output.splitlines()
    assert lines[0].startswith("── console · rule default · delivery row-1 ─")
    assert lines[1] == (
        "Manufacturing agreement with Società Italiana Corticosteroidi S.r.l (SICOR) — "
        "EUR 5,000,000 purchase price — through early 2008."
    )
    assert lines[3] == "IMMUNOGEN INC — 8-K Item 1.01: Entry into a Material Definitive Agreement"
    assert "Accepted:  2007-05-04 16:05 ET" in lines
    assert "Parties:   ImmunoGen, Inc. — registrant" in lines
    assert "           Società Italiana Corticosteroidi S.r.l (SICOR) — counterparty" in lines
    assert "Amounts:   EUR 5,000,000 purchase price" in lines
    assert "Item 1.01 — Entry into a Material Definitive Agreement" in lines
    assert any(line.startswith("On April 30, 2007, ImmunoGen, Inc.") for line in lines)
    assert "Filing index: https://www.sec.gov/Archives/edgar/data/855654/" in output
    assert lines[-1] == "─" * 72


def test_it_trims_long_item_text() -> None:
    stream = io.StringIO()
    report = replace(sample_report(), items=(Item("1.01", "", "agreement " * 500),))
    ConsoleNotifier(ConsoleSettings(stream=stream)).send(report, DELIVERY)
    (text_line,) = [line for line in stream.getvalue().splitlines() if line.startswith("agree")]
    assert text_line.endswith("agreement…")
    assert len(text_line) <= 1000


def test_it_strips_terminal_escape_sequences() -> None:
    stream = io.StringIO()
    report = sample_report()
    hostile = Company(855654, "EVIL\x1b]0;pwned\x07\x1b[2J CORP\u202e")
    report = replace(report, filing=replace(report.filing, companies=(hostile,)))
    ConsoleNotifier(ConsoleSettings(stream=stream)).send(report, DELIVERY)
    output = stream.getvalue()
    assert "\x1b" not in output
    assert "\x07" not in output
    assert "\u202e" not in output
    assert "EVIL]0;pwned[2J CORP — 8-K Item 1.01" in output


def test_it_strips_terminal_escape_sequences_from_deal_terms() -> None:
    stream = io.StringIO()
    report = sample_report()
    deal = report.items[0].agreements[0]
    parties = (
        replace(deal.parties[1], name="SICOR\x1b[2J S.p.A.\u202e", short_name="\x1b]0;x\x07"),
    )
    item = replace(report.items[0], agreements=(replace(deal, parties=parties),))
    ConsoleNotifier(ConsoleSettings(stream=stream)).send(replace(report, items=(item,)), DELIVERY)
    output = stream.getvalue()
    assert "\x1b" not in output
    assert "\x07" not in output
    assert "\u202e" not in output
    assert "Parties:   SICOR[2J S.p.A. (]0;x) — counterparty" in output.splitlines()


def test_it_writes_to_stdout_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    ConsoleNotifier(ConsoleSettings()).send(sample_report(), sample_delivery("console"))
    assert "IMMUNOGEN INC — 8-K Item 1.01" in capsys.readouterr().out


def test_it_reports_a_closed_stream() -> None:
    stream = io.StringIO()
    stream.close()
    with pytest.raises(NotifierError) as caught:
        ConsoleNotifier(ConsoleSettings(stream=stream)).send(sample_report(), DELIVERY)
    assert "cannot write" in caught.value.message
