"""The parties of an agreement, read from the list that names them.

8-Ks name parties in two places: after the agreement ("with Barclays Bank
plc (“Barclays”), as administrative agent, … and the lenders from time to
time party thereto") and before the verb ("The Walt Disney Company
(“Disney”), TWDC Holdco 613 Corp., a Delaware corporation and wholly owned
subsidiary of Disney, … and Twenty-First Century Fox, Inc. (“21CF”)
entered into"). Such a list is read chunk by chunk: names, short names,
"as <capacity>" phrases that give the names before them a role,
descriptions ("a Delaware corporation"), "the lenders party thereto"
(nobody by name). The first chunk that is none of these ends the list:
an empty list is better than a wrong one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from edgarwatch.agreement import COUNTERPARTY, REGISTRANT, Span
from edgarwatch.edgar.names import NAME_RE, SUFFIX, Names, clean_name, is_name

_SEPARATOR_RE = re.compile(r"[\s,;]*(?:(?:and|&|as well as|and/or)\s+)?")
_STOP_RE = re.compile(
    r"(?:under|pursuant|relating|related|regarding|with respect|in connection|whereby|which|that"
    r"|to|for|providing|provides|dated|effective|by which|in which|at|on|in|as of|whereas|while"
    r"|who|setting|governing|concerning|from|whose|among|between|entered|has|have|will|is|are|was"
    r"|were|agreed|amended|signed|executed)\b|\.(?:\s|$)|$"
)
_ROLE_PHRASE_RE = re.compile(
    r",?\s*(?:each\s+)?(?:solely\s+)?(?:in its capacity\s+)?as\s+(?:the\s+|an?\s+|its\s+)?"
    r"(?P<words>(?:[\w-]+\s+){0,4}?)(?P<role>agents?|trustees?|lenders?|arrangers?|bookrunners?"
    r"|underwriters?|representatives?|borrowers?|guarantors?|issuers?|purchasers?|sellers?"
    r"|buyers?|landlord|tenant|lessor|lessee|licensor|licensee|servicer|depositary|dealer manager"
    r"|investors?|holders?|parent|stockholders?|members?|banks?)\b[^,;()]*",
    re.IGNORECASE,
)
_GENERIC_RE = re.compile(
    r"(?:the|its|their|certain|each of the|various|other|several)\s+(?:[\w-]+\s+){0,4}?"
    r"(?:lenders?|banks?|guarantors?|purchasers?|holders?|investors?|subsidiaries|parties"
    r"|underwriters?|financial institutions|stockholders|shareholders|sellers?|members?"
    r"|affiliates?|agents?)(?:\s+(?:from time to time\s+)?(?:party|parties)(?:\s+(?:thereto|hereto))?)?"
    r"(?:\s+(?:named|listed)\s+(?:therein|[^,;()]{0,40}?thereto))?\b"
)
_OWNER_RE = re.compile(
    r"(?:the\s+)?(?P<owner>[A-Z][\w\-]*(?:\s+[A-Z][\w\-]*){0,3}|its|their)[’']s?\s+"
    r"(?:direct\s+|indirect\s+)*(?:wholly[- ]owned\s+)?subsidiar(?:y|ies),?\s+"
)
_QUOTED_RE = re.compile(r"[“\"]([^“”\"]{1,60})[”\"]")
_ACRONYM_RE = re.compile(r"^\(([A-Z][A-Za-z0-9&\-]{1,14})\)$")  # (SICOR)
_AGREEMENT_ALIAS_RE = re.compile(
    r"(?:agreements?|indentures?|facility|facilities|leases?|notes|letter|amendment|plan|contract"
    r"|guarant(?:y|ee)|merger)$",
    re.IGNORECASE,
)
_CAPACITY_ALIAS_RE = re.compile(
    r"^(?:the\s+)?(?:[\w-]+\s+){0,3}?"
    r"(?P<role>agent|trustee|underwriters?|lenders?|representatives?|arrangers?|guarantors?)$",
    re.IGNORECASE,
)  # (the “Trustee”), (the “Underwriter”): a capacity; (“Deutsche Bank”) is a short name
_PAREN_RE = re.compile(r"\((?:[^()]|\([^()]*\))*\)")
_OR_ALIAS_RE = re.compile(r",\s+or\s+(?:the\s+)?[A-Z][\w\-]*(?:\s+[A-Z][\w\-]*){0,3},?")
_DESCRIPTOR_RE = re.compile(
    rf"(?:a|an|the|its|each|acting|being|formerly|now|newly|wholly|direct|indirect)\b"
    rf"(?:[^,;()]|,\s*(?={SUFFIX}))*"
)  # "a … wholly-owned subsidiary of Cedar Realty Trust Partnership, L.P."
_SUBSIDIARY_OF_RE = re.compile(
    r"subsidiar(?:y|ies) of (?:the\s+)?(?P<owner>[A-Z][\w\-.]*(?:\s+[A-Z][\w\-.]*){0,4})"
)
_OFFICE_RE = re.compile(
    r"\b(?:Chief|Officer|President|Director|Chairman|Chair|Secretary|Treasurer|Counsel|Vice"
    r"|Manager|Partner|Member|Board|Committee)\b"
)
_REGISTRANT_REF_RE = re.compile(r"(?:[Ww]e|us|[Tt]he Company|[Tt]he Registrant)\b")
_ROLE_OF_WORD = {
    "agent": "agent", "trustee": "trustee", "lender": "lender", "bank": "lender",
    "arranger": "arranger", "bookrunner": "arranger", "underwriter": "underwriter",
    "representative": "underwriter", "guarantor": "guarantor", "purchaser": "counterparty",
}  # fmt: skip


@dataclass
class PartyHit:
    """A party as read: its name (short names resolved), role, and where it was named."""

    name: str
    role: str
    span: Span
    owner: str | None = None
    aliases: list[str] = field(default_factory=list)


def _the_name(name: str) -> bool:
    """ "the Government of the District of Columbia" is a name; "the Chief Executive
    Officer of the Bank" and "the Administrative Agent" are not."""
    return (
        len(name.split()) >= 2
        and _CAPACITY_ALIAS_RE.match(name) is None
        and _OFFICE_RE.search(name) is None
    )


