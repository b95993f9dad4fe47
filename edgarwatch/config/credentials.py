"""Where a secret may come from besides the file: an environment variable or a
file in `$CREDENTIALS_DIRECTORY` (systemd `LoadCredential=`).
"""

from __future__ import annotations

import re


def secret_sources(key: str) -> tuple[str, str]:
    """Where a secret key may also come from: (environment variable, credential name).

    `slack.webhook_url` → (`EDGARWATCH_SLACK_WEBHOOK_URL`, `slack.webhook_url`).
    """
    env = "EDGARWATCH_" + re.sub(r"[^A-Za-z0-9]+", "_", key).upper()
    return env, key


def credential_names(credential: str) -> tuple[str, ...]:
    """File names a secret may have in $CREDENTIALS_DIRECTORY: `slack.webhook_url` as
    LoadCredential= names it, `slack_webhook_url`, or `edgarwatch.slack.webhook_url`
    as it sits in /etc/credstore (so a shell can point the variable there)."""
    return (credential, credential.replace(".", "_"), f"edgarwatch.{credential}")
