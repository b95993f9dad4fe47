"""Where an item's sentences introduce an agreement, and what they say around it.

An agreement is introduced by what was done to it ("entered into a Term Loan
Agreement", "amended the … salary continuation agreement", "pursuant to an
Indenture", in Item 1.02 "terminated its promissory note") and described
right after its title: a short name ("(the “Credit Agreement”)"), a date
("dated as of June 20, 2018"), what it amends ("Amendment No. 1 … to the
Credit Agreement") and its parties ("with …", "between … and …",
"by and among …"), or, before the verb, by who did it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from edgarwatch.agreement import Span
from edgarwatch.edgar.dates import DATE_RE, parse_date
from edgarwatch.edgar.names import Names
from edgarwatch.edgar.parties import PartyHit, read_party_list

_TITLE_WORD = (
    r"(?!(?:with|between|among|by|under|pursuant|which|that|whereby|from|dated|as|in|on|at|for|to"
    r"|is|was|were|has|have|will|and\s+(?:a|an|the|its|other))\s)[\w'’&./\-]+"
)
_HEAD = (
    r"(?:agreements?|indentures?|sub-?leases?|leases?|letter\s+agreements?|letters?|contracts?"
    r"|promissory\s+notes?|amendments?|facility|guarant(?:y|ee)|joinder|supplement"
    r"|memorandum\s+of\s+understanding|term\s+sheet)"
)
TITLE = (
    rf"(?:{_TITLE_WORD}\s+){{0,8}}?{_HEAD}\b(?:\s+{_HEAD}\b)*"
    r"(?!\s+and\s+(?!(?:other|certain|related|ancillary|various|a|an|the|its)\b)(?:[\w-]+\s+){0,3}?"
    r"(?:agreements?|facility|notes?|indenture)\b)"
    r"(?:\s+(?:and\s+)?Plan\s+of\s+(?:Merger|Reorganization|Arrangement)"
    r"|\s+and\s+(?:Mutual\s+|General\s+)?Release"
    r"|\s+of\s+(?:Purchase\s+and\s+Sale|Sale|Lease|Merger))?(?:\s+No\.\s*\d+)?"
)
_ARTICLE = r"(?P<article>(?:(?:a|an|the|its|their|our|that\s+certain|certain|this|new|one)\s+)*)"
_MONEY = r"(?:(?:US)?\$\s?[\d.,]+(?:\s*(?:million|billion))?\s+)?"
_TRIGGER_RE = re.compile(
    r"\b(?:(?P<entry>(?:entered|enter|enters|entering)\s+into|executed|signed"
    r"|amended(?:\s+and\s+restated)?)|(?P<pursuant>[Pp]ursuant\s+to|[Uu]nder|governed\s+by)"
    r"|(?P<termination>terminated|terminate|termination\s+of|terminating))\s+"
    rf"(?i:{_ARTICLE}{_MONEY})"
)  # the verbs are prose (lower case): "the Amended and Restated Merger Agreement" is a title
_TITLE_RE = re.compile(TITLE, re.IGNORECASE)
_MORE_RE = re.compile(r"\s*,?\s+and\s+(?:a|an)\s+", re.IGNORECASE)
_DEFINED_RE = re.compile(
    r"\s*,?\s*\((?:as\s+(?:so\s+)?amended[^“”\"()]*?,\s*)?(?:the\s+|an?\s+)?[“\"](?P<alias>[^“”\"]{1,80})[”\"]"
    r"(?:[^()]{0,80})\)"
)
_PAREN_RE = re.compile(r"\s*,?\s*\((?:[^()]|\([^()]*\))*\)")
_DATED_RE = re.compile(r",?\s*(?:each\s+)?(?P<kind>dated|effective)(?:\s+as\s+of)?\s+(?:the\s+)?")
_OTHERS_RE = re.compile(r"\s+and\s+(?:other|certain|related|ancillary|various)\s+agreements?\b")
_OR_THE_RE = re.compile(r",?\s+or\s+the\s+(?P<alias>[A-Z][\w\-]*(?:\s+[A-Z][\w\-]*){0,4}),")
_BASE_RE = re.compile(r"\s+(?:to|of)\s+(?:(?:the|its|our|their|that\s+certain)\s+)?", re.IGNORECASE)
_CONNECTOR_RE = re.compile(
    r",?\s*(?:by\s+and\s+(?:between|among)|between|among|with(?!\s+respect\b))\s+", re.IGNORECASE
)
_RELATIVE_RE = re.compile(r"\b(?:which|that|it|thereby|each of which)\s*$", re.IGNORECASE)
_SUBJECT_TAIL_RE = re.compile(
    r"(?:[\s,]|\b(?:also|each|have|has|had|jointly|together|further|then|previously"
    r"|concurrently|simultaneously|today|recently)\b)*$",
    re.IGNORECASE,
)
_INDEFINITE = frozenset({"a", "an"})
_VERB_STEMS = ("enter", "execut", "signed", "amended", "pursuant", "under", "governed", "terminat")


@dataclass
class Mention:
    """An agreement as one sentence introduces it."""

    kind: str  # entry | pursuant | termination
    title: str
    title_span: Span
    sentence: Span
    verb_span: Span
    text_of_verb: str = ""
    base_title: str | None = None
    aliases: list[str] = field(default_factory=list)
    date: dt.date | None = None
    date_span: Span | None = None
    parties: list[PartyHit] = field(default_factory=list)

    @property
    def amendment(self) -> bool:
        words = f"{self.title} {self.text_of_verb}".lower()
        return self.base_title is not None or "amend" in words or "supplement" in words


def find_mentions(
    text: str, sentence: Span, names: Names, *, definite_ok: bool, terminations: bool
) -> list[Mention]:
    """Every agreement `text[sentence]` introduces, in order."""
    start, end = sentence
    mentions: list[Mention] = []
    folded = text[start:end].lower()
    if not any(verb in folded for verb in _VERB_STEMS):
        return mentions
    for match in _TRIGGER_RE.finditer(text, start, end):
        kind = next(k for k in ("entry", "pursuant", "termination") if match.group(k))
        title = _TITLE_RE.match(text, match.end(), end)
        if title is None or not _accepted(match, kind, text, definite_ok, terminations):
            continue
        mention = Mention(
            kind=kind,
            title=" ".join(title.group().split()),
            title_span=title.span(),
            sentence=sentence,
            verb_span=match.span(kind),
            text_of_verb=match.group(kind),
        )
        siblings = _read_tail(text, mention, title.end(), names)
        if kind == "entry":
            for each in (mention, *siblings):
                _add_subject(text, each, names)
        mentions += [mention, *siblings]
    return mentions


def _accepted(
    match: re.Match[str], kind: str, text: str, definite_ok: bool, terminations: bool
) -> bool:
    article = match.group("article").split()
    if kind == "termination":
        return terminations
    if kind == "pursuant":
        return bool(article) and (article[0].lower() in _INDEFINITE or definite_ok)
    return not _RELATIVE_RE.search(text, max(0, match.start() - 20), match.start())


def _read_tail(text: str, mention: Mention, pos: int, names: Names) -> list[Mention]:
    """Short name, date, amended agreement and parties after the title; and any
    further titles joined by "and a" that share them."""
    end = mention.sentence[1]
    more: list[Mention] = []
    while True:
        step = _tail_step(text, mention, pos, end)
        if step is None:
            break
        pos = step
    extra = _followed(_MORE_RE, _TITLE_RE, text, pos, end)
    while extra is not None:
        more.append(_sibling(mention, extra))
        pos = extra.end()
        extra = _followed(_MORE_RE, _TITLE_RE, text, pos, end)
    connector = _CONNECTOR_RE.match(text, pos, end)
    if connector is not None:
        hits, stop = read_party_list(text, connector.end(), end, names)
        for target in (mention, *more):
            target.parties += hits
        defined = _DEFINED_RE.match(text, stop, end)  # "… party thereto (the “Credit Agreement”)"
        if defined is not None and not more:
            mention.aliases.append(" ".join(defined.group("alias").split()))
    return more


def _tail_step(text: str, mention: Mention, pos: int, end: int) -> int | None:
    defined = _DEFINED_RE.match(text, pos, end)
    if defined is not None:
        mention.aliases.append(" ".join(defined.group("alias").split()))
        return defined.end()
    dated = _followed(_DATED_RE, DATE_RE, text, pos, end)
    if dated is not None:
        ours = mention.base_title is None  # after "to the Lease", "dated …" is the Lease's date
        if ours and (mention.date is None or text[pos:end].lstrip(", ").startswith("dated")):
            mention.date, mention.date_span = parse_date(dated), (pos, dated.end())
        return dated.end() + (1 if text[dated.end() : dated.end() + 1] == "," else 0)
    for pattern in (_PAREN_RE, _OR_THE_RE, _OTHERS_RE):
        match = pattern.match(text, pos, end)
        if match is not None:
            if "alias" in pattern.groupindex:
                mention.aliases.append(match.group("alias"))
            return match.end()
    base = _followed(_BASE_RE, _TITLE_RE, text, pos, end)
    if base is not None and "amend" in mention.title.lower():
        mention.base_title = mention.base_title or " ".join(base.group().split())
        return base.end()
    return None


def _followed(
    lead: re.Pattern[str], then: re.Pattern[str], text: str, pos: int, end: int
) -> re.Match[str] | None:
    """`then` matched right after `lead` (both at `pos`): one compiled copy of each."""
    first = lead.match(text, pos, end)
    return then.match(text, first.end(), end) if first is not None else None


def _sibling(first: Mention, match: re.Match[str]) -> Mention:
    return Mention(
        kind=first.kind,
        title=" ".join(match.group().split()),
        title_span=match.span(),
        sentence=first.sentence,
        verb_span=first.verb_span,
        date=first.date,
        date_span=first.date_span,
        parties=list(first.parties),
        text_of_verb=first.text_of_verb,
    )


def _add_subject(text: str, mention: Mention, names: Names) -> None:
    """ "X (the “Company”), Y, a Delaware corporation, … and Z entered into": X, Y, Z."""
    start = mention.sentence[0]
    verb = mention.verb_span[0]
    end = start + len(_SUBJECT_TAIL_RE.sub("", text[start:verb]))
    candidates = [0] + [m.end() for m in re.finditer(r",\s+", text[start:end])]
    for offset in candidates:
        hits, stop = read_party_list(text, start + offset, end, names)
        if hits and not text[stop:end].strip(" ,"):
            mention.parties[:0] = hits
            return
