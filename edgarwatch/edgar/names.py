"""Names in an 8-K's prose: companies, people, and the short names a filing defines.

"Società Italiana Corticosteroidi S.r.l (SICOR)", "Barclays Bank plc
(“Barclays”)", "SanDisk Corporation, or SanDisk,", "Horizon Bank (the
“Bank”)": a name is a run of capitalised words (with "of", "de", "&" and
corporate suffixes after a comma), and a short name defined right after it
is resolved back to it wherever the filing uses it. Rating agencies,
exchanges, regulators and statutes are names too, but never parties.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


def word_set(words: str) -> frozenset[str]:
    """A table of words written as one string ("inc corp co …")."""
    return frozenset(words.split())


_WORD = r"(?:[A-Z0-9][\w'’&.\-/]*|plc(?![\w])|\([A-Z]{2,5}\)(?=\s+[A-Z]))"
_CONNECTOR = r"(?:of|the|de|du|des|la|le|del|della|di|van|von|der|y|&|and(?=\s+(?:Company|Co\.)))"
SUFFIX = (
    r"(?:Inc\.?|Incorporated|Corp\.?|Corporation|Co\.?|Company|Ltd\.?|Limited|L\.?L\.?C\.?"
    r"|L\.?P\.?|L\.?L\.?P\.?|plc|PLC|N\.\s?A\.?|National Association|S\.A\.?|S\.p\.A\.?"
    r"|S\.r\.l\.?|AG|GmbH|B\.V\.|N\.V\.|SE|A/S|AB|ASA|Oy|K\.K\.|Pty\.? Ltd\.?|S\.L\.|SAS|Ltda\.?"
    r"|INC\.?|CORP\.?|CO\.?|LTD\.?)(?![\w])"
)
NAME_RE = re.compile(
    rf"{_WORD}(?:(?:\s+(?:{_CONNECTOR}\s+)*|\s*,\s*(?={SUFFIX}))(?:{_WORD}))*"
    rf"(?:\s*,\s*{SUFFIX})?"
)
_ABBREVIATION_END_RE = re.compile(
    r"(?:\b(?:Inc|Corp|Co|Ltd|Jr|Sr|Bros|Ltda|Pty)|[A-Z]\.[A-Z]|\b[A-Z])\.$"
)
_ALIAS_RE = re.compile(
    r"\((?P<group>collectively|together|each|individually)?[,\s]*(?:the\s+|an?\s+)?"
    r"[“\"](?P<alias>[^“”\"]{1,60})[”\"](?P<more>(?:\s*(?:,|or|and)\s*(?:the\s+)?[“\"][^“”\"]{1,60}[”\"])*)\s*\)"
    r"|,\s+or\s+(?P<or_alias>(?:the\s+)?[A-Z][\w\-]*(?:\s+[A-Z][\w\-]*){0,3}),"
    r"|\((?P<acronym>[A-Z][A-Za-z0-9&\-]{1,14})\)(?!\s+[A-Z])"
)
_DESCRIBED_RE = re.compile(r",\s+(?:a|an)\s+[^,()“”\"]*$")
_TRAILING_CAPACITY_RE = re.compile(r",?\s+as\s+(?:the\s+|an?\s+)?[a-z][^,()“”\"]*$")
_ONLY_SUFFIX_RE = re.compile(rf"^(?:{SUFFIX}[\s,]*)+$")
_TRAILING_PARENS_RE = re.compile(r"(?:\s*\([^()“”\"]*\))+$")
_LEADING_YEAR_RE = re.compile(r"^(?:19|20)\d\d\s+(?=[A-Z])")
_NOT_ALIAS_RE = re.compile(
    r"(?:agreements?|merger|mergers|indenture|notes|facility|lease|plan|letter|amendment"
    r"|offering|shares|stock|assets|distribution|separation|transaction|transactions"
    r"|consideration|date|time|period|price|amount|option|warrants?|premises|property"
    r"|business|closing|acquisition|loans?|ratio|rate|term|effective time)$",
    re.IGNORECASE,
)
_ROLE_ALIASES = word_set(
    "company registrant corporation bank borrower trustee agent administrative agent "
    "collateral agent underwriter underwriters representative representatives lender lenders "
    "landlord tenant lessor lessee licensor licensee purchaser purchasers seller sellers buyer "
    "parent merger sub executive employee consultant stockholders guarantors issuer "
    "investor investors holder holders partnership"
)
_QUOTED_RE = re.compile(r"[“\"]([^“”\"]{1,60})[”\"]")
_SUFFIX_WORDS = word_set(
    "inc incorporated corp corporation co company companies ltd limited llc lp llp plc na "
    "sa spa srl ag gmbh bv nv se as ab asa oy kk pty ltda the holdings"
)
_STATE_TAG_RE = re.compile(r"[\\/][A-Za-z]{2,3}[\\/]?\s*$|/$")
_FAMILY_KEY_CHARS = 6
_REGISTRANT_WORDS = frozenset({"company", "registrant", "we", "us", "our", "corporation"})
_NOT_PARTIES = frozenset(
    {
        "moody's", "moody's investors service", "moody's investors service, inc.", "s&p",
        "s&p global ratings", "fitch", "fitch ratings", "fitch ratings, inc.", "sec",
        "securities and exchange commission", "finra", "fda", "ema", "irs", "doj", "ftc",
        "u.s. food and drug administration", "food and drug administration",
        "internal revenue service", "department of justice", "federal trade commission",
        "board", "board of directors", "committee", "compensation committee", "audit committee",
        "agreement", "note", "notes", "share", "shares", "common stock",
    }
)  # fmt: skip
_NOT_PARTY_PREFIXES = (
    "standard & poor", "standard and poor", "dbrs", "kroll", "nyse", "new york stock exchange",
    "nasdaq", "the nasdaq", "cboe", "otc", "exhibit", "item", "section", "schedule", "form ",
    "rule ", "regulation", "article",
)  # fmt: skip
_NOT_PARTY_ENDINGS = (
    " act", " code", " law", "agreement", "indenture", " plan", " note", " notes", "facility",
    " loan", " loans", " stock",
)  # fmt: skip
"""Rating agencies, exchanges, regulators, statutes and instruments: never parties."""
_NOT_NAME_START = word_set(
    "On In As At By For From If Upon Under Pursuant Effective Also Additionally Accordingly "
    "Concurrently Following Prior Subject Further Each Both Certain Such This That These Those "
    "Any All No Our Its Their His Her We Today Yesterday Approximately Amended Amendment "
    "Item Items Section Exhibit Exhibits Schedule Form Rule Article January February March "
    "April May June July August September October November December"
)


def company_key(name: str) -> str:
    """ "The Walt Disney Company", "WALT DISNEY CO/" → "walt disney" (for comparison only)."""
    name = _STATE_TAG_RE.sub("", name)
    words = re.findall(r"[a-z0-9]+", name.lower().replace("&", " and "))
    kept = [word for word in words if word not in _SUFFIX_WORDS]
    return " ".join(kept or words)


def _not_a_party(name: str) -> bool:
    folded = name.lower().replace("’", "'").removeprefix("the ")
    return (
        folded in _NOT_PARTIES
        or folded.startswith(_NOT_PARTY_PREFIXES)
        or f" {folded}".endswith(_NOT_PARTY_ENDINGS)
    )


def clean_name(name: str) -> str:
    """Trim a sentence's full stop off a name ("Acme LLC." → "Acme LLC"), keep "Inc."."""
    name = _LEADING_YEAR_RE.sub("", " ".join(name.split()).strip(" ,;"))
    if name.endswith(".") and not _ABBREVIATION_END_RE.search(name):
        name = name[:-1]
    return name


