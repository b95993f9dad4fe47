"""What an 8-K item says was signed: the deal terms of one agreement.

Plain frozen values, like `filing.py`: `edgar/agreements.py` reads them out
of an item's text, storage records their JSON, notifiers print `headline()`.
Nothing here knows EDGAR, SQLite or a channel.

The JSON shape (`Agreement.to_json`) is the one `edgarwatch parse` prints on
every item (issue 11)::

    {"type": "manufacturing/supply", "amendment": false,
     "title": "manufacturing agreement", "date": "2007-04-30",
     "term": "early 2008",
     "parties": [{"name": "ImmunoGen, Inc.", "role": "registrant", "short_name": null},
                 {"name": "Società Italiana Corticosteroidi S.r.l", "role": "counterparty",
                  "short_name": "SICOR"}],
     "amounts": [{"text": "five million Euros", "value": 5000000,
                  "currency": "EUR", "role": "purchase price", "period": null}],
     "exhibit": null,
     "evidence": {"type": [[s, e]], "title": [[s, e]], "parties": [[s, e], …], …}}

`evidence` holds, for every field, the character spans of the item's text
the value was read from; for `parties` and `amounts` the i-th span is the
i-th element's.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

AGREEMENT_TYPES = (
    "license",
    "collaboration",
    "manufacturing/supply",
    "credit facility",
    "indenture/notes",
    "underwriting",
    "merger/acquisition",
    "asset purchase/sale",
    "lease",
    "employment",
    "settlement",
    "other",
)
AMOUNT_ROLES = (
    "upfront",
    "milestone",
    "royalty",
    "purchase price",
    "principal",
    "commitment",
    "rent",
    "fee",
    "compensation",
    "other",
)
PERIODS = ("year", "quarter", "month", "week", "day", "share")
"""`period` of an amount paid again and again ("$20,400 per year"), or per share."""

REGISTRANT = "registrant"
COUNTERPARTY = "counterparty"

Span = tuple[int, int]
"""`[start, end)` character offsets into the item's text."""


@dataclass(frozen=True)
class Party:
    """One party to an agreement, named as the filing names it.

    `role` is `registrant` (the filer or a named subsidiary of it),
    `counterparty`, or the capacity the filing gives it: `agent`,
    `trustee`, `lender`, `underwriter`, `arranger`, `guarantor`, …
    `short_name` is the defined term the filing gives it ("SICOR",
    "Barclays", "the Trustee"), None when it defines none.
    """

    name: str
    role: str = COUNTERPARTY
    short_name: str | None = None


@dataclass(frozen=True)
class Amount:
    """A sum of money the agreement names, with what it pays for.

    `value` is a number in `currency`'s units (an int when whole); a range
    ("$50 million to $75 million") carries its upper end. `period` is set
    for recurring sums ("per year") and per-share prices ("share").
    """

    text: str
    value: int | float
    currency: str
    role: str = "other"
    period: str | None = None


_EVIDENCE_FIELDS = ("type", "amendment", "title", "date", "term", "parties", "amounts", "exhibit")


@dataclass(frozen=True)
class Evidence:
    """Where in the item's text each field was read (spans, in field order)."""

    type: tuple[Span, ...] = ()
    amendment: tuple[Span, ...] = ()
    title: tuple[Span, ...] = ()
    date: tuple[Span, ...] = ()
    term: tuple[Span, ...] = ()
    parties: tuple[Span, ...] = ()
    amounts: tuple[Span, ...] = ()
    exhibit: tuple[Span, ...] = ()

    def to_json(self) -> dict[str, list[list[int]]]:
        return {name: [list(span) for span in getattr(self, name)] for name in _EVIDENCE_FIELDS}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Evidence:
        spans = {name: tuple(_span(s) for s in data.get(name) or ()) for name in _EVIDENCE_FIELDS}
        return cls(**spans)


def _span(value: Any) -> Span:
    start, end = value
    return (int(start), int(end))


