"""Deal terms out of an 8-K item's text: what was signed, with whom, for how much.

`extract_agreements` reads Item 1.01 (and, where they describe a deal,
Items 1.02, 2.01 and 2.03) deterministically: regular expressions and small
tables, no model, no network, every field with the character spans it was
read from. The steps:

1. sentences that point at another item ("The information set forth under
   Item 1.01 … is incorporated herein by reference") are set aside, so an
   item that only refers to another produces nothing;
2. each agreement is found where a sentence introduces it
   (`agreement_mentions`), with its short name, date and parties; mentions
   of one agreement (same title or short name) are merged;
3. money, terms and exhibit citations go to the agreement last named
   before them (the first one, for those that come before any).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from edgarwatch.agreement import REGISTRANT, Agreement, Amount, Span, headline
from edgarwatch.edgar.agreement_assembly import assemble
from edgarwatch.edgar.agreement_mentions import Mention, find_mentions
from edgarwatch.edgar.amount_roles import amounts_in
from edgarwatch.edgar.amounts import find_money
from edgarwatch.edgar.dates import find_term
from edgarwatch.edgar.exhibit_refs import cited_exhibits, exhibit_type
from edgarwatch.edgar.names import Names, read_names, word_set
from edgarwatch.edgar.sentences import sentence_spans
from edgarwatch.filing import Exhibit

__all__ = ["DEAL_ITEMS", "extract_agreements", "headline"]

DEAL_ITEMS = frozenset({"1.01", "1.02", "2.01", "2.03"})
"""Items whose text can describe an agreement (entry, termination, acquisition, obligation)."""

_CROSS_REFERENCE_RE = re.compile(r"\bItems?\s+(\d{1,2}\.\d{2})\b", re.IGNORECASE)
_OLDER_REPORT_RE = re.compile(
    r"\bfiled (?:with the [\w\s]+ )?on\b|previously|(?:the Company[’']s|its|our) Current Report",
    re.IGNORECASE,
)
_PREVIOUSLY_RE = re.compile(
    r"\b(?:previously|originally) (?:reported|disclosed|announced|filed)\b|\bas disclosed in\b",
    re.IGNORECASE,
)
_NOT_APPLICABLE_RE = re.compile(r"^\W*(?:none|not applicable|n/a)\W*$", re.IGNORECASE)
_SERIES_RE = re.compile(r"^(?:series|number|set|group|variety) of \w+$|^\w+ agreements$")
_GENERIC_TITLES = word_set(
    "agreement agreements amendment amendments letter contract contracts facility supplement "
    "joinder guaranty guarantee"
)
_AGREEMENT_WORD_RE = re.compile(r"\b(?:agreements?|indenture|lease|letter|contract|note)\b", re.I)


@dataclass
class Draft:
    """One agreement while its mentions, money, term and exhibit are gathered."""

    mentions: list[Mention]
    keys: set[str] = field(default_factory=set)
    amounts: list[tuple[Amount, Span]] = field(default_factory=list)
    term: tuple[str, Span] | None = None
    exhibit: tuple[str, Span] | None = None


READ_AT_MOST = 100_000
"""Characters of an item read for its agreements: a deal is stated up front, the
longest deal item of the recorded corpus is 14,453 characters, and the reading is
linear but not cheap (a hostile 2 MB item of nothing but agreements: ~5 s)."""


def extract_agreements(
    item_number: str,
    text: str | None,
    *,
    registrant: str | None = None,
    exhibits: Sequence[Exhibit] = (),
) -> tuple[Agreement, ...]:
    """The agreements an item describes, in the order it introduces them.

    `registrant` is the filer's name (EDGAR's conformed name will do); the
    item's own "(the “Company”)" also says who the registrant is. `exhibits`
    (the filing's documents) only spell the exhibit types as the filing does.
    Items other than 1.01, 1.02, 2.01 and 2.03, empty or "None." items, and
    items that only refer to another item produce nothing; only the first
    `READ_AT_MOST` characters are read (spans are offsets into the whole text).
    """
    if item_number not in DEAL_ITEMS or not text or _NOT_APPLICABLE_RE.match(text):
        return ()
    text = text[:READ_AT_MOST]
    names = read_names(text, registrant)
    sentences = [s for s in sentence_spans(text) if not _elsewhere(text[s[0] : s[1]], item_number)]
    drafts = _drafts(text, sentences, names, item_number)
    if not drafts:
        return ()
    mentions = _mention_index(text, drafts)
    _gather_money(text, sentences, drafts, mentions)
    _gather_terms(text, sentences, drafts, mentions)
    _gather_exhibits(text, sentences, drafts, mentions, exhibits)
    return tuple(assemble(text, draft.mentions, draft, names) for draft in drafts)


def _elsewhere(sentence: str, item_number: str) -> bool:
    """Does the sentence only point at another item ("… set forth under Item 1.01 … is
    incorporated herein") or at an older report's ("… in Item 1.01 of the Company’s
    Current Report on Form 8-K filed on …")? "into this Item 1.01" is no such pointer."""
    numbers = [match.group(1) for match in _CROSS_REFERENCE_RE.finditer(sentence)]
    # the older-report search once per sentence, not once per reference (quadratic)
    return any(n != item_number for n in numbers) or bool(
        numbers and _OLDER_REPORT_RE.search(sentence)
    )


def _drafts(text: str, sentences: list[Span], names: Names, item_number: str) -> list[Draft]:
    drafts: list[Draft] = []
    for sentence in sentences:
        found = find_mentions(
            text,
            sentence,
            names,
            definite_ok=item_number in ("1.02", "2.01"),
            terminations=item_number == "1.02",
        )
        for mention in found:
            _merge(drafts, mention)
    drafts = [d for d in drafts if not _generic(d)]
    if item_number == "1.01":
        fresh = [
            d for d in drafts if not _PREVIOUSLY_RE.search(text[slice(*d.mentions[0].sentence)])
        ]
        drafts = fresh or drafts
    return drafts


def _key(title: str) -> str:
    words = title.lower().split()
    while words and words[0] in ("a", "an", "the", "its", "that", "certain"):
        words = words[1:]
    return " ".join(words)


def _merge(drafts: list[Draft], mention: Mention) -> None:
    """One agreement, one draft: the same title or short name, or the formal title a
    sentence gives after describing it ("terminated its existing credit facility …
    pursuant to that certain Amended and Restated Credit Agreement")."""
    keys = {_key(mention.title), *(_key(alias) for alias in mention.aliases)}
    for draft in drafts:
        last = draft.mentions[-1]
        described = last.sentence == mention.sentence and last.title == last.title.lower()
        if keys & draft.keys or (described and mention.kind == "pursuant"):
            draft.mentions.append(mention)
            draft.keys |= keys
            return
    drafts.append(Draft([mention], keys))


def _generic(draft: Draft) -> bool:
    """ "entered into an agreement with respect to its plant": no title, nobody on the other side."""
    first = draft.mentions[0]
    others = any(p.role != REGISTRANT for m in draft.mentions for p in m.parties)
    generic = _key(first.title) in _GENERIC_TITLES or _SERIES_RE.match(_key(first.title))
    return bool(generic) and not others and first.base_title is None


def _mention_index(text: str, drafts: list[Draft]) -> list[tuple[int, int]]:
    """(position, draft) of every place an agreement is named, in text order."""
    index: list[tuple[int, int]] = []
    owners: dict[str, int] = {}
    for number, draft in enumerate(drafts):
        index += [(m.title_span[0], number) for m in draft.mentions]
        for key in [m.title for m in draft.mentions] + [
            a for m in draft.mentions for a in m.aliases
        ]:
            owners.setdefault(key, number)
    keys = sorted(owners, key=len, reverse=True)
    pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, keys)) + r")\b")
    index += [(hit.start(), owners[hit.group()]) for hit in pattern.finditer(text)]
    return sorted(set(index))


