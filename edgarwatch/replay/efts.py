"""EDGAR full-text search (`efts.sec.gov/LATEST/search-index`), answered as EFTS does.

EFTS is an Elasticsearch index of filing *documents* (index `edgar_file`);
its answer is Elasticsearch's search response. Sources, best first:
/work/notes/efts.md's recorded responses — chiefly a complete one in
`yjy1304/sec-data-collecter` `docs/sec-api-guide.md` (16 hits with the
echoed query) and an 8-K exhibit hit (Eliem Therapeutics) — and the SEC
developer's prototype of the service (`mashablemark/wwwPublicDataGuru`
`sec/lambda/edgarFullTextSearch.js`).

What is copied from recorded responses:

* Top level `took`, `timed_out`, `_shards`, `hits` (`total` {value,
  relation "eq", or 10000 "gte" past Elasticsearch's result window},
  `max_score`, `hits`), `aggregations` (`entity_filter`, `sic_filter`,
  `biz_states_filter`, `form_filter`: terms buckets of 30) and `query`, the
  echo of the Elasticsearch query that ran.
* A hit: `_index` "edgar_file", `_id` "accession:filename", `_score`,
  `_source` with the recorded keys in their order: `ciks` (10-digit
  strings), `period_ending`, `file_num`, `display_names`
  ("NAME  (TICKER)  (CIK 0000320193)", two spaces), `xsl`, `sequence`,
  `root_forms`, `file_date`, `biz_states`, `sics`, `form`, `adsh`,
  `film_num`, `biz_locations`, `file_type`/`file_description` (of the
  *document*), `inc_states`, `items` (["1.01", …] for 8-Ks, [] otherwise).
* One hit per matching document (an 8-K's exhibit is a hit of its own,
  carrying the filing's `items`), 100 per page, paged by `from`.
* `forms` matches `root_forms` (`forms=4` finds 4/A too); a negated form
  (`forms=-3,-4,-5`) is a `must_not` on it; `ciks` and
  `startdt`/`enddt` (a range on `file_date`, both ends inclusive) filter;
  each `q` keyword or "quoted phrase" is a `match_phrase` on the text.

Assumptions (EDGAR's behaviour is not recorded):

* With an empty `q` only each filing's sequence-1 (primary) document is
  searched, newest `file_date` first (ties: newest acceptance) — what the
  SEC prototype does; the hit then has `_score` null and Elasticsearch's
  `sort` value. An empty-`q` query is thus one hit per filing.
* A query with no keyword, form, CIK or company is refused with the
  prototype's "Blank search not valid" answer.
* `size` can ask for fewer than 100; past the 10,000-hit window a page is
  empty rather than an Elasticsearch error; a negated form also excludes
  that exact `form` (clients send `-8-K/A` meaning "no amendments");
  keyword matching is whole words, case-insensitive, and `_score` counts
  occurrences (a stand-in for BM25).
"""

from __future__ import annotations

import html
import json
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from edgarwatch.replay.catalog import ReplayCompany, ReplayDocument, ReplayFiling
from edgarwatch.replay.render import film_number

PAGE_SIZE = 100
MAX_WINDOW = 10_000
"""Elasticsearch's `index.max_result_window`: `hits.total` says "gte" past it."""
BLANK_SEARCH = (
    "Blank search not valid.  Either entity, keywords, location, or filing types must be submitted."
)
_TERM_RE = re.compile(r'"([^"]*)"|(\S+)')
_TAG_RE = re.compile(r"<[^>]*>")

TextOf = Callable[[ReplayFiling, ReplayDocument], str]
"""A document's searchable text (lower-case, tags stripped); cached by the caller."""