@dataclass(frozen=True)
class Agreement:
    """One agreement an 8-K item describes (Item 1.01, 1.02, 2.01 or 2.03).

    `date` is the agreement's own date, not the report's; `term` is its end
    as an ISO date ("2021-04-15") or year ("2033"), its length as an ISO 8601
    duration ("P7Y", "P364D"), or, when the filing is vaguer, the filing's
    words ("early 2008"). `exhibit` is the exhibit that files it ("EX-10.1").
    """

    type: str
    title: str
    amendment: bool = False
    date: dt.date | None = None
    term: str | None = None
    parties: tuple[Party, ...] = ()
    amounts: tuple[Amount, ...] = ()
    exhibit: str | None = None
    evidence: Evidence = field(default_factory=Evidence)

    @property
    def counterparties(self) -> tuple[Party, ...]:
        """Everyone on the other side of the registrant (agents and trustees included)."""
        return tuple(party for party in self.parties if party.role != REGISTRANT)

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "amendment": self.amendment,
            "title": self.title,
            "date": self.date.isoformat() if self.date else None,
            "term": self.term,
            "parties": [_party_json(party) for party in self.parties],
            "amounts": [_amount_json(amount) for amount in self.amounts],
            "exhibit": self.exhibit,
            "evidence": self.evidence.to_json(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Agreement:
        """The inverse of `to_json`; raises ValueError/KeyError/TypeError on another shape."""
        return cls(
            type=str(data["type"]),
            title=str(data["title"]),
            amendment=bool(data.get("amendment", False)),
            date=dt.date.fromisoformat(data["date"]) if data.get("date") else None,
            term=str(data["term"]) if data.get("term") else None,
            parties=tuple(_party(p) for p in data.get("parties", ())),
            amounts=tuple(_amount(a) for a in data.get("amounts", ())),
            exhibit=str(data["exhibit"]) if data.get("exhibit") else None,
            evidence=Evidence.from_json(data.get("evidence") or {}),
        )


def _party_json(party: Party) -> dict[str, Any]:
    return {"name": party.name, "role": party.role, "short_name": party.short_name}


def _party(data: Mapping[str, Any]) -> Party:
    short = data.get("short_name")
    return Party(str(data["name"]), str(data["role"]), str(short) if short else None)


def _amount_json(amount: Amount) -> dict[str, Any]:
    return {column.name: getattr(amount, column.name) for column in fields(Amount)}


def _amount(data: Mapping[str, Any]) -> Amount:
    value = data["value"]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"amount value is not a number: {value!r}")
    return Amount(
        text=str(data["text"]),
        value=value,
        currency=str(data["currency"]),
        role=str(data.get("role") or "other"),
        period=str(data["period"]) if data.get("period") else None,
    )


def agreements_to_json(agreements: Sequence[Agreement]) -> list[dict[str, Any]]:
    return [agreement.to_json() for agreement in agreements]


def agreements_from_json(data: Sequence[Mapping[str, Any]]) -> tuple[Agreement, ...]:
    return tuple(Agreement.from_json(item) for item in data)


# --- the one-line headline ---------------------------------------------------------------

_HEADLINE_ROLES = (
    "purchase price",
    "commitment",
    "principal",
    "upfront",
    "rent",
    "compensation",
    "milestone",
    "royalty",
    "fee",
    "other",
)
_AMENDING_TITLE_RE = re.compile(r"amend|supplement|restat|waiver|joinder", re.IGNORECASE)
_SECOND_ROLES = frozenset({"milestone", "royalty"})
_MAX_HEADLINE_PARTIES = 3
_DURATION_RE = re.compile(r"^P(\d+)([YMWD])$")
_DURATION_UNITS = {"Y": "year", "M": "month", "W": "week", "D": "day"}