def _owner(mentions: list[tuple[int, int]], position: int) -> int:
    """The agreement last named at or before `position` (the first, before any)."""
    at = bisect.bisect_right(mentions, (position, 1 << 30))
    return mentions[at - 1][1] if at else 0


def _gather_money(
    text: str, sentences: list[Span], drafts: list[Draft], mentions: list[tuple[int, int]]
) -> None:
    money = sorted(find_money(text), key=lambda m: m.start)
    starts = [m.start for m in money]
    for start, end in sentences:  # each sentence's sums by bisection: linear in the text
        first, last = bisect.bisect_left(starts, start), bisect.bisect_left(starts, end)
        inside = [m for m in money[first:last] if m.end <= end]
        for amount, span in amounts_in(text, inside, (start, end)):
            drafts[_owner(mentions, span[0])].amounts.append((amount, span))


def _gather_terms(
    text: str, sentences: list[Span], drafts: list[Draft], mentions: list[tuple[int, int]]
) -> None:
    names = [_their_names(draft) for draft in drafts]  # once each: a draft may have
    notes = [_is_notes(draft) for draft in drafts]  # thousands of mentions
    for start, end in sentences:
        number = _owner(mentions, end - 1)
        draft = drafts[number]
        if draft.term is not None:
            continue
        sentence = text[start:end]
        named = any(name in sentence for name in names[number])
        draft.term = find_term(text, start, end, notes=notes[number], named=named)


def _their_names(draft: Draft) -> set[str]:
    """The names the other side goes by ("Halvorsen Pharma AS", "Halvorsen")."""
    hits = [p for m in draft.mentions for p in m.parties if p.role != REGISTRANT]
    return {hit.name for hit in hits} | {alias for hit in hits for alias in hit.aliases}


def _is_notes(draft: Draft) -> bool:
    return any("note" in m.title.lower() or "indenture" in m.title.lower() for m in draft.mentions)


def _gather_exhibits(
    text: str,
    sentences: list[Span],
    drafts: list[Draft],
    mentions: list[tuple[int, int]],
    exhibits: Sequence[Exhibit],
) -> None:
    for start, end in sentences:
        cited = cited_exhibits(text[start:end])
        if not cited:
            continue
        named = list(dict.fromkeys(n for p, n in mentions if start <= p < end))
        if not named and len(drafts) == 1 and _AGREEMENT_WORD_RE.search(text, start, end):
            named = [0]
        for number, (exhibit, (a, b)) in zip(named, cited, strict=False):
            if drafts[number].exhibit is None:
                drafts[number].exhibit = (exhibit_type(exhibit, exhibits), (start + a, start + b))
