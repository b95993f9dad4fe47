"""Sums of money in 8-K prose: values, currencies, roles and periods."""

from __future__ import annotations

import pytest

from edgarwatch.edgar.amount_roles import amounts_in
from edgarwatch.edgar.amounts import find_money
from edgarwatch.edgar.numbers import to_int, word_number


def money(text: str) -> list[tuple[str, int | float, str]]:
    return [(text[m.start : m.end], m.number, m.currency) for m in find_money(text)]


def roles(text: str) -> list[tuple[str, str, str | None]]:
    return [(a.text, a.role, a.period) for a, _ in amounts_in(text, find_money(text))]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("pay SICOR five million Euros for", [("five million Euros", 5_000_000, "EUR")]),
        ("a $1.15 billion facility", [("$1.15 billion", 1_150_000_000, "USD")]),
        ("an upfront payment of US$14.5 million", [("US$14.5 million", 14_500_000, "USD")]),
        ("€36,700,000 in cash", [("€36,700,000", 36_700_000, "EUR")]),
        ("EUR 5,000,000 for", [("EUR 5,000,000", 5_000_000, "EUR")]),
        ("rent of $20,400 per year", [("$20,400", 20_400, "USD")]),
        ("£3m and ¥500 million", [("£3m", 3_000_000, "GBP"), ("¥500 million", 500_000_000, "JPY")]),
        (
            "CHF 2.5 million or C$12.5 million",
            [("CHF 2.5 million", 2_500_000, "CHF"), ("C$12.5 million", 12_500_000, "CAD")],
        ),
        ("Board Member $ 50,000", [("$ 50,000", 50_000, "USD")]),
        ("par value $.01 per share", [("$.01", 0.01, "USD")]),
        ("5,000,000 Euros", [("5,000,000 Euros", 5_000_000, "EUR")]),
        (
            "one hundred fifty million dollars",
            [("one hundred fifty million dollars", 150_000_000, "USD")],
        ),
    ],
)
def test_it_reads_sums_of_money(text: str, found: list[tuple[str, int | float, str]]) -> None:
    assert money(text) == found


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("between $5 million and $10 million", [("$5 million and $10 million", 10_000_000, "USD")]),
        ("of $50 to $75 million", [("$50 to $75 million", 75_000_000, "USD")]),
        ("of $5-10 million", [("$5-10 million", 10_000_000, "USD")]),
        ("ranging from $1 million to $2 million", [("$1 million to $2 million", 2_000_000, "USD")]),
    ],
)
def test_it_reads_a_range_as_one_sum_at_its_upper_end(
    text: str, found: list[tuple[str, int | float, str]]
) -> None:
    assert money(text) == found


def test_it_keeps_a_restatement_in_figures_once() -> None:
    assert money("five million Euros (€5,000,000)") == [("five million Euros", 5_000_000, "EUR")]


def test_it_reads_a_change_as_two_sums() -> None:
    assert [m[1] for m in money("from $600 million to $585 million")] == [600_000_000, 585_000_000]


@pytest.mark.parametrize(
    "text",
    [
        "1,650,000 shares of common stock",
        "a 7.0% discount and royalties of 9% to 15%",
        "on March 9, 2022, under Section 251(g)",
        "Item 1.01 and Exhibit 10.1 of Form 8-K, 5.375% Senior Notes due 2020",
        "a 364-day facility for two years",
    ],
)
def test_it_never_takes_counts_percentages_dates_or_numbers_for_money(text: str) -> None:
    assert find_money(text) == []


@pytest.mark.parametrize(
    ("text", "role", "period"),
    [
        ("an upfront payment of $75.0 million within 30 days", "upfront", None),
        ("up to $540.0 million upon the achievement of development milestones", "milestone", None),
        ("the Company obtained a $1.5 billion term loan facility.", "commitment", None),
        ("provides for a $242.5 million revolving credit facility", "commitment", None),
        (
            "$500 million aggregate principal amount of its 4.800% Senior Notes due 2035",
            "principal",
            None,
        ),
        (
            "ImmunoGen will pay SICOR five million Euros for these cGMP batches",
            "purchase price",
            None,
        ),
        ("at an initial annual base rent of $420,000.", "rent", "year"),
        ("to increase the retirement benefit to $137,200 per year.", "compensation", "year"),
        ("an annual base salary of $1,350,000 and a bonus", "compensation", "year"),
        ("the Company will pay a commitment fee of $500,000.", "fee", None),
        ("common stock, par value $0.001 per share", "other", "share"),
        ("for gross proceeds of $3,795,000, before deducting", "other", None),
        ("has committed to minimum purchases of $180 million over the term", "commitment", None),
        ("an amount of approximately $125.3 million (the “Payoff Amount”) to", "other", None),
        ("sells more than $150,000,000 worth of assets", "other", None),
        (
            "each share will be converted into the right to receive $10.10 in cash",
            "purchase price",
            "share",
        ),
        ("royalties of $2 million per quarter", "royalty", "quarter"),
        ("under which Mr. Smith will receive severance of $400,000.", "compensation", None),
        ("pursuant to which the Company will pay Beta $2.5 million.", "other", None),
    ],
)
def test_it_reads_what_a_sum_pays_for(text: str, role: str, period: str | None) -> None:
    assert [(r, p) for _, r, p in roles(text)] == [(role, period)]


def test_it_gives_a_named_sum_the_role_its_name_says() -> None:
    text = "pay $12 million (the “Purchase Price”) in cash, and $3 million (the “Base Rent”)"

    assert [r for _, r, _ in roles(text)] == ["purchase price", "rent"]


def test_it_keeps_each_sum_to_its_own_words() -> None:
    text = "an upfront payment of $75.0 million, up to $540.0 million in milestones and $5 million in fees"

    assert [r for _, r, _ in roles(text)] == ["upfront", "milestone", "fee"]


def test_it_gives_a_restated_total_the_role_of_the_price_it_restates() -> None:
    text = "Parent will acquire the Company for $42.00 per share in cash, or approximately $1.1 billion."

    assert [(r, p) for _, r, p in roles(text)] == [
        ("purchase price", "share"),
        ("purchase price", None),
    ]


def test_it_gives_the_new_figure_of_a_change_the_role() -> None:
    text = "reduced the aggregate elected commitment from $600 million to $585 million"

    assert [(t, r) for t, r, _ in roles(text)] == [
        ("$600 million", "other"),
        ("$585 million", "commitment"),
    ]


@pytest.mark.parametrize(
    ("words", "value"),
    [("five million", 5_000_000), ("one hundred fifty", 150), ("a million", 1_000_000), ("two", 2)],
)
def test_it_reads_numbers_written_in_words(words: str, value: int) -> None:
    assert word_number(words) == value


def test_it_reads_counts_in_words_or_figures() -> None:
    assert [to_int(t) for t in ("7", "seven", "seven (7)", "fifteen")] == [7, 7, 7, 15]
    assert word_number("Company") is None
