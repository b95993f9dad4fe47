"""Messages that are not about one filing: the daily digest and the monitor's alarms.

A `Message` is what a channel says, already cleaned (filer text through
`render.clean_line`, URLs through `render.safe_url`) but never escaped: each
channel escapes it for its own format, as it does a filing's `Notice`. It is
small and plain on purpose — a title, a summary, groups of entries (each a
line of text, an optional note and an optional link), a footer — so every
channel can say it in its own shape (Slack blocks, an email, a Teams card, a
Discord embed, a JSON document, plain text) with one small method,
`Notifier.send_message`.

A message is stored in the `messages` table as JSON (`to_json`/`from_json`)
when it is queued, so a retry after a restart sends exactly what was decided
then. `data` is the machine-readable side (the webhook sends it as is): the
digest's period and filings, the alarm's name and state.

Long messages are the channel's to fit: `fit_entries` keeps the first
`limit` entries (the channel's summary capacity, `summary.py`'s limits) and
says how many more there were.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

MessageKind = Literal["digest", "alarm"]
KINDS: tuple[MessageKind, ...] = ("digest", "alarm")


@dataclass(frozen=True)
class Entry:
    """One line of a message: its text, a note under it (a headline), a link."""

    text: str
    note: str = ""
    url: str = ""
    label: str = ""
    """The link's label ("Filing index"); empty: the URL is shown as is."""


@dataclass(frozen=True)
class Group:
    """Entries under one heading (a company, in a digest)."""

    heading: str
    entries: tuple[Entry, ...] = ()


@dataclass(frozen=True)
class Message:
    """A digest or an alarm, as every channel says it (cleaned, not escaped)."""

    kind: MessageKind
    title: str
    summary: str
    groups: tuple[Group, ...] = ()
    footer: str = ""
    state: str = ""
    """Alarms: `raised` or `cleared`; digests: empty."""
    data: Mapping[str, Any] = field(default_factory=dict)

    @property
    def entry_count(self) -> int:
        return sum(len(group.entries) for group in self.groups)

    @property
    def alarm(self) -> bool:
        return self.kind == "alarm" and self.state == "raised"

    def groups_json(self) -> list[dict[str, Any]]:
        """The groups and their entries as JSON objects (stored, and in the webhook's body)."""
        return [
            {
                "heading": group.heading,
                "entries": [
                    {"text": e.text, "note": e.note, "url": e.url, "label": e.label}
                    for e in group.entries
                ],
            }
            for group in self.groups
        ]

    def to_json(self) -> str:
        return json.dumps(
            {
                "kind": self.kind,
                "title": self.title,
                "summary": self.summary,
                "groups": self.groups_json(),
                "footer": self.footer,
                "state": self.state,
                "data": dict(self.data),
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str) -> Message:
        raw = json.loads(text)
        kind = raw["kind"]
        if kind not in KINDS:
            raise ValueError(f"unknown message kind {kind!r}")
        return cls(
            kind=kind,
            title=str(raw["title"]),
            summary=str(raw.get("summary") or ""),
            groups=tuple(
                Group(
                    str(group["heading"]),
                    tuple(
                        Entry(
                            str(e["text"]),
                            str(e.get("note") or ""),
                            str(e.get("url") or ""),
                            str(e.get("label") or ""),
                        )
                        for e in group.get("entries") or ()
                    ),
                )
                for group in raw.get("groups") or ()
            ),
            footer=str(raw.get("footer") or ""),
            state=str(raw.get("state") or ""),
            data=dict(raw.get("data") or {}),
        )


def fit_entries(message: Message, limit: int | None) -> tuple[tuple[Group, ...], int]:
    """The message's groups holding at most `limit` entries in all (None: every one), in
    order, and how many entries were left out."""
    if limit is None or message.entry_count <= limit:
        return message.groups, 0
    kept: list[Group] = []
    room = max(0, limit)
    for group in message.groups:
        if room <= 0:
            break
        entries = group.entries[:room]
        kept.append(Group(group.heading, entries))
        room -= len(entries)
    return tuple(kept), message.entry_count - sum(len(g.entries) for g in kept)


def more_text(omitted: int, message: Message) -> str:
    """The line that says what a channel left out: "…and 12 more filings (…)"."""
    noun = "filing" if message.kind == "digest" else "entry"
    text = f"…and {omitted} more {noun}{'' if omitted == 1 else 's'}"
    hint = str(message.data.get("more_hint") or "")
    return f"{text} ({hint})" if hint else text


def entry_text(entry: Entry) -> str:
    """One entry as plain text: `text — note: url`."""
    line = entry.text + (f" — {entry.note}" if entry.note else "")
    return line + (f"\n  {entry.label or 'Link'}: {entry.url}" if entry.url else "")


def message_text(message: Message, limit: int | None = None) -> str:
    """The message as plain text (the email's text part, the console, Apprise): title,
    summary, each group's heading and its entries, what was left out, the footer."""
    groups, omitted = fit_entries(message, limit)
    lines = [message.title, ""]
    if message.summary:
        lines += [message.summary, ""]
    for group in groups:
        if group.heading:
            lines.append(group.heading)
        lines += [f"- {entry_text(entry)}" for entry in group.entries]
        lines.append("")
    if omitted:
        lines += [more_text(omitted, message), ""]
    if message.footer:
        lines.append(message.footer)
    return "\n".join(lines).rstrip("\n") + "\n"


__all__ = [
    "KINDS",
    "Entry",
    "Group",
    "Message",
    "MessageKind",
    "entry_text",
    "fit_entries",
    "message_text",
    "more_text",
]
