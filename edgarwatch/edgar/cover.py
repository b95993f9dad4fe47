"""What an 8-K's cover page says: the form and the registrant's name."""

from __future__ import annotations

import re
from collections.abc import Sequence

_FORM_RE = re.compile(r"^form\s*(8-k(?:/a)?|8-k12b|8-k12g3|8-k15d5)\b", re.IGNORECASE)
_REGISTRANT_CAPTION_RE = re.compile(r"\(?\s*exact name of (?:the )?registrants?\b", re.IGNORECASE)
_MAX_NAME_CHARS = 120


def cover_form(lines: Sequence[str]) -> str | None:
    """The form named on the cover page ("FORM 8-K", "FORM 8-K/A"), if any."""
    for line in lines[:40]:
        match = _FORM_RE.match(line)
        if match:
            return match.group(1).upper()
    return None


def cover_registrant(lines: Sequence[str]) -> str | None:
    """The registrant's name as the cover prints it, above "(Exact name of registrant
    as specified in its charter)" (or before it, on the same line)."""
    for index, line in enumerate(lines[:80]):
        caption = _REGISTRANT_CAPTION_RE.search(line)
        if caption is None:
            continue
        name = line[: caption.start()].strip(" (|") or (lines[index - 1] if index else "")
        name = name.strip(" |")
        if name and len(name) <= _MAX_NAME_CHARS and any(c.isalpha() for c in name):
            return name
        return None
    return None