def headline(agreement: Agreement) -> str:
    """One line saying what was signed, e.g.

    "Manufacturing agreement with Società Italiana Corticosteroidi S.r.l (SICOR) —
    EUR 5,000,000 purchase price — through early 2008."

    Each counterparty is named in full, with the short name the filing gives it
    and its capacity when it is not simply the other side ("Barclays Bank plc
    (Barclays, agent)"); a short name that already says the capacity ("the
    Trustee") stands for both.
    """
    parts = [_what(agreement)]
    parts += [format_amount(amount) for amount in headline_amounts(agreement)]
    if agreement.term:
        parts.append(_term_phrase(agreement.term))
    line = " — ".join(parts)
    return line if line.endswith(".") else f"{line}."


def _what(agreement: Agreement) -> str:
    title = agreement.title or agreement.type
    if agreement.amendment and not _AMENDING_TITLE_RE.search(title):
        title = f"amendment to {title}"
    what = title[:1].upper() + title[1:]
    names = [party_label(party) for party in agreement.counterparties]
    if not names:
        return what
    if len(names) > _MAX_HEADLINE_PARTIES:
        names = [*names[:_MAX_HEADLINE_PARTIES], f"{len(names) - _MAX_HEADLINE_PARTIES} others"]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"{what} with {listed}"


def party_name(party: Party) -> str:
    """The full name with the short name the filing gives it, when that is another word:
    "Società Italiana Corticosteroidi S.r.l (SICOR)", "Wells Fargo Bank, N.A. (the Trustee)"."""
    short = party.short_name
    if short and party_key(short) != party_key(party.name):
        return f"{party.name} ({short})"
    return party.name


def party_label(party: Party) -> str:
    """ "Società Italiana Corticosteroidi S.r.l (SICOR)", "Barclays Bank plc (Barclays, agent)",
    "Wells Fargo Bank, N.A. (the Trustee)", "SunTrust Bank": as the headline names it."""
    notes = []
    short = party.short_name
    if short and party_key(short) != party_key(party.name):
        notes.append(short)
    says_role = short is not None and party.role in short.lower()
    if party.role not in (COUNTERPARTY, "lender", REGISTRANT) and not says_role:
        notes.append(party.role)
    return f"{party.name} ({', '.join(notes)})" if notes else party.name


def headline_amounts(agreement: Agreement, limit: int = 2) -> tuple[Amount, ...]:
    """The amounts a reader wants first: the deal's price, commitment, principal or
    upfront payment, then (for licences) milestones or royalties; per-share prices
    only when nothing else is named."""
    ranked = sorted(
        (a for a in agreement.amounts if a.role in _HEADLINE_ROLES),
        key=lambda a: (a.period == "share", _HEADLINE_ROLES.index(a.role), -a.value),
    )
    chosen: list[Amount] = []
    for amount in ranked:
        if any(c.role == amount.role or c.value == amount.value for c in chosen):
            continue
        if chosen and amount.role not in _SECOND_ROLES:
            continue
        chosen.append(amount)
        if len(chosen) == limit:
            break
    return tuple(chosen)


def format_amount(amount: Amount) -> str:
    """`EUR 5,000,000 purchase price`, `USD 137,200 compensation per year`."""
    words = [amount.currency, _number(amount.value)]
    if amount.role != "other":
        words.append(amount.role)
    if amount.period:
        words.append(f"per {amount.period}")
    return " ".join(words)


def _number(value: int | float) -> str:
    """1150000000 → "1,150,000,000"; 10.1 → "10.10"; 0.001 → "0.001"."""
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    text = f"{Decimal(str(value)):,f}"
    whole, _, cents = text.partition(".")
    return f"{whole}.{cents.ljust(2, '0')}"


def _term_phrase(term: str) -> str:
    duration = _DURATION_RE.match(term)
    if duration:
        return f"{int(duration.group(1))}-{_DURATION_UNITS[duration.group(2)]} term"
    try:
        end = dt.date.fromisoformat(term)
    except ValueError:
        return f"through {term}"
    return f"through {end:%B} {end.day}, {end.year}"


