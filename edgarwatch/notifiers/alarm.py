"""What an alarm about the monitor says, raised or cleared.

`alarm_message` makes one `Message` of an alarm's verdict (`edgarwatch.alarms`):
`edgarwatch ALARM: SEC rate-limit block` with what is wrong and what to do
when raised, `edgarwatch cleared: …` with how long it lasted when cleared, the
host it runs on in the footer (an operator with several daemons needs to
know which). Its key makes it unique: `alarm:<name>:raised:<when raised>`
and `alarm:<name>:cleared:<when raised>`, one of each per episode.
"""

from __future__ import annotations

import socket
from datetime import datetime

from edgarwatch.alarms import LABELS, et, minutes
from edgarwatch.notifiers.message import Message
from edgarwatch.notifiers.text import clean_line
from edgarwatch.storage.timefmt import iso


def alarm_key(name: str, state: str, raised_at: datetime) -> str:
    return f"alarm:{name}:{state}:{iso(raised_at)}"


def alarm_message(
    name: str,
    state: str,
    detail: str,
    *,
    raised_at: datetime,
    cleared_at: datetime | None = None,
    host: str | None = None,
) -> Message:
    """The message of alarm `name` being `raised` or `cleared` (see the module)."""
    label = LABELS[name]
    host = host or socket.gethostname()
    if state == "raised":
        title = f"edgarwatch ALARM: {label}"
        summary = f"{clean_line(detail)} (raised {et(raised_at)})"
    else:
        title = f"edgarwatch cleared: {label}"
        lasted = f", after {minutes(cleared_at - raised_at)}" if cleared_at else ""
        summary = f"{clean_line(detail)} (raised {et(raised_at)}, cleared{lasted})"
    return Message(
        kind="alarm",
        title=title,
        summary=summary,
        footer=f"edgarwatch on {clean_line(host)} · alarm {name}",
        state=state,
        data={
            "name": name,
            "state": state,
            "label": label,
            "detail": detail,
            "raised_at": raised_at.isoformat(),
            "cleared_at": cleared_at.isoformat() if cleared_at else None,
            "host": host,
        },
    )


__all__ = ["alarm_key", "alarm_message"]
