"""Load `config.toml` into typed, frozen settings: every problem at once, naming its key.

The whole file is checked once, at start-up, and every problem is reported
together, each naming its key (`edgar.user_agent: …`), so an operator fixes
them in one pass; the CLI exits 78 (EX_CONFIG) on any of them, which the
systemd unit's `RestartPreventExitStatus=78` turns into "stay down" rather
than a restart loop.

This module is a loader. Each table's keys and checks belong to the room
that uses them, declared as dataclass fields (`edgarwatch.settings`):
`[edgar]` in `edgar/settings.py`, `[notify]` and its rules in
`edgarwatch/policy.py`, each channel kind in its notifier module, found
through the notifier registry (`[slack]`, `[channels.NAME] kind = "…"`).
Only the daemon's own tables (`[poll]`, `[watch]`, `[storage]`, `[log]`,
`[http]`) are declared here (`tables.py`, `http.py`).

Secrets (webhook URLs, the SMTP password, the webhook signing key) may come
from the file, the environment (`EDGARWATCH_SLACK_WEBHOOK_URL`) or a file in
`$CREDENTIALS_DIRECTORY` (systemd `LoadCredential=slack.webhook_url:…`); see
`secret_sources`.

`load.py` builds the settings through `reader.py` (the generic reader) and
`rooms.py` (the tables declared in their rooms); `placeholders.py` refuses
example values; `describe.py` prints the result with secrets masked.
"""

from edgarwatch.config.credentials import credential_names, secret_sources
from edgarwatch.config.describe import describe
from edgarwatch.config.http import HttpSettings
from edgarwatch.config.load import EX_CONFIG, ConfigError, channel_kinds, from_mapping, load
from edgarwatch.config.placeholders import placeholder
from edgarwatch.config.tables import PollSettings, Settings, StorageSettings, WatchSettings

__all__ = [
    "EX_CONFIG",
    "ConfigError",
    "HttpSettings",
    "PollSettings",
    "Settings",
    "StorageSettings",
    "WatchSettings",
    "channel_kinds",
    "credential_names",
    "describe",
    "from_mapping",
    "load",
    "placeholder",
    "secret_sources",
]
