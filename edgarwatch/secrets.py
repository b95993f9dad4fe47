"""Secrets that must never reach a log line, a traceback, the database or a message.

A `Secret` wraps a value (a Slack webhook URL, an SMTP password, a webhook
signing key) so that `str()`, `repr()` and f-strings print it masked; code
that needs the value calls `reveal()`. Every secret is also registered here,
so `redact()` can scrub it out of text that did not come from us: an
exception message from requests that quotes the URL it failed on, an SMTP
server's reply. The log handler installed by `edgarwatch.logs` runs every
record through `redact()`.
"""

from __future__ import annotations

import threading

MASK = "****"

SHORTEST_MASKED = 4
"""A registered value shorter than this is not masked inside other text: masking a
secret of "0" would turn every digit of every log line into `****`. (Such a value is
still never printed as the setting itself: `Secret.masked()`.)"""

_lock = threading.Lock()
_registered: set[str] = set()


class Secret:
    """A configuration value that is printed masked everywhere."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value
        if value:
            register(value)

    def reveal(self) -> str:
        return self._value

    def masked(self) -> str:
        """A hint an operator can recognise (`https://hooks.slack.com/****`), no more.

        Only an http(s) host is shown: in other schemes (Apprise's
        `tgram://BOT_TOKEN/CHAT`, `pover://USER@TOKEN`) the host is the secret.
        """
        value = self._value
        if "://" in value:
            scheme, _, rest = value.partition("://")
            if scheme.lower() not in ("http", "https"):
                return f"{scheme}://{MASK}"
            host = rest.split("/", 1)[0].rsplit("@", 1)[-1]
            return f"{scheme}://{host}/{MASK}"
        return MASK

    def __str__(self) -> str:
        return self.masked()

    def __repr__(self) -> str:
        return f"Secret({self.masked()!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)


def register(value: str) -> None:
    """Remember a secret value, and the parts of a URL that are secret on their own:
    its path, long query values (a Teams workflow's `sig=`) and, for other schemes
    than http(s) (Apprise's `tgram://TOKEN/chat`), its user info and host."""
    with _lock:
        if len(value) >= SHORTEST_MASKED:
            _registered.add(value)
        if "://" not in value:
            return
        scheme, _, rest = value.partition("://")
        netloc, _, path = rest.partition("/")
        if len(path) >= 8:
            _registered.add("/" + path)
        parts = [v for _, _, v in (p.partition("=") for p in rest.partition("?")[2].split("&"))]
        if scheme.lower() not in ("http", "https"):
            parts += netloc.replace("@", ":").split(":") + path.split("/")
        _registered.update(part for part in parts if len(part) >= 16)


def redact(text: str) -> str:
    """Replace every registered secret (of `SHORTEST_MASKED` characters or more) in
    `text` with `****`."""
    if not text:
        return text
    with _lock:
        values = sorted(_registered, key=len, reverse=True)
    for value in values:
        if value in text:
            text = text.replace(value, MASK)
    return text


def registered() -> frozenset[str]:
    """The values `redact` masks now (for tests that must leave it as they found it)."""
    with _lock:
        return frozenset(_registered)


def forget_all_but(kept: frozenset[str]) -> None:
    """Unregister every value not in `kept` (tests: one test's secrets are not another's)."""
    with _lock:
        _registered.intersection_update(kept)
