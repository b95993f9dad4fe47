"""Hand labels: the agreements of every Item 1.01 filing in `../shared/corpus` and the seed.

Read from the filings by hand (not from the extractor's output), one entry
per file, for every deal item it reports (1.01, 1.02, 2.01, 2.03). An item
labelled `()` describes no agreement: those are the negative cases (an
Item 2.03 that only refers to Item 1.01; directors' retainers approved by
a board). `required=False` marks an agreement the item really describes but
a reader does not need in the headline (side agreements); finding it is
right, missing it is not wrong.

Used by `tests/test_agreements_golden.py` and `benchmarks/parse_corpus.py`
(which reports the precision and recall `score` computes). Field rules:

* type: an extracted agreement is matched to a label by title; it is right
  when its type is the label's. Precision over all extracted agreements,
  recall over required labels.
* counterparties: every extracted party that is not the registrant is right
  when the label names it (`counterparties` or `also_parties`); recall over
  required `counterparties`.
* amounts: every extracted amount with a role other than `other` is right
  when `(value, currency, role)` is labelled (`amounts` or `also_amounts`);
  recall over the required `amounts` (which may be `other`: the gross
  proceeds are an underwriting's headline figure).
* short names: a labelled counterparty's `short_name` is the term the filing
  defines for it ("SICOR", "the Underwriter"), or None when it defines none
  (a term defined for several parties at once, "(collectively, the
  “Stockholders”)", is nobody's); each one extracted differently is a miss.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
SEED_DIR = REPO.parent / "shared" / "seed"

Money = tuple[float, str, str]
"""(value, ISO 4217 currency, role)"""


@dataclass(frozen=True)
class Label:
    type: str
    title: str
    counterparties: tuple[str, ...] = ()
    amounts: tuple[Money, ...] = ()
    also_parties: tuple[str, ...] = ()
    also_amounts: tuple[Money, ...] = ()
    required: bool = True
    short_names: Mapping[str, str] = field(default_factory=dict)
    """Counterparty → the short name the filing defines for it; unlisted: none."""


@dataclass(frozen=True)
class Filing:
    path: Path
    items: Mapping[str, tuple[Label, ...]]
    not_parties: tuple[str, ...] = ()


TOSHIBA = {"Toshiba Corporation": "Toshiba"}  # "with Toshiba Corporation, or Toshiba,"


def _corpus(name: str) -> Path:
    return CORPUS / "8k" / name


GOLDEN: dict[str, Filing] = {
    "0000100493-20-000065_tsn-20200327.htm": Filing(
        _corpus("0000100493-20-000065_tsn-20200327.htm"),
        {
            "1.01": (
                Label(
                    "credit facility",
                    "Term Loan Agreement",
                    counterparties=("Morgan Stanley Senior Funding, Inc.",),
                    amounts=((1.5e9, "USD", "commitment"),),
                    also_amounts=((1.5e9, "USD", "principal"),),
                ),
            ),
            "2.03": (),  # "The information provided in Item 1.01 … is hereby incorporated"
        },
        not_parties=("S&P", "Moody’s", "Fitch"),
    ),
    "0000939057-08-000013.txt": Filing(
        _corpus("0000939057-08-000013.txt"),
        {
            "1.01": (
                Label(
                    "employment",
                    "salary continuation agreement",
                    counterparties=("Richard P. Jacobson",),
                    amounts=((137_200, "USD", "compensation"),),
                ),
            ),
        },
    ),
    "0000950123-11-095986_b88872e8vk.htm": Filing(
        _corpus("0000950123-11-095986_b88872e8vk.htm"),
        {"1.01": ()},  # a board's approval of directors' retainers: no agreement, no counterparty
    ),
    "0000950157-18-000744_form8k.htm": Filing(
        _corpus("0000950157-18-000744_form8k.htm"),
        {
            "1.01": (
                Label(
                    "merger/acquisition",
                    "Amended and Restated Agreement and Plan of Merger",
                    counterparties=("Twenty-First Century Fox, Inc.",),
                    amounts=((35.7e9, "USD", "purchase price"),),
                    short_names={"Twenty-First Century Fox, Inc.": "21CF"},
                ),
                Label(
                    "other",
                    "Amended and Restated Voting Agreement",
                    counterparties=("Murdoch Family Trust", "Cruden Financial Services LLC"),
                ),
                Label(
                    "credit facility",
                    "commitment letter",
                    counterparties=(
                        "JPMorgan Chase Bank, N.A.",
                        "Citigroup Global Markets Inc.",
                        "BNP Paribas Securities Corp.",
                        "BNP Paribas",
                        "HSBC Bank USA, N.A.",
                        "HSBC Securities (USA) Inc.",
                        "Royal Bank of Canada",
                        "RBC Capital Markets",
                    ),
                    amounts=((35.7e9, "USD", "commitment"),),
                    also_amounts=((35.7e9, "USD", "principal"),),
                ),
            ),
        },
        not_parties=(
            "New York Stock Exchange",
            "Australian Taxation Office",
            "New Fox, Inc.",
            "Fox News Channel",
            "Fox Sports",
            "Big Ten Network",
            "Delaware General Corporation Law",
        ),
    ),
    "0001000180-10-000081_form_8-kjv.htm": Filing(
        _corpus("0001000180-10-000081_form_8-kjv.htm"),
        {
            "1.01": (
                Label(
                    "collaboration",
                    "Master Agreement",
                    counterparties=("Toshiba Corporation",),
                    amounts=((500e6, "USD", "commitment"),),
                    short_names=TOSHIBA,
                    also_amounts=((56e6, "USD", "upfront"),),
                ),
                Label(
                    "other",
                    "Patent Indemnification Agreement",
                    ("Toshiba Corporation",),
                    required=False,
                    short_names=TOSHIBA,
                ),
                Label(
                    "other",
                    "Mutual Contribution and Environmental Indemnification Agreement",
                    ("Toshiba Corporation",),
                    required=False,
                    short_names=TOSHIBA,
                ),
                Label(
                    "other",
                    "Transition Agreement",
                    ("Toshiba Corporation",),
                    required=False,
                    short_names=TOSHIBA,
                ),
            ),
        },
        not_parties=("New Flash Venture", "Flash Partners", "Flash Alliance", "FlashVision"),
    ),
    "0001171200-22-000105_i22158_mgld-8k.htm": Filing(
        _corpus("0001171200-22-000105_i22158_mgld-8k.htm"),
        {
            "1.01": (
                Label(
                    "underwriting",
                    "underwriting agreement",
                    counterparties=("Maxim Group LLC",),
                    short_names={"Maxim Group LLC": "the Underwriter"},
                    amounts=((3_795_000, "USD", "other"),),  # gross proceeds
                    also_amounts=((1.86, "USD", "purchase price"),),
                ),
            ),
        },
        not_parties=("FINRA", "SEC", "Securities Exchange Commission"),
    ),
    "0001193125-16-546593_d180512d8k.htm": Filing(
        _corpus("0001193125-16-546593_d180512d8k.htm"),
        {
            "1.01": (
                Label(
                    "credit facility",
                    "revolving credit agreement",
                    counterparties=(
                        "Barclays Bank plc",
                        "Morgan Stanley Bank, N.A.",
                        "Deutsche Bank AG New York Branch",
                    ),
                    amounts=((242.5e6, "USD", "commitment"),),
                    short_names={
                        "Barclays Bank plc": "Barclays",
                        "Morgan Stanley Bank, N.A.": "Morgan Stanley",
                        "Deutsche Bank AG New York Branch": "Deutsche Bank",
                    },
                    also_parties=(
                        "Royal Bank of Canada",
                        "SunTrust Bank",
                        "The Bank of Tokyo-Mitsubishi UFJ, Ltd.",
                        "Citibank, N.A.",
                    ),
                    also_amounts=((50e6, "USD", "commitment"), (7.5e6, "USD", "commitment")),
                ),
                Label(
                    "credit facility",
                    "guarantee and collateral agreement",
                    counterparties=("Barclays Bank plc",),
                    short_names={"Barclays Bank plc": "Barclays"},
                ),
            ),
            "1.02": (
                Label(
                    "credit facility",
                    "Amended and Restated Credit Agreement",
                    counterparties=("Morgan Stanley Senior Funding, Inc.",),
                    amounts=((75e6, "USD", "commitment"),),
                ),
                Label(
                    "indenture/notes",
                    "promissory note",
                    counterparties=("Icahn Capital LP",),
                    amounts=((125.3e6, "USD", "other"),),  # the payoff amount
                ),
            ),
            "2.03": (),  # "The information contained in Item 1.01 hereof is incorporated"
        },
        not_parties=("Icahn Group",),
    ),
    "seed:004_05bac67055bb32f8.txt": Filing(
        SEED_DIR / "004_05bac67055bb32f8.txt",
        {
            "1.01": (
                Label(
                    "manufacturing/supply",
                    "manufacturing agreement",
                    counterparties=("Società Italiana Corticosteroidi S.r.l",),
                    amounts=((5_000_000, "EUR", "purchase price"),),
                    short_names={"Società Italiana Corticosteroidi S.r.l": "SICOR"},
                ),
            ),
        },
        not_parties=("Nasdaq", "DMx", "DM1", "DM4", "TAP"),
    ),
}


# --- scoring ---------------------------------------------------------------------------------

FIELDS = ("type", "counterparties", "amounts")


@dataclass
class Tally:
    """Right / extracted / labelled counts of one field."""

    right: int = 0
    extracted: int = 0
    labelled: int = 0
    found: int = 0

    @property
    def precision(self) -> float:
        return self.right / self.extracted if self.extracted else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.labelled if self.labelled else 1.0


@dataclass
class Score:
    tallies: dict[str, Tally] = field(default_factory=lambda: {f: Tally() for f in FIELDS})
    misses: list[str] = field(default_factory=list)
    """Required counterparties or headline amounts not found, labelled types not matched."""
    wrong: list[str] = field(default_factory=list)
    """Non-parties named as parties, agreements extracted where an item describes none."""

    def add(self, other: Score) -> None:
        for name, tally in other.tallies.items():
            mine = self.tallies[name]
            mine.right += tally.right
            mine.extracted += tally.extracted
            mine.labelled += tally.labelled
            mine.found += tally.found
        self.misses += other.misses
        self.wrong += other.wrong


def name_key(name: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", name.lower().replace("’", "'")))


def _title_key(title: str) -> str:
    words = name_key(title).split()
    return " ".join(w for w in words if w not in ("a", "an", "the", "its"))


def _matches(label: Label, agreement: Mapping[str, Any]) -> bool:
    mine, theirs = _title_key(label.title), _title_key(str(agreement["title"]))
    return bool(mine) and (mine in theirs or theirs in mine)


def score_item(
    where: str, labels: Sequence[Label], agreements: Sequence[Mapping[str, Any]]
) -> Score:
    """Compare one item's extracted agreements (parse JSON) with its labels."""
    score = Score()
    pairs = _pair(labels, agreements)
    if not labels and agreements:
        score.wrong.append(f"{where}: {len(agreements)} agreement(s) where none is described")
    for agreement, label in pairs:
        _score_type(score, where, agreement, label)
        _score_parties(score, where, agreement, label)
        _score_amounts(score, where, agreement, label)
        _score_short_names(score, where, agreement, label)
    for label in labels:
        if label.required and not any(lab is label for _, lab in pairs):
            score.misses.append(f"{where}: no agreement for {label.title!r}")
            score.tallies["type"].labelled += 1
            score.tallies["counterparties"].labelled += len(label.counterparties)
            score.tallies["amounts"].labelled += len(label.amounts)
    return score