def is_name(name: str) -> bool:
    """A plausible party name: not a month, a statute, an exchange or a lone number."""
    words = name.split()
    if not words or words[0] in _NOT_NAME_START or _not_a_party(name):
        return False
    if not company_key(name) or _ONLY_SUFFIX_RE.match(name):
        return False  # "L.P.", "Inc.": the tail of a name cut by a comma
    if not any(char.isalpha() for char in name):
        return False
    return not (words[0].isdigit() and len(words) == 1)


def name_ending_at(text: str, end: int) -> tuple[str, int] | None:
    """The name that ends at `end` ("… Foo, Inc., (“Foo”)" → "Foo, Inc."), and its start."""
    window_start = max(0, end - 160)
    window = _TRAILING_CAPACITY_RE.sub("", text[window_start:end]).rstrip(" ,")
    window = _TRAILING_PARENS_RE.sub("", window).rstrip(" ,")  # "Vela, Inc. (Nasdaq: VELA) (…)"
    described = _DESCRIBED_RE.search(window)  # "Foo Corp., a Delaware corporation (“Foo”)"
    if described:
        named = _last_name(window[: described.start()])
        if named is not None:
            return clean_name(named.group()), window_start + named.start()
    last = _last_name(window)
    if last is None:
        return None
    return clean_name(last.group()), window_start + last.start()


