"""Console: each notification written, readably, to a text stream.

`edgarwatch demo` uses it to show every notification it would send, without
sending anything. It is also handy when writing rules: point a rule at a
console channel and watch what it would have said.
"""

from __future__ import annotations

import logging
import sys
import threading
from dataclasses import dataclass
from typing import Literal, TextIO

from edgarwatch.filing import FilingReport
from edgarwatch.notifiers.base import Delivery, Notifier, NotifierError, register
from edgarwatch.notifiers.message import Message, message_text
from edgarwatch.notifiers.plain import plain_text
from edgarwatch.notifiers.render import render
from edgarwatch.settings import setting

logger = logging.getLogger(__name__)

TEXT_LIMIT = 1000
"""Item text beyond this is trimmed: a console is for a glance, the link has the rest."""

RULE = "─" * 72


@dataclass(frozen=True)
class ConsoleSettings:
    """The console channel: where to write (stdout when `stream` is None)."""

    name: str = "console"
    stream: TextIO | None = setting(None, key=False)
    kind: Literal["console"] = "console"


@register
class ConsoleNotifier(Notifier):
    """[console] Print each notification instead of sending it (used by the demo).

    Writes a compact rendering (the deal's headline, subject, facts, the
    triggering items' parties and amounts and their text trimmed to 1,000
    characters, links) to standard output. Filer text is
    cleaned of control characters first, so a hostile company name cannot
    move the cursor or recolour the terminal.
    """

    kind = "console"
    settings_type = ConsoleSettings
    settings: ConsoleSettings
    _lock = threading.Lock()

    def send(self, report: FilingReport, delivery: Delivery) -> None:
        notice = render(report, delivery, text_limit=TEXT_LIMIT)
        header = f"── {self.name} · rule {notice.rule} · delivery {notice.delivery_id} "
        self.write(f"{header:─<{len(RULE)}}\n{plain_text(notice)}{RULE}\n")
        logger.debug("console %s: showed %s", self.name, report.filing.accession)

    def send_message(self, message: Message, delivery: Delivery) -> None:
        header = f"── {self.name} · {message.kind} · delivery {delivery.id} "
        self.write(f"{header:─<{len(RULE)}}\n{message_text(message, None)}{RULE}\n")
        logger.debug("console %s: showed a %s", self.name, message.kind)

    def write(self, text: str) -> None:
        stream = self.settings.stream or sys.stdout
        try:
            with self._lock:  # one notification's lines stay together
                stream.write(text)
                stream.flush()
        except (OSError, ValueError) as exc:  # closed pipe or closed file
            raise NotifierError(f"console: cannot write ({type(exc).__name__})") from None
