"""`check-config --show`: the effective configuration, every secret masked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from edgarwatch.config.tables import Settings
from edgarwatch.secrets import Secret


def describe(settings: Settings) -> dict[str, Any]:
    """The effective configuration with every secret masked (for check-config)."""

    def plain(value: Any) -> Any:
        if isinstance(value, Secret):
            return value.masked()
        if isinstance(value, Path):
            return str(value)
        if isinstance(value, tuple | list):
            return [plain(v) for v in value]
        if hasattr(value, "__dataclass_fields__"):
            return {k: plain(getattr(value, k)) for k in value.__dataclass_fields__}
        return value

    described = plain(settings)
    assert isinstance(described, dict)
    return described
