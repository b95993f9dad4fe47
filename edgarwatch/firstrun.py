"""`edgarwatch init`: a first configuration from the documented example.

The example (`example_config.toml`, shipped in the package so `pipx install
edgarwatch` has it; the repository's `config.toml` is the same file) is
copied with the operator's answers put in place of its placeholders: the
SEC identity, the companies to watch and, optionally, a Slack webhook. Every
other key keeps its comment and default, so the file stays the reference.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

EXAMPLE = "example_config.toml"


@dataclass(frozen=True)
class Answers:
    """What `init` asks for; None keeps the example's value."""

    user_agent: str
    ciks: tuple[int, ...] | None = None
    tickers: tuple[str, ...] | None = None
    slack_webhook: str | None = None

    @property
    def holds_secret(self) -> bool:
        return bool(self.slack_webhook)


def example_text() -> str:
    """The shipped example configuration, every key with its comment."""
    return resources.files("edgarwatch").joinpath(EXAMPLE).read_text(encoding="utf-8")


def personalise(text: str, answers: Answers) -> str:
    """The example with `answers` in place of its placeholders (comments kept)."""
    text = _set(text, "user_agent", json.dumps(answers.user_agent))
    if answers.ciks is not None or answers.tickers is not None:
        text = _set(text, "ciks", json.dumps(list(answers.ciks or ())))
        text = _set(text, "tickers", json.dumps(list(answers.tickers or ())))
    if answers.slack_webhook:
        text = _uncomment_table(text, "slack", {"webhook_url": json.dumps(answers.slack_webhook)})
    return text


def write_new(path: Path, text: str, *, secret: bool, force: bool) -> None:
    """Write `path` (0600 when it holds a secret, else 0644 under the umask).

    Refuses an existing file unless `force` (FileExistsError).
    """
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if force else os.O_EXCL)
    mode = 0o600 if secret else 0o644
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, flags, mode)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    if secret:
        os.chmod(path, 0o600)  # an overwritten file keeps its old mode otherwise


def _set(text: str, key: str, value: str) -> str:
    """Replace the value of the first uncommented `key = …` line, keeping its comment."""
    pattern = re.compile(rf'^({re.escape(key)}\s*=\s*)("[^"]*"|\[[^\]]*\]|[^#\s]+)', re.M)
    replaced, count = pattern.subn(lambda m: m.group(1) + value, text, count=1)
    if not count:
        raise ValueError(f"the example has no {key} key")
    return _realign(replaced, key)


def _realign(text: str, key: str) -> str:
    """Keep the key's comment where it was when the value got longer or shorter."""
    line = re.compile(rf'^({re.escape(key)}\s*=\s*(?:"[^"]*"|\[[^\]]*\]|[^#\s]+))(\s*)(#.*)$', re.M)
    return line.sub(lambda m: f"{m.group(1):<35} {m.group(3)}", text, count=1)


def _uncomment_table(text: str, table: str, values: dict[str, str]) -> str:
    """Turn the commented-out `# [table]` block into a table, with `values` set."""
    lines = text.splitlines(keepends=True)
    start = lines.index(f"# [{table}]\n")
    end = start + 1
    while end < len(lines) and lines[end].startswith("# ") and not lines[end].startswith("# ["):
        end += 1
    block = "".join(line[2:] for line in lines[start:end])
    for key, value in values.items():
        block = _set(block, key, value)
    return "".join(lines[:start]) + block + "".join(lines[end:])