def role_for(words: str, role: str) -> str:
    """ "as administrative agent" → agent; "as representatives of the several underwriters" →
    underwriter; "initial purchasers" → underwriter; "as landlord" → counterparty."""
    role = role.lower().rstrip("s")
    if role == "purchaser" and "initial" in words.lower():
        return "underwriter"
    return _ROLE_OF_WORD.get(role, COUNTERPARTY)


def read_party_list(text: str, start: int, end: int, names: Names) -> tuple[list[PartyHit], int]:
    """The parties named in `text[start:end]`, and where the list stopped."""
    reader = _ListReader(text[:end], names)
    return reader.read(start), reader.stop


class _ListReader:
    def __init__(self, text: str, names: Names) -> None:
        self.text = text
        self.names = names
        self.hits: list[PartyHit] = []
        self.group: list[PartyHit] = []
        self.owner: str | None = None
        self.stop = 0
        self.listed = True  # at the list's start or after "and": where a name may be "the …"

    def read(self, pos: int) -> list[PartyHit]:
        first = pos
        while True:
            self.stop = pos
            separator = _SEPARATOR_RE.match(self.text, pos)
            assert separator is not None  # it matches the empty string
            self.listed = pos == first or "and" in separator.group()
            pos = separator.end()
            step = self._step(pos)
            if step is None or step <= pos:
                return self.hits
            pos = step

    def _step(self, pos: int) -> int | None:
        text = self.text
        for reader in (
            self._role,
            self._paren,
            self._owner,
            self._registrant,
            self._name,
            self._alias,
        ):
            step = reader(pos)
            if step is not None:
                return step
        if _STOP_RE.match(text, pos):
            return None
        generic = _GENERIC_RE.match(text, pos)
        if generic:
            self.group = []
            return generic.end()
        return self._descriptor(pos)

    def _role(self, pos: int) -> int | None:
        match = _ROLE_PHRASE_RE.match(self.text, pos)
        if match is None or (pos and self.text[pos - 1].isalnum()):
            return None
        role = role_for(match.group("words"), match.group("role"))
        for hit in self.group:
            if hit.role == COUNTERPARTY:
                hit.role = role
        self.group = []
        return match.end()

    def _paren(self, pos: int) -> int | None:
        match = _PAREN_RE.match(self.text, pos) or _OR_ALIAS_RE.match(self.text, pos)
        if match is None:
            return None
        quoted = _QUOTED_RE.findall(match.group())
        if any(_AGREEMENT_ALIAS_RE.search(alias) for alias in quoted):
            return None  # (the “Credit Agreement”) names the agreement: the list is over
        if self.hits:
            last = self.hits[-1]
            last.aliases += quoted or _ACRONYM_RE.findall(match.group())
            roles = [r for r in map(_CAPACITY_ALIAS_RE.match, quoted) if r is not None]
            if roles and last.role == COUNTERPARTY:  # (the “Convertible Notes Trustee”)
                last.role = role_for(roles[0].group(), roles[0].group("role"))
        return match.end()

    def _owner(self, pos: int) -> int | None:
        match = _OWNER_RE.match(self.text, pos)
        if match is None:
            return None
        self.owner = match.group("owner")
        return match.end()

    def _registrant(self, pos: int) -> int | None:
        match = _REGISTRANT_REF_RE.match(self.text, pos)
        if match is None:
            return None
        if self.names.registrant_name:  # unnamed, "we" is no party name
            self._add(self.names.registrant_name, match.span(), registrant=True)
        return match.end()

    def _alias(self, pos: int) -> int | None:
        alias = self._alias_at(pos)
        end = pos + len(alias) if alias else None
        if alias is None or end is None or (end < len(self.text) and self.text[end].isalnum()):
            return None
        self._add(self.names.resolve(alias.removeprefix("the ")), (pos, end))
        capacity = _CAPACITY_ALIAS_RE.match(alias)
        if capacity is not None and self.hits[-1].role == COUNTERPARTY:  # "the Agent"
            self.hits[-1].role = role_for(capacity.group(), capacity.group("role"))
        return end

    def _alias_at(self, pos: int) -> str | None:
        for alias in sorted(self.names.aliases, key=len, reverse=True):
            for written in (alias, f"the {alias}"):
                if self.text.startswith(written, pos):
                    return written
        return None

    def _name(self, pos: int) -> int | None:
        match = NAME_RE.match(self.text, pos)
        if match is None and self.listed and self.text.startswith("the ", pos):
            match = NAME_RE.match(self.text, pos + 4)  # "and the Government of …"
            if match is None or not _the_name(match.group()):
                return None
            pos += 4
        if match is None:
            return None
        name = clean_name(match.group())
        if not is_name(name):
            return None
        self._add(self.names.resolve(name), (pos, pos + len(name)))
        return match.end()

    def _descriptor(self, pos: int) -> int | None:
        match = _DESCRIPTOR_RE.match(self.text, pos)
        if match is None or not self.hits:
            return None
        owner = _SUBSIDIARY_OF_RE.search(match.group())
        if owner is not None:
            self.hits[-1].owner = owner.group("owner")
            if self.names.is_registrant(owner.group("owner")) or self._is_ours(
                owner.group("owner")
            ):
                self.hits[-1].role = REGISTRANT
        return match.end()

    def _is_ours(self, owner: str) -> bool:
        resolved = self.names.resolve(owner)
        return any(
            h.role == REGISTRANT and (h.name in (owner, resolved) or owner in h.aliases)
            for h in self.hits
        )

    def _add(self, name: str, span: Span, registrant: bool = False) -> None:
        owner, self.owner = self.owner, None
        ours = registrant or self.names.is_registrant(name)
        if owner in ("its", "their"):  # the subsidiary of the party named just before
            ours = ours or bool(self.hits and self.hits[-1].role == REGISTRANT)
        elif owner is not None:
            ours = ours or self._owned(owner)
        hit = PartyHit(name, REGISTRANT if ours else COUNTERPARTY, span, owner)
        self.hits.append(hit)
        self.group.append(hit)

    def _owned(self, owner: str) -> bool:
        return self.names.is_registrant(owner) or self._is_ours(owner)
