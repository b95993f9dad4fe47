"""The generic reader: any settings dataclass read from its table (types, choices,
bounds and secrets from the fields' metadata), every problem collected.
"""

from __future__ import annotations

import dataclasses
import math
import types
from collections.abc import Mapping
from dataclasses import MISSING
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args, get_origin, get_type_hints
from urllib.parse import urlsplit

from edgarwatch.config.credentials import credential_names, secret_sources
from edgarwatch.secrets import Secret
from edgarwatch.settings import Spec, is_loopback, spec_of

_T = TypeVar("_T")
_ABSENT: Any = object()
"""The key is not in the table: the field keeps its default."""
_INVALID: Any = object()
"""The key is there but refused (its problem is recorded)."""


class Reader:
    """Reads any settings dataclass from its table, collecting every problem."""

    def __init__(self, environ: Mapping[str, str], path: Path | None) -> None:
        self.environ = environ
        self.path = path
        self.problems: list[str] = []
        self.warnings: list[str] = []
        self.file_secrets: list[str] = []
        self.base_dir = path.parent if path else Path.cwd()

    def problem(self, key: str, message: str) -> None:
        self.problems.append(f"{key}: {message}")

    def warn(self, key: str, message: str) -> None:
        self.warnings.append(f"{key}: {message}")

    def table(self, doc: Mapping[str, Any], name: str) -> Mapping[str, Any]:
        value = doc.get(name, {})
        if not isinstance(value, Mapping):
            self.problem(name, f"must be a table, not {type(value).__name__}")
            return {}
        return value

    def unknown_keys(self, prefix: str, table: Mapping[str, Any], known: set[str]) -> None:
        for key in table:
            if key not in known:
                self.problem(f"{prefix}.{key}", "unknown key (misspelt?)")

    def read(
        self,
        cls: type[_T],
        table: Mapping[str, Any],
        prefix: str,
        *,
        check_keys: bool = True,
        **fixed: Any,
    ) -> _T | None:
        """`cls` from `table` (keys prefixed `prefix.` in problems); None when a required
        key is missing or refused. `fixed` values (a channel's name) are not read."""
        hints = get_type_hints(cls)
        keys = [
            f
            for f in dataclasses.fields(cls)  # type: ignore[arg-type]
            if f.name not in fixed and f.name != "kind" and spec_of(f).key
        ]
        if check_keys:
            kind = {"kind"} if "kind" in hints else set()
            self.unknown_keys(prefix, table, {f.name for f in keys} | kind)
        values, complete = dict(fixed), True
        for item in keys:
            key, spec = f"{prefix}.{item.name}", spec_of(item)
            value = self.value(table, item.name, hints[item.name], spec, key)
            required = item.default is MISSING and item.default_factory is MISSING
            if value is _ABSENT and required:
                self.missing(key, spec, hints[item.name])
            if value is _ABSENT or value is _INVALID:
                complete = complete and not required
                continue
            values[item.name] = value
        if not complete:
            return None
        settings = cls(**values)
        for name, message in getattr(settings, "problems", tuple)():
            self.problem(f"{prefix}.{name}", message)
        for name, message in getattr(settings, "cautions", tuple)():
            self.warn(f"{prefix}.{name}", message)
        return settings

    def missing(self, key: str, spec: Spec, hint: Any) -> None:
        if hint is Secret:
            env, _ = secret_sources(key)
            self.problem(key, f"missing (set it here, in ${env}, or a credential)")
        else:
            self.problem(key, f"missing: {spec.required}" if spec.required else "missing")

    def value(self, table: Mapping[str, Any], name: str, hint: Any, spec: Spec, key: str) -> Any:
        """The key's value converted to `hint`, _ABSENT or _INVALID."""
        optional = get_origin(hint) is types.UnionType and type(None) in get_args(hint)
        base = next(a for a in get_args(hint) if a is not type(None)) if optional else hint
        if base is Secret:
            secret = self.secret(table, name, key)
            if secret is not None and spec.url:
                self.url(key, secret.reveal(), secret=True)
            return _ABSENT if secret is None else secret
        if name not in table:
            return _ABSENT
        raw = table[name]
        if get_origin(base) is tuple:
            return self.sequence(raw, get_args(base)[0], spec, key)
        if base is bool:
            return self.boolean(raw, key)
        if base in (int, float):
            return self.number(raw, spec, key, integer=base is int)
        if base is Path:
            return self.path_value(raw, key)
        choices = get_args(base) if get_origin(base) is Literal else ()
        return self.text(raw, spec, key, choices, optional)

    def text(self, raw: Any, spec: Spec, key: str, choices: tuple[Any, ...], optional: bool) -> Any:
        if not isinstance(raw, str):
            self.problem(key, f"must be a string, not {raw!r}")
            return _INVALID
        value = _fold(raw.strip(), spec)
        if not value and (optional or spec.required):
            return None if optional else _ABSENT
        if choices and value not in choices:
            self.problem(key, f"must be one of {', '.join(choices)}, not {value!r}")
            return _INVALID
        if spec.url:
            return self.url(key, value)
        return self.converted(value, spec, key)

    def sequence(self, raw: Any, element: Any, spec: Spec, key: str) -> Any:
        values = [raw] if isinstance(raw, str) else raw
        if not isinstance(values, list) or (
            element is str and not all(isinstance(v, str) for v in values)
        ):
            noun = "strings" if element is str else "values"
            self.problem(key, f"must be a list of {noun}, not {raw!r}")
            return _INVALID
        if element is str:
            values = [_fold(v.strip(), spec) for v in values if v.strip()]
        result = []
        for value in values:
            converted = self.converted(value, spec, key)
            if converted is not _INVALID:
                result.append(converted)
        if not result:
            return _ABSENT if not values else ()
        return tuple(dict.fromkeys(result)) if spec.unique else tuple(result)

    def converted(self, value: Any, spec: Spec, key: str) -> Any:
        if spec.convert is None:
            return value
        try:
            return spec.convert(value)
        except ValueError as exc:  # one problem per argument
            for message in exc.args or ("invalid",):
                self.problem(key, str(message))
            return _INVALID

    def boolean(self, raw: Any, key: str) -> Any:
        if not isinstance(raw, bool):
            self.problem(key, f"must be true or false, not {raw!r}")
            return _INVALID
        return raw

    def number(self, raw: Any, spec: Spec, key: str, *, integer: bool) -> Any:
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            self.problem(key, f"must be a number, not {raw!r}")
            return _INVALID
        if integer and not isinstance(raw, int):
            self.problem(key, f"must be a whole number, not {raw!r}")
            return _INVALID
        if not math.isfinite(raw) or abs(raw) >= 2**63:
            self.problem(key, f"must be a finite number, not {raw!r}")
            return _INVALID
        if spec.minimum is not None and raw < spec.minimum:
            self.problem(key, f"must be at least {spec.minimum:g}, not {raw!r}")
            return _INVALID
        if spec.maximum is not None and raw > spec.maximum:
            self.problem(key, f"must be at most {spec.maximum:g}, not {raw!r}")
            return _INVALID
        return self.converted(raw, spec, key)

    def string(self, table: Mapping[str, Any], key: str, prefix: str, default: str = "") -> str:
        value = table.get(key, default)
        if not isinstance(value, str):
            self.problem(f"{prefix}.{key}", f"must be a string, not {value!r}")
            return default
        return value.strip()

    def path_value(self, raw: Any, key: str) -> Any:
        if not isinstance(raw, str):
            self.problem(key, f"must be a string, not {raw!r}")
            return _INVALID
        if not raw.strip():
            return None
        candidate = Path(raw.strip()).expanduser()
        return candidate if candidate.is_absolute() else self.base_dir / candidate

    def secret(self, table: Mapping[str, Any], name: str, key: str) -> Secret | None:
        """A secret from the credentials directory, the environment, or the file."""
        if isinstance(table.get(name), str) and table[name].strip():
            self.file_secrets.append(key)  # in the file, whatever overrides it
        env_name, credential = secret_sources(key)
        directory = self.environ.get("CREDENTIALS_DIRECTORY")
        if directory:
            for file_name in credential_names(credential):
                candidate = Path(directory) / file_name
                if candidate.is_file():
                    try:
                        return Secret(candidate.read_text(encoding="utf-8").strip())
                    except OSError as exc:
                        self.problem(key, f"cannot read credential {file_name}: {exc.strerror}")
                        return None
        if self.environ.get(env_name):
            return Secret(self.environ[env_name].strip())
        value = table.get(name)
        if value is None:
            return None
        if not isinstance(value, str):
            self.problem(key, "must be a string")
            return None
        return Secret(value.strip()) if value.strip() else None

    def check_file_mode(self) -> None:
        """A file holding secrets that group or others can read is a leak waiting."""
        if not self.file_secrets or self.path is None:
            return
        try:
            mode = self.path.stat().st_mode
        except OSError:
            return
        if mode & 0o077:
            self.warn(
                ", ".join(self.file_secrets),
                f"secrets in {self.path}, which group or others can read "
                f"(mode {mode & 0o777:04o}): chmod 600 {self.path}, or move them to the "
                "environment or $CREDENTIALS_DIRECTORY",
            )

    def secret_only(self, settings_type: type[Any], kind: str) -> bool:
        """A channel whose required secret is in the environment or the credentials
        directory is configured by that alone (no table needed)."""
        hints = get_type_hints(settings_type)
        directory = self.environ.get("CREDENTIALS_DIRECTORY") or ""
        for item in dataclasses.fields(settings_type):
            if hints[item.name] is not Secret:
                continue
            env, credential = secret_sources(f"{kind}.{item.name}")
            if self.environ.get(env) or (
                directory
                and any((Path(directory) / n).is_file() for n in credential_names(credential))
            ):
                return True
        return False

    def url(self, key: str, value: str, *, secret: bool = False) -> str:
        """Check a URL: https, or plain http to a loopback address only."""
        shown = Secret(value).masked() if secret else value
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            self.problem(key, f"must be an http(s) URL, not {shown!r}")
            return value
        if parts.scheme == "http" and not is_loopback(parts.hostname):
            self.problem(
                key, f"plain http:// is accepted only for loopback addresses, not {parts.hostname}"
            )
        return value if secret else value.rstrip("/")


def _fold(value: str, spec: Spec) -> str:
    if spec.case == "upper":
        return value.upper()
    return value.lower() if spec.case == "lower" else value
