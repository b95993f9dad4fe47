"""Dependency floors: pyproject.toml's are the versions CI's "lowest versions" job installs."""

from __future__ import annotations

import re
import tomllib

from tests.support import REPO


def floors() -> dict[str, str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    found = {}
    for requirement in project["dependencies"]:
        match = re.match(r"^([A-Za-z0-9_.-]+)>=([0-9.]+)", requirement)
        assert match, f"{requirement!r} has no floor (>=)"
        found[match.group(1).lower()] = match.group(2)
    return found


def pins() -> dict[str, str]:
    found = {}
    for line in (REPO / ".ci/lowest-versions.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            found[name.lower()] = version
    return found


def test_every_dependency_has_a_floor_and_ci_installs_exactly_the_floors() -> None:
    assert pins() == floors()


def test_the_floors_known_to_be_needed() -> None:
    found = floors()
    assert tuple(map(int, found["selectolax"].split("."))) >= (0, 4, 0)  # 0.3.x hangs
    assert tuple(map(int, found["feedparser"].split("."))) >= (6, 0, 11)  # Python 3.13
