"""Notifiers: one module per channel behind the contract in `base`.

Importing this package registers every channel (`slack`, `teams`, `discord`,
`apprise`, `email`, `webhook`, `console`), so `notifier_for(settings)` can
build any of them.
"""

from __future__ import annotations

from edgarwatch.notifiers import apprise, console, discord, email, slack, teams, webhook
from edgarwatch.notifiers.apprise import AppriseNotifier
from edgarwatch.notifiers.base import (
    REGISTRY,
    Delivery,
    Notifier,
    NotifierError,
    notifier_for,
    register,
)
from edgarwatch.notifiers.console import ConsoleNotifier, ConsoleSettings
from edgarwatch.notifiers.discord import DiscordNotifier
from edgarwatch.notifiers.email import EmailNotifier
from edgarwatch.notifiers.slack import SlackNotifier
from edgarwatch.notifiers.teams import TeamsNotifier
from edgarwatch.notifiers.webhook import WebhookNotifier, verify_signature

__all__ = [
    "REGISTRY",
    "AppriseNotifier",
    "ConsoleNotifier",
    "ConsoleSettings",
    "Delivery",
    "DiscordNotifier",
    "EmailNotifier",
    "Notifier",
    "NotifierError",
    "SlackNotifier",
    "TeamsNotifier",
    "WebhookNotifier",
    "apprise",
    "console",
    "discord",
    "email",
    "notifier_for",
    "register",
    "slack",
    "teams",
    "verify_signature",
    "webhook",
]
