"""Placeholder until the CLI lands."""


def main() -> None:
    raise SystemExit("edgarwatch: not yet")
