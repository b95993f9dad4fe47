"""EDGAR's timetable: how a filing is dated, and when an 8-K is posted.

Sources (see shared/EDGAR.md, "Filing hours and when filings become public"):

* EDGAR accepts filings 06:00–22:00 ET on business days; a filing
  transmitted after 17:30 ET is dated the next business day (Regulation S-T
  Rule 13(a)). Forms 3, 4 and 5 submitted by 22:00 keep that day's date
  (Rule 13(a)(4)): in the corpus, Apple's 10-Q accepted 2023-08-03 18:04:43
  has filingDate 2023-08-04, its Form 4 accepted 2023-08-08 18:30:28 has
  2023-08-08.
* 8-Ks accepted after 17:30 ET (or on a day EDGAR is closed) are not posted
  that evening: they appear at about 06:00 ET the next business day (some
  filing agents say 07:30), still carrying their evening acceptance time,
  so they sort *below* what was accepted that morning. Other forms are
  posted at once.

The 17:30 edge is fuzzy on the real EDGAR (an 8-K accepted 17:31:08 kept
its date), hence every edge here is a parameter.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from edgarwatch.calendar import is_business_day, next_business_day, previous_business_day
from edgarwatch.filing import EASTERN

SECTION_16_FORMS = frozenset({"3", "4", "5", "3/A", "4/A", "5/A"})
"""Ownership reports, dated the same day until 22:00 (Regulation S-T Rule 13(a)(4))."""


@dataclass(frozen=True)
class Timetable:
    after_hours_cutoff: time = time(17, 30)
    """Accepted after this (ET), a filing is dated the next business day and an 8-K is held."""
    section_16_cutoff: time = time(22, 0)
    """The dating edge for Forms 3/4/5."""
    release_at: time = time(6, 0)
    """When held 8-Ks are posted on the next business day (ET)."""
    release_spread: timedelta = timedelta(0)
    """Spread the morning release over this long after `release_at` (e.g. 90 minutes:
    06:00–07:30), each filing at a fixed moment derived from its accession number."""
    held_forms: tuple[str, ...] = ("8-K",)
    """Form prefixes held overnight: "8-K" covers 8-K, 8-K/A, 8-K12B, …"""

    def filing_date(self, form: str, accepted_at: datetime) -> date:
        """The date EDGAR gives a filing accepted at `accepted_at`."""
        local = accepted_at.astimezone(EASTERN)
        cutoff = (
            self.section_16_cutoff if form.upper() in SECTION_16_FORMS else self.after_hours_cutoff
        )
        if is_business_day(local.date()) and local.time().replace(microsecond=0) <= cutoff:
            return local.date()
        return next_business_day(local.date())

    def is_after_hours(self, form: str, accepted_at: datetime) -> bool:
        """An 8-K (by `held_forms`) accepted outside `release_at`–`after_hours_cutoff`
        of a business day: EDGAR posts it at the next morning release."""
        if not form.upper().startswith(tuple(f.upper() for f in self.held_forms)):
            return False
        local = accepted_at.astimezone(EASTERN)
        moment = local.time().replace(microsecond=0)
        in_hours = self.release_at <= moment <= self.after_hours_cutoff
        return not (is_business_day(local.date()) and in_hours)

    def release(self, accession: str, accepted_at: datetime) -> datetime:
        """The morning release that posts an after-hours filing accepted at `accepted_at`."""
        local = accepted_at.astimezone(EASTERN)
        day = local.date()
        if not (is_business_day(day) and local.time() < self.release_at):
            day = next_business_day(day)
        return datetime.combine(day, self.release_at, EASTERN) + self._offset(accession)

    def _offset(self, accession: str) -> timedelta:
        if not self.release_spread:
            return timedelta(0)
        fraction = int(hashlib.sha256(accession.encode()).hexdigest()[:8], 16) / 2**32
        return timedelta(seconds=int(fraction * self.release_spread.total_seconds()))

    def feed_horizon(self, now: datetime, business_days: int) -> datetime:
        """`release_at` of the `business_days`-th business day before today (ET):
        how far back a feed that "reaches back about one business day" goes."""
        day = now.astimezone(EASTERN).date()
        for _ in range(business_days):
            day = previous_business_day(day)
        return datetime.combine(day, self.release_at, EASTERN)