def _pair(
    labels: Sequence[Label], agreements: Sequence[Mapping[str, Any]]
) -> list[tuple[Mapping[str, Any], Label | None]]:
    pairs: list[tuple[Mapping[str, Any], Label | None]] = []
    free = list(labels)
    for agreement in agreements:
        label = next((lab for lab in free if _matches(lab, agreement)), None)
        if label is not None:
            free.remove(label)
        pairs.append((agreement, label))
    return pairs


def _score_type(
    score: Score, where: str, agreement: Mapping[str, Any], label: Label | None
) -> None:
    tally = score.tallies["type"]
    tally.extracted += 1
    right = label is not None and agreement["type"] == label.type
    tally.right += right
    if label is not None and label.required:
        tally.labelled += 1
        tally.found += right
        if not right:
            score.misses.append(
                f"{where}: {label.title!r} is {label.type}, not {agreement['type']}"
            )


def _score_parties(
    score: Score, where: str, agreement: Mapping[str, Any], label: Label | None
) -> None:
    tally = score.tallies["counterparties"]
    others = [p["name"] for p in agreement["parties"] if p["role"] != "registrant"]
    known = {
        name_key(n)
        for n in (*(label.counterparties if label else ()), *(label.also_parties if label else ()))
    }
    tally.extracted += len(others)
    tally.right += sum(name_key(n) in known for n in others)
    if label is None or not label.required:
        return
    found = {name_key(n) for n in others}
    for name in label.counterparties:
        tally.labelled += 1
        tally.found += name_key(name) in found
        if name_key(name) not in found:
            score.misses.append(f"{where}: counterparty {name!r} not found")


