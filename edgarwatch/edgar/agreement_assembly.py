"""One agreement's gathered mentions, money, term and exhibit → an `Agreement`.

Here the parties named in different places are merged (a short name and
the full name are one party), people called "Mr. Hoekstra" get the full
name the item gives them, and every field gets the spans it was read from.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

from edgarwatch.agreement import REGISTRANT, Agreement, Amount, Evidence, Party, Span
from edgarwatch.edgar.agreement_types import agreement_type, context_keyword
from edgarwatch.edgar.dates import DATE_RE, parse_date
from edgarwatch.edgar.names import Names

if TYPE_CHECKING:
    from edgarwatch.edgar.agreement_mentions import Mention
    from edgarwatch.edgar.agreements import Draft

_ON_RE = re.compile(r"\b(?:[Oo]n|[Ee]ffective(?: as of)?|[Aa]s of)\s+")
_HONORIFIC_RE = re.compile(r"^(?:Mr|Mrs|Ms|Dr)\.\s+(?P<surname>[A-Z][\w'’\-]+)$")
_STATE_TAG_RE = re.compile(r"\s*[\\/][A-Za-z]{0,3}[\\/]?\s*$")
_AGREEMENT_TERM_RE = re.compile(
    r"(?:agreements?|indentures?|facility|notes|lease|plan|letter|amendment|merger)$", re.I
)  # (the “Credit Agreement”) names the agreement, not a party


def assemble(text: str, mentions: list[Mention], draft: Draft, names: Names) -> Agreement:
    lead = _lead(mentions)
    title = _title(lead)
    sentence = text[lead.sentence[0] : lead.sentence[1]]
    kind, source = agreement_type(lead.base_title or lead.title, sentence)
    type_span = lead.title_span
    if source == "context":
        keyword = context_keyword(sentence, kind)
        type_span = (
            (lead.sentence[0] + keyword[0], lead.sentence[0] + keyword[1]) if keyword else type_span
        )
    date, date_span = _date(text, mentions)
    parties, party_spans = _parties(text, mentions, draft, names)
    amounts = _unique(draft.amounts)
    return Agreement(
        type=kind,
        title=title,
        amendment=lead.amendment,
        date=date,
        term=draft.term[0] if draft.term else None,
        parties=parties,
        amounts=tuple(amount for amount, _ in amounts),
        exhibit=draft.exhibit[0] if draft.exhibit else None,
        evidence=Evidence(
            type=(type_span,),
            amendment=(_amendment_span(lead),) if lead.amendment else (),
            title=(lead.title_span,),
            date=(date_span,) if date_span else (),
            term=(draft.term[1],) if draft.term else (),
            parties=party_spans,
            amounts=tuple(span for _, span in amounts),
            exhibit=(draft.exhibit[1],) if draft.exhibit else (),
        ),
    )


def _title(lead: Mention) -> str:
    """ "Amendment No. 1" to the "Credit Agreement" → "Amendment No. 1 to Credit Agreement";
    "First Amendment of Lease" to "lease agreement" stays itself."""
    if not lead.base_title:
        return lead.title
    head = lead.base_title.split()[0].lower()
    return lead.title if head in lead.title.lower() else f"{lead.title} to {lead.base_title}"


def _lead(mentions: list[Mention]) -> Mention:
    """The mention that names the agreement best: the first, unless the same sentence
    goes on to its formal title ("terminated its credit facility … pursuant to that
    certain Amended and Restated Credit Agreement")."""
    first = mentions[0]
    for mention in mentions[1:]:
        if mention.sentence == first.sentence and first.title == first.title.lower():
            return mention if mention.title != mention.title.lower() else first
    return first


def _amendment_span(mention: Mention) -> Span:
    return mention.title_span if "amend" in mention.title.lower() else mention.verb_span


def _date(text: str, mentions: list[Mention]) -> tuple[dt.date | None, Span | None]:
    for mention in mentions:
        if mention.date is not None:
            return mention.date, mention.date_span
    for mention in mentions:
        if mention.kind != "entry":
            continue
        verb = mention.verb_span[0]
        for lead in reversed(list(_ON_RE.finditer(text, mention.sentence[0], verb))):
            found = DATE_RE.match(text, lead.end(), verb)
            when = parse_date(found) if found is not None else None
            if found is not None and when is not None:
                return when, (lead.start(), found.end())
    return None, None


def _parties(
    text: str, mentions: list[Mention], draft: Draft, names: Names
) -> tuple[tuple[Party, ...], tuple[Span, ...]]:
    seen: dict[str, int] = {}
    parties: list[Party] = []
    spans: list[Span] = []
    for hit in (hit for mention in mentions for hit in mention.parties):
        name = _display(text, hit.name, hit.role, names)
        key = " ".join(re.findall(r"\w+", name.lower()))  # Beta Sub, Inc. ≠ Beta Sub, LLC
        if key in seen or _key_is_agreement(name, draft):
            continue
        seen[key] = len(parties)
        parties.append(Party(name, hit.role, _short_name(text, name, names)))
        spans.append(hit.span)
    return tuple(parties), tuple(spans)


def _short_name(text: str, name: str, names: Names) -> str | None:
    """The term the filing defines for the party, the first it defines: "(SICOR)",
    "(“Barclays”)", "(the “Trustee”)", "SanDisk Corporation, or SanDisk,"; "the" kept
    where the definition writes it. A term defined for several parties at once
    ("(collectively, the “Lenders”)") is nobody's short name."""
    for alias, target in names.aliases.items():
        if target != name or alias == name or _AGREEMENT_TERM_RE.search(alias):
            continue
        if re.search(rf"\bthe\s+[“\"]{re.escape(alias)}[”\"]", text):
            return f"the {alias}"
        return alias
    return None


def _display(text: str, name: str, role: str, names: Names) -> str:
    if role == REGISTRANT and name == names.registrant_name:
        return _STATE_TAG_RE.sub("", name)
    honorific = _HONORIFIC_RE.match(name)
    if honorific is None:
        return name
    full = re.search(
        rf"\b(?<!Mr\. )(?<!Ms\. )(?<!Dr\. )([A-Z][\w'’\-]+(?:\s+[A-Z]\.)?(?:\s+[A-Z][\w'’\-]+)?\s+{re.escape(honorific.group('surname'))})\b",
        text,
    )
    return full.group(1) if full and not full.group(1).startswith(("Mr", "Ms", "Dr")) else name


def _key_is_agreement(name: str, draft: Draft) -> bool:
    return name.lower().removeprefix("the ") in draft.keys


def _unique(amounts: list[tuple[Amount, Span]]) -> list[tuple[Amount, Span]]:
    seen: set[Span] = set()
    kept: list[tuple[Amount, Span]] = []
    for amount, span in amounts:
        if span not in seen:
            seen.add(span)
            kept.append((amount, span))
    return kept
