"""Which items a filing reports: what EDGAR declared, checked against the sections the document holds, in the numbering of its filing date."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from edgarwatch.edgar.headings import Numbering, numbering_for
from edgarwatch.edgar.sections import Section
from edgarwatch.filing import Item
from edgarwatch.items import sort_key, title_for


def numbering_of(filed: date | None, declared: Sequence[str]) -> Numbering | None:
    """The filing date decides; without it, EDGAR's declared numbers do."""
    if filed is not None or not declared:
        return numbering_for(filed)
    return "modern" if any("." in number for number in declared) else "legacy"


def document_items(sections: list[Section]) -> dict[str, Item]:
    """Document headings → items, in document order; a repeated heading's text is joined."""
    found: dict[str, Item] = {}
    for section in sections:
        for number in section.numbers:
            title = title_for(number) or section.heading
            previous = found.get(number)
            text = section.text
            if previous is not None and previous.text and text:
                text = f"{previous.text}\n{text}"
            elif previous is not None:
                text = previous.text or text
            found[number] = Item(number=number, title=title, text=text)
    return found


def decide_items(
    found: dict[str, Item], declared: Sequence[str], blanks: int = 0
) -> tuple[tuple[Item, ...], tuple[Item, ...]]:
    """Rule 3: EDGAR's declared list decides which items; the document gives text.

    Returns (items, document_only_items). With nothing declared and no blank
    header lines, the document's headings are the items. `blanks` header
    lines with no title are filled, in document order, from headings the
    declared list does not name.
    """
    if not declared and not blanks:
        return _ordered(found.values()), ()
    extra = [number for number in found if number not in declared]
    fill, rest = extra[:blanks], extra[blanks:]
    items = [found.get(n) or Item(number=n, title=title_for(n), text="") for n in declared]
    items += [found[n] for n in fill]
    return _ordered(items), _ordered(found[n] for n in rest)


def _ordered(items: Iterable[Item]) -> tuple[Item, ...]:
    return tuple(sorted(items, key=lambda item: sort_key(item.number)))