def _score_short_names(
    score: Score, where: str, agreement: Mapping[str, Any], label: Label | None
) -> None:
    if label is None:
        return
    labelled = {name_key(n): s for n, s in label.short_names.items()}
    for party in agreement["parties"]:
        key = name_key(party["name"])
        if party["role"] == "registrant" or key not in _label_parties(label):
            continue
        wanted, got = labelled.get(key), party.get("short_name")
        if got != wanted:
            score.misses.append(f"{where}: {party['name']!r} short name {got!r}, not {wanted!r}")


def _label_parties(label: Label) -> set[str]:
    return {name_key(n) for n in (*label.counterparties, *label.also_parties)}


def _money_key(value: float, currency: str, role: str) -> tuple[int, str, str]:
    return round(value * 100), currency, role


def _score_amounts(
    score: Score, where: str, agreement: Mapping[str, Any], label: Label | None
) -> None:
    tally = score.tallies["amounts"]
    extracted = [(a["value"], a["currency"], a["role"]) for a in agreement["amounts"]]
    known = {
        _money_key(*m)
        for m in (*(label.amounts if label else ()), *(label.also_amounts if label else ()))
    }
    with_role = [m for m in extracted if m[2] != "other"]
    tally.extracted += len(with_role)
    tally.right += sum(_money_key(*m) in known for m in with_role)
    if label is None or not label.required:
        return
    found = {_money_key(*m) for m in extracted}
    for money in label.amounts:
        tally.labelled += 1
        tally.found += _money_key(*money) in found
        if _money_key(*money) not in found:
            score.misses.append(f"{where}: amount {money} not found")


def score_filing(name: str, filing: Filing, result: Mapping[str, Any]) -> Score:
    """Score one file's `edgarwatch parse` JSON against its labels."""
    score = Score()
    items = {item["number"]: item for item in result.get("items", ())}
    for number, labels in filing.items.items():
        agreements = items.get(number, {}).get("agreements", [])
        score.add(score_item(f"{name} {number}", labels, agreements))
    banned = {name_key(n) for n in filing.not_parties}
    for item in items.values():
        for agreement in item.get("agreements", ()):
            for party in agreement["parties"]:
                if name_key(party["name"]) in banned:
                    score.wrong.append(f"{name}: non-party {party['name']!r} named as a party")
    return score


def present() -> Iterable[tuple[str, Filing]]:
    """The labelled files that exist on this machine (the corpus is optional)."""
    return ((name, filing) for name, filing in GOLDEN.items() if filing.path.is_file())
