"""The extractor against the hand-labelled agreements of the corpus and the seed.

`tests/agreements_golden.py` holds the labels (see its docstring for how
each field is scored). The corpus and the seed live next to the repository
(`../shared/`) and are read in place; without them these tests skip.
"""

from __future__ import annotations

import csv

import pytest

from edgarwatch.edgar.local_files import parse_file
from tests.agreements_golden import CORPUS, GOLDEN, Filing, Score, present, score_filing


def _params() -> list[object]:
    found = list(present())
    if not found:
        return [pytest.param(None, None, marks=pytest.mark.skip(reason="no ../shared corpus"))]
    return [pytest.param(name, filing, id=name) for name, filing in found]


@pytest.mark.parametrize(("name", "filing"), _params())
def test_it_finds_every_labelled_counterparty_and_headline_amount(
    name: str, filing: Filing
) -> None:
    score = score_filing(name, filing, parse_file(filing.path))

    assert score.misses == []
    assert score.wrong == []


def test_it_is_precise_over_the_whole_labelled_set() -> None:
    total = Score()
    for name, filing in present():
        total.add(score_filing(name, filing, parse_file(filing.path)))
    if not total.tallies["type"].labelled:
        pytest.skip("no ../shared corpus")

    assert total.tallies["type"].precision >= 0.9
    assert total.tallies["counterparties"].precision == 1.0
    assert total.tallies["amounts"].precision >= 0.75


def test_it_labels_every_item_1_01_filing_of_the_corpus() -> None:
    manifest = CORPUS / "MANIFEST.tsv"
    if not manifest.is_file():
        pytest.skip("no ../shared corpus")
    with manifest.open(newline="", encoding="utf-8") as rows:
        with_1_01 = {
            row["local_path"][3:]
            for row in csv.DictReader(rows, delimiter="\t")
            if row["local_path"].startswith("8k/") and "1.01" in row["items"].split(",")
        }
    labelled = {filing.path.name for filing in GOLDEN.values()}

    assert with_1_01 <= labelled
