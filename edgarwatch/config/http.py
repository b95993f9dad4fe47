"""`[http]`: where `/metrics` and `/healthz` listen (loopback unless the operator
says otherwise).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from dataclasses import dataclass

from edgarwatch.settings import is_loopback, setting


def listen_address(value: str) -> str:
    """`[http] listen`: "HOST:PORT", an IPv6 address in brackets ("[::1]:9797"); "" is off."""
    if not value:
        return ""
    host, port = split_listen(value)
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def split_listen(value: str) -> tuple[str, int]:
    """("127.0.0.1", 9797) from "127.0.0.1:9797"; ValueError saying what is wrong."""
    example = "HOST:PORT, e.g. 127.0.0.1:9797 or [::1]:9797"
    host, colon, port = value.rpartition(":")
    if not colon or not port.isdigit():
        raise ValueError(f"{value!r} is not {example}")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise ValueError(f"{host!r} in brackets is not an IPv6 address") from None
    elif ":" in host:
        raise ValueError(f"put an IPv6 address in brackets: [{host}]:{port}")
    elif host and not _HOST_NAME.match(host):
        raise ValueError(f"{host!r} is neither an IP address nor a host name ({example})")
    if not 1 <= int(port) <= 65535:
        raise ValueError(f"port {port} is not between 1 and 65535")
    return host, int(port)


_HOST_NAME = re.compile(
    r"^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$"
)


@dataclass(frozen=True)
class HttpSettings:
    """[http]: serve `/metrics` (Prometheus) and `/healthz` (the `status` rules) on
    `listen`; off unless set. A loopback address only, unless `allow_remote`:
    the metrics port is for a local Prometheus (or a reverse proxy), not for the internet."""

    listen: str = setting("", convert=listen_address)
    allow_remote: bool = False

    @property
    def address(self) -> tuple[str, int]:
        """(host, port) to bind; "" as host is every interface."""
        return split_listen(self.listen)

    def problems(self) -> Iterator[tuple[str, str]]:
        if not self.listen or self.allow_remote:
            return
        host, _ = self.address
        if not host:
            yield "listen", "an empty host listens on every interface; use 127.0.0.1 or [::1]"
        elif not is_loopback(host):
            yield (
                "listen",
                f"{host} is not a loopback address: the metrics port is not for the internet "
                "(use 127.0.0.1 or [::1], or set http.allow_remote = true behind a firewall)",
            )
