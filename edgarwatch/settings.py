"""How a room declares its config table: keys as dataclass fields, checks as field metadata.

The room that owns a table (`[edgar]`, `[slack]`, `[notify]`, …) declares its
settings as a frozen dataclass. Each field is a key of the table, typed by its
annotation (`str`, `int`, `float`, `bool`, a `Literal`, `Path | None`,
`Secret`, `tuple[str, ...]`, `tuple[int, ...]`) and described by
`setting(…)`: limits, what to say when it is missing, a converter for the
value (or each list element) that raises `ValueError(message)` to refuse it.
Rules spanning several keys go in a `problems()` method yielding
`(key, message)`. `edgarwatch.config` reads any such class from its table and
reports every problem at once, naming the key; it knows no table's keys itself.

This module imports no room, so every room may declare settings with it.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import MISSING, Field, dataclass, field
from typing import Any, Literal

from edgarwatch.company import parse_cik


@dataclass(frozen=True)
class Spec:
    """What the loader checks about one key (see `setting`)."""

    minimum: float | None = None
    maximum: float | None = None
    url: bool = False
    required: str = ""
    convert: Callable[[Any], Any] | None = None
    case: Literal["lower", "upper"] | None = None
    unique: bool = False
    key: bool = True


def setting(
    default: Any = MISSING,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    url: bool = False,
    required: str = "",
    convert: Callable[[Any], Any] | None = None,
    case: Literal["lower", "upper"] | None = None,
    unique: bool = False,
    key: bool = True,
) -> Any:
    """A config key. No default: the key is required (`required` says what it is for).

    `url`: an http(s) URL, plain http only to loopback. `convert`: applied to
    the value (each element of a list) after type checks; it raises
    ValueError with the problem (several arguments: several problems). `case` folds strings first; `unique` drops repeats.
    An empty list means the default. `key=False`: not read from the file.
    """
    spec = Spec(minimum, maximum, url, required, convert, case, unique, key)
    metadata = {"setting": spec}
    if default is MISSING:
        return field(metadata=metadata)
    return field(default=default, metadata=metadata)


def spec_of(item: Field[Any]) -> Spec:
    spec = item.metadata.get("setting")
    return spec if isinstance(spec, Spec) else Spec()


# --------------------------------------------------------------------------- shared checks

EMAIL_RE = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_TICKER_RE = re.compile(r"^[A-Z0-9][A-Z0-9.\-]{0,9}$")


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def email_address(value: str) -> str:
    if not EMAIL_RE.fullmatch(value):
        raise ValueError(f"{value!r} is not an email address")
    return value


def cik(value: object) -> int:
    number = parse_cik(value)
    if number is None:
        raise ValueError(f"{value!r} is not a CIK (a number up to 10 digits)")
    return number


def ticker(value: str) -> str:
    if not _TICKER_RE.match(value):
        raise ValueError(f"{value!r} is not a ticker symbol")
    return value
