"""`[email]` (and `[channels.NAME] kind = "email"`): the SMTP server, its security, the sender and the recipients."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from edgarwatch.secrets import Secret
from edgarwatch.settings import email_address, is_loopback, setting

DELIVERY_HEADER = "X-Edgarwatch-Delivery"

EmailSecurity = Literal["starttls", "ssl", "none"]
DEFAULT_PORTS: dict[str, int] = {"starttls": 587, "ssl": 465, "none": 25}


@dataclass(frozen=True)
class EmailSettings:
    """[email] (or [channels.NAME] with kind = "email"). `port` 0: the security's default."""

    name: str
    host: str = setting(required="the SMTP server to send through")
    sender: str = setting(required="the From: address", convert=email_address)
    recipients: tuple[str, ...] = setting(
        required="at least one address to send to", convert=email_address
    )
    port: int = setting(0, minimum=1, maximum=65535)
    security: EmailSecurity = setting("starttls", case="lower")
    username: str | None = None
    password: Secret | None = None
    ca_file: Path | None = None
    timeout: float = setting(20.0, minimum=0.1)
    min_interval_seconds: float = setting(0.0, minimum=0)
    coalesce_above: int = setting(10, minimum=0)
    kind: Literal["email"] = "email"

    def __post_init__(self) -> None:
        if not self.port:
            object.__setattr__(self, "port", DEFAULT_PORTS.get(self.security, 587))

    def problems(self) -> Iterator[tuple[str, str]]:
        if self.password and not self.username:
            yield "username", "missing: a password is set but no username"
        if self.security == "none" and self.password and not is_loopback(self.host):
            yield "security", "'none' would send the password in clear text to a remote host"
        if self.ca_file is not None and not self.ca_file.is_file():
            yield "ca_file", f"{self.ca_file} does not exist"