@dataclass(frozen=True)
class SearchRequest:
    """The query parameters EFTS clients send (the browser UI and scripts alike)."""

    terms: tuple[str, ...] = ()
    forms: frozenset[str] = frozenset()
    not_forms: frozenset[str] = frozenset()
    start_date: date | None = None
    end_date: date | None = None
    ciks: frozenset[int] = frozenset()
    entity: str = ""
    offset: int = 0
    size: int = PAGE_SIZE
    ignored: dict[str, str] = field(default_factory=dict)
    """Parameters accepted but not acted on (`category`, `locationCode`, …)."""

    @classmethod
    def from_query(cls, query: Mapping[str, Sequence[str]]) -> SearchRequest:
        def one(name: str) -> str:
            return ",".join(query.get(name, [])).strip()

        forms = [f.strip().upper() for f in one("forms").split(",") if f.strip()]
        offset = _number(one("from"), None)
        if offset is None:  # the UI's `page` (1-based) when `from` is absent
            offset = (max(1, _number(one("page"), 1) or 1) - 1) * PAGE_SIZE
        known = {"q", "forms", "from", "page", "size", "startdt", "enddt", "ciks", "entityName"}
        return cls(
            terms=_keywords(one("q")),
            forms=frozenset(f for f in forms if not f.startswith("-")),
            not_forms=frozenset(f[1:] for f in forms if f.startswith("-")),
            start_date=_day(one("startdt")),
            end_date=_day(one("enddt")),
            ciks=frozenset(int(c) for c in re.findall(r"\d+", one("ciks"))),
            entity=one("entityName").lower(),
            offset=max(0, offset),
            size=min(PAGE_SIZE, max(0, _number(one("size"), PAGE_SIZE) or 0)),
            ignored={k: ",".join(v) for k, v in query.items() if k not in known},
        )

    @property
    def blank(self) -> bool:
        return not (self.terms or self.forms or self.not_forms or self.ciks or self.entity)


def _keywords(q: str) -> tuple[str, ...]:
    """Words and "quoted phrases", lower-case."""
    found = (m.group(1) if m.group(1) is not None else m.group(2) for m in _TERM_RE.finditer(q))
    return tuple(term.strip().lower() for term in found if term.strip())


def _number(text: str, default: int | None) -> int | None:
    try:
        return int(text)
    except ValueError:
        return default


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def searchable_text(document: ReplayDocument) -> str:
    """Text as EFTS searches it: tags stripped, entities decoded, lower-case."""
    raw = document.content.decode("utf-8", "replace")
    return html.unescape(_TAG_RE.sub(" ", raw)).lower()


def search(filings: Iterable[ReplayFiling], request: SearchRequest, text_of: TextOf) -> bytes:
    """The JSON EFTS answers for `request` over the indexed `filings`."""
    started = time.monotonic()
    if request.blank:
        return json.dumps({"error": BLANK_SEARCH, "hits": {"hits": []}}).encode()
    matched = [h for f in filings if _wanted(f, request) for h in _documents(f, request, text_of)]
    if request.terms:
        matched.sort(key=lambda h: (h.score, h.filing.filed, h.filing.accepted_at), reverse=True)
    else:
        matched.sort(
            key=lambda h: (h.filing.filed, h.filing.accepted_at, h.filing.accession), reverse=True
        )
    end = min(request.offset + request.size, MAX_WINDOW)
    page = matched[request.offset : end] if request.offset < MAX_WINDOW else []
    total = len(matched)
    answer: dict[str, Any] = {
        "took": int((time.monotonic() - started) * 1000),
        "timed_out": False,
        "_shards": {"total": 50, "successful": 50, "skipped": 0, "failed": 0},
        "hits": {
            "total": {
                "value": min(total, MAX_WINDOW),
                "relation": "eq" if total <= MAX_WINDOW else "gte",
            },
            "max_score": max((h.score for h in matched), default=None) if request.terms else None,
            "hits": [h.as_json(sorted_by_date=not request.terms) for h in page],
        },
        "aggregations": _aggregations(matched),
        "query": _echo(request),
    }
    return json.dumps(answer).encode()


def _echo(request: SearchRequest) -> dict[str, Any]:
    """The Elasticsearch query EFTS echoes back, for what this replay ran."""
    must = [{"match_phrase": {"doc_text": term}} for term in request.terms]
    must_not = [{"terms": {"root_forms": sorted(request.not_forms)}}] if request.not_forms else []
    filters: list[dict[str, Any]] = []
    if request.forms:
        filters.append({"terms": {"root_forms": sorted(request.forms)}})
    if request.ciks:
        filters.append({"terms": {"ciks": [f"{c:010d}" for c in sorted(request.ciks)]}})
    if request.start_date or request.end_date:
        bounds = {"gte": request.start_date, "lte": request.end_date}
        filters.append({"range": {"file_date": {k: v.isoformat() for k, v in bounds.items() if v}}})
    if not request.terms:
        filters.append({"term": {"sequence": {"value": 1}}})
    echo: dict[str, Any] = {
        "_source": {"exclude": ["doc_text"]},
        "query": {"bool": {"must": must, "must_not": must_not, "should": [], "filter": filters}},
        "from": request.offset,
        "size": request.size,
        "aggregations": {
            name: {"terms": {"field": field, "size": 30}}
            for name, field in (
                ("form_filter", "root_forms"),
                ("entity_filter", "display_names.raw"),
                ("sic_filter", "sics"),
                ("biz_states_filter", "biz_states"),
            )
        },
    }
    if not request.terms:
        echo["sort"] = [{"file_date": {"order": "desc"}}]
    return echo