# --- whose agreement is it: matching watched names to parties ------------------------------


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_LEGAL_FORMS = _word_set(
    "inc incorporated corp corporation co company ltd limited llc lp llp plc na sa spa srl sarl "
    "ag gmbh bv nv se as ab asa oy kk pty ltda sas sl"
)
"""Legal-form words at the end of a name: "Pfizer Inc." and "PFIZER INCORPORATED" are one."""
_ROLE_WORDS = _word_set(
    "company registrant corporation bank borrower borrowers trustee agent administrative "
    "collateral underwriter underwriters representative representatives lender lenders landlord "
    "tenant lessor lessee licensor licensee purchaser purchasers seller sellers buyer buyers "
    "parent merger sub executive employee consultant stockholder stockholders guarantor "
    "guarantors issuer investor investors holder holders partnership the"
)
"""Words of capacity: a short name made only of them ("the Trustee", "Merger Sub") names
a role in this one filing, not a company anyone could watch."""
_DOTTED_RE = re.compile(r"\b[a-z](?:[./]\s?[a-z])+\.?(?![a-z])")  # s.r.l, n. a., l.l.c., a/s
_APOSTROPHE_RE = re.compile(r"['’`]")
_NOT_WORD_RE = re.compile(r"[^a-z0-9]+")


def party_key(name: str) -> str:
    """A company name as compared, never shown: case, accents, punctuation, a leading
    "The" and trailing legal forms ("Inc."/"Incorporated", "Corp."/"Corporation",
    "Co.", "Ltd."/"Limited", "LLC", "S.r.l", "N.V.", "plc", "N.A.", …) left out.

    "Pfizer Inc.", "PFIZER INC", "Pfizer, Incorporated" → "pfizer";
    "Società Italiana Corticosteroidi S.r.l" → "societa italiana corticosteroidi";
    "Pfizer Pharmaceuticals Ltd." → "pfizer pharmaceuticals" (another name).
    """
    folded = unicodedata.normalize("NFKD", name)
    text = "".join(char for char in folded if not unicodedata.combining(char)).casefold()
    text = _APOSTROPHE_RE.sub("", text.replace("&", " and "))
    text = _DOTTED_RE.sub(lambda m: re.sub(r"[./\s]", "", m.group()), text)
    words = _NOT_WORD_RE.sub(" ", text).split()
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    if words[-2:] == ["national", "association"] and len(words) > 2:
        words = words[:-2]
    while len(words) > 1 and words[-1] in _LEGAL_FORMS:
        words = words[:-1]
    return " ".join(words)


def names_party(watched: str, party: Party) -> bool:
    """Is `party` the company a user watches as `watched`? Its full name or the short
    name the filing defines for it must be `watched`, up to `party_key`; a short name
    of capacity alone ("the Trustee") matches nothing. A whole name, not a part of
    one: "Pfizer" is "Pfizer Inc." but not "Pfizer Pharmaceuticals Ltd."."""
    key = party_key(watched)
    if not key:
        return False
    if party_key(party.name) == key:
        return True
    short = party.short_name
    return short is not None and party_key(short) == key and not capacity_only(short)


def capacity_only(name: str) -> bool:
    """ "the Trustee", "Administrative Agent", "Merger Sub": words of capacity, no company."""
    return all(word in _ROLE_WORDS for word in _NOT_WORD_RE.sub(" ", name.lower()).split())


def watched_parties(watched: Sequence[str], agreements: Sequence[Agreement]) -> tuple[str, ...]:
    """The `watched` names (as written there) that are a party to one of `agreements` in
    any role but the registrant's. Only the parties count: a name the item merely
    mentions ("… Pfizer's pipeline …") is no party and matches nothing."""
    others = [party for agreement in agreements for party in agreement.counterparties]
    return tuple(name for name in watched if any(names_party(name, p) for p in others))
