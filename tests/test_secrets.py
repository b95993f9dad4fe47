"""What `redact` masks: every registered secret, but not a value too short to tell
from ordinary text."""

from __future__ import annotations

from edgarwatch.secrets import MASK, Secret, redact


def test_a_registered_secret_is_masked_wherever_it_appears() -> None:
    Secret("hunter2-password")
    assert redact("login with hunter2-password failed") == f"login with {MASK} failed"


def test_a_secret_of_one_to_three_characters_never_garbles_other_text() -> None:
    for value in ("0", "42", "abc"):
        secret = Secret(value)
        assert str(secret) == MASK  # the setting itself is still never shown
    line = "HTTP 429 after 0.42 s: slow down (abc)"
    assert redact(line) == line


def test_a_four_character_secret_is_masked() -> None:
    Secret("q7z!")
    assert redact("password q7z! refused") == f"password {MASK} refused"
