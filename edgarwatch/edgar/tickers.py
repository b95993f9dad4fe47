"""Ticker symbols ↔ CIKs, from `/files/company_tickers.json`.

The file is an object of objects, `{"0": {"cik_str": 320193, "ticker":
"AAPL", "title": "Apple Inc."}, …}`; one company can have several tickers
(share classes), and the SEC writes class suffixes with a dash (`BRK-B`).
"""

from __future__ import annotations

import json

from edgarwatch.company import Ticker, normalise_ticker


def parse_company_tickers(data: bytes) -> list[Ticker]:
    document = json.loads(data)
    rows = document.values() if isinstance(document, dict) else document
    result = []
    for row in rows:
        if not isinstance(row, dict):
            continue
        try:
            result.append(
                Ticker(normalise_ticker(str(row["ticker"])), int(row["cik_str"]), str(row["title"]))
            )
        except (KeyError, ValueError, TypeError):
            continue
    return result
