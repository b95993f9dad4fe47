"""The sample notification: the seed filing, ImmunoGen's Item 1.01 of 2007-05-04.

`edgarwatch test-notify` sends it through each configured channel so an
operator sees a real message (a real company, a real agreement, real SEC
links) before the first real filing arrives. The company name is EDGAR's
conformed name, as the feeds report it.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from edgarwatch.filing import EASTERN, Company, Exhibit, Filing, FilingReport, Item
from edgarwatch.notifiers.base import Delivery

ACCESSION = "0001104659-07-035757"
CIK = 855654
FOLDER = "https://www.sec.gov/Archives/edgar/data/855654/000110465907035757"
PRIMARY_DOCUMENT = "a07-13166_18k.htm"
RULE = "test-notify"

ITEM_101_TEXT = (
    "On April 30, 2007, ImmunoGen, Inc. (Nasdaq: IMGN) entered into a manufacturing "
    "agreement with Società Italiana Corticosteroidi S.r.l (SICOR). Under the terms of the "
    "agreement, SICOR agreed to produce a certain number of cGMP batches of the maytansinoid "
    'derivatives DM1 and DM4 (collectively "DMx") which are used in the production of TAP '
    "compounds. Under the terms of the agreement, ImmunoGen will pay SICOR five million Euros "
    "for these cGMP batches of DMx through completion of the contract in early 2008. The DMx "
    "produced will be used by ImmunoGen and available for sale to its collaborative partners."
)
"""Item 1.01 of the filing, verbatim from its primary document."""


def sample_report() -> FilingReport:
    """The seed filing as the enricher records it: one item with its deal terms, the
    8-K document."""
    # Imported here: the extractor's patterns are compiled only when a sample is sent.
    from edgarwatch.edgar.agreements import extract_agreements

    filing = Filing(
        accession=ACCESSION,
        form="8-K",
        companies=(Company(CIK, "IMMUNOGEN INC", "Filer"),),
        url=f"{FOLDER}/{ACCESSION}-index.htm",
        accepted_at=datetime(2007, 5, 4, 16, 5, 33, tzinfo=EASTERN),
        filed=date(2007, 5, 4),
        items=("1.01",),
        primary_document=PRIMARY_DOCUMENT,
    )
    agreements = extract_agreements("1.01", ITEM_101_TEXT, registrant=filing.company)
    item = Item("1.01", "Entry into a Material Definitive Agreement", ITEM_101_TEXT, agreements)
    document = Exhibit(
        type="8-K",
        document=PRIMARY_DOCUMENT,
        url=f"{FOLDER}/{PRIMARY_DOCUMENT}",
        description="FORM 8-K",
        sequence=1,
    )
    return FilingReport(filing=filing, items=(item,), exhibits=(document,))


def sample_delivery(channel: str) -> Delivery:
    """A fresh delivery id each time: a receiver must not drop a test as a repeat."""
    return Delivery(id=f"test-{uuid.uuid4()}", channel=channel, rule=RULE, items=("1.01",))
