"""pytest fixtures for the loopback servers (load with `-p tests.servers.fixtures`).

slack_receiver   a SlackReceiver playing Slack's incoming webhook
teams_receiver   a TeamsReceiver playing a Teams Workflows trigger
http_receiver    a generic HttpReceiver (any webhook endpoint, path /hook)
smtp_ca          one trustme CA for the session (issuing costs ~50 ms)
smtp_server      plain SMTP, no AUTH
smtp_starttls    STARTTLS with a certificate from `smtp_ca`
smtp_ssl         implicit TLS with a certificate from `smtp_ca`
smtp_auth        plain SMTP with AUTH, user "edgar" / password SMTP_PASSWORD
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import trustme

from tests.servers.slack_receiver import HttpReceiver, SlackReceiver
from tests.servers.smtp import SmtpServer
from tests.servers.teams_receiver import TeamsReceiver

SMTP_USER = "edgar"
SMTP_PASSWORD = "correct-horse-battery-staple-7d1f"


@pytest.fixture
def slack_receiver() -> Iterator[SlackReceiver]:
    with SlackReceiver() as receiver:
        yield receiver


@pytest.fixture
def teams_receiver() -> Iterator[TeamsReceiver]:
    with TeamsReceiver() as receiver:
        yield receiver


@pytest.fixture
def http_receiver() -> Iterator[HttpReceiver]:
    with HttpReceiver() as receiver:
        yield receiver


@pytest.fixture(scope="session")
def smtp_ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture
def smtp_starttls(smtp_ca: trustme.CA) -> Iterator[SmtpServer]:
    with SmtpServer(security="starttls", ca=smtp_ca, users={SMTP_USER: SMTP_PASSWORD}) as server:
        yield server


@pytest.fixture
def smtp_ssl(smtp_ca: trustme.CA) -> Iterator[SmtpServer]:
    with SmtpServer(security="ssl", ca=smtp_ca, users={SMTP_USER: SMTP_PASSWORD}) as server:
        yield server


@pytest.fixture
def smtp_auth() -> Iterator[SmtpServer]:
    with SmtpServer(users={SMTP_USER: SMTP_PASSWORD}) as server:
        yield server
