"""Companies as EDGAR identifies them: the CIK (Central Index Key)."""

from __future__ import annotations

import re


def parse_cik(value: object) -> int | None:
    """855654, "855654" and "0000855654" are the same CIK; anything else is None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value < 10**10 else None
    if isinstance(value, str) and re.fullmatch(r"\s*(?:CIK)?0*\d{1,10}\s*", value, re.I):
        number = int(re.sub(r"\D", "", value))
        return number if number > 0 else None
    return None
