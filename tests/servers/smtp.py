"""A real SMTP server (aiosmtpd) on 127.0.0.1 for notifier tests.

    with SmtpServer(security="starttls", users={"bob": "s3cret"}) as server:
        settings = EmailSettings(..., host=server.host, port=server.port,
                                 security="starttls", ca_file=server.ca_file)
        ...
        assert server.messages[0].tls

`security` is "none" (plain SMTP), "starttls" (RFC 3207, offered on the plain
port) or "ssl" (implicit TLS, RFC 8314). TLS uses a certificate for
127.0.0.1 issued by a throw-away `trustme` CA: a client verifying against the
system trust store must reject it; one given `ca_file` must accept it.

`users` turns on AUTH LOGIN/PLAIN (RFC 4954); a wrong password gets 535.
`then_reply("451 4.3.0 Try again later")` scripts the DATA replies of the
next messages (a scripted 250 or an empty queue accepts the message);
`refuse` maps recipient addresses to RCPT replies ("550 5.1.1 No such user"),
or to a list of replies used once each, in order, after which the address is
accepted (["450 4.2.1 Mailbox busy"]: refused once, then taken).
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import ssl
import tempfile
import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Self

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

Security = Literal["none", "starttls", "ssl"]


@dataclass(frozen=True)
class ReceivedMail:
    """One accepted message, with how it arrived."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes
    tls: bool
    login: str | None

    @property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


class RecordingHandler:
    """aiosmtpd handler: records accepted mail, answers from a script."""

    def __init__(self, refuse: Mapping[str, str | list[str]] | None = None) -> None:
        self.messages: list[ReceivedMail] = []
        self.data_replies: deque[str] = deque()
        self.attempts = 0
        self.refuse = {k: v if isinstance(v, str) else deque(v) for k, v in (refuse or {}).items()}
        self.lock = threading.Lock()

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        with self.lock:
            replies = self.refuse.get(address)
            reply = replies if isinstance(replies, str) else (replies or deque([""])).popleft()
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        with self.lock:
            self.attempts += 1
            reply = self.data_replies.popleft() if self.data_replies else "250 2.0.0 OK"
        if not reply.startswith("2"):
            return reply
        transport = server.transport
        tls = session.ssl is not None or (
            transport is not None and transport.get_extra_info("ssl_object") is not None
        )
        auth = session.auth_data
        login = auth.login.decode() if isinstance(auth, LoginPassword) else None
        mail = ReceivedMail(
            mail_from=envelope.mail_from or "",
            rcpt_tos=tuple(envelope.rcpt_tos),
            raw=bytes(envelope.original_content or b""),
            tls=tls,
            login=login,
        )
        with self.lock:
            self.messages.append(mail)
        return reply


class _Controller(Controller):
    """aiosmtpd's Controller, able to listen on port 0 (the OS picks a free port)."""

    def _trigger_server(self) -> None:
        if self.port == 0 and isinstance(self.server, asyncio.Server):
            self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()  # type: ignore[no-untyped-call]


class SmtpServer:
    """An aiosmtpd SMTP server on 127.0.0.1; start()/stop() or a `with` block."""

    host = "127.0.0.1"

    def __init__(
        self,
        *,
        security: Security = "none",
        users: Mapping[str, str] | None = None,
        refuse: Mapping[str, str | list[str]] | None = None,
        ca: trustme.CA | None = None,
    ) -> None:
        self.security = security
        self.users = dict(users or {})
        self.handler = RecordingHandler(refuse)
        self.ca = ca or trustme.CA()
        self._dir = tempfile.TemporaryDirectory(prefix="edgarwatch-smtp-")
        self.ca_file = Path(self._dir.name) / "ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_file))
        self._controller: _Controller | None = None

    # -- lifecycle ------------------------------------------------------------
    def start(self) -> Self:
        server_tls = self._server_context() if self.security != "none" else None
        kwargs: dict[str, Any] = {
            "server_hostname": "mail.test",
            "auth_require_tls": self.security == "starttls",
        }
        if self.users:
            kwargs["authenticator"] = self._authenticate
        if self.security == "starttls":
            kwargs["tls_context"] = server_tls
        controller = _Controller(
            self.handler,
            hostname=self.host,
            port=0,
            ssl_context=server_tls if self.security == "ssl" else None,
            **kwargs,
        )
        controller.start()
        self._controller = controller
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def close(self) -> None:
        self.stop()
        self._dir.cleanup()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- use ------------------------------------------------------------------
    @property
    def port(self) -> int:
        assert self._controller is not None, "start() the server first"
        return int(self._controller.port)

    @property
    def messages(self) -> list[ReceivedMail]:
        with self.handler.lock:
            return list(self.handler.messages)

    @property
    def attempts(self) -> int:
        """DATA commands seen, accepted or not."""
        return self.handler.attempts

    def then_reply(self, *replies: str) -> None:
        """Script the DATA replies of the next messages ("451 …", "550 …", "250 …")."""
        with self.handler.lock:
            self.handler.data_replies.extend(replies)

    # -- internals ------------------------------------------------------------
    def _server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
        return context

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login, password = auth_data.login.decode(), auth_data.password.decode()
        if self.users.get(login) != password:
            return AuthResult(success=False, handled=False)  # aiosmtpd answers 535 5.7.8
        return AuthResult(success=True, auth_data=auth_data)