def _last_name(window: str) -> re.Match[str] | None:
    """The name that runs to the end of `window`, if one does."""
    last = None
    for last in NAME_RE.finditer(window):  # noqa: B007 - the last one is wanted
        pass
    return last if last is not None and last.end() == len(window) else None


@dataclass
class Names:
    """The short names a filing defines, and which names are the registrant."""

    aliases: dict[str, str] = field(default_factory=dict)
    alias_spans: dict[str, tuple[int, int]] = field(default_factory=dict)
    registrant_keys: set[str] = field(default_factory=set)
    registrant_name: str | None = None

    def resolve(self, name: str) -> str:
        """ "SICOR" → "Società Italiana Corticosteroidi S.r.l"; a full name stays itself."""
        bare = name[4:] if name.lower().startswith("the ") else name
        return self.aliases.get(name) or self.aliases.get(bare) or name

    def is_registrant(self, name: str) -> bool:
        """The registrant, or a company of its family named after it ("Cedar Realty
        Trust Partnership, L.P." of "Cedar Realty Trust, Inc.")."""
        bare = name[4:] if name.lower().startswith("the ") else name
        if bare.lower() in _REGISTRANT_WORDS:
            return True
        key = company_key(self.resolve(name))
        return key in self.registrant_keys or any(
            len(ours) >= _FAMILY_KEY_CHARS and key.startswith(f"{ours} ")
            for ours in self.registrant_keys
        )


def read_names(text: str, registrant: str | None) -> Names:
    """Every short name the text defines ("(the “Company”)", ", or SanDisk,", "(SICOR)")."""
    names = Names()
    if registrant:
        names.registrant_keys.add(company_key(registrant))
        names.registrant_name = registrant
    for match in _ALIAS_RE.finditer(text):
        if match.group("group"):
            continue
        target = name_ending_at(text, match.start())
        if target is None or not is_name(target[0]):
            continue
        for alias in _aliases(match):
            if plausible_alias(alias, target[0]):
                _define(names, alias, target[0], (target[1], match.end()))
    return names


def _aliases(match: re.Match[str]) -> list[str]:
    if match.group("alias"):
        return [match.group("alias"), *_QUOTED_RE.findall(match.group("more") or "")]
    alias = match.group("or_alias") or match.group("acronym") or ""
    return [alias[4:] if alias.startswith("the ") else alias]


def plausible_alias(alias: str, target: str) -> bool:
    """ "SICOR" for "Società Italiana Corticosteroidi", "Barclays" for "Barclays Bank plc",
    "the Trustee" for a bank: yes; "New Flash Venture" for "Toshiba": no."""
    folded = " ".join(alias.lower().split())
    if folded in _ROLE_ALIASES:
        return True
    if _NOT_ALIAS_RE.search(folded) or not is_name(alias):
        return False
    target_words = set(re.findall(r"[a-z]{3,}", target.lower()))
    if target_words & set(re.findall(r"[a-z]{3,}", folded)):
        return True
    letters = re.sub(r"[^a-z]", "", folded)
    return 2 <= len(letters) <= 12 and _subsequence(letters, re.sub(r"[^a-z]", "", target.lower()))


def _subsequence(short: str, long: str) -> bool:
    characters = iter(long)
    return all(char in characters for char in short)


def _define(names: Names, alias: str, target: str, span: tuple[int, int]) -> None:
    alias = " ".join(alias.split())
    if alias.lower() in _REGISTRANT_WORDS:  # the item's own "(the “Company”)" names it best
        names.registrant_keys.add(company_key(target))
        names.registrant_name = target
    names.aliases.setdefault(alias, target)
    names.alias_spans.setdefault(alias, span)
    if company_key(alias) in names.registrant_keys:
        names.registrant_keys.add(company_key(target))
