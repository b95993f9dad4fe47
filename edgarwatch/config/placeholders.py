"""Example values left in place (`hooks.slack.com/services/XXXX…`, `example.com`)
are refused: a configuration copied from the docs must not look ready.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any
from urllib.parse import urlsplit

from edgarwatch.config.reader import Reader
from edgarwatch.secrets import Secret
from edgarwatch.settings import is_loopback

_EXAMPLE_DOMAINS = ("example.com", "example.org", "example.net")
_PLACEHOLDER_TEXT = re.compile(r"X{4,}|…|\.\.\.|<[^>]*>")
_HOST = re.compile(r"^[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$")


def is_example_host(host: str) -> bool:
    """RFC 2606's documentation names: example.com/.org/.net and anything under them,
    and the `.example` top-level domain. Nothing is ever delivered there."""
    host = host.lower().rstrip(".")
    return (
        host == "example"
        or host.endswith(".example")
        or any(host == d or host.endswith("." + d) for d in _EXAMPLE_DOMAINS)
    )


def placeholder(value: str) -> str | None:
    """Why `value` (a URL, an address or a host name) is an example's placeholder, or None.

    `https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX`
    (Slack's documented shape), `https://hooks.example.com/edgarwatch`,
    `smtp.example.com`, `bd-team@example.com`, `https://…`. A loopback address
    is always real: something of the operator's (a relay, a test receiver) runs there.
    """
    value = value.strip()
    if "://" in value:
        host = urlsplit(value).hostname or ""
    elif "@" in value:
        host = value.rsplit("@", 1)[1]
    elif _HOST.match(value):
        host = value
    else:
        return None
    if is_example_host(host):
        return f"an example host ({host})"
    if "://" in value and _PLACEHOLDER_TEXT.search(value) and not is_loopback(host):
        return "a placeholder URL"
    return None


def refuse_placeholders(reader: Reader, channel: Any, prefix: str) -> Any:
    """A channel pointing at an example's placeholder would only ever fail: refuse it,
    naming the key (its secrets masked), so the copied example is not sent to nowhere."""
    if channel is None:
        return None
    for item in dataclasses.fields(channel):
        value = getattr(channel, item.name)
        values = value if isinstance(value, tuple) else (value,)
        for one in values:
            text = one.reveal() if isinstance(one, Secret) else one
            why = placeholder(text) if isinstance(text, str) else None
            if why:
                shown = one.masked() if isinstance(one, Secret) else one
                reader.problem(
                    f"{prefix}.{item.name}",
                    f"{shown!r} is {why}, not a real endpoint: put yours here, or remove "
                    f"[{prefix}] if you do not use it",
                )
    return channel
