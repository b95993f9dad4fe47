"""Loopback servers the tests talk to: real protocols on 127.0.0.1, never the internet.

`slack_receiver` plays an HTTP receiver (Slack's incoming webhook, or any
webhook endpoint); `teams_receiver` a Teams Workflows trigger,
`discord_receiver` a Discord webhook, `ntfy_receiver` an ntfy server (for the
Apprise channel), each with the service's real answers and rate limits;
`smtp` runs aiosmtpd (plain, STARTTLS, implicit TLS,
AUTH, scripted 4xx/5xx replies). They are plain classes with start()/stop()
and context-manager support, usable without pytest; `fixtures` wraps them as
pytest fixtures (`pytest_plugins = ["tests.servers.fixtures"]`).
"""