def _wanted(filing: ReplayFiling, request: SearchRequest) -> bool:
    filed = filing.filed
    if filed is None:
        return False
    if request.forms and root_form(filing.form) not in request.forms:
        return False
    if request.not_forms & {filing.form.upper(), root_form(filing.form)}:
        return False
    if request.start_date and filed < request.start_date:
        return False
    if request.end_date and filed > request.end_date:
        return False
    if request.ciks and not request.ciks & {c.cik for c in filing.companies}:
        return False
    names = " ".join(display_name(c) for c in filing.companies).lower()
    return not request.entity or request.entity in names


@dataclass(frozen=True)
class _Hit:
    filing: ReplayFiling
    document: ReplayDocument
    score: float

    def as_json(self, *, sorted_by_date: bool) -> dict[str, Any]:
        hit: dict[str, Any] = {
            "_index": "edgar_file",
            "_id": f"{self.filing.accession}:{self.document.filename}",
            "_score": None if sorted_by_date else self.score,
            "_source": source(self.filing, self.document),
        }
        if sorted_by_date:
            assert self.filing.filed is not None
            midnight = datetime.combine(self.filing.filed, datetime.min.time(), UTC)
            hit["sort"] = [int(midnight.timestamp() * 1000)]
        return hit


def _documents(filing: ReplayFiling, request: SearchRequest, text_of: TextOf) -> list[_Hit]:
    if not request.terms:
        primary = next((d for d in filing.documents if d.sequence == 1), filing.documents[0])
        return [_Hit(filing, primary, 0.0)]
    hits = []
    for document in filing.documents:
        text = text_of(filing, document)
        counts = [len(re.findall(rf"\b{re.escape(t)}\b", text)) for t in request.terms]
        if all(counts):
            hits.append(_Hit(filing, document, float(sum(counts))))
    return hits


def root_form(form: str) -> str:
    """EFTS's `root_forms`: an amendment's base form (8-K/A → 8-K)."""
    form = form.upper()
    return form[:-2] if form.endswith("/A") else form


def display_name(company: ReplayCompany) -> str:
    ticker = f"  ({company.ticker})" if company.ticker else ""
    return f"{company.name}{ticker}  (CIK {company.cik:010d})"


def _distinct(companies: Iterable[ReplayCompany]) -> list[ReplayCompany]:
    return list({c.cik: c for c in reversed(list(companies))}.values())[::-1]


def source(filing: ReplayFiling, document: ReplayDocument) -> dict[str, Any]:
    """A hit's `_source`, keys in the order EFTS writes them."""
    companies = _distinct(filing.companies)
    locations = [c.business_location for c in companies if c.business_location]
    period = filing.period or filing.filed
    return {
        "ciks": [f"{c.cik:010d}" for c in companies],
        "period_ending": period.isoformat() if period else None,
        "file_num": [c.file_number for c in companies if c.file_number],
        "display_names": [display_name(c) for c in companies],
        "xsl": None,
        "sequence": document.sequence,
        "root_forms": [root_form(filing.form)],
        "file_date": filing.filed.isoformat() if filing.filed else None,
        "biz_states": [loc.rsplit(",", 1)[-1].strip() for loc in locations],
        "sics": [c.sic for c in companies if c.sic],
        "form": filing.form,
        "adsh": filing.accession,
        "film_num": [film_number(filing)],
        "biz_locations": locations,
        "file_type": document.type,
        "file_description": document.description,
        "inc_states": [c.state for c in companies if c.state],
        "items": list(filing.items) if root_form(filing.form).startswith("8-K") else [],
    }


def _aggregations(hits: Sequence[_Hit]) -> dict[str, Any]:
    forms: Counter[str] = Counter()
    entities: Counter[str] = Counter()
    sics: Counter[str] = Counter()
    states: Counter[str] = Counter()
    for hit in hits:
        body = source(hit.filing, hit.document)
        forms.update(body["root_forms"])
        entities.update(body["display_names"])
        sics.update(body["sics"])
        states.update(body["biz_states"])
    return {
        "entity_filter": _buckets(entities),
        "sic_filter": _buckets(sics),
        "biz_states_filter": _buckets(states),
        "form_filter": _buckets(forms),
    }


def _buckets(counts: Counter[str], size: int = 30) -> dict[str, Any]:
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    shown = ranked[:size]
    return {
        "doc_count_error_upper_bound": 0,
        "sum_other_doc_count": sum(n for _, n in ranked[size:]),
        "buckets": [{"key": key, "doc_count": n} for key, n in shown],
    }
