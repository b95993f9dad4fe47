"""Shared fixtures: the loopback Slack and SMTP servers, the EDGAR replay, the corpus."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from edgarwatch import secrets
from edgarwatch.replay.server import Replay, ReplayServer
from tests.support import CORPUS

pytest_plugins = ["tests.servers.fixtures"]


@pytest.fixture(autouse=True)
def _secrets_of_this_test_only() -> Iterator[None]:
    """A secret one test registers (hypothesis's config documents hold any string as a
    password) must not mask text in another test's assertions."""
    before = secrets.registered()
    yield
    secrets.forget_all_but(before)


@pytest.fixture
def corpus() -> Path:
    """`../shared/corpus` when it exists (CI has it; a user's clone may not)."""
    if not (CORPUS / "MANIFEST.tsv").is_file():
        pytest.skip("the shared EDGAR corpus (../shared/corpus) is not present")
    return CORPUS


@pytest.fixture
def edgar() -> Iterator[tuple[Replay, str]]:
    """An empty EDGAR replay on loopback: (controls, base URL)."""
    replay = Replay()
    with ReplayServer(replay) as server:
        yield replay, server.url
